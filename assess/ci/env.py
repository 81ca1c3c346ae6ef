"""What the CI run is about, read from the CI's own environment: the range (base..head), the
pull request's labels and number, and where the job summary goes.

GitHub Actions: ``GITHUB_BASE_REF`` (pull requests: the target branch), ``GITHUB_SHA`` (the commit
checked out: for a pull request the test merge), ``GITHUB_HEAD_REF``, ``GITHUB_EVENT_PATH`` (labels,
number, and for a push the ``before`` commit), ``GITHUB_STEP_SUMMARY``.
GitLab CI: ``CI_MERGE_REQUEST_DIFF_BASE_SHA`` (else ``CI_COMMIT_BEFORE_SHA`` on a push),
``CI_COMMIT_SHA``, ``CI_MERGE_REQUEST_LABELS`` (comma-separated), ``CI_MERGE_REQUEST_IID``.
Options given on the command line always win over the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assess import safejson

MAX_EVENT_BYTES = 25_000_000  # a webhook payload is well below this; anything larger is not one
NULL_SHA = "0" * 40  # a push that created the branch has no "before"


@dataclass(frozen=True)
class CiContext:
    provider: str  # github | gitlab | local
    base: str | None  # a ref or sha, as given (resolved later against the repository)
    head: str
    base_ref: str | None = None  # branch names, for display only
    head_ref: str | None = None
    event: str | None = None
    pull_request: int | None = None
    labels: tuple[str, ...] = ()
    step_summary: Path | None = None  # GitHub's job summary file (appended to)


def _event(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    data = safejson.read_file(Path(path), max_bytes=MAX_EVENT_BYTES, what="GitHub event payload",
                              context="(GITHUB_EVENT_PATH)")
    return data if isinstance(data, dict) else {}


def _labels(names: Any) -> tuple[str, ...]:
    if not isinstance(names, list):
        return ()
    out = []
    for label in names[:200]:
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str) and name.strip():
            out.append(name.strip()[:100])
    return tuple(out)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _sha_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != NULL_SHA else None


def context_from_environment(env: Mapping[str, str], *, base: str | None = None, head: str | None = None,
                             labels: tuple[str, ...] = ()) -> CiContext:
    """The run's context; ``base``/``head``/``labels`` from the command line override the CI's."""
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_SHA"):
        event = _event(env.get("GITHUB_EVENT_PATH"))
        pr = event.get("pull_request") if isinstance(event.get("pull_request"), dict) else {}
        pr_base = pr.get("base") if isinstance(pr.get("base"), dict) else {}
        base_ref = env.get("GITHUB_BASE_REF") or None
        env_base = base_ref or _sha_or_none(pr_base.get("sha")) or _sha_or_none(event.get("before"))
        return CiContext(
            provider="github", base=base or env_base,
            head=head or env.get("GITHUB_SHA") or "HEAD",
            base_ref=base_ref, head_ref=env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME") or None,
            event=env.get("GITHUB_EVENT_NAME") or None, pull_request=_int(pr.get("number")),
            labels=tuple(labels) + _labels(pr.get("labels")),
            step_summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None)
    if env.get("GITLAB_CI") == "true" or env.get("CI_COMMIT_SHA"):
        mr_labels = tuple(x.strip() for x in env.get("CI_MERGE_REQUEST_LABELS", "").split(",") if x.strip())
        env_base = (_sha_or_none(env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA"))
                    or _sha_or_none(env.get("CI_COMMIT_BEFORE_SHA")))
        return CiContext(
            provider="gitlab", base=base or env_base, head=head or env.get("CI_COMMIT_SHA") or "HEAD",
            base_ref=env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or None,
            head_ref=env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or env.get("CI_COMMIT_REF_NAME") or None,
            event=env.get("CI_PIPELINE_SOURCE") or None, pull_request=_int(env.get("CI_MERGE_REQUEST_IID")),
            labels=tuple(labels) + mr_labels)
    return CiContext(provider="local", base=base, head=head or "HEAD", labels=tuple(labels))
