"""Run a parsed SOQL query over the org's records: check it against the schema, filter, sort, project.

Checks follow Salesforce's errors (reference §2, §3): an unknown object is ``INVALID_TYPE``; an unknown
column ``INVALID_FIELD`` ("No such column 'X' on entity 'Lead'…"); an unknown relationship "Didn't
understand relationship …"; a literal of the wrong type "value of filter criterion for field … must be of
type …"; a bad id literal ``INVALID_QUERY_FILTER_OPERATOR``. Results come back in the REST shape:
``attributes`` then the selected fields, parent relationships as nested objects (``"Owner": null`` when
empty), polymorphic parents typed ``Name``. Text compares case-insensitively; ``!=`` and ``NOT IN`` match
nulls, as in SOQL. Pure: the caller passes ``now`` and holds the org lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.salesforce import ids
from sandbox.salesforce.coerce import to_json
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.schema import (
    NAME_OBJECT_FIELDS,
    NUMBER_TYPES,
    TEXT_TYPES,
    FieldType,
    ObjectDef,
    Schema,
)
from sandbox.salesforce.soql.ast import (
    BoolOp,
    Comparison,
    Condition,
    FieldPath,
    Literal,
    Not,
    Position,
    Query,
)
from sandbox.salesforce.soql.compare import compare, like, like_pattern, sort_key
from sandbox.salesforce.soql.parser import error_message
from sandbox.salesforce.store import Record, RecordStore

_NAME_OBJECT = "Name"
_CUSTOM_FIELD_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)
_CUSTOM_RELATIONSHIP_HINT = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom "
    "relationship name. Please reference your WSDL or the describe call for the appropriate names."
)
_TYPE_NAMES = {
    FieldType.DATETIME: "dateTime",
    FieldType.DATE: "date",
    FieldType.BOOLEAN: "boolean",
    FieldType.INT: "integer",
    FieldType.DOUBLE: "double",
    FieldType.CURRENCY: "double",
    FieldType.PERCENT: "double",
}


@dataclass(frozen=True)
class Step:
    """One hop of a parent path: the reference field followed, and whether its target is polymorphic."""

    field: str
    relationship: str
    polymorphic: bool


@dataclass(frozen=True)
class ResolvedPath:
    path: FieldPath
    steps: tuple[Step, ...]
    field: str
    type: FieldType


@dataclass
class QueryContext:
    store: RecordStore
    now: datetime
    zone: ZoneInfo
    api_version: str
    include_deleted: bool = False


@dataclass
class QueryResult:
    total_size: int
    records: list[dict[str, Any]]


def _field_error(query: Query, position: Position, detail: str, code: str = "INVALID_FIELD") -> ApiError:
    return ApiError(400, code, error_message(query.text, position.row, position.column, detail))


def resolve(query: Query, schema: Schema, object_def: ObjectDef, path: FieldPath) -> ResolvedPath:
    current: ObjectDef | None = object_def
    steps: list[Step] = []
    for part in path.parts[:-1]:
        relation = current.relationship(part) if current is not None else None
        if relation is None:
            raise _field_error(
                query,
                path.position,
                f"Didn't understand relationship '{part}' in field path. {_CUSTOM_RELATIONSHIP_HINT}",
            )
        steps.append(Step(relation.name, relation.relationship_name or part, relation.polymorphic))
        current = None if relation.polymorphic else schema.get(relation.reference_to[0])
    last = path.parts[-1]
    if current is None:
        canonical = next((name for name in NAME_OBJECT_FIELDS if name.lower() == last.lower()), None)
        if canonical is None:
            raise _field_error(
                query,
                path.position,
                f"No such column '{last}' on entity '{_NAME_OBJECT}'. {_CUSTOM_FIELD_HINT}",
            )
        return ResolvedPath(path, tuple(steps), canonical, NAME_OBJECT_FIELDS[canonical])
    field_def = current.get(last)
    if field_def is None:
        raise _field_error(
            query, path.position, f"No such column '{last}' on entity '{current.name}'. {_CUSTOM_FIELD_HINT}"
        )
    return ResolvedPath(path, tuple(steps), field_def.name, field_def.type)


class CompiledQuery:
    """A query checked against the schema, ready to run any number of times."""

    def __init__(self, query: Query, schema: Schema) -> None:
        object_def = schema.get(query.sobject)
        if object_def is None:
            raise _field_error(
                query,
                query.sobject_position,
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, be "
                "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
                "INVALID_TYPE",
            )
        if query.offset is not None and query.offset > 2000:
            raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
        self.query = query
        self.schema = schema
        self.object_def = object_def
        self.fields: list[ResolvedPath] = []
        seen: set[str] = set()
        for path in query.fields:
            resolved = resolve(query, schema, object_def, path)
            key = ".".join([s.relationship for s in resolved.steps] + [resolved.field]).lower()
            if key in seen:
                raise _field_error(
                    query, path.position, f"duplicate field selected: {path.text}", "MALFORMED_QUERY"
                )
            seen.add(key)
            self.fields.append(resolved)
        self.order = [(resolve(query, schema, object_def, item.path), item) for item in query.order_by]
        self.where = self._compile(query.where) if query.where is not None else None

    # ------------------------------------------------------------------ WHERE
    def _compile(self, condition: Condition) -> Callable[[Record, QueryContext], bool]:
        if isinstance(condition, BoolOp):
            parts = [self._compile(operand) for operand in condition.operands]
            if condition.operator == "AND":
                return lambda record, ctx: all(part(record, ctx) for part in parts)
            return lambda record, ctx: any(part(record, ctx) for part in parts)
        if isinstance(condition, Not):
            inner = self._compile(condition.operand)
            return lambda record, ctx: not inner(record, ctx)
        return self._comparison(condition)

    def _comparison(self, comparison: Comparison) -> Callable[[Record, QueryContext], bool]:
        resolved = resolve(self.query, self.schema, self.object_def, comparison.path)
        if resolved.type is FieldType.TEXTAREA:
            raise _field_error(
                self.query,
                comparison.path.position,
                f"field '{resolved.field}' can not be filtered in query call",
            )
        values = [
            self._check_literal(resolved, comparison.operator, literal) for literal in comparison.values
        ]
        operator = comparison.operator
        if operator == "LIKE":
            pattern = like_pattern(str(values[0].value))
            return lambda record, ctx: like(self.value(record, resolved, ctx), pattern)
        if operator in ("IN", "NOT IN"):
            wanted = operator == "IN"
            return lambda record, ctx: (
                wanted
                == any(
                    compare("=", resolved.type, self.value(record, resolved, ctx), value, ctx)
                    for value in values
                )
            )
        literal = values[0]
        return lambda record, ctx: compare(
            operator, resolved.type, self.value(record, resolved, ctx), literal, ctx
        )

    def _check_literal(self, resolved: ResolvedPath, operator: str, literal: Literal) -> Literal:
        kind, field_type, name = literal.kind, resolved.type, resolved.field

        def wrong(expected: str, quoted: bool) -> ApiError:
            hint = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
            return _field_error(
                self.query,
                literal.position,
                f"value of filter criterion for field '{name}' must be of type {expected} and {hint}",
            )

        if kind == "null" or field_type is FieldType.ANY:
            return literal
        if operator == "LIKE":
            if field_type not in TEXT_TYPES or kind != "string":
                raise _field_error(self.query, literal.position, f"invalid operator on field '{name}': LIKE")
            return literal
        if field_type in (FieldType.ID, FieldType.REFERENCE):
            normalised = ids.normalise(literal.value) if kind == "string" else None
            if normalised is None:
                raise _field_error(
                    self.query,
                    literal.position,
                    f"invalid ID field: {literal.value}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                )
            return Literal("string", normalised, literal.position)
        if field_type in TEXT_TYPES:
            if kind != "string":
                raise wrong("string", quoted=True)
            return literal
        expected = _TYPE_NAMES.get(field_type, str(field_type))
        accepted = {
            FieldType.DATETIME: ("datetime", "date_literal"),
            FieldType.DATE: ("date", "date_literal"),
            FieldType.BOOLEAN: ("boolean",),
        }.get(field_type, ("number",) if field_type in NUMBER_TYPES else ())
        if kind not in accepted:
            raise wrong(expected, quoted=False)
        return literal

    # ------------------------------------------------------------------ values
    def value(self, record: Record | None, resolved: ResolvedPath, ctx: QueryContext) -> Any:
        for step in resolved.steps:
            if record is None:
                return None
            target_id = record.get(step.field)
            record = ctx.store.get(target_id) if target_id else None
            if record is not None and record.get("IsDeleted"):
                record = None
        if record is None:
            return None
        if resolved.steps and resolved.steps[-1].polymorphic:
            return _name_object_value(record, resolved.field)
        return record.get(resolved.field)

    # ------------------------------------------------------------------ run
    def run(self, ctx: QueryContext) -> QueryResult:
        rows = [
            record
            for record in ctx.store.records(self.object_def.name, include_deleted=ctx.include_deleted)
            if self.where is None or self.where(record, ctx)
        ]
        for resolved, item in reversed(self.order):
            present = [r for r in rows if self.value(r, resolved, ctx) is not None]
            missing = [r for r in rows if self.value(r, resolved, ctx) is None]
            present.sort(key=lambda r, p=resolved: sort_key(self.value(r, p, ctx)), reverse=item.descending)
            rows = present + missing if item.effective_nulls_last else missing + present
        start = self.query.offset or 0
        end = start + self.query.limit if self.query.limit is not None else None
        rows = rows[start:end]
        if self.query.count_only:
            return QueryResult(len(rows), [])
        return QueryResult(len(rows), [self.project(record, ctx) for record in rows])

    def project(self, record: Record, ctx: QueryContext) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": _attributes(self.object_def.name, record["Id"], ctx.api_version)}
        for resolved in self.fields:
            self._place(out, record, resolved, ctx)
        return out

    def _place(self, out: dict[str, Any], record: Record, resolved: ResolvedPath, ctx: QueryContext) -> None:
        container, current = out, record
        for step in resolved.steps:
            if step.relationship in container and container[step.relationship] is None:
                return
            target_id = current.get(step.field) if current is not None else None
            target = ctx.store.get(target_id) if target_id else None
            if target is None or target.get("IsDeleted"):
                container[step.relationship] = None
                return
            if step.relationship not in container:
                object_name = ids.object_of(target["Id"]) or _NAME_OBJECT
                shown_type = _NAME_OBJECT if step.polymorphic else object_name
                container[step.relationship] = {
                    "attributes": _attributes(object_name, target["Id"], ctx.api_version, shown_type)
                }
            container, current = container[step.relationship], target
        if resolved.steps and resolved.steps[-1].polymorphic:
            container[resolved.field] = to_json(_name_object_value(current, resolved.field))
        else:
            container[resolved.field] = to_json(current.get(resolved.field))


def _attributes(
    object_name: str, record_id: str, api_version: str, shown_type: str | None = None
) -> dict[str, str]:
    return {
        "type": shown_type or object_name,
        "url": f"/services/data/v{api_version}/sobjects/{object_name}/{record_id}",
    }


def _name_object_value(record: Record, field_name: str) -> Any:
    """A field of the polymorphic ``Name`` object: ``Type`` is the sObject (``Queue`` for a queue)."""
    if field_name == "Type":
        object_name = ids.object_of(record["Id"])
        if object_name == "Group" and record.get("Type") == "Queue":
            return "Queue"
        return object_name
    return record.get(field_name)


def execute(query: Query, schema: Schema, ctx: QueryContext) -> QueryResult:
    return CompiledQuery(query, schema).run(ctx)
