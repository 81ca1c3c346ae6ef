"""The README's commands are real: every `assess …` line names an existing command and options."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from assess.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _command_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("assess "):
                    lines.append(part)
    return lines


def test_readme_has_the_two_newcomer_commands():
    text = README.read_text(encoding="utf-8")
    # the first command works where the system Python refuses `pip install` (PEP 668): a venv first
    first = re.search(r"```bash\n(.*?)\n```", text, flags=re.S).group(1)
    assert first == "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && assess demo"
    assert ".venv/" in (README.parent / ".gitignore").read_text().split()
    assert "pip install -e '.[test]' && python -m pytest -n 2" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "pip install -e '.[test]' && python -m pytest -n 2" in ci


@pytest.mark.parametrize("line", _command_lines())
def test_readme_command_exists_with_its_options(line):
    args = shlex.split(line)[1:]
    cmd: click.Command = main
    ctx_args = []
    while isinstance(cmd, click.Group) and args and args[0] in cmd.commands:
        ctx_args.append(args[0])
        cmd = cmd.commands[args.pop(0)]
    assert not isinstance(cmd, click.Group), f"{line}: no such command"
    known = {opt for p in cmd.params for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
    used = [a.split("=")[0] for a in args if a.startswith("-") and not re.match(r"-\d", a)]
    assert set(used) <= known, f"{line}: unknown options {set(used) - known}"
