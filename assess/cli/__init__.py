"""Command-line entry point. The CLI only parses arguments, calls the library and prints."""

from __future__ import annotations

import os
import sys
import threading
import warnings

import click

from assess import __version__
from assess.errors import AssessError, AssessWarning
from assess.terminal import clean_line as clean


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
    if issubclass(category, AssessWarning):
        click.echo(f"assess: warning: {clean(str(message))}", err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    # Ctrl-C or a closed pipe while git readers run: the main thread reports it once, never a
    # worker thread's traceback
    if issubclass(args.exc_type, (KeyboardInterrupt, BrokenPipeError, ValueError, OSError, SystemExit)):
        return
    _default_thread_excepthook(args)


_default_thread_excepthook = threading.excepthook


class AssessGroup(click.Group):
    """Turns library errors into one-line messages and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        warnings.showwarning = _show_warning
        threading.excepthook = _thread_excepthook
        try:
            return super().invoke(ctx)
        except AssessError as exc:
            click.echo(f"assess: error: {clean(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("assess: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # output piped into `head` and closed early: not an error
            sys.stderr.close()
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - last line of defence against tracebacks
            if os.environ.get("ASSESS_DEBUG"):
                raise
            click.echo(f"assess: internal error: {type(exc).__name__}: {clean(str(exc))} "
                       "(set ASSESS_DEBUG=1 for a traceback and please report it)", err=True)
            sys.exit(70)


@click.group(cls=AssessGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assess")
def main() -> None:
    """Where does this team really stand on the Level 0-5 scale of AI coding autonomy,
    and how much does AI really speed it up?"""


def _register() -> None:
    from assess.cli import demo, repo, study, survey
    from assess.cli.report import report_command

    main.add_command(repo.repo_command)
    main.add_command(demo.demo_command)
    main.add_command(survey.survey_group)
    main.add_command(study.study_group)
    main.add_command(report_command)


_register()
