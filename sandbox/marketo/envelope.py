"""The response envelope and the request-level error codes (reference/marketo.md §2).

Every REST answer is ``{requestId, success, result, errors, warnings, nextPageToken, moreResult}`` with
HTTP 200, errors included: only 413/414 (oversize), 401 (identity) and 404 (bulk file) use other
statuses. Empty ``errors``/``warnings`` are omitted as Marketo usually does; error codes are strings.
"""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import datetime
from typing import Any

from starlette.responses import Response

#: Messages as Marketo words them (§1, §2); clients must branch on the code, not on these.
MESSAGES = {
    "601": "Access token invalid",
    "602": "Access token expired",
    "603": "Access denied",
    "604": "Request timed out",
    "605": "Request method '%s' not supported",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "607": "Daily quota reached",
    "608": "API Temporarily Unavailable",
    "609": "Invalid JSON",
    "610": "Requested resource not found",
    "611": "System error",
    "612": "Invalid Content Type",
    "615": "Concurrent access limit reached",
}


class MarketoError(Exception):
    """A request-level failure: ``success:false`` with one error, nothing done (6xx/7xx/1xxx)."""

    def __init__(self, code: str | int, message: str | None = None) -> None:
        self.code = str(code)
        self.message = message or MESSAGES.get(self.code, "Error")
        super().__init__(f"{self.code} {self.message}")


class RecordError(Exception):
    """A per-record failure: the record is ``skipped`` with this reason (1xxx, §2)."""

    def __init__(self, code: str | int, message: str) -> None:
        self.code = str(code)
        self.message = message
        super().__init__(f"{self.code} {message}")

    def reason(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


_sequence = itertools.count(1)
_instance_tag = secrets.token_hex(2)


def request_id(now: datetime) -> str:
    """Marketo request ids look like ``e42b#14272d07d78``: a short hex tag, ``#``, hex milliseconds."""
    return f"{_instance_tag}{next(_sequence) % 0xFFF:x}#{int(now.timestamp() * 1000):x}"


def success_body(
    now: datetime,
    result: list[Any] | None = None,
    *,
    next_page_token: str | None = None,
    more_result: bool | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"requestId": request_id(now)}
    if result is not None:
        body["result"] = result
    body["success"] = True
    if next_page_token is not None:
        body["nextPageToken"] = next_page_token
    if more_result is not None:
        body["moreResult"] = more_result
    if warnings:
        body["warnings"] = warnings
    return body


def failure_body(now: datetime, code: str, message: str) -> dict[str, Any]:
    return {"requestId": request_id(now), "success": False, "errors": [{"code": code, "message": message}]}


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(
        content=json.dumps(body, separators=(",", ":")),
        status_code=status_code,
        media_type="application/json;charset=UTF-8",
    )
