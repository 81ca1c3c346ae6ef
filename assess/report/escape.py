"""Escaping user data for every context the report writes into: JSON inside <script>, plotly
labels (which understand a little HTML) and Markdown."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

from assess.terminal import clean

_SCRIPT_UNSAFE = {
    "<": "\\u003c",  # covers </script> and <!--
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",  # line/paragraph separators end a JS string in older engines
    "\u2029": "\\u2029",
}
_SCRIPT_RE = re.compile("[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """JSON text that is safe to place verbatim inside ``<script type="application/json">``:
    no ``</script>``, no ``<!--``, no U+2028/2029 can end or confuse the element."""
    if isinstance(data, str):
        text = data  # already JSON (e.g. from plotly.io.to_json)
    else:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _SCRIPT_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], text)


def plot_text(value: Any) -> str:
    """A label for plotly: plotly renders a subset of HTML tags in text and decodes entities, so
    user data is entity-escaped to be shown literally and never interpreted."""
    return html.escape(str(value), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>~])")
_MD_LINE_START = re.compile(r"^(#|>|[-+=] )")
_MD_ORDERED = re.compile(r"^(\d+)([.)] )")


def md_text(value: Any) -> str:
    """Text for Markdown: emphasis, code, link, table and HTML characters escaped (``<``/``>`` as
    entities so no HTML reaches a renderer), a block marker at the start neutralised, newlines
    flattened (a value must stay within its line or table cell)."""
    # control characters shown, not sent: `cat report.md` in a terminal would run an ESC sequence
    # from a hostile repository name or commit trailer (bidi overrides would reorder the line)
    text = clean(" ".join(str(value).split()))
    text = text.replace("&", "&amp;")
    text = _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;"}.get(m.group(1), "\\" + m.group(1)), text)
    if _MD_LINE_START.match(text):
        text = "\\" + text
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) URL, else None (no javascript:, data: …)."""
    if url and _SAFE_URL.match(url):
        return url
    return None


def fill_template(template: str | None, **values: str) -> str | None:
    """Fill a ``{sha}``/``{path}`` link template from evidence, percent-encoding the values; None
    unless the result is a plain http(s) URL."""
    if not template:
        return None
    out = template
    if any(_escapes_its_place(value) for value in values.values()):
        return None  # a tree entry named ".." would make the link point at another page
    for key, value in values.items():
        out = out.replace("{" + key + "}", quote(value, safe="/"))
    return safe_url(out)


_DOT_SEGMENT = re.compile(r"^(?:\.|%2e){1,2}$", re.IGNORECASE)


def _escapes_its_place(value: str) -> bool:
    """True when a value filled into a URL path could climb out of it: ``.``/``..`` segments (in
    any spelling a browser normalises, such as ``%2e%2e``), backslashes or control characters."""
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return True
    return any(_DOT_SEGMENT.match(segment) for segment in value.split("/"))
