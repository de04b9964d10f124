"""Read Marketo's response envelope, or say exactly why it cannot be read (reference/marketo.md §2). Pure.

``{requestId, success, result[], errors[], warnings[], nextPageToken, moreResult}`` with HTTP 200 is the
normal case, failures included. Everything else that can arrive (413/414/5xx, a proxy's HTML page, a
truncated body, JSON that is not an envelope, ``success: false`` without errors) becomes a typed error
carrying the request id whenever one can be found, even in a truncated body.

Unreadable bodies are retryable (the damage is in transit and the outbox bounds the attempts); JSON that
breaks the envelope contract is permanent, because sending the same request again gets the same answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sync.errors import AuthError, PermanentError, RetryableError, SyncError
from sync.marketo.errors import SYSTEM, error_for_code

Expect = Literal["result", "token", "nothing"]

_REQUEST_ID = re.compile(rb'"requestId"\s*:\s*"([^"]{1,64})"')


@dataclass(frozen=True)
class Envelope:
    request_id: str | None
    result: list[Any]
    warnings: tuple[str, ...] = ()
    next_page_token: str | None = None
    more_result: bool = False


@dataclass(frozen=True)
class CallError:
    """A failed call: the typed error plus the raw Marketo code, which the transport acts on (re-auth, 606)."""

    error: SyncError
    code: str | None


def _snippet(body: bytes, limit: int = 160) -> str:
    text = " ".join(body[:limit].decode("utf-8", errors="replace").split())
    return text + ("…" if len(body) > limit else "")


def find_request_id(body: bytes) -> str | None:
    """The ``requestId`` of a body, found textually so that a truncated body still yields it."""
    match = _REQUEST_ID.search(body[:4096])
    return match.group(1).decode("utf-8", errors="replace") if match else None


def _malformed(why: str, body: bytes, request_id: str | None, context: str) -> CallError:
    error = PermanentError(
        f"Marketo {context}: malformed envelope ({why}): {_snippet(body)!r}",
        code="MALFORMED_ENVELOPE",
        request_id=request_id,
        system=SYSTEM,
    )
    return CallError(error, None)


def _http_error(status: int, body: bytes, request_id: str | None, context: str) -> CallError:
    common: dict[str, Any] = {"code": f"HTTP_{status}", "request_id": request_id, "system": SYSTEM}
    if status == 413:
        error: SyncError = PermanentError(
            f"Marketo {context}: request body over the 1 MB limit (HTTP 413)", **common
        )
    elif status == 414:
        error = PermanentError(f"Marketo {context}: request URI over the 8 KB limit (HTTP 414)", **common)
    elif status == 401:
        error = AuthError(f"Marketo {context}: unauthorized (HTTP 401): {_snippet(body)!r}", **common)
    elif status >= 500 or status == 429:
        error = RetryableError(f"Marketo {context}: HTTP {status}: {_snippet(body)!r}", **common)
    else:
        error = PermanentError(f"Marketo {context}: HTTP {status}: {_snippet(body)!r}", **common)
    return CallError(error, None)


def _call_failed(errors: list[Any], request_id: str | None, context: str, now: datetime) -> CallError:
    entries = [e for e in errors if isinstance(e, Mapping) and e.get("code") is not None]
    first = entries[0]
    # Codes are strings on the wire; tolerate numbers so that 601 and "601" are the same thing.
    code = str(first["code"])
    message = "; ".join(f"{e['code']} {e.get('message', '')}".strip() for e in entries)
    error = error_for_code(
        code, message.removeprefix(f"{code} "), request_id=request_id, now=now, context=context
    )
    return CallError(error, code)


def parse_envelope(
    status: int, body: bytes, content_type: str, *, expect: Expect, context: str, now: datetime
) -> Envelope | CallError:
    """The envelope of a successful call, or the ``CallError`` that explains the failure."""
    request_id = find_request_id(body)
    if status != 200:
        return _http_error(status, body, request_id, context)
    try:
        data = json.loads(body)
    except ValueError:
        kind = "an HTML page (a proxy?)" if "html" in content_type.lower() else "a truncated or non-JSON body"
        error = RetryableError(
            f"Marketo {context}: HTTP 200 with {kind}: {_snippet(body)!r}",
            code="INVALID_BODY",
            request_id=request_id,
            system=SYSTEM,
        )
        return CallError(error, None)
    if not isinstance(data, Mapping):
        return _malformed("not a JSON object", body, request_id, context)
    request_id = str(data["requestId"]) if data.get("requestId") is not None else request_id
    errors = data.get("errors")
    success = data.get("success")
    if success is not True:
        if isinstance(errors, list) and any(
            isinstance(e, Mapping) and e.get("code") is not None for e in errors
        ):
            return _call_failed(errors, request_id, context, now)
        return _malformed("no success flag and no errors" if success is None else "success false without errors",
                          body, request_id, context)  # fmt: skip
    result = data.get("result")
    token = data.get("nextPageToken")
    more = data.get("moreResult") is True
    if result is not None and not isinstance(result, list):
        return _malformed("result is not a list", body, request_id, context)
    if token is not None and not isinstance(token, str):
        return _malformed("nextPageToken is not a string", body, request_id, context)
    if expect == "result" and result is None and token is None and "moreResult" not in data:
        return _malformed("neither result nor errors", body, request_id, context)
    if expect == "token" and not token:
        return _malformed("no nextPageToken", body, request_id, context)
    warnings = data.get("warnings") or ()
    return Envelope(
        request_id=request_id,
        result=list(result or ()),
        warnings=tuple(str(w) for w in warnings) if isinstance(warnings, list) else (),
        next_page_token=token,
        more_result=more,
    )
