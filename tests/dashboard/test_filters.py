"""Filters and drill-down keys from query strings, the previous period, and local-time folding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.filters import FilterError, parse_drill, parse_filters
from dashboard.timebuckets import fold_days, fold_week_hours, local_hour_intervals

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 2)


def test_default_range_is_the_last_30_days_and_the_previous_period_is_just_before():
    filters = parse_filters({}, today=TODAY, tz=ZoneInfo("UTC"))
    assert (filters.first_day, filters.last_day, filters.days) == (date(2026, 10, 4), TODAY, 30)
    previous = filters.previous()
    assert (previous.first_day, previous.last_day) == (date(2026, 9, 4), date(2026, 10, 3))
    assert previous.end == filters.start


def test_local_days_become_a_utc_interval_in_the_dashboard_time_zone():
    filters = parse_filters(
        {"from": "2026-10-25", "to": "2026-10-25", "segment": "Tier A"}, today=TODAY, tz=BERLIN
    )
    # 25 October 2026 is the day Berlin leaves summer time: 25 hours long.
    assert filters.start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert filters.end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert filters.query(metric="leaked") == "from=2026-10-25&to=2026-10-25&segment=Tier+A&metric=leaked"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/10/2026"}, "from: expected a date like 2026-10-31"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "is after to"),
        ({"days": "many"}, "days: expected a whole number"),
        ({"days": "5000"}, "days: choose between 1 and"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "longer than"),
        ({"team": "x" * 300}, "team: at most 255 characters"),
    ],
)
def test_bad_filters_are_refused_with_the_parameter_named(params, message):
    with pytest.raises(FilterError, match=message):
        parse_filters(params, today=TODAY, tz=ZoneInfo("UTC"))


def test_drill_keys_are_checked_against_what_the_pages_offer():
    drill = parse_drill({"speed": "300-900", "clock": "business", "weekday": "0", "hour": "9"})
    assert drill.params() == {"speed": "300-900", "clock": "business", "hour": "9", "weekday": "0"}
    assert "weekday: Monday" in drill.describe()
    with pytest.raises(FilterError, match="speed: expected one of"):
        parse_drill({"speed": "fast"})
    with pytest.raises(FilterError, match="hour: expected 0 to 23"):
        parse_drill({"hour": "24"})
    with pytest.raises(FilterError, match="stage"):
        parse_drill({"stage": "lost"})


def test_utc_hours_fold_into_berlin_days_and_hours_across_the_dst_change():
    rows = [
        (datetime(2026, 10, 24, 21, tzinfo=UTC), [1]),  # 23:00 summer time, Saturday 24th
        (datetime(2026, 10, 24, 22, tzinfo=UTC), [2]),  # 00:00 Sunday 25th
        (datetime(2026, 10, 25, 8, tzinfo=UTC), [4]),  # 09:00 winter time
    ]
    days = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    assert fold_days(rows, BERLIN, days) == {days[0]: [1], days[1]: [6], days[2]: [0]}
    assert fold_week_hours(rows, BERLIN) == {(5, 23): [1], (6, 0): [2], (6, 9): [4]}


def test_drill_intervals_for_a_local_hour_match_the_folding():
    days = [date(2026, 10, 24), date(2026, 10, 25)]
    assert local_hour_intervals(days, BERLIN, hour=9) == [
        (datetime(2026, 10, 24, 7, tzinfo=UTC), datetime(2026, 10, 24, 8, tzinfo=UTC)),
        (datetime(2026, 10, 25, 8, tzinfo=UTC), datetime(2026, 10, 25, 9, tzinfo=UTC)),
    ]
    # 02:00 happens twice on the 25th: both hours count.
    assert local_hour_intervals(days[1:], BERLIN, hour=2) == [
        (datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))
    ]
    sunday = local_hour_intervals(days, BERLIN, weekday=6)
    assert sunday == [(datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC))]
