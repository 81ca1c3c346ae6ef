"""Sources of `assess org`: folders of clones, list files, clone URLs; bad entries named by line."""

from __future__ import annotations

import pytest
from orgfixture import make_empty, make_repo

from assess.errors import AssessError, InputError
from assess.org.sources import expand_sources, is_url


def test_folder_list_file_and_urls(tmp_path):
    make_repo(tmp_path / "clones" / "b-repo", 2, seed=1)
    make_empty(tmp_path / "clones" / "a-repo")
    (tmp_path / "clones" / "not-a-repo").mkdir()
    listing = tmp_path / "list.txt"
    listing.write_text("# comment\n\nclones/b-repo\nhttps://example.invalid/acme/api.git\ngit@example.invalid:acme/web.git\n")
    specs = expand_sources([str(tmp_path / "clones"), str(listing)])
    # the folder's clones sorted by name; the list's path repeats b-repo and is kept once
    assert [(s.name, s.kind) for s in specs] == [("a-repo", "path"), ("b-repo", "path"), ("api", "url"), ("web", "url")]
    assert specs[1].source == str(tmp_path / "clones" / "b-repo")
    assert len({s.key for s in specs}) == 4


def test_bad_sources_are_one_line_errors(tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text("ok-url https://x\n")
    with pytest.raises(InputError, match=r"list.txt:1: 'ok-url https://x' is neither a folder nor a clone URL"):
        expand_sources([str(listing)])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no git repositories"):
        expand_sources([str(tmp_path / "empty")])
    with pytest.raises(AssessError, match="github:acme: .* add --list-from-forge to allow it"):
        expand_sources(["github:acme"])  # a forge organisation reaches the network only when allowed
    assert not is_url("-oProxyCommand=x@host:y") and not is_url("-o@host:x")
    assert is_url("git@github.com:acme/api.git") and is_url("file:///srv/git/api.git")


def test_a_named_pipe_as_source_is_refused_in_one_line(tmp_path):
    import os

    fifo = tmp_path / "repos.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="neither a folder nor a list file") as exc:
        expand_sources([str(fifo)])
    assert "\n" not in str(exc.value)
