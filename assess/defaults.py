"""One home for the defaults every command and library entry point shares.

Change a default here and every CLI option, library signature and help text follows."""

from __future__ import annotations

REV = "HEAD"  # the revision whose history is mined
WINDOW_DAYS = 90  # days up to a repository's newest change that form its assessment window
MIN_GROUP = 5  # questionnaire anonymity floor: fewer respondents show team aggregates only
BOOTSTRAP_REPS = 2000  # cluster-bootstrap resamples for the randomised study's interval
