"""A person's working time: local hours per weekday, days off, and arithmetic in working minutes (pure).

Reps only act inside their calendar, so every SDR/AE action of the world is placed with
``add_working_minutes`` (a delay counted in working minutes from an instant) or ``next_working``.
Hours are local wall-clock ranges; instants are aware UTC. Days off are local dates (public holidays of
the person's region plus their own leave). DST is handled by building each period in the zone itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MinuteRange = tuple[int, int]
_SEARCH_DAYS = 400


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class WorkCalendar:
    time_zone: str
    hours: tuple[tuple[MinuteRange, ...], ...]
    days_off: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise ValueError("hours need one entry per weekday, Monday first")
        for day in self.hours:
            for start, end in day:
                if not 0 <= start < end <= 24 * 60:
                    raise ValueError(f"bad working range {start}-{end}")
        if not any(self.hours):
            raise ValueError("a calendar needs working hours on at least one weekday")
        ZoneInfo(self.time_zone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def periods(self, start: datetime, *, days: int = _SEARCH_DAYS) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (UTC) that end after ``start``, in order, for at most ``days`` local days."""
        zone = self.zone
        local_day = start.astimezone(zone).date() - timedelta(days=1)
        for offset in range(days + 1):
            day = local_day + timedelta(days=offset)
            if day in self.days_off:
                continue
            for begin, end in self.hours[day.weekday()]:
                period_start = _instant(day, begin, zone)
                period_end = _instant(day, end, zone)
                if period_end > start:
                    yield max(period_start, start), period_end

    def is_working(self, at: datetime) -> bool:
        first = next(self.periods(at, days=2), None)
        return first is not None and first[0] <= at < first[1]

    def next_working(self, at: datetime) -> datetime:
        """``at`` itself when it is working time, else the start of the next working period."""
        first = next(self.periods(at), None)
        if first is None:
            raise ValueError("no working time within a year")
        return first[0]

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant after ``minutes`` of working time from ``start`` (0 moves to the next working instant)."""
        remaining = timedelta(minutes=max(0.0, minutes))
        for period_start, period_end in self.periods(start):
            length = period_end - period_start
            if remaining < length or (remaining == length and remaining == timedelta(0)):
                return period_start + remaining
            remaining -= length
        raise ValueError("no working time within a year")

    def hours_text(self) -> dict[str, list[str]]:
        """Hours as the SLA calendar config writes them: ``{"mon": ["09:00-12:30", ...], ...}``."""
        return {
            name: [f"{_clock_text(a)}-{_clock_text(b)}" for a, b in day]
            for name, day in zip(WEEKDAYS, self.hours, strict=True)
            if day
        }


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def office_hours(
    start: int, end: int, lunch: MinuteRange | None = None
) -> tuple[tuple[MinuteRange, ...], ...]:
    """Monday-Friday from ``start`` to ``end`` (minutes after midnight), with an optional lunch break."""
    if lunch is not None and start < lunch[0] < lunch[1] < end:
        day: tuple[MinuteRange, ...] = ((start, lunch[0]), (lunch[1], end))
    else:
        day = ((start, end),)
    return (day, day, day, day, day, (), ())
