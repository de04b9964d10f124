"""The parsed form of a SOQL query: the subset Handoff and its users need (reference §3).

Positions (row, column, 1-based) are kept on field paths and the object name because Salesforce's
``INVALID_FIELD`` / ``INVALID_TYPE`` messages point at the offending token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Position:
    row: int
    column: int


@dataclass(frozen=True)
class FieldPath:
    parts: tuple[str, ...]
    position: Position

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class DateLiteral:
    """A relative date literal: ``TODAY``, ``LAST_N_DAYS:7``, … (``n`` for the ``:n`` forms)."""

    name: str
    n: int | None = None

    @property
    def text(self) -> str:
        return self.name if self.n is None else f"{self.name}:{self.n}"


@dataclass(frozen=True)
class Literal:
    """A value in a WHERE clause: its Python value and what kind of token wrote it."""

    kind: str  # string | number | boolean | null | date | datetime | date_literal
    value: Any
    position: Position = field(default=Position(1, 1), compare=False)

    @property
    def is_null(self) -> bool:
        return self.kind == "null"


@dataclass(frozen=True)
class Comparison:
    path: FieldPath
    operator: str  # = != < <= > >= LIKE IN NOT IN
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class BoolOp:
    operator: str  # AND | OR
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


Condition = Comparison | BoolOp | Not


@dataclass(frozen=True)
class OrderItem:
    path: FieldPath
    descending: bool = False
    nulls_last: bool | None = None

    @property
    def effective_nulls_last(self) -> bool:
        # SOQL default: nulls first in ascending order, last in descending order.
        return self.descending if self.nulls_last is None else self.nulls_last


@dataclass(frozen=True)
class Query:
    sobject: str
    sobject_position: Position
    fields: tuple[FieldPath, ...] = ()
    count_only: bool = False
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    text: str = field(default="", compare=False)


LiteralValue = str | int | float | bool | date | datetime | DateLiteral | None
