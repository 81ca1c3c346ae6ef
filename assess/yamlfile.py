"""The one YAML loader for user files (rubric, signatures, path rules, questionnaire, study.yaml,
registration.yaml): safe (nothing executes), duplicate keys are an error, and every error names
file, line and field.

- :func:`load_yaml` -> :class:`LocatedYaml` (data, plus the line of any field on demand);
- :func:`load_with_lines` -> (data, {field path: line}) for validators that report many problems.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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

    @property
    def text(self) -> str:
        return self._text

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


# Reason: the largest bundled YAML (the signature catalogue) has a few thousand nodes; an alias
# bomb ("billion laughs") expands a 1 KB file into billions. Beyond these the file is refused.
MAX_YAML_NODES = 200_000  # nodes after expanding every alias
MAX_YAML_ALIASES = 1_000
MAX_YAML_DEPTH = 100
MAX_YAML_BYTES = 16 * 1024 * 1024


def check_yaml_node(path: Path, root: yaml.Node | None) -> None:
    """Refuse a composed document whose aliases would expand beyond :data:`MAX_YAML_NODES`, that
    uses more than :data:`MAX_YAML_ALIASES` aliases, or nests deeper than :data:`MAX_YAML_DEPTH`
    (iterative: a deep document cannot exhaust the stack here)."""
    if root is None:
        return
    expanded: dict[int, int] = {}
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if depth > MAX_YAML_DEPTH:
            raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep", line=node.start_mark.line + 1)
        if done:
            children = _children(node)
            expanded[key] = 1 + sum(expanded.get(id(c), 1) for c in children)
            if expanded[key] > MAX_YAML_NODES:
                raise InputError(path, f"expands to more than {MAX_YAML_NODES:,} values (YAML aliases used as a "
                                 "bomb?); refused", line=node.start_mark.line + 1)
            continue
        if key in seen:  # a node reached again is an alias (or a cycle): counted, not walked twice
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise InputError(path, f"more than {MAX_YAML_ALIASES} YAML aliases; refused",
                                 line=node.start_mark.line + 1)
            if key not in expanded:  # a cycle back to an ancestor
                raise InputError(path, "a YAML alias refers to its own ancestor; refused",
                                 line=node.start_mark.line + 1)
            continue
        seen.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            stack.append((child, depth + 1, False))


def check_yaml_depth(path: Path, text: str) -> None:
    """Refuse a document nesting more than :data:`MAX_YAML_DEPTH` collections, from the event stream,
    before anything composes it. Reason: libyaml's composer (``CSafeLoader``) recurses in C, and a
    teams or survey file of ``[[[[…`` or ``- - - …`` some 50,000 deep overflows the C stack: the
    process dies of a segmentation fault, with no message, before a RecursionError can be raised.
    The parser itself is iterative. Syntax errors are left to the composer, which names them."""
    loader = _BASE(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep",
                                     line=event.start_mark.line + 1)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def parse_yaml_text(path: Path, text: str) -> Any:
    """Compose, check the limits, then construct plain data (safe loader: no Python objects)."""
    check_yaml_depth(path, text)
    loader = _LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            raise InputError(path, f"invalid YAML: {exc.problem}", line=line) from None
        except yaml.YAMLError as exc:
            raise InputError(path, f"invalid YAML: {_first_line(exc)}") from None
        except RecursionError:
            raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep") from None
        check_yaml_node(path, node)
        if node is None:
            return None
        try:
            return loader.construct_document(node)
        except _DuplicateKey as exc:
            mark = exc.problem_mark
            raise InputError(path, str(exc.problem), line=mark.line + 1 if mark else None) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise InputError(path, f"invalid YAML: {exc.problem}", line=mark.line + 1 if mark else None) from None
        except (yaml.YAMLError, RecursionError) as exc:
            raise InputError(path, f"invalid YAML: {_first_line(exc)}") from None
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise InputError(path, f"invalid YAML: {str(exc).split(';')[0]}") from None
    finally:
        loader.dispose()


# Parsed documents and values built from them, per process, keyed by the file's path and its full
# text as read now: a file that changed is parsed again, an unchanged one (the bundled catalogue and
# rubric, read for every repository of an organisation) is not. Reason for the bounds: the bundled
# files are tens of KB; a process reads a handful of distinct files, so a few dozen entries of at
# most 1 MB each keep memory small while every repeated read hits.
_CACHE_MAX_ENTRIES = 64
_CACHE_MAX_TEXT = 1024 * 1024
_cache: dict[tuple[str, str, str], Any] = {}
_MISSING = object()
T = TypeVar("T")


def _remember(key: tuple[str, str, str], value: Any) -> None:
    if len(key[2]) > _CACHE_MAX_TEXT:
        return
    if len(_cache) >= _CACHE_MAX_ENTRIES:
        _cache.pop(next(iter(_cache)))  # the oldest
    _cache[key] = value


def copy_plain(value: Any) -> Any:
    """A fresh copy of parsed YAML (mappings, lists and sets of immutable scalars), so a caller
    that fills in defaults never changes what the next caller gets. Several times faster than
    ``copy.deepcopy`` for this shape of data."""
    if isinstance(value, dict):
        return {k: copy_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_plain(v) for v in value]
    if isinstance(value, set):
        return set(value)
    return value  # str, int, float, bool, None, dates, bytes: immutable


def _read(path: str | Path) -> tuple[Path, str]:
    from assess.safeio import read_text_bounded

    p = Path(path)
    return p, read_text_bounded(p, max_bytes=MAX_YAML_BYTES, what="YAML file")


def _parsed(p: Path, text: str) -> Any:
    key = ("yaml", str(p), text)
    data = _cache.get(key, _MISSING)
    if data is _MISSING:
        data = parse_yaml_text(p, text)
        _remember(key, data)
    return data


def load_yaml(path: str | Path) -> LocatedYaml:
    """Read a YAML file; any syntax or encoding problem, a file that is not a regular file, or one
    beyond the size and alias limits becomes a one-line :class:`InputError`. The file is read
    every time; parsing is skipped when its text is the same as at an earlier call (the caller
    gets its own copy of the data)."""
    p, text = _read(path)
    return LocatedYaml(p, copy_plain(_parsed(p, text)), text)


def load_built(path: str | Path, kind: str, build: Callable[[LocatedYaml], T]) -> T:
    """``build(load_yaml(path))``, remembered for this process under ``kind``, the path and the file's
    text (read every time): an unchanged file is neither parsed nor built again. For values that
    are immutable once built (validated rules with compiled patterns): callers share one object and
    must copy a container before changing it. A ``build`` that raises is not remembered."""
    p, text = _read(path)
    key = (kind, str(p), text)
    value = _cache.get(key, _MISSING)
    if value is _MISSING:
        value = build(LocatedYaml(p, copy_plain(_parsed(p, text)), text))
        _remember(key, value)
    return value


def load_with_lines(path: Path, text: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse ``text`` (from ``path``) into plain Python data and a map from a JSON path
    (tuple of keys/indices) to the 1-based line where that value starts."""
    check_yaml_depth(path, text)
    try:
        node = yaml.compose(text, Loader=_BASE)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {exc.problem or exc}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML: {_first_line(exc)}") from None
    except RecursionError:
        raise InputError(path, "nested too deeply") from None
    if node is None:
        raise InputError(path, "the file is empty", line=1)
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
