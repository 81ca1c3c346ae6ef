"""`assess forge fetch` against a fake GitHub / GitLab on 127.0.0.1: pagination, de-duplication,
rate limits, retries, conditional refresh, resume after an interrupt, one-line errors, and a
token that never leaves the request header."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgefake import TOKEN, FakeForge, gh_commit, gh_pull, gh_review, serve_github_repo, user

from assess.cli import main
from assess.errors import AssessError
from assess.forge import github
from assess.forge.store import Store

ALICE, BOB = user("alice", 1), user("bob", 2)
COPILOT = user("Copilot", 198982749, bot=True)
RABBIT = user("coderabbitai[bot]", 136622811, bot=True)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)  # loopback only: no test reaches the internet


@pytest.fixture(autouse=True)
def _close_clients(monkeypatch):
    """Clients a test builds by hand are closed after it (the CLI closes its own)."""
    made = []
    real = github.client

    def tracked(*a, **k):
        made.append(real(*a, **k))
        return made[-1]

    monkeypatch.setattr(github, "client", tracked)
    yield
    for c in made:
        c.close()


@pytest.fixture
def fake(httpserver):
    assert httpserver.host == "127.0.0.1"
    return FakeForge(httpserver)


def _repo(fake: FakeForge, **kw) -> list[dict]:
    pulls = [
        gh_pull(1, ALICE, created="2026-01-05T10:00:00Z", merged="2026-01-06T10:00:00Z", merged_by=BOB),
        gh_pull(2, COPILOT, created="2026-01-07T10:00:00Z", merged="2026-01-07T10:20:00Z", merged_by=ALICE,
                head="copilot/fix-thing", additions=2400, deletions=100),
        gh_pull(3, BOB, created="2026-02-01T09:00:00Z", updated="2026-02-02T09:00:00Z"),
    ]
    serve_github_repo(fake, pulls,
                      reviews={1: [gh_review(11, BOB, "COMMENTED", "2026-01-05T12:00:00Z", "why?"),
                                   gh_review(12, BOB, "APPROVED", "2026-01-06T09:00:00Z")],
                               2: [gh_review(21, RABBIT, "COMMENTED", "2026-01-07T10:05:00Z", "nit"),
                                   gh_review(22, ALICE, "APPROVED", "2026-01-07T10:15:00Z")]},
                      comments={1: [{"id": 31, "user": BOB, "created_at": "2026-01-05T12:00:00Z"}]},
                      commits={2: [gh_commit("a" * 40, "198982749+Copilot@users.noreply.github.com", "2026-01-07T09:00:00Z")]},
                      **kw)
    return pulls


def _run(args: list[str], **env: str):
    return CliRunner().invoke(main, args, env={"GITHUB_TOKEN": TOKEN, "GITLAB_TOKEN": TOKEN, **env})


def _all_text(store: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in store.rglob("*") if p.is_file())


def test_github_fetch_is_complete_deduplicated_and_keeps_the_token_secret(fake, tmp_path):
    _repo(fake)
    store = tmp_path / "store"
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)])
    assert res.exit_code == 0, res.output
    records = Store(store).records()
    assert [r["number"] for r in records] == [1, 2, 3]
    by = {r["number"]: r for r in records}
    # the reviews endpoint serves one review per page: both pages were followed
    assert [r["state"] for r in by[1]["reviews"]] == ["COMMENTED", "APPROVED"]
    assert by[1]["review_comments"][0]["user"]["login"] == "bob"
    assert by[2]["author"] == {"login": "Copilot", "id": 198982749, "bot": True}
    assert by[2]["commits"][0]["author_email"].startswith("198982749+")
    assert by[2]["ci_state"] == "success" and by[3]["state"] == "open"
    # list pages were followed (2 per page, 3 pulls)
    assert fake.hits("/repos/acme/widgets/pulls") == 2
    # the token was sent as a header, never in a URL, and is nowhere in the output or the store
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in fake.requests)
    assert not any(TOKEN in r.url for r in fake.requests)
    assert TOKEN not in res.stdout + res.stderr
    assert TOKEN not in _all_text(store)
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["format"] == "assess-forge/1" and manifest["repo"] == "acme/widgets"
    assert manifest["cursor"] is None and manifest["high_water"] == "2026-02-02T09:00:00Z"


def test_pulls_repeated_across_list_pages_are_fetched_once(fake, tmp_path):
    pulls = _repo(fake)
    # a pull updated mid-listing shows up on page 1 and again on page 2
    pages = [[pulls[2], pulls[1]], [pulls[1], pulls[0]]]

    def handler(req):
        from werkzeug import Response
        n = int(req.args.get("page", "1"))
        link = {"Link": f'<{fake.url("/repos/acme/widgets/pulls")}?page=2>; rel="next"'} if n == 1 else {}
        return Response(json.dumps(pages[n - 1]), 200, headers={"Content-Type": "application/json", **link})

    fake.route("/repos/acme/widgets/pulls", handler)
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert [r["number"] for r in Store(tmp_path / "s").records()] == [1, 2, 3]
    assert fake.hits("/repos/acme/widgets/pulls/2") == 1
    lines = (tmp_path / "s" / "pulls.jsonl").read_text().splitlines()
    assert len(lines) == 3


def test_rate_limit_waits_says_so_and_continues(fake, tmp_path):
    _repo(fake)
    fake.routes["/repos/acme/widgets/pulls/1"].insert(
        0, (403, {"message": "API rate limit exceeded"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1030"}))
    fake.routes["/repos/acme/widgets/pulls/3"].insert(0, (429, {"message": "slow down"}, {"Retry-After": "7"}))
    slept, said = [], []
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=slept.append, now=lambda: 1000.0, say=said.append)
    with Store(tmp_path / "s").writing(forge="github", repo="acme/widgets") as w:
        github.fetch(cl, w, "acme/widgets", api=fake.api)
        w.finish(source="test")
    assert slept == [7.0, 31.0]  # newest first: pull 3, then pull 1
    assert sum("rate limit" in m for m in said) == 2
    assert len(Store(tmp_path / "s").records()) == 3


def test_rate_limit_longer_than_the_cap_stops_with_one_line_and_resumes_later(fake, tmp_path):
    _repo(fake)
    fake.routes["/repos/acme/widgets/pulls/1"].insert(0, (429, {}, {"Retry-After": "3600"}))
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s"),
                "--max-wait", "5"])
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "rate limit" in err and "resumes" in err and "Traceback" not in err
    # the two pull requests before it are safe; the rerun fetches only the rest
    assert sorted(r["number"] for r in Store(tmp_path / "s").records()) == [2, 3]
    before = fake.hits("/repos/acme/widgets/pulls/3")
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    assert "resuming: 1 pull request(s)" in res.stderr
    assert fake.hits("/repos/acme/widgets/pulls/3") == before
    assert [r["number"] for r in Store(tmp_path / "s").records()] == [1, 2, 3]


def test_502_is_retried_with_backoff(fake, tmp_path):
    _repo(fake)
    fake.routes["/repos/acme/widgets/pulls/2"].insert(0, (502, "<html>Bad gateway</html>", {}))
    slept, said = [], []
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=slept.append, say=said.append, backoff=0.5)
    with Store(tmp_path / "s").writing(forge="github", repo="acme/widgets") as w:
        github.fetch(cl, w, "acme/widgets", api=fake.api)
    assert slept == [0.5] and "HTTP 502" in said[0]
    assert len(Store(tmp_path / "s").records()) == 3


def test_persistent_5xx_is_one_line_error(fake, tmp_path):
    _repo(fake)
    fake.route("/repos/acme/widgets/pulls/2", (503, "down", {}))
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=lambda s: None, say=lambda m: None)
    with Store(tmp_path / "s").writing(forge="github", repo="acme/widgets") as w, pytest.raises(AssessError) as exc:
        github.fetch(cl, w, "acme/widgets", api=fake.api)
    assert "HTTP 503 4 times" in str(exc.value)


def test_expired_token_is_one_line_without_the_token(fake, tmp_path):
    fake.route("/repos/acme/widgets/pulls", (401, {"message": "Bad credentials"}, {}))
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0
    assert "rejected the token in $GITHUB_TOKEN" in res.stderr and "401" in res.stderr
    assert TOKEN not in res.stdout + res.stderr
    assert TOKEN not in _all_text(tmp_path / "s")


def test_token_comes_only_from_the_named_variable(fake, tmp_path):
    _repo(fake)
    res = CliRunner().invoke(main, ["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api,
                                    "-o", str(tmp_path / "s"), "--token-env", "MY_TOKEN"],
                             env={"MY_TOKEN": "other-secret", "GITHUB_TOKEN": TOKEN})
    assert res.exit_code == 0, res.output
    assert {r.headers.get("Authorization") for r in fake.requests} == {"Bearer other-secret"}
    res = CliRunner().invoke(main, ["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api,
                                    "-o", str(tmp_path / "t"), "--token-env", "UNSET_VAR"], env={"UNSET_VAR": ""})
    assert res.exit_code == 0 and "no token in $UNSET_VAR" in res.stderr
    assert fake.requests[-1].headers.get("Authorization") is None
    # no option takes a token value
    assert CliRunner().invoke(main, ["forge", "fetch", "github", "a/b", "-o", "x", "--token", TOKEN]).exit_code == 2


def test_malformed_json_names_the_url(fake, tmp_path):
    _repo(fake)
    fake.route("/repos/acme/widgets/pulls/2/reviews", (200, '[{"id": 1, "state": ', {}))
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 2
    line = res.stderr.strip()
    assert "\n" not in line and "malformed JSON" in line and "/repos/acme/widgets/pulls/2/reviews" in line


def test_refresh_uses_etag_then_fetches_only_updated_pulls(fake, tmp_path):
    pulls = _repo(fake)
    store = tmp_path / "s"
    assert _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)]).exit_code == 0

    def conditional(req):
        from werkzeug import Response
        if req.headers.get("If-None-Match") == '"list-v1"':
            return Response("", 304)
        return Response(json.dumps(pulls), 200, content_type="application/json")

    fake.route("/repos/acme/widgets/pulls", conditional)
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)])
    assert res.exit_code == 0 and "nothing changed" in res.stdout
    # pull 3 gets a review: only it is fetched again
    pulls[2]["updated_at"] = "2026-02-03T09:00:00Z"
    serve_github_repo(fake, pulls, reviews={3: [gh_review(41, ALICE, "CHANGES_REQUESTED", "2026-02-03T08:00:00Z")]})
    before = {n: fake.hits(f"/repos/acme/widgets/pulls/{n}") for n in (1, 2, 3)}
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)])
    assert res.exit_code == 0, res.output
    after = {n: fake.hits(f"/repos/acme/widgets/pulls/{n}") for n in (1, 2, 3)}
    assert after[3] == before[3] + 1 and after[1] == before[1] and after[2] == before[2]
    recs = {r["number"]: r for r in Store(store).records()}
    assert len(recs) == 3 and recs[3]["reviews"][0]["state"] == "CHANGES_REQUESTED"
    assert recs[1]["reviews"]  # untouched records keep their reviews
    assert len((store / "pulls.jsonl").read_text().splitlines()) == 3


def test_interrupted_write_is_repaired_and_store_is_locked(fake, tmp_path):
    _repo(fake)
    store = tmp_path / "s"
    assert _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)]).exit_code == 0
    with open(store / "pulls.jsonl", "a") as fh:
        fh.write('{"forge": "github", "repo": "acme/wid')  # a write cut by a crash
    assert len(Store(store).records()) == 3
    with Store(store).writing(forge="github", repo="acme/widgets"):
        res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store), "--full"])
        assert res.exit_code == 2 and "another assess process" in res.stderr
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store), "--full"])
    assert res.exit_code == 0
    assert (store / "pulls.jsonl").read_text().endswith("}\n")
    res = _run(["forge", "fetch", "github", "other/repo", "--api-url", fake.api, "-o", str(store)])
    assert res.exit_code == 2 and "one store per repository" in res.stderr


def _gitlab(fake: FakeForge) -> None:
    base = "/projects/grp%2Fsub%2Fproj/merge_requests"
    mrs = []
    for iid, author, branch in ((1, {"username": "carol", "id": 5}, "feature"),
                                (2, {"username": "project_12_bot_ab12", "id": 9}, "claude/do-it"),
                                (3, {"username": "dave", "id": 6}, "fix")):
        mrs.append({"iid": iid, "title": f"MR {iid}", "description": "", "state": "merged" if iid < 3 else "opened",
                    "author": author, "merge_user": {"username": "carol", "id": 5} if iid < 3 else None,
                    "source_branch": branch, "target_branch": "main", "created_at": f"2026-03-0{iid}T10:00:00.000Z",
                    "updated_at": f"2026-03-0{iid}T12:00:00.000Z", "merged_at": f"2026-03-0{iid}T11:00:00.000Z" if iid < 3 else None,
                    "web_url": f"https://gitlab.example/grp/sub/proj/-/merge_requests/{iid}",
                    "head_pipeline": {"status": "success"}, "changes_count": "3"})
    fake.paged(base, mrs[::-1], 2)
    for mr in mrs:
        i = mr["iid"]
        fake.route(f"{base}/{i}", mr)
        fake.route(f"{base}/{i}/approvals", {"approved_by": [{"user": {"username": "dave", "id": 6}}] if i == 1 else []})
        notes = [{"id": 100 + i, "system": True, "body": "approved this merge request", "author": {"username": "dave", "id": 6},
                  "created_at": f"2026-03-0{i}T10:30:00Z"},
                 {"id": 200 + i, "system": False, "type": "DiffNote", "body": "rename this", "author": {"username": "dave", "id": 6},
                  "created_at": f"2026-03-0{i}T10:20:00Z"}] if i == 1 else []
        fake.paged(f"{base}/{i}/notes", notes, 1)
        fake.paged(f"{base}/{i}/commits", [{"id": f"{i:040x}", "author_email": "x@example.com", "author_name": "X",
                                             "committer_email": "x@example.com", "committer_name": "X",
                                             "authored_date": "2026-03-01T09:00:00Z", "committed_date": "2026-03-01T09:00:00Z",
                                             "message": "work"}], 100)
        fake.paged(f"{base}/{i}/diffs", [{"diff": "@@ -1 +1,2 @@\n-a\n+b\n+c\n"}], 100)


def test_gitlab_fetch_with_notes_approvals_and_diffs(fake, tmp_path):
    _gitlab(fake)
    res = _run(["forge", "fetch", "gitlab", "grp/sub/proj", "--api-url", fake.api, "-o", str(tmp_path / "g")])
    assert res.exit_code == 0, res.output
    recs = {r["number"]: r for r in Store(tmp_path / "g").records()}
    assert sorted(recs) == [1, 2, 3]
    assert [r["state"] for r in recs[1]["reviews"]] == ["APPROVED"]  # the note's approval, not counted twice
    assert recs[1]["reviews"][0]["submitted_at"] == "2026-03-01T10:30:00Z"
    assert len(recs[1]["review_comments"]) == 1
    assert recs[1]["additions"] == 2 and recs[1]["deletions"] == 1
    assert recs[2]["author"]["bot"] is True and recs[3]["state"] == "open"
    assert all(r.headers.get("PRIVATE-TOKEN") == TOKEN for r in fake.requests)
    assert TOKEN not in res.stdout + res.stderr + _all_text(tmp_path / "g")


def test_gitlab_expired_token(fake, tmp_path):
    fake.route("/projects/grp%2Fproj/merge_requests", (401, {"message": "401 Unauthorized"}, {}))
    res = _run(["forge", "fetch", "gitlab", "grp/proj", "--api-url", fake.api, "-o", str(tmp_path / "g")])
    assert res.exit_code == 2 and "$GITLAB_TOKEN" in res.stderr and TOKEN not in res.stderr


def test_bad_repository_and_api_url_are_refused_before_any_request(fake, tmp_path):
    for args in (["github", "not-a-repo"], ["github", "a/../b"], ["github", "a/b", "--api-url", "ftp://x"]):
        res = _run(["forge", "fetch", *args, "-o", str(tmp_path / "s")])
        assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert fake.requests == []


def test_endless_rate_limits_and_link_loops_stop(fake, tmp_path):
    _repo(fake)
    fake.route("/repos/acme/widgets/pulls/3", (429, {}, {"Retry-After": "0"}))
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=lambda s: None, say=lambda m: None)
    with pytest.raises(AssessError, match="kept answering with a rate limit"):
        cl.get(fake.url("/repos/acme/widgets/pulls/3"))
    # GitHub's secondary rate limit: a 403 naming it, with no headers, waits a minute
    fake.route("/repos/acme/widgets/pulls/2", (403, {"message": "You have exceeded a secondary rate limit"}, {}),
               gh_pull(2, ALICE, created="2026-01-07T10:00:00Z"))
    slept = []
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=slept.append, say=lambda m: None)
    assert cl.get(fake.url("/repos/acme/widgets/pulls/2")).data["number"] == 2 and slept == [60.0]

    def loop(req):
        from werkzeug import Response
        return Response("[]", 200, headers={"Content-Type": "application/json",
                                            "Link": f'<{fake.url("/loop")}?page=1>; rel="next"'})

    fake.route("/loop", loop)
    with pytest.raises(AssessError, match="links back"):
        list(cl.pages(fake.url("/loop"), params={"page": 1}))


def test_import_and_summary_never_open_a_connection(tmp_path, monkeypatch):
    import socket

    from assess.forge.synthetic import generate, write_store

    def refuse(*a, **k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    store = write_store(tmp_path / "s", generate("checks-outcomes", n=20))
    export = tmp_path / "e.json"
    export.write_text(json.dumps([gh_pull(1, ALICE, created="2026-01-01T00:00:00Z")]))
    assert _run(["forge", "import", str(export), "-o", str(tmp_path / "t")]).exit_code == 0
    assert _run(["forge", "summary", str(store)]).exit_code == 0


def test_since_limits_the_first_fetch(fake, tmp_path):
    _repo(fake)
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s"),
                "--since", "2026-01-07"])
    assert res.exit_code == 0, res.output
    assert [r["number"] for r in Store(tmp_path / "s").records()] == [2, 3]
    assert fake.hits("/repos/acme/widgets/pulls/1") == 0
    res = _run(["forge", "fetch", "github", "acme/widgets", "-o", str(tmp_path / "t"), "--since", "last week"])
    assert res.exit_code == 2 and "not a date" in res.stderr


def test_credentials_in_the_api_url_never_reach_messages(fake, tmp_path):
    fake.route("/repos/acme/widgets/pulls", (200, "{not json", {}))
    api = fake.api.replace("http://", "http://user:s3cr3tpass@")
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 2 and "malformed JSON" in res.stderr and "s3cr3tpass" not in res.stderr


def test_a_token_with_control_characters_is_refused_without_echo(fake, tmp_path):
    res = CliRunner().invoke(main, ["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api,
                                    "-o", str(tmp_path / "s")], env={"GITHUB_TOKEN": "ghp_abcdef\nSECRETPART"})
    assert res.exit_code == 2 and "control characters" in res.stderr
    assert "SECRETPART" not in res.output + res.stderr and fake.requests == []
    cl = github.client("ghp_abc def123456", "GITHUB_TOKEN")
    assert "def123456" not in cl.redact("error with 'ghp_abc def123456' and def123456")


def test_an_inflating_or_endless_answer_is_cut_at_the_cap_not_read_whole(fake, monkeypatch):
    """The body was read whole before its size was checked: a small gzip answer inflating to
    gigabytes, or an endless stream, took all the memory first."""
    import gzip
    import tracemalloc

    from werkzeug import Response

    from assess.forge import http

    monkeypatch.setattr(http, "MAX_BODY", 4 * 2**20)
    bomb = gzip.compress(b"[" + b" " * (96 * 2**20) + b"]", compresslevel=9)
    assert len(bomb) < 200_000
    fake.route("/bomb", lambda req: Response(bomb, 200, headers={"Content-Type": "application/json",
                                                                 "Content-Encoding": "gzip"}))
    sent = []

    def endless(req):
        def chunks():
            for _ in range(200):
                sent.append(1)
                yield b" " * 2**20
        return Response(chunks(), 200, content_type="application/json", direct_passthrough=True)

    fake.route("/endless", endless)
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=lambda s: None, say=lambda m: None)
    tracemalloc.start()
    try:
        with pytest.raises(AssessError, match="response larger than 4 MiB"):
            cl.get(fake.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MiB"  # read whole, it was over 96
    with pytest.raises(AssessError, match="response larger than 4 MiB"):
        cl.get(fake.url("/endless"))
    assert len(sent) < 100  # the server was stopped well before its 200 MiB
    # an ordinary compressed page is read as before; a damaged one is a one-line error
    page = gzip.compress(json.dumps([{"number": 1}]).encode())
    fake.route("/gz", lambda req: Response(page, 200, headers={"Content-Type": "application/json",
                                                               "Content-Encoding": "gzip"}))
    assert cl.get(fake.url("/gz")).data == [{"number": 1}]
    fake.route("/broken", lambda req: Response(page[:10] + b"\xff" * 30, 200, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(AssessError, match="damaged gzip body"):
        cl.get(fake.url("/broken"))


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_the_token_goes_to_the_api_host_only(fake, forge):
    """A Link header or a redirect naming another host got the token as well (httpx drops only
    `Authorization` on a redirect, never GitLab's PRIVATE-TOKEN; Link pages had no check)."""
    from werkzeug import Response

    from assess.forge import gitlab

    module = github if forge == "github" else gitlab
    other = fake.api.replace("127.0.0.1", "localhost")  # the same server under another host name
    fake.route("/list", (200, [{"n": 1}], {"Link": f'<{other}/page2>; rel="next"'}))
    fake.route("/page2", (200, [{"n": 2}], {}))
    fake.route("/moved", lambda req: Response("", 302, headers={"Location": f"{other}/elsewhere"}))
    fake.route("/elsewhere", (200, [{"n": 3}], {}))
    cl = module.client(TOKEN, "T", sleep=lambda s: None, say=lambda m: None)
    try:
        assert [p.data for p in cl.pages(fake.url("/list"))] == [[{"n": 1}], [{"n": 2}]]
        assert cl.get(fake.url("/moved")).data == [{"n": 3}]
    finally:
        cl.close()
    header = "Authorization" if forge == "github" else "PRIVATE-TOKEN"
    cl.pin_api("http://gitlab.example.com/api/v4")  # an upgrade to https on the same host keeps it, as httpx does
    assert cl.is_api("https://gitlab.example.com/api/v4/x") and cl.is_api("http://gitlab.example.com/y")
    assert not any(cl.is_api(u) for u in ("https://gitlab.example.com:8443/x", "http://gitlab.example.com.evil/x",
                                          "https://evil.example/api/v4", "ftp://gitlab.example.com/x"))
    by_path = {r.path: r for r in fake.requests}
    assert TOKEN in by_path["/list"].headers.get(header, "")  # the API's own host gets it
    assert TOKEN in by_path["/moved"].headers.get(header, "")
    for path in ("/page2", "/elsewhere"):
        assert by_path[path].host.startswith("localhost")
        assert header not in by_path[path].headers, path
        assert not any(TOKEN in v for v in by_path[path].headers.values())


def test_a_listing_whose_links_lead_back_stops_in_fetch(fake, tmp_path):
    """`assess forge fetch` follows the listing's Link headers itself (to resume): a link back to a
    page already read went round until the forge failed, or forever."""
    path = "/repos/acme/widgets/pulls"
    one = gh_pull(1, ALICE, created="2026-01-05T10:00:00Z")
    two = gh_pull(2, ALICE, created="2026-01-04T10:00:00Z")
    fake.route(path, (200, [one], {"Link": f'<{fake.url(path)}?page=2>; rel="next"'}),
               (200, [two], {"Link": f'<{fake.url(path)}?page=1>; rel="next"'}),
               (200, [one], {"Link": f'<{fake.url(path)}?page=2>; rel="next"'}))
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(tmp_path / "s")])
    assert res.exit_code == 2 and "pagination links back to a page already read" in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1 and fake.hits(path) <= 4


