"""Config documents (the YAML text stored in ``ConfigVersion.document``): parse, validate, compare.

A version holds the routing and SLA criteria together. This module validates only the ``routing``
section, with routing's own models: domain packages never import ``handoff.config``, so the
composition root supplies the full validator (see ``routing.views.config_validator``). Errors are
``(path, message)`` pairs with paths like ``routing.segments[2].required_fields[0]``.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from routing.config import RoutingConfig

ConfigErrors = list[tuple[str, str]]


class RoutingConfigInvalid(ValueError):
    """A document that cannot be used, with every error found."""

    def __init__(self, errors: ConfigErrors) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" if path else message for path, message in errors))


@dataclass
class ParsedDocument:
    data: dict[str, Any] = field(default_factory=dict)
    routing: RoutingConfig | None = None
    errors: ConfigErrors = field(default_factory=list)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def format_loc(loc: tuple[Any, ...], prefix: str) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and (part.startswith("function-") or part in ("str", "AnyOf")):
            # pydantic names union branches and validators in locations; users never wrote them.
            continue
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def pydantic_errors(exc: ValidationError, prefix: str) -> ConfigErrors:
    errors: ConfigErrors = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors():
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        message = message.removeprefix("Value error, ")
        item = (format_loc(tuple(error["loc"]), prefix), message)
        if item not in seen:
            seen.add(item)
            errors.append(item)
    return errors


def load_yaml(text: str) -> tuple[dict[str, Any], ConfigErrors]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        return {}, [("", f"not valid YAML at {where}: {problem}")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [("", "the document must be a mapping of sections (routing, sla)")]
    return data, []


def validate_routing_section(section: Any) -> tuple[RoutingConfig | None, ConfigErrors]:
    """Shapes first, then references; a document with no routing section means the defaults."""
    try:
        config = RoutingConfig.model_validate(section if section is not None else {})
    except ValidationError as exc:
        return None, pydantic_errors(exc, "routing")
    errors = config.reference_errors("routing")
    return (None, errors) if errors else (config, [])


def parse_document(text: str) -> ParsedDocument:
    data, errors = load_yaml(text)
    if errors:
        return ParsedDocument(errors=errors)
    routing, errors = validate_routing_section(data.get("routing"))
    return ParsedDocument(data=data, routing=routing, errors=errors)


def validate_routing_document(text: str) -> ConfigErrors:
    """The default validator of a version's document: the routing section only."""
    return parse_document(text).errors


def routing_config_of(text: str) -> RoutingConfig:
    parsed = parse_document(text)
    if parsed.routing is None:
        raise RoutingConfigInvalid(parsed.errors)
    return parsed.routing


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any


def structural_diff(before: Any, after: Any, path: str = "") -> list[Change]:
    """Leaf-level changes between two parsed documents, with the path of each (lists compared by index)."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[Change] = []
        for key in list(before) + [k for k in after if k not in before]:
            child = f"{path}.{key}" if path else str(key)
            if key not in after:
                changes.append(Change(child, before[key], None))
            elif key not in before:
                changes.append(Change(child, None, after[key]))
            else:
                changes.extend(structural_diff(before[key], after[key], child))
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for index, (left, right) in enumerate(zip(before, after, strict=True)):
            changes.extend(structural_diff(left, right, f"{path}[{index}]"))
        return changes
    return [] if before == after else [Change(path, before, after)]


def text_diff(before: str, after: str, before_name: str, after_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=before_name,
            tofile=after_name,
        )
    )
