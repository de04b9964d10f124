"""Marketo client-credentials tokens: fetched from ``/identity/oauth/token``, cached, renewed early.

Reference/marketo.md §1. A token lives 3600 s; asking again before it expires returns the **same** token
with the remaining seconds, so renewing "early" only helps once the old one is nearly gone: we ask at
less than 5 minutes left, and if Marketo hands back the same token we keep it until it expires instead
of asking on every call. 601/602 on a call make the transport ``invalidate`` the token and replay once.
The identity call does not count against the daily quota (§1) and does not go through the throttle.

The client id and secret travel as query parameters (the documented form). They never appear in our
messages, and because httpx logs every request URL at INFO, a filter on the ``httpx`` logger masks
``client_secret=`` whatever the process's logging configuration.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from handoff.clock import Clock
from sync.errors import AuthError, RetryableError
from sync.marketo.errors import SYSTEM, transport_error
from sync.marketo.metrics import TOKENS

RENEW_BEFORE = timedelta(minutes=5)

_SECRET_IN_URL = re.compile(r"(client_secret=)[^&\s\"']+")


class _MaskClientSecret(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any("client_secret=" in str(a) for a in record.args):
            record.args = tuple(
                _SECRET_IN_URL.sub(r"\1***", str(a)) if "client_secret=" in str(a) else a for a in record.args
            )
        if isinstance(record.msg, str) and "client_secret=" in record.msg:
            record.msg = _SECRET_IN_URL.sub(r"\1***", record.msg)
        return True


def _mask_secrets_in_httpx_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskClientSecret) for f in logger.filters):
        logger.addFilter(_MaskClientSecret())


@dataclass(frozen=True)
class MarketoToken:
    access_token: str = field(repr=False)
    expires_at: datetime
    renew_at: datetime


def _identity_error(status: int, body: Any) -> AuthError | RetryableError:
    if status >= 500 or status == 429:
        return RetryableError(
            f"Marketo identity endpoint unavailable (HTTP {status})", code=f"HTTP_{status}", system=SYSTEM
        )
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description") or ""
        return AuthError(
            f"Marketo refused the client credentials: {body['error']}: {description} "
            "(check the client id and secret of the LaunchPoint API service)",
            code=body["error"],
            system=SYSTEM,
        )
    return AuthError(
        f"Marketo identity endpoint answered HTTP {status} without a token",
        code=f"HTTP_{status}",
        system=SYSTEM,
    )


class MarketoTokenSource:
    """One cached token per client id; concurrent callers share a single identity request."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        clock: Clock,
    ) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/identity/oauth/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._token: MarketoToken | None = None
        self._lock = asyncio.Lock()
        self.tokens_fetched = 0
        _mask_secrets_in_httpx_logs()

    def __repr__(self) -> str:
        return f"MarketoTokenSource(client_id={self._client_id!r})"

    async def token(self) -> MarketoToken:
        current = self._token
        if current is not None and self._clock() < current.renew_at:
            return current
        async with self._lock:
            current = self._token
            if current is None or self._clock() >= current.renew_at:
                self._token = await self._fetch(previous=current)
            return self._token

    def invalidate(self, stale: MarketoToken) -> None:
        """601/602: forget ``stale`` unless a concurrent caller already replaced it."""
        if self._token is stale:
            self._token = None

    async def _fetch(self, previous: MarketoToken | None) -> MarketoToken:
        params = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        try:
            response = await self._http.get(self._url, params=params)
        except httpx.TransportError as exc:
            raise transport_error(exc, context="identity endpoint") from exc
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            # A 200 carrying an ``error`` instead of a token crashed marketorestpython (#62): say it clearly.
            raise _identity_error(response.status_code, body)
        try:
            expires_in = max(0, int(body.get("expires_in", 0)))
        except (TypeError, ValueError) as exc:
            raise AuthError(
                "Marketo identity endpoint sent a non-numeric expires_in",
                code="INVALID_TOKEN_REPLY",
                system=SYSTEM,
            ) from exc
        now = self._clock()
        access_token = str(body["access_token"])
        expires_at = now + timedelta(seconds=expires_in)
        renew_at = expires_at - RENEW_BEFORE
        if renew_at <= now:
            # Marketo returns the same token until it expires (§1): asking again before then is wasted.
            renew_at = expires_at
        self.tokens_fetched += 1
        TOKENS.labels("renewed" if previous is not None else "new").inc()
        return MarketoToken(access_token=access_token, expires_at=expires_at, renew_at=renew_at)
