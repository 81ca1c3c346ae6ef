"""METR-style randomised speedup study: design, registration, recording, analysis, planning.

Public API (all speedups: time with AI / time without AI - 1, negative = faster):

- :func:`init_study` (``create``), :func:`register_study` (``registration``),
  :func:`record_result` / :func:`record_post_study` (``record``)
- :func:`analyze_study` / :func:`analyze_frame` (``analysis``): the result dict, whose JSON Schema is
  :data:`STUDY_SCHEMA` (``assess/schemas/study.schema.json``)
- :func:`plan_study` (``power``), :func:`simulate_study` / :func:`simulate_frame` (``simulate``),
  :func:`import_study` (``importers``)
"""

from __future__ import annotations

from assess.resources import package_file
from assess.speedup.analysis import analyze_frame, analyze_study
from assess.speedup.create import init_study
from assess.speedup.importers import import_study
from assess.speedup.power import plan_study
from assess.speedup.record import record_post_study, record_result
from assess.speedup.registration import load_registration, register_study
from assess.speedup.simulate import simulate_frame, simulate_study

STUDY_SCHEMA = package_file("schemas", "study.schema.json")

__all__ = ["STUDY_SCHEMA", "analyze_frame", "analyze_study", "import_study", "init_study", "load_registration",
           "plan_study", "record_post_study", "record_result", "register_study", "simulate_frame",
           "simulate_study"]
