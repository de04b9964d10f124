"""Durations and ladder offsets as people write them in handoff.yaml ("5m", "1h30m", "2d", "50%", "+30m").

Pure parsing, no clock. A day (``d``) is kept apart from hours and minutes because its length depends
on the policy: in wall-clock mode a day is 24 hours, in business mode it is the calendar's
``business_day`` (8 hours unless configured), so "Tier C: 1 business day" means one working day of time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?[dhms])+$")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


@dataclass(frozen=True)
class Duration:
    """``days`` whose length the policy decides, plus a fixed number of ``seconds``."""

    days: float = 0.0
    seconds: float = 0.0

    def total_seconds(self, day_seconds: float) -> float:
        return self.days * day_seconds + self.seconds

    def __str__(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days:g}d")
        if self.seconds or not parts:
            parts.append(f"{self.seconds:g}s")
        return "".join(parts)


def parse_duration(text: str) -> Duration:
    """Parse "5m", "1h30m", "2d", "90s"; raise ValueError with the accepted forms otherwise."""
    compact = text.strip().replace(" ", "")
    if not _DURATION.match(compact):
        raise ValueError(f'"{text}" is not a duration; write e.g. 5m, 1h30m, 2d or 90s')
    days = 0.0
    seconds = 0.0
    for amount, unit in _PART.findall(compact):
        if unit == "d":
            days += float(amount)
        else:
            seconds += float(amount) * _UNIT_SECONDS[unit]
    return Duration(days=days, seconds=seconds)


@dataclass(frozen=True)
class Offset:
    """When a ladder step fires, relative to the due time: a share of the target, or a signed duration.

    ``percent`` 50 means half-way through the target (before due); 100 is the due time itself; 150 is half a
    target after due. A signed duration counts from the due time.
    """

    percent: float | None = None
    duration: Duration | None = None
    sign: int = 1

    def seconds_from_due(self, target_seconds: float, day_seconds: float) -> float:
        if self.percent is not None:
            return (self.percent / 100.0 - 1.0) * target_seconds
        assert self.duration is not None
        return self.sign * self.duration.total_seconds(day_seconds)

    def __str__(self) -> str:
        if self.percent is not None:
            return f"{self.percent:g}%"
        if self.duration == Duration():
            return "due"
        return f"{'+' if self.sign > 0 else '-'}{self.duration}"


def parse_offset(text: str) -> Offset:
    """Parse "due", "50%", "+30m", "-10m" (a bare duration counts after due)."""
    compact = str(text).strip().replace(" ", "")
    if compact.lower() == "due":
        return Offset(duration=Duration())
    if compact.endswith("%"):
        try:
            percent = float(compact[:-1])
        except ValueError:
            raise ValueError(f'"{text}" is not a share of the target; write e.g. 50%') from None
        if percent < 0:
            raise ValueError(f'"{text}": a share of the target cannot be negative')
        return Offset(percent=percent)
    sign = 1
    if compact[:1] in "+-" and compact:
        sign = -1 if compact[0] == "-" else 1
        compact = compact[1:]
    try:
        duration = parse_duration(compact)
    except ValueError:
        raise ValueError(f'"{text}" is not a step time; write due, 50%, +30m or -10m') from None
    return Offset(duration=duration, sign=sign)
