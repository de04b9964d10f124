"""Marketo error codes and what each means for the caller (reference/marketo.md §2). Pure.

Marketo reports almost every failure with HTTP 200 and a string code in ``errors[]`` (call level) or in
``result[i].reasons`` (record level, ``status: "skipped"``). This table is the only place that knows the
codes: 6xx/7xx become the four classes of ``sync.errors``; unknown codes are permanent so that nothing
is retried forever.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sync.errors import AuthError, PermanentError, QuotaError, RetryableError, SyncError

SYSTEM = "marketo"

# The daily quota resets at "12:00 AM CST", i.e. midnight Central (§7); we follow the zone's DST.
RESET_ZONE = ZoneInfo("America/Chicago")

RATE_WINDOW_SECONDS = 20.0

# Retryable call-level codes and the least time to wait before trying again.
RETRY_AFTER_SECONDS: dict[str, float] = {
    "502": 5.0,  # bad gateway (timeout): the outcome is unknown
    "604": 5.0,  # request timed out
    "606": RATE_WINDOW_SECONDS,  # more than 100 calls in 20 s: wait the window out
    "608": 10.0,  # API temporarily unavailable
    "611": 10.0,  # system error ("maybe")
    "614": 300.0,  # invalid subscription, "usually temporary"
    "615": 1.0,  # more than 10 concurrent requests
    "713": 5.0,  # transient
}
# Codes that say the request was refused before anything happened: safe to send again at once.
NOTHING_DONE = frozenset({"601", "602", "604", "606", "608", "611", "615", "713"})
# Marked with a star in the docs as not counting toward the quota or rate limits (§2).
NOT_COUNTED = frozenset({"601", "602", "604", "605", "608", "611"})
TOKEN_CODES = frozenset({"601", "602"})
# Record-level reasons that marketorestpython retries (§2): imports or creates that collided.
RECORD_RETRY_AFTER_SECONDS: dict[str, float] = {"1014": 30.0, "1016": 60.0, "1019": 60.0, "1022": 30.0}


class MarketoCrmSyncEnabled(PermanentError):
    """1018 "CRM Enabled": native CRM sync makes companies read-only here; skip, do not retry (§6)."""


def next_daily_reset(now: datetime) -> datetime:
    """The next midnight in Central time, as aware UTC."""
    local = now.astimezone(RESET_ZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=RESET_ZONE)
    return midnight.astimezone(UTC)


def error_for_code(
    code: str, message: str, *, request_id: str | None, now: datetime, context: str, record: bool = False
) -> SyncError:
    """One Marketo code (call level, or a record's skip reason with ``record=True``) as a typed error."""
    text = f"Marketo {context}: {code} {message}".rstrip()
    common: dict[str, Any] = {"code": code, "request_id": request_id, "system": SYSTEM}
    if code == "607":
        return QuotaError(text, resume_at=next_daily_reset(now), **common)
    if code == "1029":
        # One code for "too many jobs queued" (later) and "export daily quota exceeded" (stop): §2, #63.
        if "quota" in message.lower():
            return QuotaError(text, resume_at=next_daily_reset(now), **common)
        return RetryableError(text, retry_after_seconds=300.0, **common)
    if code in TOKEN_CODES or code == "603":
        return AuthError(text, **common)
    if code == "1018":
        return MarketoCrmSyncEnabled(text, **common)
    if not record and code in RETRY_AFTER_SECONDS:
        return RetryableError(text, retry_after_seconds=RETRY_AFTER_SECONDS[code], **common)
    if record and code in RECORD_RETRY_AFTER_SECONDS:
        return RetryableError(text, retry_after_seconds=RECORD_RETRY_AFTER_SECONDS[code], **common)
    return PermanentError(text, **common)


def transport_error(exc: httpx.TransportError, *, context: str) -> RetryableError:
    """No HTTP answer: a timeout (the request may have been carried out) or a failed connection."""
    if isinstance(exc, httpx.TimeoutException):
        error = RetryableError(f"Marketo {context}: timed out", code="TIMEOUT", system=SYSTEM)
    else:
        error = RetryableError(
            f"Marketo {context}: connection failed ({type(exc).__name__})", code="CONNECTION", system=SYSTEM
        )
    error.__cause__ = exc
    return error
