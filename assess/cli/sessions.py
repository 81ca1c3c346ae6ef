"""`assess sessions ...` commands: parse arguments, call assess.sessions, print."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from assess.errors import AssessError


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AssessError(f"--{name}: '{value}' is not a date", hint="use YYYY-MM-DD") from None


def _tz(name: str | None):
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AssessError(f"--local-tz: unknown time zone '{name}'", hint="e.g. Europe/Berlin or UTC") from None


PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
SINCE = click.option("--since", default=None, help="Keep events on or after this day (YYYY-MM-DD, UTC).")
UNTIL = click.option("--until", default=None, help="Keep events on or before this day (YYYY-MM-DD, UTC).")
LOCAL_TZ = click.option("--local-tz", default=None, metavar="ZONE",
                        help="Zone of times written without one (Aider, old SpecStory titles); default: this machine's.")
IDLE = click.option("--idle-minutes", default=10.0, show_default=True, type=click.FloatRange(0.5, 240),
                    help="A gap longer than this between agent events is idle time, not work.")


def _collect(paths, since, until, local_tz):
    from assess.sessions.collect import collect

    return collect(list(paths) or None, since=_date(since, "since"), until=_date(until, "until"),
                   local_tz=_tz(local_tz))


@click.group("sessions")
def sessions_group() -> None:
    """Agent session logs (Claude Code, Codex, Gemini, Aider, SpecStory, Entire): unattended time,
    human touch points, tokens and cost."""


@sessions_group.command("summary")
@PATHS
@SINCE
@UNTIL
@LOCAL_TZ
@IDLE
@click.option("--json", "json_out", default=None, metavar="FILE", help="Write the summary as JSON ('-' for stdout).")
@click.option("--repo", "repos", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Join the sessions to this repository's commits (repeatable).")
@click.option("--show-paths", is_flag=True, help="Include working folders, branches and log file paths.")
@click.option("--show-identities", is_flag=True, help="Show local user names instead of pseudonymous ids.")
def summary_command(paths, since, until, local_tz, idle_minutes, json_out, repos, show_paths, show_identities) -> None:
    """Read session logs (default: ~/.claude, $CLAUDE_CONFIG_DIR, $CODEX_HOME, ~/.gemini; or each PATH:
    a config folder, a repository, any folder, detected by content) and summarise them."""
    from assess.fileio import write_json
    from assess.sessions.join import join
    from assess.sessions.summary import all_metrics, summarise

    coll = _collect(paths, since, until, local_tz)
    if not paths and not coll.roots:
        click.echo("No agent session logs in the default locations "
                   "(~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp).", err=True)
    ms = all_metrics(coll, idle_minutes, show_identities)
    doc = summarise(coll, ms, idle_minutes=idle_minutes, show_paths=show_paths, show_identities=show_identities)
    joins = [join(ms, r, coll.checkpoints) for r in list(repos) + [r for r in coll.repositories if r not in repos]]
    if joins:
        doc["joins"] = joins
    if json_out:
        write_json(json_out, doc)
    if json_out != "-":
        _print_summary(doc)


def _print_summary(doc: dict) -> None:
    t = doc["totals"]
    tok = t["tokens"]
    click.echo(f"{t['sessions']} session(s) from {doc['files_read']} file(s) "
               f"({', '.join(f'{k} {v}' for k, v in t['sources'].items()) or 'none'})")
    click.echo(f"  agent-active hours {t['agent_active_hours']:.1f}; touch points {t['touch_points']} "
               f"({t['touch_points_per_agent_hour'] if t['touch_points_per_agent_hour'] is not None else '-'} per agent-hour); "
               f"human prompts {t['human_prompts']}, program prompts {t['program_prompts']}, interrupts {t['interrupts']}")
    click.echo(f"  longest unattended stretch {t['longest_unattended_minutes']:.0f} min")
    tokenless = t.get("sessions_without_tokens", 0)
    if t["sessions"] and tokenless == t["sessions"]:
        click.echo(f"  tokens and cost: unknown (these logs record no usable token counts: "
                   f"{', '.join(t['sources'])})")
    else:
        click.echo(f"  tokens: input {tok['input']:,}, output {tok['output']:,}"
                   f"{' (lower bound)' if t['output_tokens_lower_bound'] else ''}, cache read {tok['cache_read']:,}, "
                   f"cache write {tok['cache_write']:,}; cost ${t['cost_usd']:,.2f} "
                   f"({doc['price_table']['name']} {doc['price_table']['version']})"
                   + (f"; {tokenless} session(s) without token counts are not in these totals" if tokenless else "")
                   + (f"; unpriced models: {', '.join(t['unpriced_models'])} (their cost is not in this figure)"
                      if t.get("unpriced_models") else ""))
    days = doc["person_days"]
    median = doc["cost_per_engineer_day"]["median"]
    if days:
        click.echo(f"  {len(days)} engineer-day(s); median cost per engineer-day "
                   + (f"${median:,.2f}" if median is not None else "unknown (no engineer-day whose cost is known)")
                   + f" (factory marker ${doc['factory_marker_usd_per_engineer_day']:,.0f})")
    for note in doc.get("notes", []):
        click.echo(f"  note: {note}")
    if t["models"]:
        click.echo("  models: " + ", ".join(f"{k} ({v})" for k, v in t["models"].items()))
    for j in doc.get("joins", []):
        click.echo(f"  join {j['repository']}: {j['commits_with_session']}/{j['code_commits']} code commits have a session, "
                   f"{j['sessions_with_commit']}/{j['sessions']} sessions have a commit"
                   + "".join(f"; {k} {v}" for k, v in j["commits_by_method"].items() if v))
    if doc["skipped_line_count"]:
        click.echo(f"  skipped {doc['skipped_line_count']} unreadable line(s), e.g. "
                   + "; ".join(f"{s['file']}:{s['line']} ({s['reason']})" for s in doc["skipped_lines"][:3]), err=True)


@sessions_group.command("export")
@PATHS
@SINCE
@UNTIL
@LOCAL_TZ
@IDLE
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Bundle file to write (JSON).")
@click.option("--group", default=None, help="A team label the bundle is counted under when bundles are combined.")
@click.option("--include-repositories", is_flag=True, help="Also list repository names per day (off by default).")
@click.option("-y", "--yes", is_flag=True, help="Write without asking (the contents are still printed).")
def export_command(paths, since, until, local_tz, idle_minutes, output, group, include_repositories, yes) -> None:
    """Write an aggregate bundle of this machine's sessions (per day: counts, durations, tokens, cost,
    models; a pseudonymous id; no prompt text, paths or repository names) after showing what it holds."""
    from assess.fileio import write_json
    from assess.sessions.export import describe_bundle, make_bundle
    from assess.sessions.pseudonym import pseudonym
    from assess.sessions.summary import all_metrics

    coll = _collect(paths, since, until, local_tz)
    ms = all_metrics(coll, idle_minutes, show_identities=True)
    from assess.sessions.collect import local_person

    person = pseudonym(local_person())   # a bundle is one engineer's machine
    bundle = make_bundle(ms, person, group=group, include_repositories=include_repositories)
    for line in describe_bundle(bundle):
        click.echo(line)
    if not yes:
        if not sys.stdin.isatty():
            raise AssessError("not writing the bundle without confirmation",
                              hint="run in a terminal to confirm, or pass --yes")
        if not click.confirm(f"Write this bundle to {output}?", default=True):
            click.echo("Nothing written.")
            return
    write_json(output, bundle)
    click.echo(f"Wrote {output}")


@sessions_group.command("combine")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--floor", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="Anonymity floor: groups with fewer engineers show only in the team totals.")
@click.option("--json", "json_out", default="-", show_default=True, metavar="FILE", help="Where to write the team view.")
def combine_command(bundles, floor, json_out) -> None:
    """Combine engineers' bundles (files or folders) into a team view with the anonymity floor applied."""
    from assess.fileio import write_json
    from assess.sessions.export import combine_bundles

    write_json(json_out, combine_bundles(list(bundles), floor=floor))
