"""What a reader needs besides its input: where to report skipped lines and how to read local times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

import orjson

from assess.sessions.lines import MAX_LINE_BYTES, Line
from assess.sessions.model import SkippedLine

MAX_SKIPPED_KEPT = 10_000  # beyond this only the count grows; a junk file must not fill memory


@dataclass
class ReadContext:
    local_tz: tzinfo | None = None          # zone for local-time names; None = this machine's
    max_line_bytes: int = MAX_LINE_BYTES
    skipped: list[SkippedLine] = field(default_factory=list)
    skipped_count: int = 0
    # session id -> the file that first held it (rendered transcripts: later files are subagents)
    owners: dict[str, str] = field(default_factory=dict)

    def skip(self, file: str, line: int, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(SkippedLine(file, line, reason))

    def json_line(self, name: str, line: Line) -> object | None:
        """Parse one JSONL line; blank lines are None, bad ones are reported and None."""
        if line.data is None:
            self.skip(name, line.number, f"line longer than {self.max_line_bytes} bytes")
            return None
        data = line.data.strip()
        if not data:
            return None
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            self.skip(name, line.number, "truncated line" if not line.complete else "not valid JSON")
            return None
        if not isinstance(value, dict):
            self.skip(name, line.number, "not a JSON object")
            return None
        return value
