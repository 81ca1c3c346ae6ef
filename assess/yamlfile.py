"""Load YAML user files keeping line numbers, so errors can name file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assess.errors import InputError

# libyaml's C loader when PyYAML was built with it: several times faster on the catalogues
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedYaml:
    """Parsed YAML plus a way to find the line of any field path like ``("entries", 3, "rules")``."""

    def __init__(self, path: Path, data: Any, text: str) -> None:
        self.path = path
        self.data = data
        self._text = text
        self._root: yaml.Node | None = None

    def line_of(self, *keys: str | int) -> int | None:
        if self._root is None:  # composed only when an error needs a line number
            self._root = yaml.compose(self._text, Loader=_LOADER)
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                found = None
                for k_node, v_node in node.value:
                    if k_node.value == key:
                        found = v_node
                        line = k_node.start_mark.line + 1
                        break
                if found is None:
                    return line
                node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, message: str, *keys: str | int, hint: str | None = None) -> InputError:
        field = ".".join(str(k) for k in keys) if keys else None
        return InputError(self.path, message, line=self.line_of(*keys), field=field, hint=hint)


def load_yaml(path: str | Path) -> LocatedYaml:
    """Read a YAML file; any syntax or encoding problem becomes a one-line :class:`InputError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(p, "file not found") from None
    except IsADirectoryError:
        raise InputError(p, "is a directory, expected a YAML file") from None
    except UnicodeDecodeError as exc:
        raise InputError(p, f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise InputError(p, f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(p, f"invalid YAML: {exc.problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(p, f"invalid YAML: {exc}") from None
    return LocatedYaml(p, data, text)
