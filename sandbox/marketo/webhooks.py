"""Webhooks and their delivery: the Call Webhook flow step (reference/marketo-webhooks.md).

- The URL, payload template and custom headers may hold tokens (``{{lead.Email Address}}``,
  ``{{lead.Id}}``, ``{{system.dateTime}}``, ``{{my.Token}}``, ``{{campaign.id}}``). With JSON token
  encoding, string-type tokens are enclosed in double quotes and escaped (Adobe's webhooks page:
  "String-type tokens are automatically enclosed in double quotes"); with form encoding they are
  URL-encoded. Tokens are rendered when the flow step runs, from the person as they are then.
- One person per call, at most 20 calls at once (further calls wait), about 30 s timeout, never retried.
  The outcome (status code, timeout, connection error, empty body = Marketo error 1001) is logged on the
  person as a 110 Call Webhook activity; a 2xx JSON body is mapped back into lead fields when the
  webhook has response mappings. Webhook calls do not count against the REST quota.
- ``drain()`` lets tests and the world deliver everything pending and wait for it; ``run()`` is the
  server's background loop. Only one loop delivers at a time, so the 20-connection bound is global.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import urllib.parse
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from sandbox.marketo import activity_types as types
from sandbox.marketo.core import Core
from sandbox.marketo.people import People
from sandbox.marketo.schema import InvalidValue, format_datetime, to_wire

ENCODINGS = ("json", "form", "none")
_TOKEN = re.compile(r"\{\{\s*(lead|system|my|campaign|program)\.([^}]+?)\s*\}\}", re.IGNORECASE)
_RESPONSE_TEXT_LIMIT = 1000


@dataclass
class Webhook:
    id: int
    name: str
    url: str
    method: str = "POST"
    template: str = ""
    encoding: str = "json"
    headers: dict[str, str] = field(default_factory=dict)
    response_mappings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookCall:
    """One rendered request for one person."""

    webhook_id: int
    webhook_name: str
    lead_id: int
    campaign_id: int | None
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    response_mappings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Delivery:
    call: WebhookCall
    status_code: int | None
    error_type: str | None
    response_text: str | None
    finished_at: datetime


@dataclass(frozen=True)
class TokenContext:
    lead: Mapping[str, Any]
    now: datetime
    campaign_id: int | None = None
    campaign_name: str | None = None
    my_tokens: Mapping[str, Any] = field(default_factory=dict)


def render(text: str, context: TokenContext, core: Core, *, mode: str) -> str:
    """Fill the tokens of ``text``; ``mode`` is the webhook encoding, or ``url`` / ``header``."""

    def value_of(match: re.Match[str]) -> str:
        scope, name = match.group(1).lower(), match.group(2).strip()
        value = _token_value(scope, name, context, core)
        if mode == "json":
            return json.dumps(value)
        text_value = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        if mode in ("form", "url"):
            return urllib.parse.quote(text_value, safe="")
        return text_value

    return _TOKEN.sub(value_of, text)


def _token_value(scope: str, name: str, context: TokenContext, core: Core) -> Any:
    if scope == "lead":
        spec = core.lead_schema.by_token_name(name)
        return to_wire(context.lead.get(spec.name)) if spec is not None else None
    if scope == "system":
        if name.lower() == "datetime":
            return format_datetime(context.now)
        if name.lower() == "date":
            return context.now.date().isoformat()
        return None
    if scope == "campaign":
        return {"id": context.campaign_id, "name": context.campaign_name}.get(name.lower())
    if scope == "my":
        return context.my_tokens.get(name)
    return None


class Webhooks:
    def __init__(
        self, core: Core, people: People, *, max_concurrent: int = 20, timeout_seconds: float = 30.0
    ) -> None:
        self._core = core
        self._people = people
        self.max_concurrent = max_concurrent
        self.timeout_seconds = timeout_seconds
        self.transport: httpx.AsyncBaseTransport | None = None
        self._webhooks: dict[int, Webhook] = {}
        self._ids = itertools.count(1)
        self._pending: deque[WebhookCall] = deque()
        self._active = 0
        self._idle = threading.Condition()
        self._delivering = threading.Lock()
        self._runner: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self.deliveries: list[Delivery] = []

    # -- definitions -------------------------------------------------------------------------------

    def create(
        self,
        name: str,
        url: str,
        *,
        method: str = "POST",
        template: str = "",
        encoding: str = "json",
        headers: Mapping[str, str] | None = None,
        response_mappings: Mapping[str, str] | None = None,
    ) -> Webhook:
        """Register a webhook; ``response_mappings`` maps a dotted path of the JSON response to a lead field."""
        method = method.upper()
        if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise ValueError(f"unsupported method {method!r}")
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}")
        if not url.startswith(("http://", "https://")):
            raise ValueError("webhook URL must be http(s)")
        with self._core.lock:
            for lead_field in (response_mappings or {}).values():
                if lead_field not in self._core.lead_schema:
                    raise ValueError(f"unknown lead field {lead_field!r} in response mappings")
            hook = Webhook(
                next(self._ids),
                name,
                url,
                method,
                template,
                encoding,
                dict(headers or {}),
                dict(response_mappings or {}),
            )
            self._webhooks[hook.id] = hook
            return hook

    def get(self, webhook_id: int) -> Webhook | None:
        with self._core.lock:
            return self._webhooks.get(webhook_id)

    def all(self) -> list[Webhook]:
        with self._core.lock:
            return list(self._webhooks.values())

    # -- queueing (called from flows, under the state lock) ----------------------------------------

    def enqueue(self, webhook_id: int, lead_id: int, context: TokenContext) -> WebhookCall:
        hook = self._webhooks.get(webhook_id)
        if hook is None:
            raise ValueError(f"unknown webhook {webhook_id}")
        body = (
            render(hook.template, context, self._core, mode=hook.encoding) if hook.method != "GET" else None
        )
        headers = {k: render(v, context, self._core, mode="header") for k, v in hook.headers.items()}
        if body is not None and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = (
                "application/json" if hook.encoding == "json" else "application/x-www-form-urlencoded"
            )
        call = WebhookCall(
            hook.id,
            hook.name,
            lead_id,
            context.campaign_id,
            hook.method,
            render(hook.url, context, self._core, mode="url"),
            tuple(headers.items()),
            body,
            tuple(hook.response_mappings.items()),
        )
        with self._idle:
            self._pending.append(call)
        runner = self._runner
        if runner is not None:
            runner[0].call_soon_threadsafe(runner[1].set)
        return call

    @property
    def pending_count(self) -> int:
        with self._idle:
            return len(self._pending) + self._active

    # -- delivery ----------------------------------------------------------------------------------

    async def drain(self) -> list[Delivery]:
        """Deliver everything pending (or wait for the server's loop to) and return what was delivered."""
        start = len(self.deliveries)
        if not self.pending_count:
            return []  # nothing queued: no HTTP client to build (callers drain after every simulated step)
        if self._delivering.acquire(blocking=False):
            try:
                await self._deliver_all()
            finally:
                self._delivering.release()
        else:
            await asyncio.to_thread(self._wait_idle)
        return self.deliveries[start:]

    async def run(self) -> None:
        """Deliver calls as they are queued, until cancelled (the server's lifespan runs this)."""
        wake = asyncio.Event()
        self._runner = (asyncio.get_running_loop(), wake)
        try:
            while True:
                await wake.wait()
                wake.clear()
                if self._delivering.acquire(blocking=False):
                    try:
                        await self._deliver_all()
                    finally:
                        self._delivering.release()
                else:
                    await asyncio.to_thread(self._wait_idle)
                    wake.set()
        finally:
            self._runner = None

    def _wait_idle(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: not self._pending and self._active == 0)

    def _claim(self) -> WebhookCall | None:
        with self._idle:
            if not self._pending:
                return None
            self._active += 1
            return self._pending.popleft()

    def _release(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    async def _deliver_all(self) -> None:
        slots = asyncio.Semaphore(self.max_concurrent)
        timeout = httpx.Timeout(self.timeout_seconds)
        limits = httpx.Limits(max_connections=self.max_concurrent)
        async with httpx.AsyncClient(
            transport=self.transport, timeout=timeout, limits=limits, follow_redirects=False
        ) as client:
            tasks: set[asyncio.Task[None]] = set()
            while True:
                await slots.acquire()
                call = self._claim()
                if call is None:
                    slots.release()
                    if not tasks:
                        break
                    _, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    continue
                task = asyncio.create_task(self._deliver(client, call, slots))
                tasks.add(task)
        with self._idle:
            self._idle.notify_all()

    async def _deliver(self, client: httpx.AsyncClient, call: WebhookCall, slots: asyncio.Semaphore) -> None:
        status: int | None = None
        error: str | None = None
        text: str | None = None
        try:
            response = await asyncio.wait_for(
                client.request(call.method, call.url, headers=list(call.headers), content=call.body),
                timeout=self.timeout_seconds,
            )
            status, text = response.status_code, response.text
            if 200 <= status < 300 and not text.strip():
                error = "1001 Empty response"
            elif status >= 300:
                error = f"HTTP {status}"
        except (TimeoutError, httpx.TimeoutException):
            error = "Timeout"
        except httpx.HTTPError as failure:
            error = f"Connection error: {type(failure).__name__}"
        finally:
            slots.release()
        try:
            self._finish(call, status, error, text)
        finally:
            self._release()

    def _finish(self, call: WebhookCall, status: int | None, error: str | None, text: str | None) -> None:
        with self._core.lock:
            when = self._core.now()
            delivery = Delivery(call, status, error, text, when)
            self.deliveries.append(delivery)
            if call.lead_id not in self._core.leads:
                return
            self._core.record(
                call.lead_id,
                types.CALL_WEBHOOK,
                when,
                primary_attribute_value_id=call.webhook_id,
                primary_attribute_value=call.webhook_name,
                attributes=[
                    ("Webhook Response", (text or "")[:_RESPONSE_TEXT_LIMIT]),
                    ("Response Code", status),
                    ("Error Type", error),
                ],
                campaign_id=call.campaign_id,
            )
            if status is not None and 200 <= status < 300 and error is None and call.response_mappings:
                self._map_response(call, text or "")

    def _map_response(self, call: WebhookCall, text: str) -> None:
        try:
            document = json.loads(text)
        except ValueError:
            return
        changes: dict[str, Any] = {}
        for path, lead_field in call.response_mappings:
            value: Any = document
            for part in path.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            if value is not None:
                changes[lead_field] = value
        try:
            self._people.update(
                call.lead_id, changes, reason=f"Webhook: {call.webhook_name}", source="Webhook"
            )
        except (InvalidValue, ValueError):
            return
