"""Salesforce API errors as values, and their two wire shapes.

Reference §2: a single-record resource answers a JSON *array* of ``{message, errorCode, fields?}``; §4: a
collection answers, per record, ``{statusCode, message, fields}`` (``statusCode``, not ``errorCode``).
Domain code raises ``ApiError``; the routers pick the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiError(Exception):
    """One Salesforce error: HTTP status, ``errorCode`` and message (plus ``fields`` and extra keys)."""

    status: int
    code: str
    message: str
    fields: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def rest_item(self) -> dict[str, Any]:
        item: dict[str, Any] = dict(self.extra)
        item["message"] = self.message
        item["errorCode"] = self.code
        if self.fields is not None:
            item["fields"] = list(self.fields)
        return item

    def rest_body(self) -> list[dict[str, Any]]:
        return [self.rest_item()]

    def collection_item(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields or [])}


def required_missing(fields: list[str]) -> ApiError:
    return ApiError(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(fields)}]", fields
    )


def invalid_field(message: str, fields: list[str] | None = None) -> ApiError:
    return ApiError(400, "INVALID_FIELD", message, fields)


def no_such_column(field_name: str, sobject: str) -> ApiError:
    return ApiError(400, "INVALID_FIELD", f"No such column '{field_name}' on sobject of type {sobject}")


def not_writable(fields: list[str]) -> ApiError:
    return ApiError(
        400,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(fields)}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set.",
        fields,
    )


def malformed_id(label: str, value: object, field_name: str) -> ApiError:
    return ApiError(400, "MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [field_name])


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def entity_deleted() -> ApiError:
    return ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])


def invalid_session() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def limit_exceeded() -> ApiError:
    return ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def json_parser_error(detail: str) -> ApiError:
    return ApiError(400, "JSON_PARSER_ERROR", detail)


def method_not_allowed(method: str, allowed: str) -> ApiError:
    return ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}")
