"""Folding UTC hours into local days, hours of day and weekdays, and the reverse for drill-downs.

Pure. The database groups by UTC hour (the only time bucket both SQLite and PostgreSQL compute the same
way); this module moves each hour into the dashboard's time zone with that hour's own offset, so that a
chart by local hour stays exact across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def fold_days(
    rows: Iterable[tuple[datetime, Sequence[int]]], tz: ZoneInfo, days: Sequence[date]
) -> dict[date, list[int]]:
    """Sum per-UTC-hour count vectors into local days (every day of ``days`` present, zeros included)."""
    result: dict[date, list[int]] = {}
    width = 0
    for hour, counts in rows:
        width = len(counts)
        day = local(hour, tz).date()
        totals = result.setdefault(day, [0] * width)
        for index, count in enumerate(counts):
            totals[index] += count
    return {day: result.get(day, [0] * width) for day in days}


def fold_week_hours(
    rows: Iterable[tuple[datetime, Sequence[int]]], tz: ZoneInfo
) -> dict[tuple[int, int], list[int]]:
    """Sum per-UTC-hour count vectors into (local weekday 0=Monday, local hour) cells."""
    result: dict[tuple[int, int], list[int]] = {}
    for hour, counts in rows:
        moment = local(hour, tz)
        totals = result.setdefault((moment.weekday(), moment.hour), [0] * len(counts))
        for index, count in enumerate(counts):
            totals[index] += count
    return result


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def weeks_of(days: Sequence[date]) -> dict[date, date]:
    """Each day's Monday: long ranges are charted by week so a line has at most ~160 points."""
    return {day: day - timedelta(days=day.weekday()) for day in days}


def local_day_interval(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def local_hour_intervals(
    days: Sequence[date], tz: ZoneInfo, *, hour: int | None = None, weekday: int | None = None
) -> list[tuple[datetime, datetime]]:
    """UTC intervals covering a local hour of day and/or a weekday over ``days`` (for drill-down filters).

    A local hour skipped by a DST change yields no interval that day; a repeated one yields its whole
    (two-hour) span, exactly as ``fold_week_hours`` counted it.
    """
    intervals: list[tuple[datetime, datetime]] = []
    for day in days:
        if weekday is not None and day.weekday() != weekday:
            continue
        day_start, day_end = local_day_interval(day, tz)
        if hour is None:
            intervals.append((day_start, day_end))
            continue
        cursor, first, last = day_start, None, None
        while cursor < day_end:
            if local(cursor, tz).hour == hour:
                first = first or cursor
                last = cursor + timedelta(hours=1)
            cursor += timedelta(hours=1)
        if first is not None and last is not None:
            intervals.append((first, last))
    return _merge(intervals)


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
