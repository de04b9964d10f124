"""What happens to every REST request before and after its route: auth, allocation, faults, the limit header.

For ``/services/data/vNN.N/…`` (reference §2, §9): the bearer token must name a live session, else
``401 INVALID_SESSION_ID``; the daily allocation is counted, and a spent one answers
``403 REQUEST_LIMIT_EXCEEDED``; injected faults (503, ``UNABLE_TO_LOCK_ROW``, latency) strike here; and
every response then carries ``Sforce-Limit-Info: api-usage=N/M``. ``GET /services/data/`` (the version
list) needs no session and carries no limit header. A trailing slash is ignored, as Salesforce does.
Pure ASGI so the header is added to every response, errors included.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sandbox.salesforce import errors
from sandbox.salesforce.faults import FaultKind, fault_error
from sandbox.salesforce.state import SalesforceState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_API_PATH = re.compile(r"^/services/data/v\d+\.\d+(/|$)")
_RECORD_IN_PATH = re.compile(r"/([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})$")
_WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() in ("bearer", "oauth") and token.strip():
                return token.strip()
    return None


class SalesforceApiMiddleware:
    def __init__(self, app: ASGIApp, state: SalesforceState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
            scope["path"] = path
            scope["raw_path"] = path.encode()
        state = self.state
        is_api = bool(_API_PATH.match(path))
        latency = state.faults.latency_seconds
        if latency and (is_api or path.startswith("/services/Soap/")):
            await asyncio.sleep(latency)
        if not is_api:
            await self.app(scope, receive, send)
            return
        now = state.clock()
        session = state.sessions.validate(bearer_token(scope.get("headers", [])), now)
        if session is None:
            await _respond(send, errors.invalid_session(), {"WWW-Authenticate": "Token"})
            return
        if not state.usage.try_consume(now):
            await _respond(send, errors.limit_exceeded(), {"Sforce-Limit-Info": state.usage.header(now)})
            return
        method = scope["method"].upper()
        fault = state.faults.pick(is_write=method in _WRITE_METHODS)
        if fault is not None:
            if fault is FaultKind.INVALID_SESSION:
                state.sessions.expire_all()
            match = _RECORD_IN_PATH.search(path)
            error = fault_error(fault, match.group(1) if match else None)
            await _respond(send, error, {"Sforce-Limit-Info": state.usage.header(now)})
            return
        scope.setdefault("state", {})["sf_session"] = session

        async def send_with_limit(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = state.usage.header(state.clock()).encode()
                message["headers"] = [*message.get("headers", []), (b"sforce-limit-info", header)]
            await send(message)

        await self.app(scope, receive, send_with_limit)


async def _respond(send: Send, error: errors.ApiError, headers: dict[str, str]) -> None:
    body = json.dumps(error.rest_body()).encode()
    raw_headers = [
        (b"content-type", b"application/json;charset=UTF-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
