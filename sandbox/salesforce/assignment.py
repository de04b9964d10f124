"""Lead assignment rules and the ``Sforce-Auto-Assign`` header, as pure logic.

Reference §5: the header is ``TRUE`` (run the active rule), ``FALSE`` (don't) or an AssignmentRule id
(``01Q…``, applied on create only), case-insensitive, and **absent means TRUE on create and on update**, so
every REST PATCH of a Lead re-runs the active rule and may overwrite ``OwnerId``. Entries are tried in
order; the first whose criteria match gives the owner (a user ``005`` or a queue ``00G``); when none matches
the owner is the "Default Lead Owner" of Lead Settings. Criteria compare like Salesforce rule criteria:
text case-insensitively, ``equals`` with several values means any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sandbox.salesforce import errors, ids

RecordPredicate = Callable[[Mapping[str, Any]], bool]


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUAL = "notEqual"
    LESS_THAN = "lessThan"
    GREATER_THAN = "greaterThan"
    LESS_OR_EQUAL = "lessOrEqual"
    GREATER_OR_EQUAL = "greaterOrEqual"
    CONTAINS = "contains"
    NOT_CONTAIN = "notContain"
    STARTS_WITH = "startsWith"


@dataclass(frozen=True)
class Criterion:
    """``field operator value`` as in a rule entry's criteria; ``value`` may be a list (any of)."""

    field: str
    operator: Operator | str
    value: Any

    def matches(self, record: Mapping[str, Any]) -> bool:
        operator = Operator(self.operator)
        actual = _lookup(record, self.field)
        wanted = list(self.value) if isinstance(self.value, list | tuple | set | frozenset) else [self.value]
        if operator is Operator.NOT_EQUAL:
            return all(not _equal(actual, value) for value in wanted)
        if operator is Operator.NOT_CONTAIN:
            return all(not _contains(actual, value) for value in wanted)
        test = {
            Operator.EQUALS: _equal,
            Operator.CONTAINS: _contains,
            Operator.STARTS_WITH: _starts_with,
            Operator.LESS_THAN: lambda a, b: _order(a, b, lambda x, y: x < y),
            Operator.GREATER_THAN: lambda a, b: _order(a, b, lambda x, y: x > y),
            Operator.LESS_OR_EQUAL: lambda a, b: _order(a, b, lambda x, y: x <= y),
            Operator.GREATER_OR_EQUAL: lambda a, b: _order(a, b, lambda x, y: x >= y),
        }[operator]
        return any(test(actual, value) for value in wanted)

    def to_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple | set | frozenset) else self.value
        return {"field": self.field, "operator": str(Operator(self.operator)), "value": value}


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    lowered = name.lower()
    for key, value in record.items():
        if key.lower() == lowered:
            return value
    return None


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    return value


def _equal(actual: Any, wanted: Any) -> bool:
    if actual is None or actual == "":
        return wanted is None or wanted == ""
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return str(actual).lower() == str(wanted).lower()
    if isinstance(actual, int | float) and not isinstance(wanted, int | float):
        try:
            return float(actual) == float(wanted)
        except (TypeError, ValueError):
            return False
    return _norm(actual) == _norm(wanted)


def _contains(actual: Any, wanted: Any) -> bool:
    return actual is not None and str(wanted).casefold() in str(actual).casefold()


def _starts_with(actual: Any, wanted: Any) -> bool:
    return actual is not None and str(actual).casefold().startswith(str(wanted).casefold())


def _order(actual: Any, wanted: Any, compare: Callable[[Any, Any], bool]) -> bool:
    if actual is None or wanted is None:
        return False
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        try:
            return compare(float(actual), float(wanted))
        except (TypeError, ValueError):
            return False
    if isinstance(actual, datetime | date):
        return type(actual) is type(wanted) and compare(actual, wanted)
    return compare(_norm(str(actual)), _norm(str(wanted)))


@dataclass
class RuleEntry:
    """One ordered entry: criteria (all must match, or a predicate) → a user or queue id."""

    assign_to: str
    criteria: Sequence[Criterion] | RecordPredicate = ()
    name: str = ""

    def matches(self, record: Mapping[str, Any]) -> bool:
        if callable(self.criteria):
            return bool(self.criteria(record))
        return all(criterion.matches(record) for criterion in self.criteria)

    @property
    def serialisable(self) -> bool:
        return not callable(self.criteria)


@dataclass
class AssignmentRuleConfig:
    id: str
    name: str
    entries: list[RuleEntry] = field(default_factory=list)
    active: bool = True
    sobject: str = "Lead"


def choose_owner(
    rule: AssignmentRuleConfig, record: Mapping[str, Any], default_owner: str | None
) -> str | None:
    """The owner the rule gives ``record``: the first matching entry's, else the default lead owner."""
    for entry in rule.entries:
        if entry.matches(record):
            return entry.assign_to
    return default_owner


class AutoAssignMode(StrEnum):
    RUN_ACTIVE = "true"
    OFF = "false"
    RUN_RULE = "rule"


@dataclass(frozen=True)
class AutoAssign:
    mode: AutoAssignMode
    rule_id: str | None = None

    @classmethod
    def from_header(cls, value: str | None) -> AutoAssign:
        """Parse ``Sforce-Auto-Assign``; absent means TRUE (reference §5)."""
        if value is None or value.strip().lower() == "true":
            return cls(AutoAssignMode.RUN_ACTIVE)
        text = value.strip()
        if text.lower() == "false":
            return cls(AutoAssignMode.OFF)
        rule_id = ids.normalise(text)
        if rule_id is None or ids.object_of(rule_id) != "AssignmentRule":
            raise errors.ApiError(400, "MALFORMED_ID", f"Invalid assignment rule ID: {text}")
        return cls(AutoAssignMode.RUN_RULE, rule_id)

    def rule_for(self, *, creating: bool, active_rule_id: str | None) -> str | None:
        """Which rule runs for this write: the header's id on create only, the active rule for TRUE."""
        if self.mode is AutoAssignMode.OFF:
            return None
        if self.mode is AutoAssignMode.RUN_RULE:
            return self.rule_id if creating else None
        return active_rule_id


AUTO_ASSIGN_TRUE = AutoAssign(AutoAssignMode.RUN_ACTIVE)
AUTO_ASSIGN_FALSE = AutoAssign(AutoAssignMode.OFF)
