"""`assess study ...` commands: parse arguments, call assess.speedup, print."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table

from assess import defaults
from assess.errors import AssessError


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True, markup=False)  # names in study files are not markup


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def _report_problems(problems: list, *, limit: int = 20) -> None:
    if not problems:
        return
    err = _err()
    err.print(f"[yellow]{len(problems)} problem(s) in the input (bad rows left out, the rest kept):[/yellow]",
              markup=True)
    for p in problems[:limit]:
        err.print(f"  {p}", markup=False)
    if len(problems) > limit:
        err.print(f"  ... and {len(problems) - limit} more")


@click.group("study")
def study_group() -> None:
    """METR-style randomised speedup study: init, register, record, plan, analyze, simulate, import."""


@study_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Study name (default: the folder's name).")
def init_command(directory: Path, name: str | None) -> None:
    """Create a study folder with task and participant templates."""
    from assess.speedup.create import init_study

    for path in init_study(directory, name=name):
        click.echo(f"wrote {path}")
    click.echo(f"next: list developers in {directory / 'participants.csv'} and tasks with forecasts in "
               f"{directory / 'tasks.csv'}, then `assess study register {directory}`")


@study_group.command("register")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, help="Random seed (default: a fresh random one, recorded).")
@click.option("--new-block", is_flag=True, help="Register tasks added since the last registration as a new block.")
def register_command(directory: Path, seed: int | None, new_block: bool) -> None:
    """Validate tasks.csv, freeze it (hashes, seed, time) and randomise AI-allowed/disallowed."""
    from assess.speedup.registration import register_study

    outcome = register_study(directory, seed=seed, new_block=new_block)
    _report_problems(outcome.problems)
    b = outcome.block
    n_ai = sum(t.ai_allowed for t in b.tasks)
    click.echo(f"registered block {b.number}: {len(b.tasks)} task(s), {n_ai} AI-allowed, {len(b.tasks) - n_ai} "
               f"AI-disallowed; seed {b.seed}; sha256 {b.sha256[:16]}…; registration id "
               f"{outcome.registration.registration_id}")
    table = Table("developer", "AI-allowed", "AI-disallowed", title=f"Block {b.number} assignments")
    per_dev: dict[str, list[int]] = {}
    for t in b.tasks:
        per_dev.setdefault(t.developer, [0, 0])[0 if t.ai_allowed else 1] += 1
    for dev, (a, n) in sorted(per_dev.items()):
        table.add_row(dev, str(a), str(n))
    _out().print(table)
    click.echo(f"wrote {outcome.path} and results rows in {directory / 'results.csv'}")


@study_group.command("record")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("task", required=False)
@click.option("--minutes", help="Actual active minutes the task took.")
@click.option("--followed", type=click.Choice(["yes", "no"]), help="Was the AI assignment followed?")
@click.option("--ai-effect", help="Post-task estimate of how AI changed the time (e.g. -20%, '1.5x faster').")
@click.option("--notes", help="Free text.")
@click.option("--developer", help="With --post-study or --expected: whose estimate.")
@click.option("--post-study", help="The developer's overall estimate after the study (e.g. -20%).")
@click.option("--expected", help="The developer's expected speedup before the study (e.g. -24%).")
@click.option("--replace", is_flag=True, help="Overwrite a value already recorded (otherwise refused).")
def record_command(directory: Path, task: str | None, minutes: str | None, followed: str | None,
                   ai_effect: str | None, notes: str | None, developer: str | None, post_study: str | None,
                   expected: str | None, replace: bool) -> None:
    """Record a task's result (TASK with --minutes, --followed, --ai-effect), or a developer's
    estimate (--developer with --post-study or --expected). Speedups: negative = faster with AI."""
    from assess.speedup.record import record_post_study, record_result

    if task:
        if developer or post_study or expected:
            raise click.UsageError("give either TASK or --developer, not both")
        row = record_result(directory, task, actual_minutes=minutes, followed=followed,
                            post_task_speedup=ai_effect, notes=notes, replace=replace)
        click.echo(f"recorded {task}: " + ", ".join(f"{k}={v}" for k, v in row.items() if v))
        return
    if not developer or not (post_study or expected):
        raise click.UsageError("give TASK, or --developer with --post-study and/or --expected")
    if post_study:
        record_post_study(directory, developer, post_study, replace=replace)
    if expected:
        record_post_study(directory, developer, expected, column="expected_speedup", replace=replace)
    click.echo(f"recorded estimate(s) for {developer}")


@study_group.command("plan")
@click.option("--speedup", "speedup", required=True,
              help="Smallest effect worth detecting, e.g. -20% (20% faster) or 0.2 (20% slower).")
@click.option("--developers", type=int, default=8, show_default=True)
@click.option("--sigma", type=float, default=None,
              help="Task noise: SD of log time given the forecast (default 0.59, from METR's data).")
@click.option("--developer-sd", type=float, default=None, help="SD between developers (default 0.24).")
@click.option("--power", "target", type=float, default=0.8, show_default=True)
@click.option("--reps", type=int, default=300, show_default=True, help="Simulations per study size.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "json_path", help="Also write the plan as JSON (- for stdout).")
def plan_command(speedup: str, developers: int, sigma: float | None, developer_sd: float | None, target: float,
                 reps: int, seed: int, json_path: str | None) -> None:
    """How many tasks a study needs to detect a given speedup (power by simulation)."""
    from assess.fileio import write_json
    from assess.speedup.power import plan_study
    from assess.speedup.scales import parse_speedup, percent
    from assess.speedup.simulate import DEFAULTS

    try:
        effect = parse_speedup(speedup)
    except ValueError as exc:
        raise AssessError(f"--speedup: {exc}") from None
    if effect is None or developers < 1 or not 0 < target < 1:
        raise AssessError("--speedup must be given, --developers at least 1 and --power between 0 and 1")
    try:
        plan = plan_study(effect, n_developers=developers, sigma=sigma or DEFAULTS["sigma"],
                          developer_sd=DEFAULTS["developer_sd"] if developer_sd is None else developer_sd,
                          target_power=target, reps=reps, seed=seed)
    except ValueError as exc:
        raise AssessError(str(exc)) from None
    if json_path:
        write_json(json_path, plan.to_json())
        if json_path == "-":
            return
    table = Table("tasks", "per developer", "power", title=f"Power to detect {percent(effect)} with {developers} developers")
    for row in plan.rows:
        table.add_row(str(row["n_tasks"]), str(row["tasks_per_developer"]), f"{row['power']:.0%}")
    _out().print(table)
    if plan.required_tasks:
        click.echo(f"about {plan.required_tasks} tasks ({plan.required_tasks // developers} per developer) give "
                   f"{target:.0%} power")
    else:
        click.echo(f"{target:.0%} power not reached within the sizes tried; add developers or aim for a larger effect")


def _fmt_ci(ci: list[float] | None) -> str:
    from assess.speedup.scales import percent

    return "n/a" if not ci else f"{percent(ci[0])} to {percent(ci[1])}"


def _print_analysis(result: dict) -> None:
    from assess.speedup.scales import percent

    out = _out()
    est = result["estimate"]
    out.print(f"[bold]{esc(result['study']['name'] or 'study')}[/bold]: {result['n_tasks']} tasks, "
              f"{result['n_developers']} developers ({result['arms']['ai_allowed']} AI-allowed, "
              f"{result['arms']['ai_disallowed']} AI-disallowed)", markup=True)
    table = Table("specification", "speedup", "95% CI", title="Effect of allowing AI on time (positive = slower)")
    table.add_row(est["label"], percent(est["speedup"]), _fmt_ci(est["ci95"]), style="bold")
    for alt in result["alternatives"]:
        table.add_row(alt["label"], percent(alt["speedup"]), _fmt_ci(alt["ci95"]))
    out.print(table)
    table = Table("belief", "speedup", "gap vs measured (pp)", title="Belief vs measurement")
    table.add_row("forecast (task forecasts)", percent(result["forecast_speedup"]),
                  f"{result['gaps']['forecast_pp']:+.1f}")
    for key, label in (("pre_study", "expected before the study"), ("post_task", "after each task"),
                       ("post_study", "after the study")):
        p = result["perceived"][key]
        gap = result["gaps"][f"{key}_pp"]
        table.add_row(label, percent(p["speedup"]) if p else "n/a", "n/a" if gap is None else f"{gap:+.1f}")
    out.print(table)
    table = Table("developer", "tasks", "AI / no AI", "speedup", "95% CI", "forecast", "post-study",
                  title="Per developer")
    for d in result["per_developer"]:
        table.add_row(d["developer"], str(d["n_tasks"]), f"{d['n_ai_allowed']} / {d['n_ai_disallowed']}",
                      percent(d["speedup"]), _fmt_ci(d["ci95"]), percent(d["forecast_speedup"]),
                      percent(d["post_study_speedup"]))
    out.print(table)
    table = Table("forecast", "AI-allowed mean", "AI-disallowed mean", "Welch p", title="Balance")
    for r in result["balance"]["rows"]:
        p = r["welch_p_value"]
        table.add_row(r["label"], f"{r['ai_allowed_mean']:.1f}", f"{r['ai_disallowed_mean']:.1f}",
                      "n/a" if p is None else f"{p:.2f}")
    out.print(table)
    out.print(result["summary"], markup=False)
    for w in result["warnings"]:
        _err().print(f"[yellow]warning:[/yellow] {esc(w)}", markup=True)


@study_group.command("analyze")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "json_path", help="Write the analysis as JSON to FILE (- for stdout).")
@click.option("--allow-changed", is_flag=True, help="Keep tasks changed after registration (current values).")
@click.option("--bootstrap", "reps", type=int, default=defaults.BOOTSTRAP_REPS, show_default=True,
              help="Cluster-bootstrap resamples (0 to skip).")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
def analyze_command(directory: Path, json_path: str | None, allow_changed: bool, reps: int, seed: int) -> None:
    """Estimate the speedup as METR did, with its uncertainty and the perception gaps."""
    from assess.fileio import write_json
    from assess.speedup.analysis import analyze_study

    result = analyze_study(directory, allow_changed=allow_changed, bootstrap_reps=reps, seed=seed)
    problems = result["integrity"].get("row_problems", [])
    if json_path == "-":
        write_json("-", result)
        for p in problems[:20]:
            click.echo(f"problem: {p['file']}:{p['line']}: field '{p['field']}': {p['message']}", err=True)
        return
    _print_analysis(result)
    for p in problems[:20]:
        click.echo(f"problem: {p['file']}:{p['line']}: field '{p['field']}': {p['message']}", err=True)
    if json_path:
        write_json(json_path, result)
        click.echo(f"wrote {json_path}")


@study_group.command("simulate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--developers", type=int, default=8, show_default=True)
@click.option("--tasks-per-developer", type=int, default=12, show_default=True)
@click.option("--true-speedup", default="15%", show_default=True, help="The effect built in (e.g. 15% = slower).")
def simulate_command(directory: Path, seed: int, developers: int, tasks_per_developer: int, true_speedup: str) -> None:
    """Write a realistic example study folder with a known true effect."""
    from assess.speedup.scales import parse_speedup
    from assess.speedup.simulate import simulate_study

    try:
        effect = parse_speedup(true_speedup)
    except ValueError as exc:
        raise AssessError(f"--true-speedup: {exc}") from None
    if developers < 1 or tasks_per_developer < 2:
        raise AssessError("need at least 1 developer and 2 tasks per developer")
    path = simulate_study(directory, seed=seed, n_developers=developers, tasks_per_developer=tasks_per_developer,
                          true_speedup=effect or 0.0)
    click.echo(f"wrote a simulated study in {path}; analyse it with `assess study analyze {path}`")


@study_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["metr"]), default="metr", show_default=True)
def import_command(source: Path, directory: Path, fmt: str) -> None:
    """Turn a per-task file (METR's data_complete.csv) into a registered study folder."""
    from assess.speedup.importers import import_study

    outcome = import_study(source, directory, fmt=fmt)
    _report_problems(outcome.problems)
    click.echo(f"imported {outcome.n_tasks} tasks from {outcome.n_developers} developers "
               f"({outcome.n_ai_allowed} AI-allowed, {outcome.n_ai_disallowed} AI-disallowed; "
               f"{outcome.imputed_review} missing post-review times imputed by arm mean) into {outcome.directory}")