def test_a_saved_cursor_naming_another_host_is_refused_not_followed(fake, tmp_path):
    """A store's interrupted fetch resumes from the listing URL saved in its manifest: one naming
    another host (another --api-url, or an edited store) was asked first, with the token."""
    _repo(fake)
    store = tmp_path / "s"
    assert _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)]).exit_code == 0
    manifest = json.loads((store / "manifest.json").read_text())
    other = fake.api.replace("127.0.0.1", "localhost")
    manifest["cursor"] = {"forge": "github", "phase": "list", "next": f"{other}/collect?page=2", "pending": [],
                          "newest": None}
    (store / "manifest.json").write_text(json.dumps(manifest))
    before = len(fake.requests)
    res = _run(["forge", "fetch", "github", "acme/widgets", "--api-url", fake.api, "-o", str(store)])
    assert res.exit_code == 2 and "lists another host" in res.stderr and TOKEN not in res.output
    assert len(fake.requests) == before  # nothing asked, of either host


def test_retry_messages_never_show_the_token_a_link_carries(fake):
    """Errors were redacted, the 'retrying' progress lines were not: a Link URL carrying the token
    (a misconfigured proxy or a hostile server) printed it to the terminal and CI logs."""
    fake.route("/list", (200, [{"n": 1}], {"Link": f'<{fake.url("/p2")}?access_token={TOKEN}>; rel="next"'}))
    fake.route("/p2", (502, {}, {}), (200, [{"n": 2}], {}))
    said: list[str] = []
    cl = github.client(TOKEN, "GITHUB_TOKEN", sleep=lambda s: None, say=said.append)
    assert [p.data for p in cl.pages(fake.url("/list"))] == [[{"n": 1}], [{"n": 2}]]
    assert any("retrying" in m for m in said) and not any(TOKEN in m for m in said), said
