"""One authenticated Salesforce REST call: token, reserve check, send, limit reading, re-auth, typed errors.

Every public method of the client goes through ``SalesforceTransport.request``, so the rules live in one
place: a ``401`` mints a new token and replays the request once (reference/salesforce.md §1a, §11);
``Sforce-Limit-Info`` is read from every response (§9); a timeout or a dropped connection is retryable;
any other failure is classified by ``sync.salesforce.errors``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from handoff.clock import Clock
from sync.outbox import PRIORITY_SYNC
from sync.salesforce.auth import SalesforceToken, TokenSource
from sync.salesforce.errors import error_from_response, invalid_body_error, transport_error
from sync.salesforce.limits import ApiAllocation, ApiUsage
from sync.salesforce.metrics import API_REMAINING, CALLS, ERRORS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SalesforceResponse:
    status: int
    body: Any


class SalesforceTransport:
    """Sends REST requests relative to ``/services/data/vXX.X/`` of the org's instance."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        tokens: TokenSource,
        api_version: str,
        daily_reserve: int,
        clock: Clock,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._clock = clock
        self.api_version = api_version
        self.allocation = ApiAllocation(daily_reserve)
        self.calls = 0

    @property
    def api_usage(self) -> ApiUsage | None:
        """The last ``Sforce-Limit-Info`` reading (used, max, remaining), or None before the first call."""
        return self.allocation.usage

    def _path(self, path: str) -> str:
        # ``nextRecordsUrl`` and record ``attributes.url`` are already absolute paths (§3).
        if path.startswith("/services/"):
            return path
        return f"/services/data/v{self.api_version}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        priority: int = PRIORITY_SYNC,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> SalesforceResponse:
        self.allocation.check(priority, self._clock())
        full_path = self._path(path)
        context = f"{endpoint} ({method} {full_path})"
        replayed = False
        while True:
            token = await self._tokens.token()
            response = await self._send(
                method, token, full_path, params, json_body, headers, endpoint, context
            )
            usage = self.allocation.observe(response.headers.get("Sforce-Limit-Info"), self._clock())
            if usage is not None:
                API_REMAINING.set(usage.remaining)
            if response.status_code == 401 and not replayed:
                # The session timed out or was revoked: one fresh token, one replay (§1a).
                log.info("Salesforce session expired: minting a new token", extra={"endpoint": endpoint})
                self._tokens.invalidate(token)
                replayed = True
                CALLS.labels(endpoint, "reauth").inc()
                continue
            if response.status_code >= 300:
                error = error_from_response(
                    response.status_code,
                    response.content,
                    response.headers.get("content-type", ""),
                    context=context,
                    now=self._clock(),
                )
                CALLS.labels(endpoint, error.error_class).inc()
                ERRORS.labels(endpoint, error.code or "unknown").inc()
                raise error
            CALLS.labels(endpoint, "ok").inc()
            return SalesforceResponse(response.status_code, self._body(response, context, endpoint))

    async def _send(
        self,
        method: str,
        token: SalesforceToken,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        endpoint: str,
        context: str,
    ) -> httpx.Response:
        all_headers = {**(headers or {}), "Authorization": f"Bearer {token.access_token}"}
        content = None
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        self.calls += 1
        try:
            return await self._http.request(
                method, token.instance_url + path, params=params, content=content, headers=all_headers
            )
        except httpx.TransportError as exc:
            error = transport_error(exc, context=context)
            CALLS.labels(endpoint, "retryable").inc()
            ERRORS.labels(endpoint, error.code or "CONNECTION").inc()
            raise error from exc

    @staticmethod
    def _body(response: httpx.Response, context: str, endpoint: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            ERRORS.labels(endpoint, "INVALID_BODY").inc()
            raise invalid_body_error(response.content, context=context) from exc
