"""Locate package data both in an installed wheel and in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(kind: str) -> Path:
    """Directory of top-level package data (``questionnaires`` or ``reports``).

    In a wheel they live in ``assess/_data/<kind>``; in a checkout (editable install) beside the
    package at the repository root.
    """
    installed = Path(str(resources.files("assess"))) / "_data" / kind
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"package data '{kind}' is missing from this installation of assess")


def package_file(*parts: str) -> Path:
    """A file shipped inside the ``assess`` package itself (catalogues, schemas)."""
    return _PACKAGE_DIR.joinpath(*parts)
