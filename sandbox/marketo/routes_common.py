"""Helpers every router uses: the instance, the time, parameters, JSON bodies, envelopes.

Handlers read parameters from ``request.query_params`` only: the gateway has already folded the form
body of a ``_method=GET`` request into the query string. Request-level failures are raised as
``MarketoError`` and turned into ``success:false`` envelopes (HTTP 200) by the app's exception handler.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import Request
from starlette.responses import Response

from sandbox.marketo.envelope import MarketoError, json_response, success_body
from sandbox.marketo.state import MarketoState

MAX_BATCH = 300


def marketo(request: Request) -> MarketoState:
    return request.app.state.marketo


def now(request: Request) -> datetime:
    return marketo(request).clock()


def ok(
    request: Request,
    result: list[Any] | None = None,
    *,
    next_page_token: str | None = None,
    more_result: bool | None = None,
    warnings: list[str] | None = None,
) -> Response:
    body = success_body(
        now(request), result, next_page_token=next_page_token, more_result=more_result, warnings=warnings
    )
    return json_response(body)


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object body: 612 if the Content-Type is not JSON, 609 if it does not parse."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise MarketoError("612", "Invalid Content Type")
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise MarketoError("609", "Invalid JSON") from None
    if not isinstance(body, dict):
        raise MarketoError("609", "Invalid JSON")
    return body


def param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value if value not in (None, "") else None


def fields_param(request: Request) -> str | None:
    """``fields=a,b`` — also when a client repeats the parameter (``fields=a&fields=b``)."""
    joined = ",".join(request.query_params.getlist("fields"))
    return joined or None


def required(request: Request, name: str) -> str:
    value = param(request, name)
    if value is None:
        raise MarketoError("701", f"{name} cannot be blank")
    return value


def csv_values(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def int_values(values: Sequence[str], name: str) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise MarketoError("1003", f"Invalid value for '{name}': integers expected") from None


def repeated_ints(request: Request, name: str) -> list[int]:
    """``?id=1&id=2`` and ``?id=1,2`` both work."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(csv_values(raw))
    return int_values(values, name)


def batch_size(request: Request) -> int:
    raw = param(request, "batchSize")
    if raw is None:
        return MAX_BATCH
    try:
        size = int(raw)
    except ValueError:
        raise MarketoError("1003", f"Invalid batchSize '{raw}'") from None
    if not 1 <= size <= MAX_BATCH:
        raise MarketoError("1003", f"batchSize must be between 1 and {MAX_BATCH}")
    return size


def input_ids(body: dict[str, Any], key: str = "id") -> list[Any]:
    """Ids from ``{"input": [{"id": 1}, …]}``; 1003 if the shape is wrong."""
    rows = body.get("input")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and key in r for r in rows):
        raise MarketoError("1003", f"input must be a list of objects with '{key}'")
    return [r[key] for r in rows]


def mark_uncounted(request: Request, code: str) -> None:
    request.state.marketo_error_code = code
