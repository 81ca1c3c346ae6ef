"""The composite GitHub Action (action.yml) and the GitLab template, run for real on a simulated pull
request: every `run:` step is executed in bash with the environment GitHub would give it, `assess`
installed from the action's own path into a temporary target (offline: no index, no dependencies),
and a fake `gh` standing in for the GitHub API. `uses:` steps (setup-python, upload-artifact) are
checked, not run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prfixture import build_pr

ROOT = Path(__file__).resolve().parents[1]
POLICY = "version: 1\nrules:\n  - {id: max-ai-share, max_ai_share: 0.10}\n  - {id: min-level, min_level: 0}\n"

FAKE_GH = r'''#!PYTHON
"""A fake `gh api` keeping the pull request's comments in a JSON file."""
import json, os, sys
state = os.environ["FAKE_GH_STATE"]
comments = json.load(open(state)) if os.path.exists(state) else []
args = sys.argv[1:]
with open(state + ".log", "a") as log:
    log.write(json.dumps(args) + "\n")
assert args[0] == "api", args
method = args[args.index("--method") + 1] if "--method" in args else "GET"
if method == "GET":
    marker = "<!-- assess-ci -->"
    for c in comments:
        if marker in c["body"]:
            print(c["id"])
    sys.exit(0)
body_arg = args[args.index("-F") + 1]
assert body_arg.startswith("body=@"), body_arg
body = open(body_arg[len("body=@"):]).read()
if method == "POST":
    comments.append({"id": 1000 + len(comments), "body": body})
elif method == "PATCH":
    cid = int(args[args.index("--method") + 2].rsplit("/", 1)[1])
    next(c for c in comments if c["id"] == cid)["body"] = body
