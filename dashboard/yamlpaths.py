"""Where a config error is: the line of a path like ``routing.segments[2].sla`` in the YAML text.

Pure. Validation errors name paths; people editing the text think in lines. The path is walked through
the YAML node tree (``yaml.compose`` keeps every node's position), stopping at the deepest node that
exists, so an error about a missing key points at the mapping that should hold it.
"""

from __future__ import annotations

import re

import yaml

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_YAML_POSITION = re.compile(r"line (\d+), column \d+")


def split_path(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _PART.findall(path)]


def line_of(text: str, path: str, message: str = "") -> int | None:
    """The 1-based line the error is about, or None when the text cannot be placed at all."""
    found = _YAML_POSITION.search(message)
    if found:
        return int(found.group(1))
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in split_path(path):
        child = _child(node, part)
        if child is None:
            break
        key_line, node = child
        line = key_line
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def line_text(text: str, line: int | None) -> str:
    if line is None:
        return ""
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
