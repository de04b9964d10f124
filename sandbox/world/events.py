"""The world's agenda: a heap of timed events, and the events themselves (plain values).

Handlers never sleep or look at a clock: each returns the follow-up events it wants, with their times,
and ``Agenda`` hands them out in time order (ties in the order they were scheduled). Advancing over
90 days in 5-minute steps therefore costs one heap peek per step plus the events themselves.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DayStart:
    """Plans one UTC day: its arrivals and its re-engaged people."""

    day: date


@dataclass(frozen=True)
class Arrival:
    """A new person fills out a first form (``key`` names their random stream)."""

    key: str
    number: int


@dataclass(frozen=True)
class Session:
    """One step of a known person's visit (an email open or click, a page view, a form). Each step is its
    own event, so every activity is written at its own time and never later than the world's clock."""

    key: str
    lead_id: int
    number: int
    step: int = 0
    started: datetime | None = None


@dataclass(frozen=True)
class Claim:
    """An SDR takes a lead from their team queue."""

    lead_id: str
    queue_id: str
    rep_key: str


@dataclass(frozen=True)
class Touch:
    """An SDR calls, emails or messages a lead they own (``number`` 0 is the first touch)."""

    lead_id: str
    rep_key: str
    number: int


@dataclass(frozen=True)
class Outcome:
    """The SDR decides: convert, disqualify, or let the lead go stale."""

    lead_id: str
    rep_key: str


@dataclass(frozen=True)
class DealStep:
    """An opportunity moves one stage (the last step closes it won or lost)."""

    opportunity_id: str
    ae_key: str
    step: int


Event = DayStart | Arrival | Session | Claim | Touch | Outcome | DealStep
Scheduled = tuple[datetime, Event]


class Agenda:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, Event]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, at: datetime, event: Event) -> None:
        if at.tzinfo is None:
            raise ValueError("event times must be aware UTC datetimes")
        heapq.heappush(self._heap, (at, next(self._order), event))

    def next_time(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def pop(self) -> tuple[datetime, Event]:
        at, _, event = heapq.heappop(self._heap)
        return at, event
