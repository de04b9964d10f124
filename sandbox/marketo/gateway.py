"""The API gateway in front of ``/rest`` and ``/bulk``: sizes, ``_method=GET``, tokens, limits, faults.

In the order a request meets them (reference/marketo.md §1, §2, §3, §7):

1. URI over 8 KB → HTTP **414**; body over 1 MB → HTTP **413** (the only non-200 statuses besides 401
   on identity and 404 on bulk files).
2. ``POST …?_method=GET`` (or ``_method=GET`` in a form body) is a GET whose parameters came in the form
   body: marketorestpython always reads leads this way (§3). The request is rewritten to a GET with the
   form fields merged into the query string, so one handler serves both.
3. Token: ``Authorization: Bearer`` or, unless strict mode is on, the deprecated ``access_token`` query
   parameter (§1: being removed). Invalid → 601, expired → 602 (HTTP 200).
4. Limits: 615 past 10 in flight, 607 when the day's quota is spent, 606 past 100 calls in 20 s.
5. Faults: injected latency, then an injected transient error (604/608/611 …), which is not counted.

A handler marks a response as "not counted" (605) through ``request.state``; the gateway then refunds the
call, because the starred codes of §2 do not count toward quota or rate limits.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sandbox.marketo.envelope import MESSAGES, MarketoError, failure_body, json_response
from sandbox.marketo.limits import LimitExceeded
from sandbox.marketo.state import MarketoState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_URI_BYTES = 8 * 1024
MAX_BODY_BYTES = 1024 * 1024
GUARDED_PREFIXES = ("/rest/", "/bulk/")
UNCOUNTED_CODES = {"601", "602", "604", "605", "608", "611"}


class _TooLarge(Exception):
    pass


class MarketoGateway:
    def __init__(self, app: ASGIApp, state: MarketoState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        if len(raw_path) + 1 + len(scope.get("query_string", b"")) > MAX_URI_BYTES:
            await _plain(414, "414 Request-URI Too Large", send)
            return
        try:
            body = await _read_body(scope, receive)
        except _TooLarge:
            await _plain(413, "413 Request Entity Too Large", send)
            return
        scope = _apply_method_override(scope, body)
        await self._guarded(scope, _replay(body, receive), send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.state
        now = state.clock()
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        try:
            token = state.tokens.check(_token_of(scope, query, strict=state.strict_tokens), now)
        except MarketoError as error:
            await self._fail(error.code, error.message, scope, receive, send)
            return
        try:
            state.limits.enter()
        except LimitExceeded as exceeded:
            await self._fail(exceeded.code, MESSAGES[exceeded.code], scope, receive, send)
            return
        try:
            try:
                admission = state.limits.admit(now, token.client_id)
            except LimitExceeded as exceeded:
                await self._fail(exceeded.code, MESSAGES[exceeded.code], scope, receive, send)
                return
            latency = state.faults.take_latency()
            if latency > 0:
                await asyncio.sleep(latency)
            injected = state.faults.take_error(scope["path"])
            if injected is not None:
                state.limits.refund(admission)
                await self._fail(injected, MESSAGES.get(injected, "Transient error"), scope, receive, send)
                return
            scope.setdefault("state", {})
            try:
                await self.app(scope, receive, send)
            except Exception:
                # The app's catch-all answers 611 System error, which does not count (§2 "Quota").
                state.limits.record_error(now, "611")
                state.limits.refund(admission)
                raise
            error_code = scope["state"].get("marketo_error_code")
            if error_code is not None:
                state.limits.record_error(now, error_code)
                if error_code in UNCOUNTED_CODES:
                    state.limits.refund(admission)
        finally:
            state.limits.leave()

    async def _fail(self, code: str, message: str, scope: Scope, receive: Receive, send: Send) -> None:
        now = self.state.clock()
        self.state.limits.record_error(now, code)
        await json_response(failure_body(now, code, message))(scope, receive, send)


def _token_of(scope: Scope, query: dict[str, list[str]], *, strict: bool) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            if text.lower().startswith("bearer "):
                return text[7:].strip()
    if not strict and query.get("access_token"):
        return query["access_token"][0]
    return None


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def _apply_method_override(scope: Scope, body: bytes) -> Scope:
    if scope["method"] != "POST":
        return scope
    query = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    form: list[tuple[str, str]] = []
    if _content_type(scope) == "application/x-www-form-urlencoded":
        form = urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    override = [v for k, v in query + form if k == "_method"]
    if not override or override[0].upper() != "GET":
        return scope
    merged = [(k, v) for k, v in query + form if k != "_method"]
    rewritten = dict(scope)
    rewritten["method"] = "GET"
    rewritten["query_string"] = urllib.parse.urlencode(merged).encode("latin-1")
    return rewritten


async def _plain(status: int, text: str, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(text)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
