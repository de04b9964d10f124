"""The filters every page shares (date range, segment, team, source, owner) and the drill-down keys.

Pure: parsing query parameters into values, with a clear ``FilterError`` for bad input, and turning
values back into query strings for links. Dates are whole local days in the dashboard's time zone; the
range is converted to a half-open UTC interval ``[start, end)`` on ``mql_at`` (the cohort of leads that
became MQL in the period, followed to whatever happened to them since).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from dashboard.metrics import NEVER, RESPONSE_BUCKETS, SPEED_BUCKETS, STAGE_KEYS

DIMENSIONS = ("segment", "team", "source", "owner")
# The value a filter takes to select leads with no segment / team / source / owner at all.
NONE_VALUE = "(none)"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
PRESETS = (7, 30, 90, 365)
CLOCKS = ("wall", "business")
METRICS = (
    "mql",
    "route_ready",
    "routed",
    "touched",
    "sla_met",
    "sla_missed",
    "leaked",
    "converted",
    "breached",
)


class FilterError(ValueError):
    """A filter value that cannot be understood; the message names the parameter and what is expected."""


@dataclass(frozen=True)
class Filters:
    first_day: date
    last_day: date
    tz: ZoneInfo
    segment: str | None = None
    team: str | None = None
    source: str | None = None
    owner: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time(), self.tz).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one, with the same dimension filters."""
        return replace(
            self,
            first_day=self.first_day - timedelta(days=self.days),
            last_day=self.first_day - timedelta(days=1),
        )

    def dimension_values(self) -> dict[str, str]:
        return {name: value for name in DIMENSIONS if (value := getattr(self, name)) is not None}

    def params(self) -> dict[str, str]:
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            **self.dimension_values(),
        }

    def query(self, **extra: str | int | None) -> str:
        values = self.params()
        values.update({key: str(value) for key, value in extra.items() if value is not None})
        return urlencode(values)


def parse_filters(params: Mapping[str, str], *, today: date, tz: ZoneInfo) -> Filters:
    """Filters from query parameters; the default is the last 30 days up to today."""
    days = params.get("days")
    if days:
        try:
            count = int(days)
        except ValueError:
            raise FilterError(f"days: expected a whole number of days, got {days!r}") from None
        if not 1 <= count <= MAX_DAYS:
            raise FilterError(f"days: choose between 1 and {MAX_DAYS}")
        first, last = today - timedelta(days=count - 1), today
    else:
        last = _date(params, "to", today)
        first = _date(params, "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise FilterError(f"from ({first}) is after to ({last}): pick a start date before the end date")
    if (last - first).days + 1 > MAX_DAYS:
        raise FilterError(f"the date range is longer than {MAX_DAYS} days: narrow it")
    values = {name: _text(params, name) for name in DIMENSIONS}
    return Filters(first_day=first, last_day=last, tz=tz, **values)


def _date(params: Mapping[str, str], name: str, default: date) -> date:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name}: expected a date like 2026-10-31, got {raw!r}") from None


def _text(params: Mapping[str, str], name: str) -> str | None:
    raw = (params.get(name) or "").strip()
    if len(raw) > 255:
        raise FilterError(f"{name}: at most 255 characters")
    return raw or None


@dataclass(frozen=True)
class Drill:
    """What a click on a figure selects, on top of the page filters: the leads behind one number."""

    metric: str | None = None
    stage: str | None = None
    speed: str | None = None
    response: str | None = None
    clock: str = "wall"
    policy: str | None = None
    reason: str | None = None
    event: str | None = None
    day: date | None = None
    hour: int | None = None
    weekday: int | None = None
    version: int | None = None
    window: str | None = None

    def params(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in ("metric", "stage", "speed", "response", "policy", "reason", "event", "window"):
            if (value := getattr(self, name)) is not None:
                values[name] = value
        if self.speed is not None or self.response is not None:
            values["clock"] = self.clock
        for name in ("hour", "weekday", "version"):
            if (value := getattr(self, name)) is not None:
                values[name] = str(value)
        if self.day is not None:
            values["day"] = self.day.isoformat()
        return values

    def describe(self) -> list[str]:
        """Human words for the selection, shown above the lead list."""
        words = []
        if self.metric:
            words.append(f"metric: {self.metric.replace('_', ' ')}")
        for name in ("stage", "speed", "response", "policy", "reason", "event", "window"):
            if (value := getattr(self, name)) is not None:
                words.append(f"{name}: {value.replace('_', ' ')}")
        if self.speed or self.response:
            words.append(f"clock: {self.clock}")
        if self.day:
            words.append(f"day: {self.day.isoformat()}")
        if self.hour is not None:
            words.append(f"hour: {self.hour:02d}:00")
        if self.weekday is not None:
            words.append(f"weekday: {WEEKDAYS[self.weekday]}")
        if self.version is not None:
            words.append(f"config version: #{self.version}")
        return words


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_drill(params: Mapping[str, str]) -> Drill:
    def choice(name: str, allowed: tuple[str, ...]) -> str | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        if raw not in allowed:
            raise FilterError(f"{name}: expected one of {', '.join(allowed)}, got {raw!r}")
        return raw

    def number(name: str, low: int, high: int) -> int | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise FilterError(f"{name}: expected a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise FilterError(f"{name}: expected {low} to {high}, got {value}")
        return value

    speed_keys = (*(bucket.key for bucket in SPEED_BUCKETS), NEVER)
    response_keys = (*(bucket.key for bucket in RESPONSE_BUCKETS), NEVER)
    return Drill(
        metric=choice("metric", METRICS),
        stage=choice("stage", STAGE_KEYS),
        speed=choice("speed", speed_keys),
        response=choice("response", response_keys),
        clock=choice("clock", CLOCKS) or "wall",
        policy=_text(params, "policy"),
        reason=_text(params, "reason"),
        event=_text(params, "event"),
        day=_date(params, "day", None) if params.get("day") else None,  # type: ignore[arg-type]
        hour=number("hour", 0, 23),
        weekday=number("weekday", 0, 6),
        version=number("version", 1, 2**62),
        window=choice("window", ("before", "after")),
    )
