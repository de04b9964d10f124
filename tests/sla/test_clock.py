"""Business-time arithmetic: test vectors across DST (Europe and the US), midnight, weekends and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import BusinessCalendar, hours
from sla.clock import BusinessTime, CalendarExhausted, WallTime, due_at

NINE_TO_FIVE = hours("09:00-17:00")
CLOSED = ()
ALL_DAY = hours("00:00-24:00")


def office(zone: str, holidays: tuple[date, ...] = ()) -> BusinessTime:
    weekly = (NINE_TO_FIVE,) * 5 + (CLOSED, CLOSED)
    return BusinessTime(BusinessCalendar(zone, weekly, frozenset(holidays)))  # type: ignore[arg-type]


def every_day(zone: str, day_hours=ALL_DAY) -> BusinessTime:
    return BusinessTime(BusinessCalendar(zone, (day_hours,) * 7))  # type: ignore[arg-type]


def local(zone: str, *parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


# --- due times ------------------------------------------------------------------------------------------


def test_five_business_minutes_inside_working_hours():
    measure = office(BERLIN)
    start = local(BERLIN, 2026, 11, 3, 10, 0)
    assert due_at(measure, start, 300) == local(BERLIN, 2026, 11, 3, 10, 5)


def test_routed_before_opening_counts_from_nine():
    measure = office(BERLIN)
    assert due_at(measure, local(BERLIN, 2026, 11, 2, 6, 30), 300) == local(BERLIN, 2026, 11, 2, 9, 5)


def test_friday_evening_lead_is_due_monday_morning():
    measure = office(BERLIN)
    start = local(BERLIN, 2026, 11, 6, 16, 58)  # Friday
    assert due_at(measure, start, 300) == local(BERLIN, 2026, 11, 9, 9, 3)


def test_weekend_before_european_spring_forward():
    # Europe moves to summer time on Sunday 29 March 2026; Monday opens at 09:00 CEST = 07:00 UTC.
    measure = office(BERLIN)
    start = local(BERLIN, 2026, 3, 27, 16, 58)
    assert due_at(measure, start, 300) == datetime(2026, 3, 30, 7, 3, tzinfo=UTC)


def test_weekend_across_us_fall_back():
    # The US returns to standard time on Sunday 1 November 2026: Monday 09:00 EST = 14:00 UTC.
    measure = office(NEW_YORK)
    start = local(NEW_YORK, 2026, 10, 30, 16, 0)
    assert due_at(measure, start, 2 * 3600) == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_holidays_close_whole_days():
    measure = office(BERLIN, holidays=(date(2026, 12, 24), date(2026, 12, 25)))
    start = local(BERLIN, 2026, 12, 23, 16, 30)  # Wednesday; Thu and Fri are holidays
    assert due_at(measure, start, 3600) == local(BERLIN, 2026, 12, 28, 9, 30)


def test_one_business_day_is_the_calendar_day_length():
    measure = office(NEW_YORK)
    start = local(NEW_YORK, 2026, 11, 4, 15, 0)
    assert due_at(measure, start, 8 * 3600) == local(NEW_YORK, 2026, 11, 5, 15, 0)


def test_night_shift_runs_across_midnight():
    measure = every_day("UTC", hours("00:00-02:00", "22:00-24:00"))
    start = datetime(2026, 11, 2, 23, 59, tzinfo=UTC)
    assert due_at(measure, start, 120) == datetime(2026, 11, 3, 0, 1, tzinfo=UTC)
    assert measure.elapsed(start, datetime(2026, 11, 3, 0, 1, tzinfo=UTC)) == 120


def test_target_ending_exactly_at_closing_time():
    measure = office(BERLIN)
    start = local(BERLIN, 2026, 11, 3, 16, 0)
    assert due_at(measure, start, 3600) == local(BERLIN, 2026, 11, 3, 17, 0)


def test_zero_target_is_the_start_itself_even_at_night():
    start = local(BERLIN, 2026, 11, 7, 3, 0)
    assert due_at(office(BERLIN), start, 0) == start


# --- elapsed business time ------------------------------------------------------------------------------


def test_elapsed_over_a_weekend_is_zero():
    measure = office(BERLIN)
    assert measure.elapsed(local(BERLIN, 2026, 11, 6, 17, 0), local(BERLIN, 2026, 11, 9, 9, 0)) == 0


def test_elapsed_never_goes_negative():
    measure = office(BERLIN)
    later, earlier = local(BERLIN, 2026, 11, 3, 12, 0), local(BERLIN, 2026, 11, 3, 10, 0)
    assert measure.elapsed(later, earlier) == 0
    assert WallTime().elapsed(later, earlier) == 0


def test_around_the_clock_calendar_loses_an_hour_in_european_spring():
    measure = every_day(BERLIN)
    start, end = local(BERLIN, 2026, 3, 28, 12, 0), local(BERLIN, 2026, 3, 29, 12, 0)
    assert measure.elapsed(start, end) == 23 * 3600


def test_around_the_clock_calendar_gains_an_hour_in_us_autumn():
    measure = every_day(NEW_YORK)
    start, end = local(NEW_YORK, 2026, 10, 31, 12, 0), local(NEW_YORK, 2026, 11, 1, 12, 0)
    assert measure.elapsed(start, end) == 25 * 3600


def test_us_spring_forward_day_with_hours_through_the_gap():
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT. 01:00-04:00 local is 06:00-08:00 UTC: two real hours.
    calendar = BusinessCalendar(NEW_YORK, (hours("01:00-04:00"),) * 7)  # type: ignore[arg-type]
    assert calendar.open_intervals(date(2026, 3, 8)) == (
        (datetime(2026, 3, 8, 6, 0, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, tzinfo=UTC)),
    )


def test_range_opening_inside_the_gap_opens_at_the_jump():
    # 29 March 2026 in Berlin: 02:30 never happens; the range opens at 03:00 CEST (01:00 UTC).
    calendar = BusinessCalendar(BERLIN, (hours("02:30-05:00"),) * 7)  # type: ignore[arg-type]
    assert calendar.open_intervals(date(2026, 3, 29)) == (
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 3, 0, tzinfo=UTC)),
    )


def test_range_closing_in_the_repeated_hour_closes_at_its_second_occurrence():
    # 25 October 2026 in Berlin: 02:00-03:00 happens twice; 00:00-02:30 lasts 3.5 real hours.
    calendar = BusinessCalendar(BERLIN, (hours("00:00-02:30"),) * 7)  # type: ignore[arg-type]
    ((start, end),) = calendar.open_intervals(date(2026, 10, 25))
    assert (start, end) == (
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )


def test_zone_that_skips_midnight():
    # Chile starts summer time at 24:00 on Saturday 5 September 2026: Sunday has no 00:00.
    zone = "America/Santiago"
    measure = every_day(zone)
    start = local(zone, 2026, 9, 5, 12, 0)
    end = local(zone, 2026, 9, 6, 12, 0)
    assert measure.elapsed(start, end) == (end - start).total_seconds() == 23 * 3600


def test_owner_time_zone_reads_the_same_hours_elsewhere():
    berlin = office(BERLIN)
    new_york = BusinessTime(berlin.calendar.with_time_zone(NEW_YORK))
    start = datetime(2026, 11, 3, 13, 0, tzinfo=UTC)  # 14:00 in Berlin, 08:00 in New York
    assert due_at(berlin, start, 600) == datetime(2026, 11, 3, 13, 10, tzinfo=UTC)
    assert due_at(new_york, start, 600) == datetime(2026, 11, 3, 14, 10, tzinfo=UTC)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        office(BERLIN).add(datetime(2026, 11, 3, 10, 0), 60)


def test_calendar_without_any_open_day_is_refused():
    with pytest.raises(ValueError, match="at least one weekday"):
        BusinessCalendar("UTC", (CLOSED,) * 7)  # type: ignore[arg-type]


def test_holidays_covering_years_exhaust_the_search():
    start = date(2026, 1, 1)
    holidays = frozenset(start + timedelta(days=n) for n in range(4 * 366))
    measure = BusinessTime(BusinessCalendar("UTC", (ALL_DAY,) * 7, holidays))  # type: ignore[arg-type]
    with pytest.raises(CalendarExhausted):
        measure.add(datetime(2026, 1, 1, tzinfo=UTC), 60)
