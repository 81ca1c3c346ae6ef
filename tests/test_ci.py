"""`assess ci` on a simulated pull request built with real git: summary content, policy gates,
exit codes, the CI environment's defaults, and policy files with errors at file:line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from prfixture import build_pr

from assess.ci import load_policy, run_ci
from assess.ci.sources import SourceReport, register, unregister
from assess.cli import main
from assess.errors import InputError
from assess.report.schema import schema_validator

ROOT = Path(__file__).resolve().parents[1]
STRICT = """version: 1
rules:
  - {id: max-ai-share, max_ai_share: 0.10, exempt_labels: [ai-ok], reason: "pilot: agents on small changes only"}
  - {id: agent-attribution}
  - {id: human-review}
  - {id: min-level, min_level: 1}
"""


@pytest.fixture(scope="module")
def pr(tmp_path_factory):
    return build_pr(tmp_path_factory.mktemp("pr") / "repo")


def _policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _results(doc: dict) -> dict[str, dict]:
    return {r["id"]: r for r in doc["policy"]["results"]}


def test_summary_names_agents_share_level_gate_and_failing_commits(pr, tmp_path):
    result = run_ci(pr.repo.path, base="main", head="feature", policy=_policy(tmp_path, STRICT), env={})
    doc, md = result.document, result.summary
    schema_validator("ci.schema.json").validate(doc)
    ch = doc["change"]
    # 1 human fix + 2 trailer commits + 1 agent-branch commit + 1 docs commit (+ the merge)
    assert ch["commits_in_range"] == 6 and ch["commits"] == 5 and ch["ai_commits"] == 3
    assert ch["agents"][0]["id"] == "claude-code" and ch["agents"][0]["commits"] == 3
    # code lines only: the README change counts in all lines but not in code lines
    assert ch["code_lines"] < ch["lines"] and ch["ai_code_lines"] == ch["ai_lines"]
    # one definition of AI share: the two trailer commits were made in a person's session and count at
    # the rubric's session weight (0.5), the agent-branch commit whole, the human fix not at all
    assert 0.5 < ch["ai_share_code_lines"] < 0.9
    res = _results(doc)
    assert res["max-ai-share"]["status"] == "fail"
    assert {s[:7] for s in pr.trailer_commits + pr.untrailed_commits} == {s[:7] for s in res["max-ai-share"]["commits"]}
    assert res["agent-attribution"]["status"] == "fail"
    assert [s[:10] for s in pr.untrailed_commits] == res["agent-attribution"]["commits"]
    assert res["human-review"]["status"] == "inconclusive"  # no forge data: neither pass nor fail
    assert res["min-level"]["status"] == "pass"
    assert result.exit_code == 1 and doc["policy"]["passed"] is False
    # the Markdown says all of it
    assert "<!-- assess-ci -->" in md
    assert "Claude Code 3" in md
    assert f"{100 * ch['ai_share_code_lines']:.1f}% of changed code lines" in md
    level = doc["level"]["overall"]
    assert f"Level {level['level']}" in md and "trend:" in md
    if doc["level"]["next_gate"]:
        assert f"Level {doc['level']['next_gate']['level']} is held back by" in md
    assert "| max-ai-share | ❌ fail |" in md and pr.untrailed_commits[0][:10] in md
    assert "pilot: agents on small changes only" in md  # the rule's reason beside its failure
    assert "| human-review | ➖ inconclusive |" in md
    assert "Stamp: assess" in md
    # privacy: no names, e-mails or absolute paths
    for leak in ("Ada Dev", "ada@example.com", "Bo Coder", str(pr.repo.path)):
        assert leak not in md and leak not in json.dumps(doc)


def test_an_exempting_label_and_a_human_only_change_pass(pr, tmp_path):
    policy = _policy(tmp_path, "version: 1\nrules:\n  - {id: max-ai-share, max_ai_share: 0.1, exempt_labels: [ai-ok]}\n")
    doc = run_ci(pr.repo.path, base="main", head="feature", policy=policy, labels=("ai-ok",), env={}).document
    assert _results(doc)["max-ai-share"]["status"] == "exempt" and doc["exit_code"] == 0
    # only the first (human) commit of the branch: nothing AI-attributed
    human_only = run_ci(pr.repo.path, base="main", head=pr.human_commits[0], policy=policy, env={}).document
    assert human_only["change"]["ai_commits"] == 0
    assert _results(human_only)["max-ai-share"]["status"] == "pass" and human_only["exit_code"] == 0


def test_attribution_passes_when_every_agent_commit_carries_a_trailer(tmp_path):
    pr = build_pr(tmp_path / "repo", agent_branch=False)
    policy = _policy(tmp_path, "version: 1\nrules:\n  - {id: agent-attribution}\n  - {id: min-level, min_level: 5}\n")
    doc = run_ci(pr.repo.path, base=pr.base, head=pr.head, policy=policy, env={}).document
    res = _results(doc)
    assert res["agent-attribution"]["status"] == "pass"
    assert res["min-level"]["status"] == "fail" and "below the minimum of Level 5" in res["min-level"]["message"]
    # the stricter form wants a trailer or marker: trailers are there, so it passes too
    strict = _policy(tmp_path, "version: 1\nrules:\n  - {id: agent-attribution, require: marker}\n", "strict.yaml")
    assert _results(run_ci(pr.repo.path, base=pr.base, head=pr.head, policy=strict, env={}).document)[
        "agent-attribution"]["status"] == "pass"


def test_human_review_uses_forge_evidence_when_a_provider_is_registered(pr, tmp_path):
    policy = _policy(tmp_path, "version: 1\nrules:\n  - {id: human-review, min_approvals: 2}\n")
    seen = {}

    def forge(ctx):
        seen["shas"] = ctx.shas
        return SourceReport("forge", "ok", "1 human approval", review={"human_approvals": 1, "pull_request": 7})

    register("forge", forge)
    try:
        doc = run_ci(pr.repo.path, base="main", head="feature", policy=policy, env={}).document
    finally:
        unregister("forge")
    assert set(seen["shas"]) >= set(pr.trailer_commits)
    res = _results(doc)["human-review"]
    assert res["status"] == "fail" and "1 human approval" in res["message"] and doc["exit_code"] == 1
    assert doc["sources"]["forge"]["status"] == "ok" and doc["sources"]["sessions"]["status"] == "not configured"


def _cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    full.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run([sys.executable, "-m", "assess", "ci", *args], capture_output=True, text=True, env=full)


def test_exit_codes_0_pass_1_policy_failed_2_usage(pr, tmp_path):
    lenient = _policy(tmp_path, "version: 1\nrules:\n  - {id: min-level, min_level: 0}\n", "lenient.yaml")
    ok = _cli([str(pr.repo.path), "--base", "main", "--head", "feature", "--policy", str(lenient),
               "--summary", str(tmp_path / "s.md"), "--json", str(tmp_path / "ci.json")])
    assert ok.returncode == 0, ok.stderr
    assert json.loads((tmp_path / "ci.json").read_text())["exit_code"] == 0
    failed = _cli([str(pr.repo.path), "--base", "main", "--head", "feature", "--policy", str(_policy(tmp_path, STRICT)),
                   "--json", "-"])
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["policy"]["passed"] is False  # stdout is the JSON alone
    missing = _cli([str(pr.repo.path), "--base", "no-such-branch", "--head", "feature"])
    assert missing.returncode == 2 and "base 'no-such-branch' not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = _policy(tmp_path, "version: 1\nrules:\n  - {id: max-ai-share}\n", "bad.yaml")
    broken = _cli([str(pr.repo.path), "--base", "main", "--head", "feature", "--policy", str(bad)])
    assert broken.returncode == 2 and f"{bad}:3" in broken.stderr and "max_ai_share" in broken.stderr
    nobase = _cli([str(pr.repo.path), "--head", "feature"])
    assert nobase.returncode == 2 and "no base for the change" in nobase.stderr


def test_github_environment_supplies_range_labels_and_appends_the_job_summary(pr, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42, "labels": [{"name": "ai-ok"}, {"name": "bug"}]}}))
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    (pr.repo.path / ".assess").mkdir(exist_ok=True)
    (pr.repo.path / ".assess" / "policy.yaml").write_text(STRICT.replace("  - {id: agent-attribution}\n", ""))
    try:
        proc = _cli([str(pr.repo.path), "--json", str(tmp_path / "ci.json")],
                    env={"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature",
                         "GITHUB_SHA": pr.head, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
                         "GITHUB_STEP_SUMMARY": str(summary)})
    finally:
        (pr.repo.path / ".assess" / "policy.yaml").unlink()
    assert proc.returncode == 0, proc.stderr  # the ai-ok label exempts the share; review is inconclusive
    doc = json.loads((tmp_path / "ci.json").read_text())
    assert doc["ci"] == {"provider": "github", "event": "pull_request", "pull_request": 42, "base_ref": "main",
                         "head_ref": "feature"}
    assert doc["labels"] == ["ai-ok", "bug"] and doc["policy"]["file"] == ".assess/policy.yaml"
    assert _results(doc)["max-ai-share"]["status"] == "exempt"
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n") and "<!-- assess-ci -->" in text  # appended, not replaced


def test_gitlab_environment_supplies_range_and_labels(pr, tmp_path):
    from assess.ci import context_from_environment

    ctx = context_from_environment({"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": pr.base,
                                    "CI_COMMIT_SHA": pr.head, "CI_MERGE_REQUEST_LABELS": "ai-ok, needs-review",
                                    "CI_MERGE_REQUEST_IID": "9"})
    assert (ctx.provider, ctx.base, ctx.head, ctx.labels, ctx.pull_request) == (
        "gitlab", pr.base, pr.head, ("ai-ok", "needs-review"), 9)
    # the command line wins over the environment
    assert context_from_environment({"CI_COMMIT_SHA": pr.head}, base="main").base == "main"
    push = context_from_environment({"GITHUB_SHA": pr.head, "GITHUB_EVENT_NAME": "push",
                                     "GITHUB_EVENT_PATH": str(_event(tmp_path, {"before": pr.base}))})
    assert push.base == pr.base and push.head == pr.head
    created = context_from_environment({"GITHUB_SHA": pr.head, "GITHUB_EVENT_PATH": str(
        _event(tmp_path, {"before": "0" * 40}))})
    assert created.base is None  # a new branch has no 'before': the user must say what to compare with


def _event(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "push.json"
    p.write_text(json.dumps(data))
    return p


@pytest.mark.parametrize(("text", "line", "words"), [
    ("version: 2\nrules: []\n", 1, "unsupported policy version 2"),
    ("version: 1\nrules:\n  - {id: max-ai-share, max_ai_share: 0.1}\n  - {id: no-such-rule}\n", 4, "unknown rule 'no-such-rule'"),
    ("version: 1\nrules:\n  - id: max-ai-share\n    max_ai_share: 0.1\n    max_ai_shar: 0.2\n", 5, "unknown field 'max_ai_shar'"),
    ("version: 1\nrules:\n  - id: max-ai-share\n    max_ai_share: 1.5\n", 4, "1.5 is greater than the maximum of 1"),
    ("version: 1\nrules:\n  - {id: min-level}\n", 3, "'min_level' is a required property"),
    ("version: 1\nrules:\n  - {id: min-level, min_level: 2}\n  - {id: min-level, min_level: 3}\n", 4, "listed twice"),
    ("version: 1\nrules:\n  - {id: min-level, min_level: 2\n", 4, "invalid YAML"),
    ("rules: []\n", 1, "'version' is a required property"),
    ("- just a list\n", 1, "expected a mapping"),
])
def test_policy_errors_name_file_and_line(tmp_path, text, line, words):
    p = _policy(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_policy(p)
    assert str(exc.value).startswith(f"{p}:{line}:"), str(exc.value)
    assert words in str(exc.value)


def test_policy_loads_and_schema_is_the_documented_format(tmp_path):
    pol = load_policy(_policy(tmp_path, STRICT))
    assert pol.version == 1 and [r["id"] for r in pol.rules] == ["max-ai-share", "agent-attribution", "human-review",
                                                                 "min-level"]
    schema = json.loads((ROOT / "assess" / "schemas" / "policy.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


def test_cli_help_documents_exit_codes_and_the_policy():
    out = CliRunner().invoke(main, ["ci", "--help"]).output
    assert "0 every rule passed" in out and "1 a policy rule failed" in out and "2 usage or input error" in out
    assert "max_ai_share" in out


def test_hostile_labels_stay_text_in_the_summary(pr):
    result = run_ci(pr.repo.path, base="main", head="feature", env={},
                    labels=("<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "| a | b |"))
    md = result.summary
    assert "<img" not in md and "&lt;img" in md
    assert "\\[x\\](javascript:" in md  # escaped: shown as text, never a link
    assert "\\| a \\| b \\|" in md
    assert result.document["labels"][0] == "<img src=x onerror=alert(1)>"  # the JSON keeps the data as it was
    assert result.exit_code == 0 and result.document["policy"] is None  # no policy: nothing to fail


def test_a_pipeline_source_given_with_sessions_shows_its_findings(pr, tmp_path, monkeypatch):
    """When a sessions source is installed, `assess ci --sessions` feeds it through the pipeline: its
    findings move the placement and appear in the summary."""
    import types

    from assess import pipeline
    from assess.findings import Finding

    fake = types.ModuleType("fake_sessions_source")
    fake.collect = lambda inputs, options: {"logs": list(inputs)}
    fake.findings = lambda evidence, rubric: [Finding("autonomy", "sessions", 4, 4, 5, "high",
                                                      "hours-long unattended runs", events=30)]
    monkeypatch.setitem(sys.modules, "fake_sessions_source", fake)
    monkeypatch.setitem(pipeline.SOURCES, "sessions", pipeline.Source("sessions", "fake_sessions_source"))
    logs = tmp_path / "logs"
    logs.mkdir()
    doc = run_ci(pr.repo.path, base="main", head="feature", sessions=(str(logs),), env={}).document
    assert doc["sources"]["sessions"]["status"] == "ok"
    assert doc["sources"]["sessions"]["findings"][0]["dimension"] == "autonomy"
    assert doc["level"]["dimensions"]["autonomy"]["source"] == "git+sessions"
    md = run_ci(pr.repo.path, base="main", head="feature", sessions=(str(logs),), env={}).summary
    assert "sessions: autonomy Level 4 (high)" in md
    # without an installed source the option is an input error, not a silent no-op
    monkeypatch.delitem(pipeline.SOURCES, "sessions")
    with pytest.raises(Exception, match="no sessions source is registered"):
        run_ci(pr.repo.path, base="main", head="feature", sessions=(str(logs),), env={})


def test_a_shallow_checkout_is_a_usage_error_that_says_how_to_fix_it(pr, tmp_path):
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", pr.repo.path.as_uri(), str(shallow)],
                   check=True, capture_output=True)
    proc = _cli([str(shallow), "--base", "main"])
    assert proc.returncode == 2, proc.stderr
    assert "shallow" in proc.stderr and "fetch-depth: 0" in proc.stderr and "Traceback" not in proc.stderr


def test_without_summary_file_or_job_summary_the_summary_is_printed(pr, monkeypatch):
    import os

    for key in list(os.environ):
        if key.startswith(("GITHUB_", "CI_", "GITLAB")):
            monkeypatch.delenv(key)
    res = CliRunner().invoke(main, ["ci", str(pr.repo.path), "--base", "main", "--head", "feature", "-q"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("<!-- assess-ci -->") and "AI share of the change" in res.output


def test_an_unreadable_github_event_payload_is_one_line_naming_it():
    import os
    import tempfile

    from assess.ci.env import context_from_environment
    from assess.errors import AssessError

    with tempfile.TemporaryDirectory() as d:
        folder, fifo = Path(d), Path(d) / "fifo.json"
        os.mkfifo(fifo)
        (folder / "bad.json").write_text('{"pull_request": ')
        cases = {str(folder / "gone.json"): "file not found", str(folder / "bad.json"): "not valid JSON",
                 str(fifo): "not a regular file", str(folder): "is a directory, expected a GitHub event payload"}
        for path, words in cases.items():
            with pytest.raises(AssessError) as exc:
                context_from_environment({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": path})
            message = str(exc.value)
            assert words in message and "(GITHUB_EVENT_PATH)" in message and "\n" not in message, message
            assert " a event" not in message