json.dump(comments, open(state, "w"))
'''


def _lookup(expr: str, ctx: dict) -> str:
    value: object = ctx
    for part in expr.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def _atom(text: str, ctx: dict) -> object:
    text = text.strip()
    if text.startswith("!"):
        return not _atom(text[1:], ctx)
    if text == "always()":
        return True
    m = re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", text)
    if m:
        left, right = _value(m.group(1), ctx), _value(m.group(3), ctx)
        return (left == right) if m.group(2) == "==" else (left != right)
    return bool(_value(text, ctx))


def _value(text: str, ctx: dict) -> str:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    return _lookup(text, ctx)


def evaluate_if(condition: str, ctx: dict) -> bool:
    """GitHub's expression syntax, as much as action.yml uses: ||, &&, !, ==, !=, always()."""
    condition = condition.strip().removeprefix("${{").removesuffix("}}")
    return any(all(_atom(a, ctx) for a in alt.split("&&")) for alt in condition.split("||"))


def substitute(text: str, ctx: dict) -> str:
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: _lookup(m.group(1), ctx), str(text))


def _outputs(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        key, _, value = line.partition("=")
        out[key] = value
    return out


@pytest.fixture(scope="module")
def pr(tmp_path_factory):
    pr = build_pr(tmp_path_factory.mktemp("action") / "repo")
    (pr.repo.path / ".assess").mkdir()
    (pr.repo.path / ".assess" / "policy.yaml").write_text(POLICY)
    return pr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """assess installed by the Action's own install step into a temporary target."""
    return tmp_path_factory.mktemp("site")


def _shims(tmp: Path) -> Path:
    bin_dir = tmp / "shims"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").symlink_to(sys.executable) if not (bin_dir / "python").exists() else None
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.replace("#!PYTHON", f"#!{sys.executable}"))
    gh.chmod(0o755)
    return bin_dir


def run_action(pr, tmp: Path, site: Path, inputs: dict[str, str], *, only: set[str] | None = None,
               steps: dict | None = None) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    shims = _shims(tmp)
    runner_temp = tmp / "runner"
    runner_temp.mkdir(exist_ok=True)
    event = tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42, "labels": [{"name": "bug"}]}}))
    ctx = {
        "inputs": {k: str(v.get("default", "")) for k, v in action["inputs"].items()} | inputs,
        "github": {"action_path": str(ROOT), "token": "not-a-real-token", "repository": "acme/widgets",
                   "event": {"pull_request": {"number": 42}}},
        "runner": {"temp": str(runner_temp)},
        "steps": dict(steps or {}),  # outputs of steps run earlier (with ``only``)
    }
    env_base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env_base.update({
        "PATH": f"{shims}:{site / 'bin'}:{env_base.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(site),  # where the install step put assess (no dependency was installed)
        "PIP_TARGET": str(site), "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
        "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature", "GITHUB_SHA": pr.head,
        "GITHUB_WORKSPACE": str(pr.repo.path), "GITHUB_STEP_SUMMARY": str(tmp / "step_summary.md"),
        "RUNNER_TEMP": str(runner_temp), "FAKE_GH_STATE": str(tmp / "comments.json"),
    })
    ran: dict[str, dict] = {}
    failed = None
    for i, step in enumerate(action["runs"]["steps"]):
        sid = step.get("id", f"step{i}")
        condition = step.get("if")
        if failed is not None and not (condition and "always()" in condition):
            continue
        if condition and not evaluate_if(condition, ctx):
            ran[sid] = {"skipped": True}
            continue
        if "uses" in step:
            ran[sid] = {"uses": step["uses"], "with": {k: substitute(v, ctx) for k, v in step.get("with", {}).items()}}
            continue
        if only is not None and sid not in only:
            continue
        output_file = tmp / f"output-{sid}"
        output_file.write_text("")
        env = {**env_base, **{k: substitute(v, ctx) for k, v in step.get("env", {}).items()},
               "GITHUB_OUTPUT": str(output_file)}
        assert "${{" not in step["run"], f"step {sid}: expressions belong in env, not in the script"
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=pr.repo.path, env=env,
                              capture_output=True, text=True)
        ctx["steps"][sid] = {"outputs": _outputs(output_file)}
        ran[sid] = {"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
        if proc.returncode != 0:
            failed = sid
    return {"ran": ran, "ctx": ctx, "failed": failed}


def test_action_runs_end_to_end_on_a_simulated_pull_request(pr, tmp_path, installed):
    run = run_action(pr, tmp_path, installed, {"comment": "true"})
    ran = run["ran"]
    assert ran["install"]["code"] == 0, ran["install"]["stderr"]
    assert (installed / "bin" / "assess").exists()  # the install step put the entry point in place
    assert ran["assess"]["code"] == 0, ran["assess"]["stderr"]  # a failed policy does not stop the run here...
    outputs = run["ctx"]["steps"]["assess"]["outputs"]
    assert outputs["exit-code"] == "1"  # ...max-ai-share failed: the change is mostly agent code
    out_dir = Path(outputs["dir"])
    doc = json.loads((out_dir / "assess-ci.json").read_text())
    assert doc["ci"]["pull_request"] == 42 and doc["labels"] == ["bug"]
    assert doc["change"]["ai_commits"] == 3 and doc["policy"]["file"] == ".assess/policy.yaml"
    summary = (out_dir / "summary.md").read_text()
    assert (tmp_path / "step_summary.md").read_text() == summary  # appended to the job summary
    assert ran["report"]["code"] == 0, ran["report"]["stderr"]
    assert (out_dir / "report.html").exists() and (out_dir / "report.json").exists()
    upload = next(s for s in ran.values() if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == str(out_dir) and upload["with"]["name"] == "assess-ci"
    # the comment was posted once with the marker...
    comments = json.loads((tmp_path / "comments.json").read_text())
    assert len(comments) == 1 and comments[0]["body"].startswith("<!-- assess-ci -->")
    # ...and the policy failure fails the job, after the artifact and the comment
    assert run["failed"] == "enforce" and ran["enforce"]["code"] == 1
    assert "::error title=assess policy::" in ran["enforce"]["stdout"]

    # a second run updates the same comment in place instead of adding another
    (out_dir / "summary.md").write_text("<!-- assess-ci -->\nsecond run\n")
    again = run_action(pr, tmp_path, installed, {"comment": "true"}, only={"comment"},
                       steps={"assess": {"outputs": outputs}})
    assert again["ran"]["comment"]["code"] == 0, again["ran"]["comment"]["stderr"]
    comments = json.loads((tmp_path / "comments.json").read_text())
    assert len(comments) == 1 and "second run" in comments[0]["body"]
    calls = [json.loads(line) for line in (tmp_path / "comments.json.log").read_text().splitlines()]
    assert [c[2] if c[1] == "--method" else "GET" for c in calls] == ["GET", "POST", "GET", "PATCH"]


def test_action_without_comment_needs_no_token_and_passes_a_lenient_policy(pr, tmp_path, installed):
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("version: 1\nrules:\n  - {id: max-ai-share, max_ai_share: 1.0}\n")
    run = run_action(pr, tmp_path, installed, {"policy": str(lenient), "report": "false"})
    ran = run["ran"]
    assert run["failed"] is None, {k: v.get("stderr") for k, v in ran.items()}
    assert ran["comment"] == {"skipped": True} and ran["report"] == {"skipped": True}
    assert run["ctx"]["steps"]["assess"]["outputs"]["exit-code"] == "0"
    assert not (tmp_path / "comments.json.log").exists()  # gh was never called


def test_action_stops_on_a_usage_error(pr, tmp_path, installed):
    run = run_action(pr, tmp_path, installed, {"base": "no-such-branch"})
    assert run["failed"] == "assess" and run["ran"]["assess"]["code"] == 2
    assert "base 'no-such-branch' not found" in run["ran"]["assess"]["stderr"]


def test_action_declares_its_inputs_and_external_steps():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    uses = [s["uses"].split("@")[0] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    assert action["inputs"]["comment"]["default"] == "false"  # no API call unless asked for
    comment = next(s for s in action["runs"]["steps"] if s.get("id") == "comment")
    assert "inputs.comment == 'true'" in comment["if"] and "<!-- assess-ci -->" in comment["run"]


def test_gitlab_template_runs_on_a_simulated_merge_request(pr, tmp_path, installed):
    template = yaml.safe_load((ROOT / "ci" / "gitlab" / "assess.gitlab-ci.yml").read_text())
    job = template["assess-ci"]
    assert job["variables"]["GIT_DEPTH"] == "0" and job["artifacts"]["when"] == "always"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env.update({k: str(v) for k, v in job["variables"].items()})
    env.update({
        "PATH": f"{_shims(tmp_path)}:{installed / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(installed), "PIP_TARGET": str(installed), "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0", "ASSESS_PACKAGE": str(ROOT), "ASSESS_REPORT": "false",
        "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": pr.head,
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": pr.base, "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_LABELS": "ai-ok",
    })
    script = "\n".join(job["before_script"] + job["script"])
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=pr.repo.path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr  # max-ai-share fails: the job fails
    assert "<!-- assess-ci -->" in proc.stdout and "max-ai-share" in proc.stdout  # the summary in the job log
    doc = json.loads((pr.repo.path / "assess-ci" / "assess-ci.json").read_text())
    assert doc["ci"]["provider"] == "gitlab" and doc["ci"]["pull_request"] == 7 and doc["labels"] == ["ai-ok"]
    assert job["artifacts"]["paths"] == ["assess-ci/"]
