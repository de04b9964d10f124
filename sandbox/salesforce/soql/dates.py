"""Relative date literals (``TODAY``, ``LAST_N_DAYS:n``, …) as half-open ranges of time.

SOQL evaluates them in the running user's time zone and compares: ``=`` inside the range, ``<`` before
its start, ``<=`` before its end, ``>`` at or after its end, ``>=`` at or after its start. Weeks start on
Sunday (en_US locale). ``LAST_N_DAYS:n`` covers the n previous days and today; ``NEXT_N_DAYS:n`` the n
following days. Pure: ``now`` is passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.salesforce.soql.ast import DateLiteral


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def local_range(literal: DateLiteral, today: date) -> tuple[date, date]:
    """The literal as ``[first_day, day_after_last)`` in local dates."""
    n = literal.n or 0
    day = timedelta(days=1)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)
    month_start = today.replace(day=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    year_start = date(today.year, 1, 1)
    ranges = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "THIS_WEEK": (week_start, week_start + 7 * day),
        "LAST_WEEK": (week_start - 7 * day, week_start),
        "NEXT_WEEK": (week_start + 7 * day, week_start + 14 * day),
        "THIS_MONTH": (month_start, _add_months(month_start, 1)),
        "LAST_MONTH": (_add_months(month_start, -1), month_start),
        "NEXT_MONTH": (_add_months(month_start, 1), _add_months(month_start, 2)),
        "THIS_QUARTER": (quarter_start, _add_months(quarter_start, 3)),
        "LAST_QUARTER": (_add_months(quarter_start, -3), quarter_start),
        "NEXT_QUARTER": (_add_months(quarter_start, 3), _add_months(quarter_start, 6)),
        "THIS_YEAR": (year_start, date(today.year + 1, 1, 1)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), year_start),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
        "LAST_N_WEEKS": (week_start - 7 * n * day, week_start),
        "NEXT_N_WEEKS": (week_start + 7 * day, week_start + 7 * (n + 1) * day),
        "LAST_N_MONTHS": (_add_months(month_start, -n), month_start),
        "NEXT_N_MONTHS": (_add_months(month_start, 1), _add_months(month_start, n + 1)),
    }
    return ranges[literal.name]


def instant_range(literal: DateLiteral, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The literal as ``[start, end)`` aware UTC instants, midnight to midnight in ``zone``."""
    first, after_last = local_range(literal, now.astimezone(zone).date())
    return (
        datetime.combine(first, time(), zone).astimezone(UTC),
        datetime.combine(after_last, time(), zone).astimezone(UTC),
    )


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
