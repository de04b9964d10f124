"""One Marketo REST call: throttle permit, bearer token, envelope, and the reactions the codes demand.

Reference/marketo.md §1, §2. 601/602 drop the token and replay once. 606 pauses the whole instance for
the 20 s window (someone else filled it) and tries again; 615, 604, 608, 611 and 713 (6xx means "nothing
done") are tried again after a short back-off, at most ``max_retries`` times. 502 and timeouts are not:
the request may have been carried out. 607 stops every lane until the daily reset. Everything else goes
to the caller as a typed error, and the outbox backs off by class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import httpx

from handoff.clock import Clock
from sync.errors import QuotaError, RetryableError, SyncError
from sync.marketo.auth import MarketoToken, MarketoTokenSource
from sync.marketo.batching import chunk_records, encode
from sync.marketo.envelope import CallError, Envelope, Expect, parse_envelope
from sync.marketo.errors import NOT_COUNTED, NOTHING_DONE, RATE_WINDOW_SECONDS, TOKEN_CODES, transport_error
from sync.marketo.metrics import CALLS, ERRORS
from sync.marketo.results import RecordOutcome, failed_records, parse_record_results
from sync.marketo.throttle import Sleep, Throttle
from sync.outbox import PRIORITY_SYNC

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0


class MarketoTransport:
    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        tokens: MarketoTokenSource,
        throttle: Throttle,
        clock: Clock,
        sleep: Sleep,
        max_retries: int = 2,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self.throttle = throttle
        self._clock = clock
        self._sleep = sleep
        self.max_retries = max_retries
        self.calls = 0
        self.errors_by_code: dict[str, int] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        priority: int = PRIORITY_SYNC,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        expect: Expect = "result",
    ) -> Envelope:
        content = encode(json_body) if json_body is not None else None
        retries = 0
        reauthed = False
        while True:
            token = await self._tokens.token()
            outcome = await self._send(method, path, token, endpoint, priority, params, content, form, expect)
            if isinstance(outcome, Envelope):
                CALLS.labels(endpoint, "ok").inc()
                return outcome
            error, code = outcome.error, outcome.code
            label = error.code or "unknown"
            ERRORS.labels(endpoint, label).inc()
            self.errors_by_code[label] = self.errors_by_code.get(label, 0) + 1
            if code in TOKEN_CODES and not reauthed:
                self._tokens.invalidate(token)
                reauthed = True
                CALLS.labels(endpoint, "reauth").inc()
                continue
            if code == "606":
                # Our own throttle never sends a 101st call: another integration shares the window.
                log.warning(
                    "Marketo 606: pausing every call of this instance for the 20 s window",
                    extra={"endpoint": endpoint, "request_id": error.request_id},
                )
                await self.throttle.pause(RATE_WINDOW_SECONDS)
            if isinstance(error, QuotaError) and code == "607" and error.resume_at is not None:
                log.error(
                    "Marketo 607: daily quota reached, no calls until the reset",
                    extra={
                        "endpoint": endpoint,
                        "request_id": error.request_id,
                        "resume_at": error.resume_at,
                    },
                )
                await self.throttle.exhaust(error.resume_at)
            if isinstance(error, RetryableError) and code in NOTHING_DONE and retries < self.max_retries:
                retries += 1
                CALLS.labels(endpoint, "retry").inc()
                if code != "606":  # the throttle already waits the window out for everyone
                    base = error.retry_after_seconds or 1.0
                    await self._sleep(min(MAX_BACKOFF_SECONDS, base * 2 ** (retries - 1)))
                continue
            CALLS.labels(endpoint, error.error_class).inc()
            raise error

    async def _send(
        self,
        method: str,
        path: str,
        token: MarketoToken,
        endpoint: str,
        priority: int,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        form: Mapping[str, str] | None,
        expect: Expect,
    ) -> Envelope | CallError:
        headers = {"Authorization": f"Bearer {token.access_token}"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        context = f"{endpoint} ({method} {path})"
        async with self.throttle.call(priority) as permit:
            self.calls += 1
            try:
                response = await self._http.request(
                    method, self._base_url + path, params=params, content=content, data=form, headers=headers
                )
            except httpx.TransportError as exc:
                # A refused connection never reached Marketo; a timeout may have been carried out and counts.
                permit.counted = not isinstance(exc, httpx.ConnectError)
                return CallError(transport_error(exc, context=context), None)
            outcome = parse_envelope(
                response.status_code,
                response.content,
                response.headers.get("content-type", ""),
                expect=expect,
                context=context,
                now=self._clock(),
            )
            if isinstance(outcome, CallError) and outcome.code in NOT_COUNTED:
                permit.counted = False
            return outcome

    async def write_records(
        self,
        path: str,
        records: Sequence[Mapping[str, Any]],
        body: Mapping[str, Any],
        *,
        endpoint: str,
        priority: int,
        key: Callable[[Mapping[str, Any]], Hashable] | None = None,
    ) -> list[RecordOutcome]:
        """POST ``{**body, "input": chunk}`` chunk after chunk; one outcome per input record, in input order.

        After a failed call the remaining chunks are not sent (their records are ``not_sent`` with the
        same error): a 607 or an auth failure would only repeat, and the outbox retries them by class.
        """
        outcomes: list[RecordOutcome] = []
        failure: SyncError | None = None
        for offset, chunk in chunk_records(records, body, key=key):
            if failure is not None:
                outcomes.extend(failed_records(offset, len(chunk), failure, sent=False))
                continue
            try:
                envelope = await self.call(
                    "POST", path, endpoint=endpoint, priority=priority, json_body={**body, "input": chunk}
                )
            except SyncError as exc:
                failure = exc
                outcomes.extend(failed_records(offset, len(chunk), exc, sent=True))
                continue
            outcomes.extend(
                parse_record_results(
                    envelope, offset=offset, expected=len(chunk), endpoint=endpoint, now=self._clock()
                )
            )
        return outcomes
