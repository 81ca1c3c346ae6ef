from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gitfixture import GitRepo  # noqa: E402


@pytest.fixture
def make_repo(tmp_path: Path):
    """Factory: ``make_repo("name")`` returns a fresh :class:`GitRepo` in a temp dir."""
    counter = {"n": 0}

    def factory(name: str | None = None, **kwargs) -> GitRepo:
        counter["n"] += 1
        return GitRepo(tmp_path / (name or f"repo{counter['n']}"), **kwargs)

    return factory


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # never read or write the user's real cache from tests
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(tmp_path / ".assess-cache"))
    # nor create the user's pseudonym key (assess.sessions.pseudonym)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
