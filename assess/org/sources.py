"""Expand the sources of an organisation run into repositories: folders of clones, list files of
paths or clone URLs, or single repositories and URLs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assess.errors import AssessError, InputError
from assess.org.forgesource import ForgeAccess, Listing, check_access, list_organisation, parse_forge_source
from assess.org.options import CloneCredential, RepoSource
from assess.safeio import read_text_bounded

# scp-like addresses must start with a letter or digit: "-o...@host:x" could reach ssh as an option
_URL = re.compile(r"^(?:https?|ssh|git|file)://\S+$|^[A-Za-z0-9][\w.-]*@[A-Za-z0-9][\w.-]*:\S+$")
MAX_LIST_LINES = 100_000


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def is_git_repository(path: Path) -> bool:
    """A work tree (``.git`` folder or file) or a bare repository."""
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def _name(source: str) -> str:
    tail = re.split(r"[/:]", source.rstrip("/"))[-1] or "repository"
    name = tail.removesuffix(".git")
    if name in ("", "repo", "git", ".") and "/" in source.rstrip("/"):
        name = _name(source.rstrip("/").rsplit("/", 1)[0])
    return name


def _spec(source: str, kind: str, canonical: str, origin: str | None = None,
          credential: CloneCredential | None = None) -> RepoSource:
    name = _name(canonical if kind == "path" else source)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:60] or "repository"
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]
    return RepoSource(source=source, kind=kind, key=f"{slug}-{digest}", name=name, origin=origin,
                      credential=credential)


def _from_list(path: Path) -> list[tuple[str, str, str]]:
    text = read_text_bounded(path)  # a regular file of bounded size, UTF-8: one-line errors otherwise
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if number > MAX_LIST_LINES:
            raise InputError(path, f"more than {MAX_LIST_LINES:,} lines", line=number)
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if is_url(entry):
            out.append((entry, "url", entry))
            continue
        p = Path(entry).expanduser()
        p = p if p.is_absolute() else path.parent / p
        if not p.is_dir():
            raise InputError(path, f"'{entry}' is neither a folder nor a clone URL", line=number)
        out.append((entry, "path", str(p.resolve())))
    return out


def expand_sources(sources: list[str], forge: ForgeAccess | None = None,
                   listings: list[Listing] | None = None) -> list[RepoSource]:
    """Every repository named by ``sources``, once each, in the order given (a folder's children
    sorted by name, a forge organisation's repositories in the forge's order).

    A forge organisation (``github:ORG``, ``gitlab:GROUP``) is listed over the network only when
    ``forge.allowed``; each listing is appended to ``listings`` when given."""
    check_access([o for o in map(parse_forge_source, sources) if o is not None], forge or ForgeAccess())
    found: list[tuple[str, str, str, str | None, CloneCredential | None]] = []
    listed: set[str] = set()
    for source in sources:
        org = parse_forge_source(source)
        if org is not None:
            if org.label.lower() in listed:  # named twice (github:acme and https://github.com/acme): listed once
                continue
            listed.add(org.label.lower())
            listing = list_organisation(org, forge or ForgeAccess())
            if listings is not None:
                listings.append(listing)
            found.extend((r["url"], "url", r["url"], org.label, listing.credential) for r in listing.repositories)
            continue
        if is_url(source):
            found.append((source, "url", source, None, None))
            continue
        p = Path(source).expanduser()
        if not p.exists():
            raise InputError(p, "no such folder, list file or clone URL")
        if p.is_file():
            found.extend((*entry, None, None) for entry in _from_list(p))
        elif not p.is_dir():
            raise InputError(p, "is neither a folder nor a list file (a pipe, device or socket); refused")
        elif is_git_repository(p):
            found.append((source, "path", str(p.resolve()), None, None))
        else:
            children = sorted(c for c in p.iterdir() if c.is_dir() and is_git_repository(c))
            if not children:
                raise InputError(p, "holds no git repositories",
                                 hint="give a folder whose sub-folders are clones, or a list file")
            found.extend((str(c), "path", str(c.resolve()), None, None) for c in children)
    seen: set[str] = set()
    out: list[RepoSource] = []
    for source, kind, canonical, origin, credential in found:
        if canonical in seen:
            continue
        seen.add(canonical)
        out.append(_spec(source, kind, canonical, origin, credential))
    if not out:
        raise AssessError("no repositories to assess", hint="give folders of clones, list files, clone URLs or forge organisations")
    return out
