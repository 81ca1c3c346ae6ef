"""Forge organisations as sources of `assess org`: a fake GitHub / GitLab on 127.0.0.1 lists the
organisation over several pages, its clone URLs point at bare repositories served over git's smart
HTTP on the same address, and the run clones them partially and assesses them. Also: nothing is
asked of the forge without --list-from-forge, archived repositories and forks are left out unless
asked, hostile clone URLs are refused, and every listing error is one line naming the organisation."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgefake import TOKEN
from gitserve import GitForge, bare_copy
from orgfixture import make_empty, make_repo

from assess.cli import main
from assess.errors import AssessError
from assess.org import OrgOptions, run_org
from assess.org.forgesource import MAX_PAGES, ForgeAccess, _usable_url, list_organisation, parse_forge_source
from assess.org.sources import expand_sources

TOKEN_ENV = "ASSESS_TEST_FORGE_TOKEN"


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)  # loopback only: no test reaches the internet


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    """Bare repositories to serve: three with history (8, 5 and 12 commits) and an empty one."""
    root = tmp_path_factory.mktemp("forge-git")
    for name, commits, seed in (("api", 8, 1), ("web", 5, 2), ("infra", 12, 3), ("old-site", 3, 4),
                                ("forked-lib", 4, 5)):
        bare_copy(make_repo(root / "work" / name, commits, seed=seed), root / "srv" / f"{name}.git")
    bare_copy(make_empty(root / "work" / "blank"), root / "srv" / "blank.git")
    return root / "srv"


@pytest.fixture
def forge(httpserver, served) -> GitForge:
    assert httpserver.host == "127.0.0.1"
    return GitForge(httpserver, served)


def gh_repo(forge: GitForge, name: str, *, archived: bool = False, fork: bool = False) -> dict:
    return {"id": abs(hash(name)) % 10**6, "name": name, "full_name": f"acme/{name}", "private": False,
            "owner": {"login": "acme", "id": 9, "type": "Organization"}, "fork": fork, "archived": archived,
            "clone_url": forge.clone_url(name), "ssh_url": f"git@127.0.0.1:acme/{name}.git",
            "html_url": f"https://github.invalid/acme/{name}", "default_branch": "main"}


def gl_project(forge: GitForge, path: str, namespace: str, *, archived: bool = False, fork: bool = False) -> dict:
    p = {"id": abs(hash(path)) % 10**6, "path": path, "path_with_namespace": f"{namespace}/{path}",
         "archived": archived, "http_url_to_repo": forge.clone_url(path),
         "ssh_url_to_repo": f"git@127.0.0.1:{namespace}/{path}.git"}
    if fork:
        p["forked_from_project"] = {"id": 1, "path_with_namespace": "upstream/x"}
    return p


def acme(forge: GitForge) -> list[dict]:
    return [gh_repo(forge, "api"), gh_repo(forge, "old-site", archived=True), gh_repo(forge, "web"),
            gh_repo(forge, "forked-lib", fork=True), gh_repo(forge, "infra"), gh_repo(forge, "blank")]


def head_of(bare: Path) -> str:
    return subprocess.run(["git", "--git-dir", str(bare), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


def commit_count(bare: Path) -> int:
    out = subprocess.run(["git", "--git-dir", str(bare), "rev-list", "--count", "HEAD"], capture_output=True,
                         text=True, check=True).stdout
    return int(out)


def test_github_organisation_listed_cloned_and_assessed(forge, served, tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    forge.paged("/orgs/acme/repos", acme(forge), per_page=2)  # three pages
    said: list[str] = []
    access = ForgeAccess(allowed=True, api_url=forge.api, token_env=TOKEN_ENV, say=said.append)
    options = OrgOptions(use_cache=False, clone_dir=str(tmp_path / "clones"))
    out = tmp_path / "out"
    org = run_org(["github:acme"], out, options=options, engine="serial", forge=access)

    kept = ["api", "web", "infra", "blank"]  # the forge's order; the archived one and the fork left out
    rows = org["repositories"]
    assert [r["name"] for r in rows] == kept
    assert [r["source"] for r in rows] == [forge.clone_url(n) for n in kept]
    assert {r["origin"] for r in rows} == {"github:acme"}
    by_name = {r["name"]: r for r in rows}
    for name in ("api", "web", "infra"):
        assert by_name[name]["status"] == "ok", by_name[name]["error"]
        assert by_name[name]["head"] == head_of(served / f"{name}.git")
        assert by_name[name]["commits"] == commit_count(served / f"{name}.git")
        assert by_name[name]["level"] is not None
    assert by_name["blank"]["status"] in ("ok", "failed")  # an empty repository is recorded, never fatal
    # the listing is recorded: which organisation, what was kept, what was left out and why
    listing = org["run"]["forge_organisations"]
    assert listing == [{"source": "github:acme", "forge": "github", "organisation": "acme", "api": forge.api,
                        "listed": 6, "repositories": kept,
                        "skipped": {"archived": ["old-site"], "fork": ["forked-lib"], "name": [],
                                    "no usable clone URL": []}}]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["forge_organisations"] == listing
    assert {r["origin"] for r in manifest["repositories"]} == {"github:acme"}
    for page in ("org.md", "org.html"):  # the reports say where the repositories came from
        assert "Listed from github:acme" in (out / page).read_text()
    assert "6 repositories, 4 kept; 1 skipped (archived); 1 skipped (fork)." in (out / "org.md").read_text()
    # every page was read once, with the token in a header and never in a URL
    api_requests = [r for r in forge.requests if r.path.startswith("/orgs/")]
    assert len(api_requests) == 3
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in api_requests)
    assert not any(TOKEN in r.url for r in forge.requests)
    assert TOKEN not in (out / "org.json").read_text() and TOKEN not in " ".join(said)
    assert any("6 repositories listed, 4 to assess" in s for s in said)
    # clones are partial (history without file contents), in the given clone folder
    clones = sorted((tmp_path / "clones").glob("*.git"))
    assert len(clones) == 4
    promisor = subprocess.run(["git", "--git-dir", str(clones[0]), "config", "remote.origin.promisor"],
                              capture_output=True, text=True).stdout.strip()
    assert promisor == "true"

    # a second run lists again and skips the repositories whose head did not move
    again = run_org(["github:acme"], out, options=options, engine="serial", forge=access)
    assert [(r["name"], r["status"]) for r in again["repositories"] if r["name"] != "blank"] == \
        [("api", "skipped-unchanged"), ("web", "skipped-unchanged"), ("infra", "skipped-unchanged")]


def test_include_flags_and_name_filter(forge):
    forge.paged("/orgs/acme/repos", acme(forge), per_page=4)
    everything = list_organisation(parse_forge_source("github:acme"),
                                   ForgeAccess(allowed=True, api_url=forge.api, include_archived=True,
                                               include_forks=True))
    assert [r["name"] for r in everything.repositories] == ["api", "old-site", "web", "forked-lib", "infra", "blank"]
    only = list_organisation(parse_forge_source("github:acme"),
                             ForgeAccess(allowed=True, api_url=forge.api, match=("A*", "infra")))
    assert [r["name"] for r in only.repositories] == ["api", "infra"]
    assert only.skipped["name"] == ["web", "blank"] and only.skipped["archived"] == ["old-site"]
    with pytest.raises(AssessError, match=r"^github:acme: no repositories to assess in 'acme' \(6 listed") as e:
        list_organisation(parse_forge_source("github:acme"),
                          ForgeAccess(allowed=True, api_url=forge.api, match=("nothing-*",)))
    assert "another --match" in str(e.value)


def test_an_organisation_named_twice_is_listed_once(forge):
    forge.paged("/orgs/acme/repos", acme(forge), per_page=10)
    listings: list = []
    found = expand_sources(["github:acme", "https://github.com/ACME"],
                           ForgeAccess(allowed=True, api_url=forge.api), listings)
    assert [s.name for s in found] == ["api", "web", "infra", "blank"]
    assert forge.hits("/orgs/acme/repos") == 1 and [x.source for x in listings] == ["github:acme"]


def test_github_user_account_when_no_organisation(forge):
    forge.paged("/users/someone/repos", [gh_repo(forge, "api")], per_page=10)
    listing = list_organisation(parse_forge_source("github:someone"), ForgeAccess(allowed=True, api_url=forge.api))
    assert [r["name"] for r in listing.repositories] == ["api"]
    assert forge.hits("/orgs/someone/repos") == 1  # asked as an organisation first (404)


def test_gitlab_group_through_the_cli_on_a_local_cluster(forge, served, tmp_path, monkeypatch):
    import base64

    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    forge.git_auth = "Basic " + base64.b64encode(f"oauth2:{TOKEN}".encode()).decode()  # a private group
    path = "/groups/acme%2Fplatform/projects"
    forge.paged(path, [gl_project(forge, "api", "acme/platform"), gl_project(forge, "web", "acme/platform/ui"),
                       gl_project(forge, "forked-lib", "acme/platform", fork=True),
                       gl_project(forge, "old-site", "acme/platform", archived=True)], per_page=2)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["org", "gitlab:acme/platform", "--list-from-forge", "--api-url", forge.api,
                                       "--include-forks", "--workers", "2", "--no-team-reports", "--no-cache",
                                       "--clone-dir", str(tmp_path / "clones"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "gitlab:acme/platform: listing repositories over the GitLab API" in result.output
    org = json.loads((out / "org.json").read_text())
    assert [(r["name"], r["status"], r["origin"]) for r in org["repositories"]] == \
        [("api", "ok", "gitlab:acme/platform"), ("web", "ok", "gitlab:acme/platform"),
         ("forked-lib", "ok", "gitlab:acme/platform")]
    assert org["run"]["engine"] == "dask"  # the Dask workers cloned them, with the token from their environment
    assert org["run"]["forge_organisations"][0]["skipped"]["archived"] == ["old-site"]
    req = next(r for r in forge.requests if r.path.startswith("/groups/"))
    assert req.headers.get("PRIVATE-TOKEN") == TOKEN
    assert req.args.get("include_subgroups") == "true"
    assert TOKEN not in result.output


def _cli(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["org", *args], env=env)


def test_no_network_without_the_opt_in(forge, tmp_path):
    forge.paged("/orgs/acme/repos", acme(forge), per_page=2)
    out = tmp_path / "out"
    for source in ("github:acme", "https://github.com/acme", "gitlab:acme/sub"):
        result = _cli([source, "--api-url", forge.api, "--serial", "-o", str(out)])
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
        assert "add --list-from-forge to allow it" in result.output and source in result.output
    assert forge.requests == [] and not out.exists()
    result = _cli([str(tmp_path), "--include-forks", "-o", str(out)])  # a forge option without a forge source
    assert result.exit_code == 2 and "--include-forks applies to forge organisation sources" in result.output
    # the Python API is as closed by default
    with pytest.raises(AssessError, match="add --list-from-forge"):
        expand_sources(["github:acme"])


@pytest.mark.parametrize("case", ["401-token", "401-none", "403", "404", "malformed", "object", "endless", "loop",
                                  "rate-limit"])
def test_listing_errors_are_one_line_naming_the_organisation(forge, tmp_path, case):
    path = "/orgs/acme/repos"
    env = {TOKEN_ENV: TOKEN if case != "401-none" else ""}
    if case.startswith("401"):
        forge.route(path, (401, {"message": "Bad credentials"}, {}))
        expect = "rejected the token" if case == "401-token" else "requires a token"
    elif case == "403":
        forge.route(path, (403, {"message": "Resource not accessible"}, {}))
        expect = "refused access (403)"
    elif case == "404":
        expect = "no GitHub organisation 'acme' (404)"  # neither an organisation nor a user: the fake's 404
    elif case == "malformed":
        forge.route(path, (200, '[{"name": "api", ', {}))
        expect = "malformed JSON"
    elif case == "object":
        forge.route(path, {"message": "not a list"})
        expect = "expected a JSON array"
    elif case == "endless":  # a new page every time, each linking to the next: bounded by the page cap
        def endless(req):
            from werkzeug import Response

            n = int(req.args.get("page", "1"))
            return Response(json.dumps([{"name": f"r{n}", "clone_url": forge.clone_url(f"r{n}")}]), 200,
                            headers={"Content-Type": "application/json",
                                     "Link": f'<{forge.url(path)}?page={n + 1}>; rel="next"'})

        forge.route(path, endless)
        expect = f"goes on past {MAX_PAGES:,} pages"
    elif case == "loop":  # the second page links back to the first
        forge.route(path, (200, [gh_repo(forge, "api")], {"Link": f'<{forge.url(path)}?page=2>; rel="next"'}),
                    (200, [gh_repo(forge, "web")], {"Link": f'<{forge.url(path)}?page=1>; rel="next"'}))
        expect = "pagination links back"
    else:
        forge.route(path, (403, {"message": "API rate limit exceeded"},
                           {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999999999999"}))
        expect = "rate limit"
    out = tmp_path / "out"
    result = _cli(["github:acme", "--list-from-forge", "--api-url", forge.api, "--token-env", TOKEN_ENV,
                   "--serial", "-q", "-o", str(out)], env=env)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("assess: error: github:acme: ") and expect in lines[0], lines[0]
    assert TOKEN not in result.output and not out.exists()
    if case == "endless":
        assert forge.hits(path) == MAX_PAGES + 1  # stopped at the cap, not run forever


def test_hostile_clone_urls_are_left_out(forge):
    bad = ["file:///etc", "ext::sh -c touch% /tmp/pwned", "/srv/git/x.git", "-oProxyCommand=x", "git://h/x.git",
           "https://user:secret@h/x.git", "https://h/x\n.git", 42, None]
    repos = [{"name": f"bad{i}", "clone_url": u} for i, u in enumerate(bad)] + [gh_repo(forge, "api")]
    repos += [{"name": "x" * 10_000, "clone_url": forge.clone_url("web")}, {"name": "a\x1b[2Jb"}, {"name": 7}, "junk"]
    forge.paged("/orgs/acme/repos", repos, per_page=100)
    listing = list_organisation(parse_forge_source("github:acme"), ForgeAccess(allowed=True, api_url=forge.api))
    assert [r["name"] for r in listing.repositories] == ["api"]
    assert len(listing.skipped["no usable clone URL"]) == len(bad)
    assert listing.listed == len(bad) + 1  # entries without a plausible name are not repositories
    # plain http only from a forge whose API is plain http; ssh only when asked
    assert _usable_url("http://h/x.git", "https://api.github.com", ssh=False) is None
    assert _usable_url("https://github.com/acme/x.git", "https://api.github.com", ssh=False)
    assert _usable_url("git@github.com:acme/x.git", "https://api.github.com", ssh=False) is None
    assert _usable_url("git@github.com:acme/x.git", "https://api.github.com", ssh=True)
    assert _usable_url("-oProxyCommand=x@h:y", "https://api.github.com", ssh=True) is None


def test_forge_source_syntax():
    assert parse_forge_source("github:acme").label == "github:acme"
    assert parse_forge_source("https://github.com/acme").name == "acme"
    assert parse_forge_source("https://github.com/orgs/acme/").name == "acme"
    assert parse_forge_source("https://github.com/acme/api") is None  # a repository: a clone URL
    assert parse_forge_source("https://github.com/acme/api.git") is None
    assert parse_forge_source("https://gitlab.com/acme/platform") is None  # a project or a group: ambiguous
    gl = parse_forge_source("https://gitlab.com/groups/acme/platform")
    assert (gl.forge, gl.name) == ("gitlab", "acme/platform")
    assert parse_forge_source("GitLab:acme/platform/").name == "acme/platform"
    assert parse_forge_source("./github") is None and parse_forge_source("repos.txt") is None
    for bad in ("github:", "github:acme/api", "github:-x", "gitlab:a//b", "gitlab:a/../b"):
        with pytest.raises(AssessError, match="is not a"):
            parse_forge_source(bad)
    with pytest.raises(AssessError, match="gitea organisations are not supported"):
        parse_forge_source("gitea:acme")
    with pytest.raises(AssessError, match="apply to one forge"):
        expand_sources(["github:acme", "gitlab:acme"], ForgeAccess(allowed=True, api_url="https://ghe.invalid/api/v3"))


def test_private_repositories_cloned_with_the_token_only_on_the_forge_host(forge, tmp_path, monkeypatch):
    import base64

    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    forge.git_auth = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    elsewhere = gh_repo(forge, "web")
    elsewhere["clone_url"] = elsewhere["clone_url"].replace("127.0.0.1", "localhost")  # another host name
    forge.paged("/orgs/acme/repos", [gh_repo(forge, "api"), elsewhere], per_page=10)
    access = ForgeAccess(allowed=True, api_url=forge.api, token_env=TOKEN_ENV)
    out = tmp_path / "out"
    org = run_org(["github:acme"], out, options=OrgOptions(use_cache=False, clone_dir=str(tmp_path / "clones")),
                  engine="serial", forge=access)
    api, web = org["repositories"]
    assert api["status"] == "ok", api["error"]
    # git asked for credentials for the forge's host only: the other host got none and failed
    assert web["status"] == "failed" and "\n" not in web["error"] and web["error"].startswith(web["source"])
    assert all(auth is None for host, auth in forge.git_requests if host.startswith("localhost"))
    assert any(auth == forge.git_auth for host, auth in forge.git_requests if host.startswith("127.0.0.1"))
    # the token is nowhere on disk: not in the outputs, not in the clones' config
    for f in [*out.rglob("*.json"), *(tmp_path / "clones").rglob("config")]:
        assert TOKEN not in f.read_text(errors="replace"), f


def test_api_url_and_token_env_are_checked_before_the_network(forge, tmp_path):
    """--api-url with user:password@ was recorded in org.json, org.html and the manifest; a malformed
    one ended in an internal error; a token pasted as --token-env was echoed in '$ghp_…' messages."""
    forge.paged("/orgs/acme/repos", acme(forge), per_page=10)
    out = tmp_path / "out"
    host = forge.api.split("://", 1)[1]
    cases = [(["--api-url", f"http://user:pwSECRET@{host}"], "--api-url carries credentials", "pwSECRET"),
             (["--api-url", "http://[::1"], "is not a valid https:// address", None),
             (["--api-url", f"http://{host.split(':')[0]}:port/"], "is not a valid https:// address", None),
             (["--api-url", forge.api + "?per_page=1"], "must be the API root", None),
             (["--api-url", forge.api, "--token-env", TOKEN], "looks like a token", TOKEN),
             (["--api-url", forge.api, "--token-env", "glpat-abcDEF123"], "looks like a token", "abcDEF123"),
             (["--api-url", forge.api, "--token-env", "MY TOKEN"], "not an environment variable name", None)]
    for extra, expect, secret in cases:
        result = _cli(["github:acme", "--list-from-forge", *extra, "--serial", "-q", "-o", str(out)])
        assert result.exit_code == 2, (extra, result.output)
        line = result.output.strip()
        assert "\n" not in line and "Traceback" not in line and line.startswith("assess: error: "), line
        assert expect in line, line
        assert secret is None or secret not in line
    assert forge.requests == [] and not out.exists()
    # `assess forge fetch` shares the --token-env check
    result = CliRunner().invoke(main, ["forge", "fetch", "github", "acme/api", "-o", str(tmp_path / "store"),
                                       "--api-url", forge.api, "--token-env", TOKEN])
    assert result.exit_code == 2 and "looks like a token" in result.output and TOKEN not in result.output
    assert forge.requests == []


def test_list_from_forge_without_a_forge_source_is_an_error(tmp_path):
    make_repo(tmp_path / "clones" / "api", 3, seed=1)
    result = _cli([str(tmp_path / "clones"), "--list-from-forge", "--serial", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--list-from-forge applies to forge organisation sources" in result.output
    assert not (tmp_path / "out").exists()


def test_the_token_is_never_stored_by_the_users_own_credential_helpers(forge, tmp_path, monkeypatch):
    """git hands credentials that worked to every configured helper ('approve'): with the common
    `credential.helper=store` the forge token landed in ~/.git-credentials in plain text."""
    import base64

    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[credential]\n\thelper = store\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    forge.git_auth = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    forge.paged("/orgs/acme/repos", [gh_repo(forge, "api")], per_page=10)
    access = ForgeAccess(allowed=True, api_url=forge.api, token_env=TOKEN_ENV)
    org = run_org(["github:acme"], tmp_path / "out", options=OrgOptions(use_cache=False,
                  clone_dir=str(tmp_path / "clones")), engine="serial", forge=access)
    assert org["repositories"][0]["status"] == "ok", org["repositories"][0]["error"]
    assert any(auth == forge.git_auth for _, auth in forge.git_requests)  # the token was used...
    for f in home.rglob("*"):  # ...and stored nowhere
        if f.is_file():
            assert TOKEN not in f.read_text(errors="replace"), f


def test_a_refused_ssh_clone_says_why_in_one_line(forge, tmp_path):
    """The error kept git's last line, which for ssh is the tail of its advice: 'and the repository
    exists.'"""
    repo = gh_repo(forge, "api")
    repo["ssh_url"] = "ssh://git@127.0.0.1:1/acme/api.git"  # nothing listens on port 1: refused at once
    forge.paged("/orgs/acme/repos", [repo], per_page=10)
    access = ForgeAccess(allowed=True, api_url=forge.api, ssh=True)
    org = run_org(["github:acme"], tmp_path / "out", options=OrgOptions(use_cache=False,
                  clone_dir=str(tmp_path / "clones")), engine="serial", forge=access)
    row = org["repositories"][0]
    assert row["status"] == "failed" and "\n" not in row["error"]
    assert "Connection refused" in row["error"] or "port 1" in row["error"], row["error"]
    assert not row["error"].endswith("and the repository exists.")


