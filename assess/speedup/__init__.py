"""METR-style randomised speedup study: design, registration, recording, analysis, planning."""

from __future__ import annotations
