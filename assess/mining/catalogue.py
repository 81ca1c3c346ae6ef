"""The signature catalogue (agents, automation, review bots) as validated data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assess.errors import InputError
from assess.resources import package_file
from assess.yamlfile import LocatedYaml, load_built

FIELDS = {"author_email", "committer_email", "author_name", "committer_name", "trailer", "message", "login",
          "subject", "branch"}
KINDS = {"agent", "automation", "review"}
CONFIDENCES = {"high", "medium", "low"}
CHANNELS = {"author", "committer", "co-author", "message", "branch", "assisted"}


@dataclass(frozen=True)
class Rule:
    entry_id: str
    rule_id: str
    field: str
    pattern: re.Pattern[str]
    key: re.Pattern[str] | None
    confidence: str
    channel: str

    @property
    def ref(self) -> str:
        return f"{self.entry_id}/{self.rule_id}"


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    kind: str
    source: str
    rules: tuple[Rule, ...]
    origin: str  # the file it came from
    runs: str = "either"  # local (in a person's terminal or editor), cloud, or either


@dataclass(frozen=True)
class Catalogue:
    entries: dict[str, Entry]
    files: tuple[str, ...]

    def rules(self) -> list[Rule]:
        return [r for e in self.entries.values() for r in e.rules]

    def kind_of(self, entry_id: str) -> str:
        return self.entries[entry_id].kind


def default_catalogue_path() -> Path:
    return package_file("catalogue", "agents.yaml")


def _compile(doc: LocatedYaml, value: object, *where: str | int) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise doc.error("must be a non-empty regular expression string", *where)
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise doc.error(f"invalid regular expression: {exc}", *where,
                        hint="quote the pattern in single quotes and escape regex metacharacters") from None


def _parse_file(path: Path) -> dict[str, Entry]:
    """The file's entries, validated; parsed once per process while the file's text is unchanged."""
    return dict(load_built(path, "signature-catalogue", _entries))


def _entries(doc: LocatedYaml) -> dict[str, Entry]:
    path = doc.path
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise doc.error("expected a mapping with a list 'entries'", "entries",
                        hint="see the bundled assess/catalogue/agents.yaml for the format")
    out: dict[str, Entry] = {}
    for i, raw in enumerate(data["entries"]):
        if not isinstance(raw, dict):
            raise doc.error("each entry must be a mapping", "entries", i)
        for req in ("id", "name", "kind", "rules"):
            if req not in raw:
                raise doc.error(f"missing required field '{req}'", "entries", i, req)
        entry_id = str(raw["id"])
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", entry_id):
            raise doc.error("id must be lower-case letters, digits, '.', '_' or '-'", "entries", i, "id")
        if raw["kind"] not in KINDS:
            raise doc.error(f"kind must be one of {sorted(KINDS)}", "entries", i, "kind")
        if not isinstance(raw["rules"], list) or not raw["rules"]:
            raise doc.error("rules must be a non-empty list", "entries", i, "rules")
        rules = []
        for j, rr in enumerate(raw["rules"]):
            where = ("entries", i, "rules", j)
            if not isinstance(rr, dict):
                raise doc.error("each rule must be a mapping", *where)
            for req in ("id", "field", "pattern"):
                if req not in rr:
                    raise doc.error(f"missing required field '{req}'", *where, req)
            if rr["field"] not in FIELDS:
                raise doc.error(f"field must be one of {sorted(FIELDS)}", *where, "field")
            confidence = rr.get("confidence", "medium")
            if confidence not in CONFIDENCES:
                raise doc.error(f"confidence must be one of {sorted(CONFIDENCES)}", *where, "confidence")
            channel = rr.get("channel", {"trailer": "co-author", "message": "message", "subject": "message",
                                         "branch": "branch", "committer_email": "committer",
                                         "committer_name": "committer"}.get(rr["field"], "author"))
            if channel not in CHANNELS:
                raise doc.error(f"channel must be one of {sorted(CHANNELS)}", *where, "channel")
            key = None
            if rr["field"] == "trailer":
                if "key" not in rr:
                    raise doc.error("a trailer rule needs 'key' (the trailer name, a regex)", *where, "key")
                key = re.compile(_compile(doc, rr["key"], *where, "key").pattern, re.IGNORECASE)
            rules.append(Rule(entry_id, str(rr["id"]), rr["field"], _compile(doc, rr["pattern"], *where, "pattern"),
                              key, confidence, channel))
        runs = raw.get("runs", "either")
        if runs not in ("local", "cloud", "either"):
            raise doc.error("runs must be local, cloud or either", "entries", i, "runs")
        out[entry_id] = Entry(entry_id, str(raw["name"]), raw["kind"], str(raw.get("source", "")),
                              tuple(rules), str(path), runs)
    return out


def load_catalogue(extra: str | Path | None = None) -> Catalogue:
    """The bundled catalogue, extended (or overridden per id) by the user's file."""
    entries = _parse_file(default_catalogue_path())
    files = [str(default_catalogue_path())]
    if extra is not None:
        user = _parse_file(Path(extra))
        if not user:
            raise InputError(extra, "no entries", field="entries")
        entries.update(user)
        files.append(str(extra))
    return Catalogue(entries, tuple(files))