def test_a_git_server_echoing_the_token_never_gets_it_into_org_json(forge, tmp_path, monkeypatch):
    """Clone errors are recorded in org.json: a server that answers the clone with the credentials
    it was sent (`ERR bad token ghp_…`) must not get the token into the report."""
    import base64

    from werkzeug import Response

    monkeypatch.setenv(TOKEN_ENV, TOKEN)

    def echo(req):
        auth = req.headers.get("Authorization")
        if not auth:
            return Response("", 401, headers={"WWW-Authenticate": 'Basic realm="git"'})
        sent = base64.b64decode(auth.split()[1]).decode()
        line = f"ERR invalid credentials {sent}\n".encode()
        return Response(b"%04x" % (len(line) + 4) + line, 200,
                        headers={"Content-Type": "application/x-git-upload-pack-advertisement"})

    forge.route("/echo/api.git/info/refs", echo)
    repo = gh_repo(forge, "api")
    repo["clone_url"] = forge.url("/echo/api.git")
    forge.paged("/orgs/acme/repos", [repo], per_page=10)
    access = ForgeAccess(allowed=True, api_url=forge.api, token_env=TOKEN_ENV)
    out = tmp_path / "out"
    org = run_org(["github:acme"], out, options=OrgOptions(use_cache=False, clone_dir=str(tmp_path / "clones")),
                  engine="serial", forge=access)
    row = org["repositories"][0]
    assert row["status"] == "failed" and "invalid credentials" in row["error"], row["error"]
    assert TOKEN not in row["error"]
    for f in out.rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes(), f
