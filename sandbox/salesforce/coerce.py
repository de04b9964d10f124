"""JSON ⇄ stored values for sObject fields, with Salesforce's errors for bad input.

Input (reference §2): unknown field ⇒ ``INVALID_FIELD`` ("No such column … on sobject of type …"); a
read-only field ⇒ ``INVALID_FIELD_FOR_INSERT_UPDATE``; a value of the wrong JSON type ⇒
``JSON_PARSER_ERROR``; an id of the wrong shape or key prefix ⇒ ``MALFORMED_ID``. Datetimes accept ``Z`` or
offsets and are stored as aware UTC; output is ``…000+0000``. Pure functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.salesforce import errors, ids
from sandbox.salesforce.formats import format_date, format_datetime, parse_date, parse_datetime
from sandbox.salesforce.schema import NUMBER_TYPES, TEXT_TYPES, FieldDef, FieldType, ObjectDef

_JAVA_TYPE = {
    FieldType.INT: "int",
    FieldType.DOUBLE: "double",
    FieldType.CURRENCY: "double",
    FieldType.PERCENT: "double",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
}


def _cannot_deserialize(kind: FieldType, value: object) -> errors.ApiError:
    token = {bool: "VALUE_TRUE" if value else "VALUE_FALSE", str: "VALUE_STRING"}.get(
        type(value), "VALUE_NUMBER_INT"
    )
    if isinstance(value, float):
        token = "VALUE_NUMBER_FLOAT"
    if isinstance(value, list | dict):
        token = "START_ARRAY" if isinstance(value, list) else "START_OBJECT"
    java_type = _JAVA_TYPE.get(kind, "string")
    return errors.json_parser_error(
        f"Cannot deserialize instance of {java_type} from {token} value {value} or request may be missing a "
        "required field"
    )


def coerce_value(definition: FieldDef, value: Any) -> Any:
    """One JSON value to its stored form, or an ``ApiError``."""
    if value is None:
        return None
    kind = definition.type
    if isinstance(value, list | dict):
        raise _cannot_deserialize(kind, value)
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _cannot_deserialize(kind, value)
    if kind is FieldType.INT:
        if isinstance(value, bool):
            raise _cannot_deserialize(kind, value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise _cannot_deserialize(kind, value)
    if kind in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _cannot_deserialize(kind, value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _cannot_deserialize(kind, value) from None
        if math.isnan(number) or math.isinf(number):
            raise _cannot_deserialize(kind, value)
        return number
    if kind is FieldType.DATETIME:
        if not isinstance(value, str):
            raise _cannot_deserialize(kind, value)
        try:
            return parse_datetime(value)
        except ValueError:
            raise _cannot_deserialize(kind, value) from None
    if kind is FieldType.DATE:
        if not isinstance(value, str):
            raise _cannot_deserialize(kind, value)
        try:
            return parse_date(value[:10] if "T" in value else value)
        except ValueError:
            raise _cannot_deserialize(kind, value) from None
    if kind in (FieldType.REFERENCE, FieldType.ID):
        if not isinstance(value, str):
            raise errors.malformed_id(definition.display_label, value, definition.name)
        if value == "":
            return None
        normalised = ids.normalise(value)
        if normalised is None or (
            definition.reference_to and ids.object_of(normalised) not in definition.reference_to
        ):
            raise errors.malformed_id(definition.display_label, value, definition.name)
        return normalised
    if kind is FieldType.ANY:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if kind in TEXT_TYPES and value == "":
        # The API stores an empty string in a text field as null.
        return None
    return str(value)


def coerce_fields(object_def: ObjectDef, body: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """A request body's fields to stored values, keyed by canonical field name.

    Errors come in Salesforce's order of checks: unknown columns first, then read-only fields, then values.
    """
    result: dict[str, Any] = {}
    read_only: list[str] = []
    for raw_name, value in body.items():
        if raw_name == "attributes":
            continue
        definition = object_def.get(raw_name)
        if definition is None:
            raise errors.no_such_column(raw_name, object_def.name)
        if definition.name == "Id":
            continue
        allowed = definition.createable if creating else definition.updateable
        if not allowed:
            read_only.append(definition.name)
            continue
        result[definition.name] = value
    if read_only:
        raise errors.not_writable(read_only)
    return {name: coerce_value(object_def.fields[name], value) for name, value in result.items()}


def to_json(value: Any) -> Any:
    """A stored value in its REST/SOQL JSON form."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return float(value)
    return value
