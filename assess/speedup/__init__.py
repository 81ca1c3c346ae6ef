"""METR-style randomised speedup study: design, registration, recording, analysis, planning.

Public API (all speedups: time with AI / time without AI - 1, negative = faster):

- :func:`init_study` (``create``), :func:`register_study` (``registration``),
  :func:`record_result` / :func:`record_post_study` (``record``)
- :func:`analyze_study` / :func:`analyze_frame` (``analysis``): the result dict, whose JSON Schema is
  :data:`STUDY_SCHEMA` (``assess/schemas/study.schema.json``)
- :func:`plan_study` (``power``), :func:`simulate_study` / :func:`simulate_frame` (``simulate``),
  :func:`import_study` (``importers``)

Names are imported on first use (PEP 562), so mining, which only needs the observational
estimate, does not pay for importing the whole study stack.
"""

from __future__ import annotations

import importlib
from typing import Any

from assess.resources import package_file

STUDY_SCHEMA = package_file("schemas", "study.schema.json")

_EXPORTS = {
    "analyze_frame": "analysis", "analyze_study": "analysis", "init_study": "create", "import_study": "importers",
    "plan_study": "power", "record_post_study": "record", "record_result": "record",
    "load_registration": "registration", "register_study": "registration", "simulate_frame": "simulate",
    "simulate_study": "simulate",
}

__all__ = ["STUDY_SCHEMA", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"assess.speedup.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'assess.speedup' has no attribute {name!r}")
