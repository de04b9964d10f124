"""Public holidays of the world's regions, computed per year (pure, no I/O).

The regions are the ones the teams sit in: ``GB`` (England and Wales), ``DE-BE`` (Berlin), ``US``
(the federal holidays most US companies close on, plus the day after Thanksgiving) and ``SG``. Moving
feasts come from the Easter date; the lunar and Islamic holidays of Singapore have no closed form, so
they come from a table of the gazetted dates for 2024-2028 (outside those years Singapore gets only
its fixed-date holidays). Weekend holidays move to the next working day where the region does so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

REGIONS = ("GB", "DE-BE", "US", "SG")

_SG_LUNAR: dict[int, tuple[tuple[str, date], ...]] = {
    2024: (
        ("Chinese New Year", date(2024, 2, 10)),
        ("Chinese New Year (day 2)", date(2024, 2, 11)),
        ("Hari Raya Puasa", date(2024, 4, 10)),
        ("Vesak Day", date(2024, 5, 22)),
        ("Hari Raya Haji", date(2024, 6, 17)),
        ("Deepavali", date(2024, 10, 31)),
    ),
    2025: (
        ("Chinese New Year", date(2025, 1, 29)),
        ("Chinese New Year (day 2)", date(2025, 1, 30)),
        ("Hari Raya Puasa", date(2025, 3, 31)),
        ("Vesak Day", date(2025, 5, 12)),
        ("Hari Raya Haji", date(2025, 6, 7)),
        ("Deepavali", date(2025, 10, 20)),
    ),
    2026: (
        ("Chinese New Year", date(2026, 2, 17)),
        ("Chinese New Year (day 2)", date(2026, 2, 18)),
        ("Hari Raya Puasa", date(2026, 3, 21)),
        ("Vesak Day", date(2026, 5, 31)),
        ("Hari Raya Haji", date(2026, 5, 27)),
        ("Deepavali", date(2026, 11, 8)),
    ),
    2027: (
        ("Chinese New Year", date(2027, 2, 6)),
        ("Chinese New Year (day 2)", date(2027, 2, 7)),
        ("Hari Raya Puasa", date(2027, 3, 10)),
        ("Vesak Day", date(2027, 5, 20)),
        ("Hari Raya Haji", date(2027, 5, 17)),
        ("Deepavali", date(2027, 10, 28)),
    ),
    2028: (
        ("Chinese New Year", date(2028, 1, 26)),
        ("Chinese New Year (day 2)", date(2028, 1, 27)),
        ("Hari Raya Puasa", date(2028, 2, 27)),
        ("Vesak Day", date(2028, 5, 9)),
        ("Hari Raya Haji", date(2028, 5, 5)),
        ("Deepavali", date(2028, 10, 17)),
    ),
}


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) ``weekday`` (Mon=0) of a month; ``n=-1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed_after(days: Iterable[tuple[str, date]]) -> list[tuple[str, date]]:
    """Weekend holidays move to the next free weekday (UK substitute days, Singapore's Monday rule)."""
    taken: set[date] = set()
    result: list[tuple[str, date]] = []
    for name, day in sorted(days, key=lambda pair: pair[1]):
        result.append((name, day))
        taken.add(day)
    for name, day in list(result):
        if day.weekday() >= 5:
            moved = day + timedelta(days=1)
            while moved.weekday() >= 5 or moved in taken:
                moved += timedelta(days=1)
            taken.add(moved)
            result.append((f"{name} (observed)", moved))
    return result


def _us_observed(name: str, day: date) -> list[tuple[str, date]]:
    if day.weekday() == 5:
        return [(name, day), (f"{name} (observed)", day - timedelta(days=1))]
    if day.weekday() == 6:
        return [(name, day), (f"{name} (observed)", day + timedelta(days=1))]
    return [(name, day)]


def _gb(year: int) -> list[tuple[str, date]]:
    easter = easter_sunday(year)
    fixed = _observed_after(
        [
            ("New Year's Day", date(year, 1, 1)),
            ("Christmas Day", date(year, 12, 25)),
            ("Boxing Day", date(year, 12, 26)),
        ]
    )
    return [
        *fixed,
        ("Good Friday", easter - timedelta(days=2)),
        ("Easter Monday", easter + timedelta(days=1)),
        ("Early May bank holiday", _nth_weekday(year, 5, 0, 1)),
        ("Spring bank holiday", _nth_weekday(year, 5, 0, -1)),
        ("Summer bank holiday", _nth_weekday(year, 8, 0, -1)),
    ]


def _de_be(year: int) -> list[tuple[str, date]]:
    easter = easter_sunday(year)
    return [
        ("Neujahr", date(year, 1, 1)),
        ("Internationaler Frauentag", date(year, 3, 8)),
        ("Karfreitag", easter - timedelta(days=2)),
        ("Ostermontag", easter + timedelta(days=1)),
        ("Tag der Arbeit", date(year, 5, 1)),
        ("Christi Himmelfahrt", easter + timedelta(days=39)),
        ("Pfingstmontag", easter + timedelta(days=50)),
        ("Tag der Deutschen Einheit", date(year, 10, 3)),
        ("1. Weihnachtstag", date(year, 12, 25)),
        ("2. Weihnachtstag", date(year, 12, 26)),
    ]


def _us(year: int) -> list[tuple[str, date]]:
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    days = [
        *_us_observed("New Year's Day", date(year, 1, 1)),
        ("Martin Luther King Jr. Day", _nth_weekday(year, 1, 0, 3)),
        ("Presidents' Day", _nth_weekday(year, 2, 0, 3)),
        ("Memorial Day", _nth_weekday(year, 5, 0, -1)),
        *_us_observed("Juneteenth", date(year, 6, 19)),
        *_us_observed("Independence Day", date(year, 7, 4)),
        ("Labor Day", _nth_weekday(year, 9, 0, 1)),
        ("Thanksgiving Day", thanksgiving),
        ("Day after Thanksgiving", thanksgiving + timedelta(days=1)),
        *_us_observed("Christmas Day", date(year, 12, 25)),
    ]
    return days


def _sg(year: int) -> list[tuple[str, date]]:
    easter = easter_sunday(year)
    days = [
        ("New Year's Day", date(year, 1, 1)),
        ("Labour Day", date(year, 5, 1)),
        ("National Day", date(year, 8, 9)),
        ("Christmas Day", date(year, 12, 25)),
        *_SG_LUNAR.get(year, ()),
    ]
    # Only Sunday holidays move in Singapore (to Monday); Good Friday never falls on a weekend.
    moved = [(f"{name} (observed)", day + timedelta(days=1)) for name, day in days if day.weekday() == 6]
    return [*days, *moved, ("Good Friday", easter - timedelta(days=2))]


_RULES = {"GB": _gb, "DE-BE": _de_be, "US": _us, "SG": _sg}


def holidays(region: str, years: Iterable[int]) -> list[tuple[date, str]]:
    """``(date, name)`` for each holiday of ``region`` in ``years``, in date order, one row per date."""
    rule = _RULES.get(region)
    if rule is None:
        raise ValueError(f"unknown holiday region {region!r}; known: {', '.join(REGIONS)}")
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        for name, day in rule(year):
            found.setdefault(day, name)
    return sorted(found.items())


def holiday_dates(region: str, years: Iterable[int]) -> frozenset[date]:
    return frozenset(day for day, _ in holidays(region, years))
