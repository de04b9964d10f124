"""How SOQL compares a field's value with a literal (pure).

Text compares case-insensitively; ``!=`` is true for a null field (SOQL has no three-valued logic);
ordering comparisons with null are false; ``LIKE`` takes ``%`` and ``_`` (escaped with a backslash);
relative date literals are ranges: ``=`` inside, ``<`` before the start, ``<=`` before the end, ``>``
at or after the end, ``>=`` at or after the start (reference §3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.fields import NUMBER_TYPES, FieldType
from sandbox.salesforce.soql.ast import Literal
from sandbox.salesforce.soql.dates import instant_range, local_range

if TYPE_CHECKING:
    from sandbox.salesforce.soql.evaluator import QueryContext


def sort_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, bool):
        return int(value)
    return value


def like_pattern(pattern: str) -> re.Pattern[str]:
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def like(actual: Any, pattern: re.Pattern[str]) -> bool:
    return actual is not None and pattern.fullmatch(str(actual)) is not None


def compare(operator: str, field_type: FieldType, actual: Any, literal: Literal, ctx: QueryContext) -> bool:
    if literal.is_null:
        if operator == "=":
            return actual is None
        if operator == "!=":
            return actual is not None
        return False
    if actual is None:
        return operator == "!="
    if literal.kind == "date_literal":
        return in_range(operator, actual, literal, ctx)
    wanted = literal.value
    if isinstance(actual, str) and isinstance(wanted, str):
        actual, wanted = actual.casefold(), wanted.casefold()
    elif isinstance(actual, datetime) and isinstance(wanted, date) and not isinstance(wanted, datetime):
        actual = actual.date()
    elif field_type in NUMBER_TYPES:
        actual, wanted = float(actual), float(wanted)
    try:
        return _COMPARATORS[operator](actual, wanted)
    except TypeError:
        return False


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def in_range(operator: str, actual: Any, literal: Literal, ctx: QueryContext) -> bool:
    if isinstance(actual, datetime):
        start, end = instant_range(literal.value, ctx.now, ctx.zone)
    else:
        start, end = local_range(literal.value, ctx.now.astimezone(ctx.zone).date())
    inside = start <= actual < end
    return {
        "=": inside,
        "!=": not inside,
        "<": actual < start,
        "<=": actual < end,
        ">": actual >= end,
        ">=": actual >= start,
    }[operator]
