"""`assess survey ...` commands: parse arguments, call assess.survey, print."""

from __future__ import annotations

from pathlib import Path

import click

from assess import defaults
from assess.errors import AssessError

QUESTIONNAIRE_OPTION = click.option(
    "--questionnaire", "questionnaire_path", type=click.Path(path_type=Path), default=None,
    help="Questionnaire YAML (default: the bundled questionnaire).")


def _questionnaire(path: Path | None):
    from assess.survey import load_questionnaire

    return load_questionnaire(path)


@click.group("survey")
def survey_group() -> None:
    """Team questionnaire: validate, take, form, import, score."""


@survey_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@QUESTIONNAIRE_OPTION
def validate_command(files: tuple[Path, ...], questionnaire_path: Path | None) -> None:
    """Check a questionnaire YAML file, or response files (.json/.csv/.xlsx, directories) against
    the questionnaire. Every problem is printed as file:line: field: message."""
    from assess.survey import check_questionnaire, load_responses

    yaml_files = [f for f in files if f.suffix.lower() in (".yaml", ".yml")]
    others = [f for f in files if f not in yaml_files]
    failed = False
    for path in yaml_files:
        questionnaire, problems = check_questionnaire(path)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            failed = True
            click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        else:
            assert questionnaire is not None
            click.echo(f"{path}: valid questionnaire '{questionnaire.id}' version {questionnaire.version}, "
                       f"{len(questionnaire.items)} items, dimensions: {', '.join(questionnaire.used_dimensions)}")
    if others:
        questionnaire = _questionnaire(questionnaire_path)
        response_set = load_responses(others, questionnaire)
        _print_problems(response_set)
        click.echo(f"{len(response_set.responses)} valid response(s), {len(response_set.rejected)} rejected")
        failed = failed or bool(response_set.rejected)
    if failed:
        raise click.exceptions.Exit(1)


@survey_group.command("take")
@QUESTIONNAIRE_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Response file to write (default: survey-response-<id>.json here).")
@click.option("--anonymous", is_flag=True, help="Do not ask for a name or email.")
def take_command(questionnaire_path: Path | None, output: Path | None, anonymous: bool) -> None:
    """Answer the questionnaire in the terminal (one respondent) and save a response file."""
    from assess.survey.terminal import interview, write_response

    questionnaire = _questionnaire(questionnaire_path)
    response = interview(questionnaire, lambda text: click.prompt(text, default="", show_default=False),
                         click.echo, ask_identity=not anonymous)
    path = output or Path(f"survey-response-{response.response_id[:8]}.json")
    if path.is_dir():
        path = path / f"survey-response-{response.response_id[:8]}.json"
    write_response(response, path)
    click.echo(f"\nSaved your answers to {path}")


@survey_group.command("form")
@QUESTIONNAIRE_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("survey.html"), show_default=True,
              help="HTML file to write.")
def form_command(questionnaire_path: Path | None, output: Path) -> None:
    """Write a self-contained HTML form (works offline, no server) that saves a response file."""
    from assess.survey.form import write_form

    questionnaire = _questionnaire(questionnaire_path)
    write_form(questionnaire, output)
    click.echo(f"Wrote {output}: send it to the team; each person opens it in a browser, answers, and sends back "
               "the response file it saves.")


@survey_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@QUESTIONNAIRE_OPTION
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write one response JSON file per accepted response.")
def import_command(files: tuple[Path, ...], questionnaire_path: Path | None, outdir: Path) -> None:
    """Import responses (response JSON, Google Forms CSV, Microsoft Forms .xlsx) into response files.

    Columns are mapped by the item id in each question's title, e.g. "[q_review_read] How much…";
    identifying columns (timestamps, names, emails) are dropped."""
    from assess.survey import load_responses
    from assess.survey.importing import save_responses

    questionnaire = _questionnaire(questionnaire_path)
    response_set = load_responses(list(files), questionnaire)
    _print_problems(response_set)
    if not response_set.responses:
        raise AssessError(f"no response could be imported from {len(files)} file(s) "
                          f"({len(response_set.rejected)} rejected, reasons above)", hint="fix the files and retry")
    save_responses(response_set.responses, outdir)
    click.echo(f"Imported {len(response_set.responses)} response(s) into {outdir}; "
               f"{len(response_set.rejected)} rejected.")


