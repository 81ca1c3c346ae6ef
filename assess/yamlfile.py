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
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise InputError(path, f"invalid YAML: {exc.problem}", line=mark.line + 1 if mark else None) from None
        except (yaml.YAMLError, RecursionError) as exc:
            raise InputError(path, f"invalid YAML: {_first_line(exc)}") from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> LocatedYaml:
    """Read a YAML file; any syntax or encoding problem, a file that is not a regular file, or one
    beyond the size and alias limits becomes a one-line :class:`InputError`."""
    from assess.safeio import read_text_bounded

    p = Path(path)
    text = read_text_bounded(p, max_bytes=MAX_YAML_BYTES, what="YAML file")
    return LocatedYaml(p, parse_yaml_text(p, text), text)
