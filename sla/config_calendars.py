"""Config shapes for time: field types, business calendars, holidays by region, out-of-office, what a touch is.

Every check that one value can make on its own happens here, at the value, so that ``handoff config check``
reports it with the value's path (``sla.calendars.emea.hours.tue[1]: "17:00-09:00" is inverted``).
Checks that need two sections (a calendar naming a holiday region) live in ``SlaConfig.cross_check``.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from sla.calendar import WEEKDAYS, parse_range
from sla.durations import parse_duration, parse_offset


def invalid(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as written (no "Value error," prefix)."""
    return PydanticCustomError("sla_config", "{message}", {"message": message})


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(f'unknown time zone "{name}" (use an IANA name such as Europe/Berlin)') from None
    return name


def _duration(text: str) -> str:
    try:
        parse_duration(text)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    return text


def _positive_duration(text: str) -> str:
    if parse_duration(_duration(text)).total_seconds(1.0) <= 0:
        raise invalid(f'"{text}" must be longer than zero')
    return text


def _offset(text: str) -> str:
    try:
        parse_offset(text)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    return text


def _hours_range(text: str) -> str:
    try:
        parse_range(text)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    return text


def _no_overlap(ranges: list[str]) -> list[str]:
    parsed = sorted((parse_range(text), text) for text in ranges)
    for (first, first_text), (second, second_text) in itertools.pairwise(parsed):
        if second[0] < first[1]:
            raise invalid(f'"{first_text}" and "{second_text}" overlap')
    return ranges


_USER_ID = re.compile(r"^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")
_QUEUE_ID = re.compile(r"^00G[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")


def _user_id(value: str) -> str:
    # reference/salesforce.md §2 (key prefixes): users have the prefix 005, groups and queues 00G.
    if not _USER_ID.match(value):
        raise invalid(f'"{value}" is not a Salesforce user id (15 or 18 characters starting with 005)')
    return value


def _queue_id(value: str) -> str:
    if not _QUEUE_ID.match(value):
        raise invalid(f'"{value}" is not a Salesforce queue id (15 or 18 characters starting with 00G)')
    return value


def _owner_id(value: str) -> str:
    if not (_USER_ID.match(value) or _QUEUE_ID.match(value)):
        raise invalid(f'"{value}" is not a Salesforce user (005…) or queue (00G…) id')
    return value


TimeZoneName = Annotated[str, AfterValidator(_zone)]
DurationText = Annotated[str, AfterValidator(_positive_duration)]
OffsetText = Annotated[str, AfterValidator(_offset)]
HoursRange = Annotated[str, AfterValidator(_hours_range)]
DayHours = Annotated[list[HoursRange], AfterValidator(_no_overlap)]
UserId = Annotated[str, AfterValidator(_user_id)]
QueueId = Annotated[str, AfterValidator(_queue_id)]
OwnerId = Annotated[str, AfterValidator(_owner_id)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ReasonCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _office_hours() -> dict[Weekday, list[str]]:
    return {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


class CalendarConfig(_Strict):
    """Working hours per weekday in a time zone, with the holiday regions that close whole days."""

    time_zone: TimeZoneName = Field(default="UTC", description="The team's zone; also the fallback.")
    time_zone_source: Literal["team", "owner", "lead"] = Field(
        default="team",
        description="Read the hours in the team's zone (time_zone), the owner's Salesforce zone, or the lead's.",
    )
    hours: dict[Weekday, DayHours] = Field(
        default_factory=_office_hours,
        description='Per weekday, ranges like "09:00-12:30"; 24:00 may end one.',
    )
    holidays: list[str] = Field(default_factory=list, description="Holiday regions (keys of sla.holidays).")
    business_day: DurationText = Field(
        default="8h", description='How much working time "1d" means in business-time policies.'
    )

    @model_validator(mode="after")
    def _some_hours(self) -> CalendarConfig:
        if not any(self.hours.values()):
            raise invalid("a calendar needs working hours on at least one weekday")
        return self

    def weekly(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        return tuple(tuple(sorted(parse_range(r) for r in self.hours.get(day, []))) for day in WEEKDAYS)  # type: ignore[index]

    def business_day_seconds(self) -> float:
        return parse_duration(self.business_day).total_seconds(86_400.0)


class Holiday(_Strict):
    date: date
    name: str | None = None


HolidayEntry = date | Holiday


def _date_or_instant(value: object) -> object:
    # "2026-11-02" is a whole local day, not midnight UTC: read it as a date whatever parser comes first
    # (YAML gives a date already; JSON text gives a string that pydantic would take for a naive datetime).
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    return value


DateOrInstant = Annotated[datetime | date, BeforeValidator(_date_or_instant)]


class OutOfOfficeConfig(_Strict):
    """A person away: dates are whole local days (``ends`` included), datetimes need an offset."""

    user: UserId
    starts: DateOrInstant
    ends: DateOrInstant
    time_zone: TimeZoneName = "UTC"
    reason: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OutOfOfficeConfig:
        for value in (self.starts, self.ends):
            if isinstance(value, datetime) and value.tzinfo is None:
                raise invalid(f"{value.isoformat()} has no UTC offset; add one (e.g. Z) or give a date")
        start, end = self.period()
        if end <= start:
            raise invalid("ends must come after starts")
        return self

    def period(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.time_zone)

        def instant(value: datetime | date, end: bool) -> datetime:
            if isinstance(value, datetime):
                return value.astimezone(UTC)
            day = value + timedelta(days=1) if end else value
            return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

        return instant(self.starts, False), instant(self.ends, True)


class TouchConfig(_Strict):
    """What counts as a first touch (reference/salesforce.md §7: Task TaskSubtype/Type, Event EventSubtype/Type)."""

    task_subtypes: list[str] = Field(default_factory=lambda: ["Call", "Email", "LinkedIn"])
    task_types: list[str] = Field(default_factory=lambda: ["Call", "Email", "Meeting"])
    event_subtypes: list[str] = Field(default_factory=lambda: ["Event"])
    event_types: list[str] = Field(default_factory=lambda: ["Meeting"])
    automated_task_subtypes: list[str] = Field(
        default_factory=lambda: ["ListEmail"], description="Mass or automated sends never count."
    )
    integration_user_ids: list[UserId] = Field(
        default_factory=list,
        description="Users whose Tasks are written by machines (Handoff, Marketo sync …).",
    )
    handoff_subject_prefix: str = Field(
        default="[Handoff]",
        min_length=1,
        description="Tasks Handoff writes start with this; they never count.",
    )
    accept_from: Literal["owner", "owner_or_team", "any_known_user"] = "owner_or_team"