@survey_group.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@QUESTIONNAIRE_OPTION
@click.option("--json", "json_out", type=click.Path(path_type=Path), default=None,
              help="Write the summary as JSON (schema: assess/schemas/survey.schema.json); '-' for stdout.")
@click.option("--min-group", type=click.IntRange(min=1), default=defaults.MIN_GROUP, show_default=True,
              help="Below this many respondents only team-level aggregates are shown.")
def score_command(files: tuple[Path, ...], questionnaire_path: Path | None, json_out: Path | None,
                  min_group: int) -> None:
    """Score responses: dimension scores with reliability, claimed level, perceived AI share and speedup."""
    from assess.fileio import write_json
    from assess.survey import load_responses, score_survey

    questionnaire = _questionnaire(questionnaire_path)
    response_set = load_responses(list(files), questionnaire)
    summary = score_survey(questionnaire, response_set, min_group=min_group)
    if json_out is not None and str(json_out) == "-":
        write_json("-", summary)
        _print_problems(response_set)
        return
    _print_problems(response_set)
    if json_out is not None:
        write_json(json_out, summary)
        click.echo(f"Wrote {json_out}")
    if not response_set.responses:
        raise AssessError(f"no valid responses to score ({summary['rejected_count']} rejected)",
                          hint="see the messages above")
    _print_summary(summary)


def _print_problems(response_set) -> None:
    for notice in response_set.notices:
        click.echo(f"note: {notice}", err=True)
    for rejection in response_set.rejected:
        for line in rejection.lines():
            click.echo(f"rejected: {line}", err=True)


def _pct(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x * 100:+.0f}%" if signed else f"{x * 100:.0f}%"


def _print_summary(s: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, markup=False)
    q = s["questionnaire"]
    console.print(f"Questionnaire {q['id']} {q['version']}: {s['respondents']} respondent(s), "
                  f"{s['rejected_count']} rejected")
    console.print(s["anonymity"]["note"])
    table = Table(title="Dimensions (level each supports, 0-5)")
    for col in ("dimension", "score", "level", "n", "alpha", "items"):
        table.add_column(col)
    for name, d in s["dimensions"].items():
        alpha = "-" if d["alpha"] is None else f"{d['alpha']:.2f}"
        if d["alpha_flag"] == "low":
            alpha += " (low)"
        elif d["alpha_flag"]:
            alpha = d["alpha_flag"].replace("_", " ")
        table.add_row(name, "-" if d["score"] is None else f"{d['score']:.2f}",
                      "-" if d["level"] is None else str(d["level"]), str(d["n"]), alpha, ", ".join(d["items"]))
    console.print(table)
    c = s["claimed_level"]
    dist = ("  ".join(f"L{k}:{v}" for k, v in c["distribution"].items()) if c["distribution"] is not None
            else "(distribution withheld below the anonymity threshold)")
    console.print(f"Claimed level [{c['item']}]: median {c['median']}, mean {c['mean']} (n={c['n']})   {dist}"
                  .replace("None", "-"))
    a = s["perceived_ai_share"]
    console.print(f"Perceived AI share of merged code [{a['item']}]: mean {_pct(a['mean'])}, "
                  f"median {_pct(a['median'])} (n={a['n']})")
    for kind in ("retrospective", "forecast"):
        p = s["perceived_speedup"][kind]
        console.print(f"Perceived time change with AI, {kind} [{p['item']}]: mean {_pct(p['mean'], True)}, "
                      f"median {_pct(p['median'], True)} (n={p['n']}; negative = faster, METR's scale)")
    u = s["unattended_hours"]
    console.print(f"Longest unattended agent run [{u['item']}]: median {'-' if u['median'] is None else u['median']} h (n={u['n']})")
    v = s["verification"]
    if v["n"]:
        common = sorted(v["options"].items(), key=lambda kv: -kv[1]["count"])[:4]
        console.print(f"Verification before shipping [{v['item']}]: " + "; ".join(
            f"{o['label']} {_pct(o['share'])}" for _, o in common if o["count"]))
    for item_id, t in s["free_text"].items():
        if t["n"]:
            state = "withheld (group below the minimum)" if t["withheld"] else "in the JSON summary"
            console.print(f"Free text [{item_id}]: {t['n']} answer(s), {state}")

