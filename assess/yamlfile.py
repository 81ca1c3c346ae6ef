"""The one YAML loader for user files (rubric, signatures, path rules, questionnaire, study.yaml,
registration.yaml): safe (nothing executes), duplicate keys are an error, and every error names
file, line and field.

- :func:`load_yaml` -> :class:`LocatedYaml` (data, plus the line of any field on demand);
- :func:`load_with_lines` -> (data, {field path: line}) for validators that report many problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assess.errors import InputError

PathKey = tuple[Any, ...]
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when PyYAML has it: faster


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """Safe loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise _DuplicateKey(problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_LOADER = _Loader


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
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise InputError(p, str(exc.problem), line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(p, f"invalid YAML: {exc.problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(p, f"invalid YAML: {exc}") from None
    return LocatedYaml(p, data, text)


def load_with_lines(path: Path, text: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse ``text`` (from ``path``) into plain Python data and a map from a JSON path
    (tuple of keys/indices) to the 1-based line where that value starts."""
    try:
        node = yaml.compose(text, Loader=_BASE)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML: {exc}") from None
    if node is None:
        raise InputError(path, "the file is empty", line=1)
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
