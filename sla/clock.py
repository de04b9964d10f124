"""SLA arithmetic: the due time from a start and a target, and the time elapsed between two instants.

Pure: no clock reads, no I/O. Two measures share one interface so that a policy picks one in its config:
``WallTime`` counts every second, ``BusinessTime`` counts only a calendar's working seconds. Both work in
whole microseconds internally, so elapsed time is exactly additive and never negative, and
``elapsed(start, add(start, s)) == s`` for every start and every ``s >= 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sla.calendar import BusinessCalendar

MICROSECONDS = 1_000_000
# A calendar has working hours on some weekday (checked when it is built), so only a run of holidays longer
# than this can leave no working time at all; past it the calendar is wrong, not the lead slow.
MAX_SEARCH_DAYS = 3 * 366


class CalendarExhausted(ValueError):
    """The calendar has no working time within the search horizon (a holiday list that covers years)."""


class Measure(Protocol):
    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of this measure have elapsed since ``start``."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Seconds of this measure between ``start`` and ``end``; 0 when ``end`` is not after ``start``."""
        ...


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: SLA arithmetic takes aware instants only")
    return instant.astimezone(UTC)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * MICROSECONDS + delta.microseconds


def _to_micros(seconds: float) -> int:
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValueError(f"{seconds!r} is not a number of seconds")
    return max(0, round(seconds * MICROSECONDS))


@dataclass(frozen=True)
class WallTime:
    """Every second counts: nights, weekends and holidays included."""

    def add(self, start: datetime, seconds: float) -> datetime:
        return _utc(start) + timedelta(microseconds=_to_micros(seconds))

    def elapsed(self, start: datetime, end: datetime) -> float:
        return self.elapsed_micros(start, end) / MICROSECONDS

    def elapsed_micros(self, start: datetime, end: datetime) -> int:
        return max(0, _micros(_utc(end) - _utc(start)))


@dataclass(frozen=True)
class BusinessTime:
    """Only the working seconds of ``calendar`` count."""

    calendar: BusinessCalendar

    def add(self, start: datetime, seconds: float) -> datetime:
        start = _utc(start)
        remaining = _to_micros(seconds)
        if remaining == 0:
            return start
        first_day = self.calendar.local_date(start) - timedelta(days=1)
        for offset in range(MAX_SEARCH_DAYS):
            for open_at, close_at in self.calendar.open_intervals(first_day + timedelta(days=offset)):
                if close_at <= start:
                    continue
                begin = max(open_at, start)
                available = _micros(close_at - begin)
                if remaining <= available:
                    return begin + timedelta(microseconds=remaining)
                remaining -= available
        raise CalendarExhausted(
            f"calendar {self.calendar.name or self.calendar.time_zone} has no working time "
            f"within {MAX_SEARCH_DAYS} days of {start.isoformat()}"
        )

    def elapsed(self, start: datetime, end: datetime) -> float:
        return self.elapsed_micros(start, end) / MICROSECONDS

    def elapsed_micros(self, start: datetime, end: datetime) -> int:
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0
        total = 0
        day: date = self.calendar.local_date(start) - timedelta(days=1)
        last_day = self.calendar.local_date(end) + timedelta(days=1)
        while day <= last_day:
            for open_at, close_at in self.calendar.open_intervals(day):
                begin, finish = max(open_at, start), min(close_at, end)
                if finish > begin:
                    total += _micros(finish - begin)
            day += timedelta(days=1)
        return total


def due_at(measure: Measure, started_at: datetime, target_seconds: float) -> datetime:
    """When a clock started at ``started_at`` with ``target_seconds`` to first touch runs out."""
    return measure.add(started_at, target_seconds)
