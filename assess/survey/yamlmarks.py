"""Load YAML keeping the line of every node, so errors can name file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assess.errors import InputError

PathKey = tuple[Any, ...]


def load_with_lines(path: Path, text: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse ``text`` (from ``path``) into plain Python data and a map from a JSON path
    (tuple of keys/indices) to the 1-based line where that value starts."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        raise InputError(path, f"not valid YAML: {first}") from None
    except RecursionError:
        raise InputError(path, "nested too deeply") from None
    if node is None:
        raise InputError(path, "the file is empty", line=1)
    from assess.yamlfile import check_yaml_node

    check_yaml_node(path, node)  # alias bombs and depth, before the recursive build below
    lines: dict[PathKey, int] = {}
    data = _build(node, (), lines, path)
    return data, lines


def _build(node: yaml.Node, where: PathKey, lines: dict[PathKey, int], path: Path) -> Any:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise InputError(path, "keys must be plain words", line=key_node.start_mark.line + 1)
            if key in out:
                raise InputError(path, f"duplicate key '{key}'", line=key_node.start_mark.line + 1,
                                 field=_dotted(where + (key,)))
            out[key] = _build(value_node, where + (key,), lines, path)
            # point a key's errors at the key itself (the value may start on the next line)
            lines[where + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, where + (i,), lines, path) for i, child in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _dotted(where: PathKey) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def dotted(where: PathKey) -> str:
    """``('sections', 0, 'items', 2, 'id')`` -> ``sections[0].items[2].id``."""
    return _dotted(where)


def line_of(lines: dict[PathKey, int], where: PathKey) -> int | None:
    """The line of ``where`` or of its nearest ancestor that has one."""
    where = tuple(where)
    while True:
        if where in lines:
            return lines[where]
        if not where:
            return None
        where = where[:-1]
