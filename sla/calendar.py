"""Business calendars: which instants are working time, in a time zone, across DST, weekends and holidays.

Pure: plain values in, UTC intervals out. Working hours are local wall-clock times, so a day's hours are
turned into UTC instants through the zone's rules for that very date. Two local-time oddities are settled
once, here, so that the clock arithmetic above never meets them:

* a wall time that does not exist (inside a spring-forward gap) means the first instant after the gap;
* a wall time that happens twice (inside a fall-back overlap) opens a range at its first occurrence and
  closes a range at its last, so that a range keeps every instant whose wall time lies inside it.

The intervals of one local day are merged, and clipped so that they never overlap the previous day's, so
the working instants of a calendar are one well-defined set whatever day a computation starts from (that
is what makes elapsed business time additive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Interval = tuple[datetime, datetime]
# Working ranges of one weekday, in minutes after local midnight; an end of 1440 means midnight next day.
DayRanges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours per weekday (Monday first) in ``time_zone``, minus whole-day ``holidays`` (local dates)."""

    time_zone: str
    weekly: tuple[DayRanges, DayRanges, DayRanges, DayRanges, DayRanges, DayRanges, DayRanges]
    holidays: frozenset[date] = field(default_factory=frozenset)
    name: str = ""

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not in the middle of a tick
        if len(self.weekly) != 7:
            raise ValueError("weekly hours need one entry per weekday, Monday first")
        for day_ranges in self.weekly:
            previous_end = -1
            for start, end in day_ranges:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise ValueError(f"working range {start}-{end} is not inside one day, start before end")
                if start < previous_end:
                    raise ValueError("working ranges of a day must be sorted and must not overlap")
                previous_end = end
        if not any(self.weekly):
            raise ValueError("a business calendar needs working hours on at least one weekday")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def with_time_zone(self, time_zone: str) -> BusinessCalendar:
        """The same hours and holidays read in another zone (the owner's or the lead's)."""
        if time_zone == self.time_zone:
            return self
        return BusinessCalendar(time_zone, self.weekly, self.holidays, self.name)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def open_intervals(self, day: date) -> tuple[Interval, ...]:
        """The working intervals (UTC, half-open, sorted, disjoint) that belong to local date ``day``."""
        return _open_intervals(self, day)

    def is_open(self, instant: datetime) -> bool:
        day = self.local_date(instant)
        for candidate in (day - timedelta(days=1), day, day + timedelta(days=1)):
            for start, end in self.open_intervals(candidate):
                if start <= instant < end:
                    return True
        return False


def hours(*ranges: str) -> DayRanges:
    """Build one weekday's ranges from "09:00-17:00" strings (for code and tests; config has its own parser)."""
    return tuple(parse_range(text) for text in ranges)


def parse_range(text: str) -> tuple[int, int]:
    """Parse "HH:MM-HH:MM" into minutes after midnight; 24:00 is allowed as an end only."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = _minutes(start_text), _minutes(end_text)
    except ValueError:
        raise ValueError(f'"{text}" is not a range of hours; write e.g. 09:00-17:30') from None
    if start == MINUTES_PER_DAY:
        raise ValueError(f'"{text}": a range cannot start at 24:00')
    if end <= start:
        raise ValueError(f'"{text}" is inverted or empty: the end must come after the start')
    return start, end


def _minutes(text: str) -> int:
    hour_text, minute_text = text.split(":")
    if not (hour_text.isdigit() and minute_text.isdigit() and len(minute_text) == 2):
        raise ValueError(text)
    hour, minute = int(hour_text), int(minute_text)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(text)
    return hour * 60 + minute


def local_to_utc(day: date, minute: int, zone: ZoneInfo, *, opening: bool) -> datetime:
    """The UTC instant of local wall time ``minute`` on ``day``, settling gaps and overlaps (see module doc)."""
    if minute >= MINUTES_PER_DAY:
        day += timedelta(days=minute // MINUTES_PER_DAY)
        minute %= MINUTES_PER_DAY
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:  # fall-back overlap: the wall time happens twice
        return first if opening else second
    # Spring-forward gap: fold=0 read the wall time with the offset before the jump, fold=1 with the one after,
    # so the jump lies between them; find it to the second.
    return _transition(second, first, zone)


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    low, high = int(before.timestamp()), int(after.timestamp())
    offset_low = datetime.fromtimestamp(low, zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_low:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _raw_intervals(calendar: BusinessCalendar, day: date) -> list[Interval]:
    if day in calendar.holidays:
        return []
    zone = calendar.zone
    intervals: list[Interval] = []
    for start_minute, end_minute in calendar.weekly[day.weekday()]:
        start = local_to_utc(day, start_minute, zone, opening=True)
        end = local_to_utc(day, end_minute, zone, opening=False)
        if end > start:
            intervals.append((start, end))
    intervals.sort()
    merged: list[Interval] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=65_536)
def _open_intervals(calendar: BusinessCalendar, day: date) -> tuple[Interval, ...]:
    previous = _raw_intervals(calendar, day - timedelta(days=1))
    floor = previous[-1][1] if previous else None
    result: list[Interval] = []
    for start, end in _raw_intervals(calendar, day):
        if floor is not None and start < floor:
            start = floor
        if end > start:
            result.append((start, end))
    return tuple(result)
