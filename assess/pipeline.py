"""The one assessment pipeline every command uses: sources -> evidence -> placement -> report model.

Usage from Python (the CLI commands ``assess repo`` and ``assess report`` are thin views of this)::

    from assess.pipeline import SourceOptions, run_assessment
    a = run_assessment(SourceOptions(repos=("path/to/repo",), survey=("answers/",), since="2025-01-01"))
    a.team             # the placement (level.schema.json): levels, ranges, shares, gaps
    a.evidences        # one evidence document per repository (evidence.schema.json)
    a.findings         # Findings of the registered sources (sessions, forge, ...)
    a.report_model()   # the report data (report.schema.json), for the renderers

Stages, each owning its numbers:

1. **Sources collect.** ``git`` (``assess.mining``: mined now or a saved evidence JSON), ``survey``
   (``assess.survey``: responses scored now, or a saved summary held to ``min_group``), ``study``
   (``assess.speedup``: a study folder analysed now, or saved analysis JSON), and every source in
   :data:`SOURCES`.
2. **Observational speedup** (``assess.speedup.observational``): a step of its own beside the
   placement, from the mined history (saved evidence keeps the figure it was written with).
3. **Placement judges** (``assess.levels``): levels, ranges, confidence, shares, perception gaps.
4. **Report formats** (``assess.report``): the report model only arranges what the stages computed.

Adding an evidence source (sessions, forge, ...) is one module plus one line here:

- the module (e.g. ``assess/sessions/source.py``) exposes
  ``collect(inputs: tuple[str, ...], options: SourceOptions) -> Any`` (its evidence document) and
  ``findings(evidence, rubric: dict) -> list[assess.findings.Finding]`` (judged with thresholds from
  the rubric section named after the source);
- add ``"sessions": Source("sessions", "assess.sessions.source")`` to :data:`SOURCES`; the inputs
  come from the :class:`SourceOptions` field of the same name (``sessions``, ``forge`` exist already).
  ``collect`` may also take a keyword ``minings`` (the ``RepoMining`` per repository of this run,
  None where saved evidence was read) to reuse git mining's attribution.

The placement folds findings into git's judgement (rules in :mod:`assess.levels.observed`): a direct
observation with at least medium confidence sets the point level, what no source sees stays open,
and missing evidence never lowers a level. The dimension's source then reads e.g. ``git+sessions``.

New git signals are declared once in :mod:`assess.mining.signals` (see ``SIGNALS`` there); pooling
across repositories and months follows from the declaration.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess import defaults
from assess.errors import AssessError
from assess.findings import Finding

ProgressFactory = Callable[[str], "Callable[[int], None] | None"]


@dataclass(frozen=True)
class Source:
    """A registered evidence source: its name (also the :class:`SourceOptions` field holding its
    inputs and the rubric section holding its thresholds) and the module that implements it."""

    name: str
    module: str

    def load(self) -> Any:
        try:
            mod = importlib.import_module(self.module)
        except ImportError as exc:
            raise AssessError(f"the {self.name} source is not available in this installation ({exc})") from None
        for fn in ("collect", "findings"):
            if not callable(getattr(mod, fn, None)):
                raise AssessError(f"the {self.name} source module {self.module} has no {fn}() function")
        return mod


# name -> source module. One line per source; see the module docstring for the module's contract.
SOURCES: dict[str, Source] = {
    "sessions": Source("sessions", "assess.sessions.source"),
    "forge": Source("forge", "assess.forge.source"),
}


@dataclass(frozen=True)
class SourceOptions:
    """Everything that selects and shapes the evidence: the same for every command."""

    repos: tuple[str, ...] = ()  # git repositories or saved evidence JSON (`assess repo --json`)
    rev: str = defaults.REV
    all_refs: bool = False  # mine every branch, tag and remote ref too (loops on unmerged side branches)
    since: str | None = None  # keep commits authored on or after this date (YYYY-MM-DD)
    until: str | None = None  # ... on or before
    window_days: int = defaults.WINDOW_DAYS
    signatures: str | None = None  # YAML extending the agent signature catalogue
    survey: tuple[str, ...] = ()  # response files/folders, or one saved summary JSON
    questionnaire: str | None = None  # questionnaire YAML the responses answer (default: bundled)
    min_group: int = defaults.MIN_GROUP  # anonymity floor, held for saved summaries too
    study: str | None = None  # a registered study folder or saved analysis JSON
    rubric: str | None = None  # rubric YAML (default: bundled)
    show_identities: bool = False
    use_cache: bool = True
    # git processes (and parsers) per repository while mining; None: one per core. `assess org` sets 1
    # when repositories are mined side by side, so tasks do not fight over the same cores
    jobs: int | None = None
    bootstrap_reps: int = defaults.BOOTSTRAP_REPS
    sessions: tuple[str, ...] = ()  # agent session logs (a source registered in SOURCES)
    forge: tuple[str, ...] = ()  # forge exports or addresses (a source registered in SOURCES)

    def __post_init__(self) -> None:
        for name in ("repos", "survey", "sessions", "forge"):
            value = getattr(self, name)
            if isinstance(value, (str, Path)):
                object.__setattr__(self, name, (str(value),))
            else:
                object.__setattr__(self, name, tuple(str(v) for v in value))
        if self.window_days < 1:
            raise AssessError(f"window_days must be at least 1, not {self.window_days}")
        if self.min_group < 1:
            raise AssessError(f"min_group must be at least 1, not {self.min_group}")

    def extra_inputs(self) -> dict[str, tuple[str, ...]]:
        """Inputs for the registered sources (and for slots no source has claimed yet)."""
        return {name: getattr(self, name) for name in ("sessions", "forge") if getattr(self, name)}


@dataclass
class Assessment:
    """What one run of the pipeline found; every command formats (part of) this."""

    options: SourceOptions
    rubric: dict[str, Any]
    evidences: list[dict[str, Any]]
    minings: list[Any]  # RepoMining per repository, or None where saved evidence was read
    survey: dict[str, Any] | None
    study: dict[str, Any] | None
    source_evidence: dict[str, Any] = field(default_factory=dict)  # name -> evidence of SOURCES
    findings: list[Finding] = field(default_factory=list)
    team: dict[str, Any] = field(default_factory=dict)
    per_repo: list[dict[str, Any] | None] = field(default_factory=list)

    def report_model(self, generated_at: str | None = None) -> dict[str, Any]:
        """The report data (report.schema.json)."""
        from assess.report.assemble import assemble_report

        return assemble_report(evidences=self.evidences, team=self.team, repo_levels=self.per_repo,
                               survey=self.survey, study=self.study, show_identities=self.options.show_identities,
                               generated_at=generated_at, sessions=self.source_evidence.get("sessions"),
                               forge=self.source_evidence.get("forge"))


def _check_repos(repos: tuple[str, ...]) -> None:
    from assess.mining.gitrepo import repository_key

    seen: dict[str, str] = {}
    for path in repos:  # the same repository twice would be counted twice in every team figure
        key = repository_key(path)  # a path, its .git and a linked worktree share one git directory
        if key in seen:
            raise AssessError(f"{path}: the same repository as {seen[key]} is given twice",
                              hint="name each --repo once (a folder, its .git and its worktrees are one repository)")
        seen[key] = str(path)


def _dedupe_names(evidences: list[dict[str, Any]]) -> None:
    """Two repositories with the same folder name get ``name (2)`` so links and tables stay apart."""
    seen: dict[str, int] = {}
    for e in evidences:
        name = e["repository"]["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            e["repository"]["name"] = f"{name} ({seen[name]})"


def load_rubric_early(options: SourceOptions) -> dict[str, Any]:
    """The rubric, read before any slow work so a malformed one fails first."""
    from assess.levels import load_rubric

    return load_rubric(options.rubric)


def collect_git(options: SourceOptions, rubric: dict[str, Any], on_repository: ProgressFactory | None = None
                ) -> tuple[list[dict[str, Any]], list[Any]]:
    """Evidence per repository (mined now, or saved JSON), with the observational speedup step
    run on every mined history."""
    from assess.report.inputs import load_repository

    evidences, minings = [], []
    for path in options.repos:
        progress = on_repository(str(path)) if on_repository else None
        evidence, mining = load_repository(path, rev=options.rev, all_refs=options.all_refs,
                                           since=options.since, until=options.until,
                                           window_days=options.window_days, show_identities=options.show_identities,
                                           use_cache=options.use_cache, signatures=options.signatures,
                                           rubric=options.rubric, on_progress=progress, jobs=options.jobs,
                                           collection=rubric["collection"])
        if mining is not None:
            evidence["observational_speedup"] = observational_step(mining)
        evidences.append(evidence)
        minings.append(mining)
    _dedupe_names(evidences)
    return evidences, minings


def observational_step(mining: Any) -> dict[str, Any]:
    """Time per change, AI-attributed vs other, from the mined history (observational only)."""
    # imported here: a run on saved evidence never needs it
    from assess.speedup.observational import observational_speedup

    return observational_speedup(mining.commits)


def collect_sources(options: SourceOptions, rubric: dict[str, Any], minings: list[Any] | None = None
                    ) -> tuple[dict[str, Any], list[Finding]]:
    """Evidence and findings of every registered source that has inputs."""
    evidence: dict[str, Any] = {}
    findings: list[Finding] = []
    for name, inputs in options.extra_inputs().items():
        source = SOURCES.get(name)
        if source is None:
            raise AssessError(f"no {name} source is registered in this installation",
                              hint="assess.pipeline.SOURCES lists the sources it can read")
        mod = source.load()
        # a source may also read the repositories mined in this run (forge: commit attribution)
        extra = {"minings": minings} if "minings" in inspect.signature(mod.collect).parameters else {}
        evidence[name] = mod.collect(inputs, options, **extra)
        for f in mod.findings(evidence[name], rubric):
            if not isinstance(f, Finding) or f.source != name:
                raise AssessError(f"the {name} source returned a finding that is not a Finding of source '{name}'")
            findings.append(f)
    return evidence, findings


def run_assessment(options: SourceOptions, *, on_repository: ProgressFactory | None = None) -> Assessment:
    """Read every source the options name, place the team (together and, for several
    repositories, each one) and return the :class:`Assessment`. At least one source is needed."""
    if not options.repos and not options.survey and options.study is None and not options.extra_inputs():
        raise AssessError("nothing to report on", hint="give --repo PATH, --survey FILES or --study DIR")
    from assess.frames import python_strings

    with python_strings():  # many small frames: see assess.frames
        return _run_assessment(options, on_repository)


def _run_assessment(options: SourceOptions, on_repository: ProgressFactory | None) -> Assessment:
    _check_repos(options.repos)
    rubric = load_rubric_early(options)
    from assess.levels import place_team
    from assess.report.inputs import load_study, load_survey

    survey = load_survey(options.survey, questionnaire=options.questionnaire,
                         min_group=options.min_group) if options.survey else None
    evidences, minings = collect_git(options, rubric, on_repository)
    source_evidence, findings = collect_sources(options, rubric, minings)
    study = load_study(options.study, bootstrap_reps=options.bootstrap_reps) if options.study is not None else None
    team = place_team(evidences, survey=survey, study=study, findings=findings, rubric=rubric)
    if len(evidences) > 1:
        per_repo: list[dict[str, Any] | None] = [place_team([e], rubric=rubric) for e in evidences]
    else:
        per_repo = [None] * len(evidences)
    return Assessment(options=options, rubric=rubric, evidences=evidences, minings=minings, survey=survey,
                      study=study, source_evidence=source_evidence, findings=findings, team=team, per_repo=per_repo)


__all__ = ["SOURCES", "Assessment", "Source", "SourceOptions", "run_assessment"]
