"""The resumable fetch both forges share: list the changed pull/merge requests page by page, then
fetch each one, saving the cursor after every page and every request, so an interrupted fetch
resumes where it stopped and never fetches a request twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assess.errors import AssessError
from assess.forge.http import ForgeClient, Page, _show
from assess.forge.model import iso
from assess.forge.store import StoreWriter

MAX_LIST_PAGES = 10_000  # 100 a page: a million pull/merge requests


def new_cursor(forge: str, high_water: str | None) -> dict[str, Any]:
    return {"forge": forge, "phase": "list", "next": None, "pending": [], "newest": high_water}


def saved_cursor(writer: StoreWriter, forge: str) -> dict[str, Any] | None:
    """The cursor of an interrupted fetch from this forge, if the store holds one."""
    cursor = writer.manifest.get("cursor")
    return cursor if cursor and cursor.get("forge") == forge else None


def begin(cl: ForgeClient, writer: StoreWriter, api: str, forge: str, *, full: bool,
          since: str | None) -> tuple[str, str | None, dict[str, Any] | None]:
    """(API base, high-water mark, saved cursor or None) for a fetch: the token is pinned to the
    API's host, and requests last updated at or before the mark are already in the store (or
    before ``since``; ``full`` fetches everything again)."""
    api = api.rstrip("/")
    cl.pin_api(api)  # the token goes to this host only, whatever a saved cursor or a Link names
    high_water = None if full else writer.manifest.get("high_water")
    if since and (high_water is None or since > high_water):
        high_water = since  # requests last updated before --since are not fetched
    return api, high_water, saved_cursor(writer, forge)


def list_then_fetch(cl: ForgeClient, writer: StoreWriter, cursor: dict[str, Any], page: Page | None, *,
                    key: str, noun: str, forge_name: str, high_water: str | None, sorted_by_update: bool,
                    fetch_item: Callable[[int], dict[str, Any]],
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run (or resume) ``cursor`` from ``page`` (the first listing page, or None when resuming).

    ``key`` is the request number's field (``number``, ``iid``); a listed item updated at or before
    ``high_water`` is already in the store: with ``sorted_by_update`` (newest first, no server-side
    filter) the listing stops there, otherwise the item is only skipped."""
    listed = 0
    seen: set[str] = set()  # listing pages read in this run: a Link that leads back would never end
    while cursor["phase"] == "list":
        if page is None:
            if not cursor.get("next"):
                cursor["phase"] = "details"
                break
            url = str(cursor["next"])
            if not cl.is_api(url):  # a cursor saved by a fetch from another --api-url (or edited)
                raise AssessError(f"{_show(url)}: the interrupted fetch saved in the store lists another host than "
                                  f"this {forge_name} API", hint="rerun with the --api-url of the interrupted fetch")
            if url in seen:
                raise AssessError(f"{_show(url)}: {forge_name} pagination links back to a page already read")
            page = cl.get(url)
            seen.add(url)
        seen.add(page.url)
        cursor["pages"] = int(cursor.get("pages") or 0) + 1
        if cursor["pages"] > MAX_LIST_PAGES:
            raise AssessError(f"{_show(page.url)}: the {forge_name} listing goes on past {MAX_LIST_PAGES:,} pages; "
                              "stopped", hint="the forge's pagination does not end; narrow it with --since")
        if not isinstance(page.data, list):
            raise AssessError(f"{page.url}: expected a JSON array of {noun}s from {forge_name}")
        stop = False
        pending = set(cursor["pending"])
        for item in page.data:
            if not isinstance(item, dict) or not isinstance(item.get(key), int):
                continue
            updated = iso(item.get("updated_at")) if isinstance(item.get("updated_at"), str) else None
            if high_water and updated and updated <= high_water:
                if sorted_by_update:
                    stop = True  # newest first: everything after this is already in the store
                    break
                continue
            listed += 1
            if item[key] not in pending:
                pending.add(item[key])
                cursor["pending"].append(item[key])
            if updated and (cursor["newest"] is None or updated > cursor["newest"]):
                cursor["newest"] = updated
        cursor["next"] = None if stop else page.next_url
        if not cursor["next"]:
            cursor["phase"] = "details"
        writer.save(cursor=cursor)
        page = None
    fetched = 0
    total = len(cursor["pending"])
    while cursor["pending"]:
        writer.append(fetch_item(cursor["pending"][0]))
        cursor["pending"].pop(0)
        fetched += 1
        writer.save(cursor=cursor)
        if progress and (fetched % 25 == 0 or fetched == total):
            progress(f"{fetched}/{total} {noun}s fetched")
    writer.save(cursor=None, high_water=cursor["newest"])
    return {"listed": listed, "fetched": fetched, "unchanged": False}
