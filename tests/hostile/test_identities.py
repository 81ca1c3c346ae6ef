"""Attack class: identities and anonymity (names, e-mails, credentials, permissions, survey floor)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner
from studyfix import registered_study

from assess.cli import main
from assess.mining import build_evidence, mine_repository
from assess.report import build_report, write_report
from assess.survey import load_questionnaire, load_responses, score_survey, simulate_responses

PERSON = ("Jane Secretperson", "jane.secret@corp.example")


def test_co_author_names_and_credentials_never_reach_outputs(make_repo, tmp_path):
    r = make_repo()
    for i in range(3):
        r.commit(f"feat {i}\n\nCo-authored-by: {PERSON[0]} <{PERSON[1]}>, Claude <noreply@anthropic.com>\n"
                 f"Co-authored-by: Claude <noreply@anthropic.com>\n", {f"f{i}.py": "x\n"},
                 author=("Ann Author", "ann.author@corp.example"))
    r.git("remote", "add", "origin", "HTTPS://deploy-user:s3cr3t-pass@github.com/acme/app.git?access_token=tok-123")
    out = tmp_path / "out"
    out.mkdir()
    res = CliRunner().invoke(main, ["repo", str(r.path), "--json", str(out / "ev.json"), "--commits",
                                    str(out / "c.csv"), "-q"])
    assert res.exit_code == 0, res.output
    report = build_report([str(r.path)])
    files = write_report(report, out / "report.html")
    texts = {p.name: p.read_text() for p in (out / "ev.json", out / "c.csv", files.json, files.html, files.markdown)}
    for name, text in texts.items():
        for secret in (*PERSON, "Secretperson", "Ann Author", "ann.author", "s3cr3t", "tok-123", "deploy-user"):
            assert secret not in text, (name, secret)
    assert json.loads(texts["ev.json"])["repository"]["remote"] == "https://github.com/acme/app.git"
    assert ",ai," in texts["c.csv"]  # still attributed to the agent
    shown = CliRunner().invoke(main, ["repo", str(r.path), "--commits", str(out / "c2.csv"), "--show-identities", "-q"])
    assert shown.exit_code == 0 and "ann.author@corp.example" in (out / "c2.csv").read_text()


def test_a_pseudonym_is_never_cited_beside_its_commits(make_repo):
    r = make_repo()
    for i in range(25):  # a commit exactly every 10 minutes: an inferred bot behind a person's name
        r.commit(f"tick {i}", {f"t{i}.py": "x\n"}, date=f"2024-05-01T{10 + i * 10 // 60:02d}:{i * 10 % 60:02d}:00+00:00",
                 author=PERSON)
    ev = build_evidence(mine_repository(r.path, use_cache=False))
    inferred = ev["signals"]["inferred"]
    assert inferred and all(i["person"] == "withheld" and "person-" not in i["text"] for i in inferred)
    assert all(i["commits"] for i in inferred)  # the evidence stays


def test_study_developer_names_stay_out_of_report_warnings(tmp_path):
    study = registered_study(tmp_path)
    from assess.speedup.record import record_result
    from assess.speedup.registration import load_registration

    reg = load_registration(study)
    alice = [t for t in reg.tasks.values() if t.developer == "Alice Zebra"]
    for t in reg.tasks.values():
        if t.developer != "Alice Zebra" or t.ai_allowed:  # Alice's results in one arm only
            record_result(study, t.task_id, actual_minutes=t.forecast_no_ai)
    assert alice
    report = build_report([], None, str(study), bootstrap_reps=0)
    text = json.dumps(report)
    assert "Alice" not in text and "Zebra" not in text and "Quagga" not in text
    assert "No per-developer estimate for Developer" in text  # the warning is kept, pseudonymised


def test_outputs_respect_the_umask(make_repo, tmp_path):
    r = make_repo()
    r.commit("one", {"a": "1\n"})
    for mask, expected in ((0o077, 0o600), (0o022, 0o644)):
        old = os.umask(mask)
        try:
            target = tmp_path / f"ev-{mask:o}.json"
            res = CliRunner().invoke(main, ["repo", str(r.path), "--json", str(target), "-q"])
        finally:
            os.umask(old)
        assert res.exit_code == 0, res.output
        assert stat.S_IMODE(target.stat().st_mode) == expected
    study = registered_study(tmp_path)
    assert stat.S_IMODE((study / "results.csv").stat().st_mode) & 0o077 == 0  # developer names: owner-only


def test_below_the_floor_no_figure_comes_from_one_respondent(tmp_path):
    q = load_questionnaire()
    simulate_responses(tmp_path / "one", n=1, seed=3)
    summary = score_survey(q, load_responses([tmp_path / "one"], q), min_group=5)

    def numbers(obj, path=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from numbers(v, f"{path}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                yield from numbers(v, f"{path}[{i}]")
        elif isinstance(obj, float) or (isinstance(obj, int) and not isinstance(obj, bool)):
            yield path, obj

    derived = [(p, v) for p, v in numbers(summary)
               if not p.endswith((".n", ".alpha_n", "respondents", "rejected_count", "min_group", ".level"))
               or (p.endswith(".level") and ".options." not in p)]
    assert derived == []


def test_rejections_never_quote_answers(tmp_path):
    q = load_questionnaire()
    paths = simulate_responses(tmp_path / "r", n=1, seed=3)
    doc = json.loads(Path(paths[0]).read_text())
    likert = next(i.id for i in q.items if i.type == "likert")
    choice = next(i.id for i in q.items if i.type == "single_choice")
    text = next((i.id for i in q.items if i.type == "text"), None)
    doc["answers"][likert] = "MY-SECRET-LIKERT"
    doc["answers"][choice] = "MY-SECRET-CHOICE"
    if text:
        doc["answers"][text] = "MY-SECRET-TEXT " * 5000
    Path(paths[0]).write_text(json.dumps(doc))
    res = load_responses([tmp_path / "r"], q)
    assert res.rejected
    assert "MY-SECRET" not in json.dumps([r.to_json() for r in res.rejected])
    cli = CliRunner().invoke(main, ["survey", "validate", str(tmp_path / "r")])
    assert "MY-SECRET" not in cli.output
