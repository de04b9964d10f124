"""Reading a person snapshot (Marketo fields as received) into clean values, never raising.

Every known field is cleaned to text, a finite number or a boolean, or recorded as a problem with a
sentence ("3000 characters, more than the 255 allowed"). The gate decides what a problem means
(hold when the field is required, otherwise leave it out of what is written to Salesforce).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from routing.fields import FieldSpec
from routing.normalise import clean_text

_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})


@dataclass
class PersonValues:
    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    marketo_id: int | None = None

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else _as_text(value)

    def filled(self, name: str) -> bool:
        return name in self.values and name not in self.problems


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_number(raw: Any) -> tuple[float | None, str | None]:
    if raw is None or isinstance(raw, bool):
        return (None, None) if raw is None else (None, "expected a number, got true/false")
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str):
        text, problem = clean_text(raw, 64)
        if problem or text is None:
            return None, problem
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None, f"expected a number, got {text[:40]!r}"
    else:
        return None, f"expected a number, got {type(raw).__name__}"
    if not math.isfinite(number):
        return None, "not a finite number"
    return number, None


def clean_boolean(raw: Any) -> tuple[bool | None, str | None]:
    if raw is None or isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw), None
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if not text:
            return None, None
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
    return None, f"expected true or false, got {str(raw)[:40]!r}"


def read_person(person: Mapping[Any, Any], specs: tuple[FieldSpec, ...]) -> PersonValues:
    """Clean the fields named by ``specs``; absent and blank fields are simply not in ``values``."""
    result = PersonValues()
    for spec in specs:
        raw = person.get(spec.name)
        if raw is None:
            continue
        value: Any
        if spec.kind == "number":
            value, problem = clean_number(raw)
        elif spec.kind == "boolean":
            value, problem = clean_boolean(raw)
        else:
            value, problem = clean_text(raw, spec.max_length)
        if problem is not None:
            result.problems[spec.name] = problem
            result.values[spec.name] = None
        elif value is not None:
            result.values[spec.name] = value
    identifier, _ = clean_number(person.get("id"))
    if identifier is not None and identifier.is_integer() and 0 < identifier < 2**63:
        result.marketo_id = int(identifier)
    return result
