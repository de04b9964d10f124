"""Properties of the SLA clock over random calendars, zones with odd DST rules, and random instants."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import BusinessCalendar
from sla.clock import MICROSECONDS, BusinessTime, WallTime

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",  # DST changes at midnight
    "America/Havana",  # DST changes at midnight
    "Australia/Lord_Howe",  # half-hour DST shift
    "Asia/Kolkata",  # half-hour offset, no DST
    "Pacific/Chatham",  # 45-minute offset
]

SPAN_START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 366 * 86_400


@st.composite
def day_ranges(draw):
    """Sorted, non-overlapping ranges in minutes, on a quarter-hour grid, possibly touching."""
    cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
    ranges = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if end > start:
            ranges.append((start * 15, end * 15))
    return tuple(ranges)


@st.composite
def calendars(draw):
    weekly = tuple(draw(day_ranges()) for _ in range(7))
    if not any(weekly):
        weekly = (((540, 1020),), *weekly[1:])
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2028, 1, 1)), max_size=20))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekly, holidays)  # type: ignore[arg-type]


instants = st.integers(0, SPAN_SECONDS).map(lambda s: SPAN_START + timedelta(seconds=s))
durations = st.integers(0, 30 * 86_400)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, instants, instants)
def test_elapsed_is_additive(calendar, a, b, c):
    a, b, c = sorted((a, b, c))
    measure = BusinessTime(calendar)
    assert measure.elapsed_micros(a, c) == measure.elapsed_micros(a, b) + measure.elapsed_micros(b, c)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, instants, instants)
def test_elapsed_is_monotonic_and_never_negative(calendar, a, b, c):
    a, b, c = sorted((a, b, c))
    measure = BusinessTime(calendar)
    assert 0 <= measure.elapsed_micros(a, b) <= measure.elapsed_micros(a, c)
    assert measure.elapsed_micros(c, a) == 0
    assert measure.elapsed_micros(a, c) <= int((c - a).total_seconds()) * MICROSECONDS


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, durations, durations)
def test_adding_then_measuring_gives_the_target_back(calendar, start, first, second):
    measure = BusinessTime(calendar)
    shorter, longer = sorted((first, second))
    due_short = measure.add(start, shorter)
    due_long = measure.add(start, longer)
    assert start <= due_short <= due_long
    assert measure.elapsed_micros(start, due_short) == shorter * MICROSECONDS
    assert measure.elapsed_micros(start, due_long) == longer * MICROSECONDS


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.integers(1, 30 * 86_400))
def test_due_time_lies_in_working_time(calendar, start, seconds):
    due = BusinessTime(calendar).add(start, seconds)
    assert calendar.is_open(due - timedelta(microseconds=1))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), instants, instants)
def test_around_the_clock_calendar_equals_wall_time(zone, a, b):
    calendar = BusinessCalendar(zone, (((0, 1440),),) * 7)  # type: ignore[arg-type]
    assert BusinessTime(calendar).elapsed_micros(a, b) == WallTime().elapsed_micros(a, b)


@settings(max_examples=100, deadline=None)
@given(calendars(), st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_open_intervals_of_consecutive_days_never_overlap(calendar, day):
    today = calendar.open_intervals(day)
    tomorrow = calendar.open_intervals(day + timedelta(days=1))
    for start, end in today:
        assert start < end
    for (_, end), (start, _) in itertools.pairwise(today):
        assert end <= start
    if today and tomorrow:
        assert today[-1][1] <= tomorrow[0][0]
