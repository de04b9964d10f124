"""Building SOQL text safely: string literals escaped, id lists checked. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


def literal(value: str) -> str:
    """A quoted SOQL string: backslash and quote escaped, so an address like o'brien@x.com stays data."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def id_list(ids: Iterable[str]) -> str:
    """``('00Q…','003…')`` after checking every id's shape; refuses anything else rather than quoting it."""
    checked = []
    for value in ids:
        if not isinstance(value, str) or not _ID.match(value):
            raise ValueError(f"not a Salesforce id: {value!r}")
        checked.append(f"'{value}'")
    if not checked:
        raise ValueError("an IN list needs at least one id")
    return "(" + ",".join(checked) + ")"


def is_record_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


def like_prefix(prefix: str) -> str:
    """A quoted LIKE pattern matching values that start with ``prefix`` (its % and _ taken literally)."""
    escaped = prefix.replace("\\", "\\\\").replace("'", "\\'").replace("%", "\\%").replace("_", "\\_")
    return f"'{escaped}%'"
