"""Clones of many repositories at once never wait on a terminal: git runs ssh in batch mode (no
passphrase or host-key prompt), and a refused ssh clone says what to do in its one-line error."""

from __future__ import annotations

import os
import stat

import pytest

from assess.errors import AssessError
from assess.org.clone import partial_clone


def _fake_ssh(tmp_path, message: str):
    """An `ssh` on PATH that records its arguments and refuses like a real one would."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "ssh-args"
    script = bindir / "ssh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\necho "{message}" >&2\nexit 255\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bindir, log


@pytest.mark.parametrize("message", ["Host key verification failed.", "git@example.invalid: Permission denied (publickey)."])
def test_ssh_clones_run_in_batch_mode_and_say_what_to_do(tmp_path, monkeypatch, message):
    bindir, log = _fake_ssh(tmp_path, message)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    monkeypatch.delenv("GIT_SSH", raising=False)
    with pytest.raises(AssessError) as exc:
        partial_clone("ssh://git@example.invalid/team/app.git", "app", str(tmp_path / "clones"))
    args = log.read_text().split("\n")
    assert "BatchMode=yes" in args  # ssh may not prompt for a passphrase or a host key
    text = str(exc.value)
    assert message.rstrip(".") in text and "ssh-agent" in text and "known_hosts" in text
    assert "\n" not in text


def test_a_users_own_ssh_command_is_kept(tmp_path, monkeypatch):
    bindir, log = _fake_ssh(tmp_path, "Connection closed")
    monkeypatch.setenv("GIT_SSH_COMMAND", f"{bindir / 'ssh'} -o Custom=1")
    with pytest.raises(AssessError) as exc:
        partial_clone("ssh://git@example.invalid/team/app.git", "app", str(tmp_path / "clones"))
    args = log.read_text().split("\n")
    assert "Custom=1" in args and "BatchMode=yes" not in args
    assert "ssh-agent" not in str(exc.value)  # not an ssh refusal: no advice about keys
