"""Holidays and working-time arithmetic: where SDR behaviour is allowed to happen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.world.calendar import WorkCalendar, office_hours
from sandbox.world.holidays import easter_sunday, holiday_dates, holidays

BERLIN = WorkCalendar(
    "Europe/Berlin", office_hours(9 * 60, 17 * 60 + 30, (12 * 60, 13 * 60)), holiday_dates("DE-BE", [2026])
)


def test_easter_and_moving_feasts() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    us = dict(holidays("US", [2026]))
    assert us[date(2026, 11, 26)] == "Thanksgiving Day"
    assert date(2026, 7, 3) in us  # July 4th 2026 is a Saturday: observed on Friday


def test_weekend_holidays_move_to_the_next_free_weekday() -> None:
    gb = holiday_dates("GB", [2026])
    assert {date(2026, 12, 25), date(2026, 12, 28)} <= gb  # Boxing Day 2026 is a Saturday
    sg = dict(holidays("SG", [2026]))
    assert sg[date(2026, 11, 9)] == "Deepavali (observed)"


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown holiday region"):
        holidays("XX", [2026])


def test_nobody_works_at_night_at_weekends_or_on_holidays() -> None:
    assert BERLIN.is_working(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))  # 10:00 in Berlin
    assert not BERLIN.is_working(datetime(2026, 11, 2, 11, 30, tzinfo=UTC))  # lunch
    assert not BERLIN.is_working(datetime(2026, 11, 2, 22, 0, tzinfo=UTC))
    assert not BERLIN.is_working(datetime(2026, 11, 7, 10, 0, tzinfo=UTC))  # Saturday
    assert not BERLIN.is_working(datetime(2026, 10, 3, 9, 0, tzinfo=UTC))  # German Unity Day
    friday_evening = datetime(2026, 11, 6, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    assert BERLIN.add_working_minutes(friday_evening, 60) == datetime(2026, 11, 9, 8, 30, tzinfo=UTC)


def test_working_time_crosses_the_dst_change() -> None:
    before_change = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # Friday 17:00 CEST
    assert BERLIN.next_working(before_change + timedelta(hours=1)) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC)
    ),
    minutes=st.floats(min_value=0, max_value=3000),
)
def test_added_working_minutes_always_land_in_working_time(start: datetime, minutes: float) -> None:
    end = BERLIN.add_working_minutes(start, minutes)
    assert end >= start
    assert BERLIN.is_working(end) or BERLIN.is_working(end - timedelta(microseconds=1))
