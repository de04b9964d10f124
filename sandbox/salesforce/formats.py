"""Wire formats of Salesforce values: datetimes, dates and numbers in and out of JSON.

Reference §2: REST output datetimes are ``2021-05-27T13:59:29.000+0000`` (milliseconds, ``+0000``), dates
``2024-06-30``; input accepts ``Z`` or any offset. Everything stored is an aware UTC ``datetime`` or a
``date``. Pure functions only.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_datetime(value: datetime) -> str:
    """``2026-05-27T13:59:29.000+0000``: the REST and SOQL output form (always UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are never stored")
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def format_date(value: date) -> str:
    return value.isoformat()


def parse_datetime(text: str) -> datetime:
    """Parse an input datetime (``Z``, ``±hh:mm`` or ``±hhmm``; no zone means UTC, as the API assumes)."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a datetime: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micros, tzinfo=UTC
    )
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= sign * offset
    return moment


def parse_date(text: str) -> date:
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
