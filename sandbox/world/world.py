"""``World``: the seeded organisation living in time, driven by ``advance(to)``.

``advance`` handles every scheduled event up to ``to`` in time order (``events.Agenda``), stamping each
write with the event's own time; after each event it reads what Salesforce commits changed (leads
routed or reassigned by Handoff, or by the world itself) and schedules the sales team's reaction. The
world never reads the wall clock: give it a clock (``tick()``) or times (``advance(t)``), so the demo can
drive one ``ManualClock`` through months of history and run Handoff's jobs between steps
(``backfill``). Webhook calls the MQL campaign queues are delivered by the Marketo emulator (its
server's lifespan, or ``await marketo.webhooks.drain()``), not here.

Cost (``bench/world.py``, on the shared 2-core box with a load average of 5): generating the default
world (2,500 accounts, 20,000 people) takes 1-2 s and seeding both emulators 1.6-2.2 s; living 90 days
at 80 arrivals and 40 wake-ups a day in 5-minute steps (25,920 steps, ~67,000 events, ~195,000 Marketo
activities, ~1,300 MQLs, ~2,800 SDR touches with native sync on) takes 8-19 s, nearly all of it inside
the Marketo emulator's trigger and score machinery; a step with nothing due costs about 3 microseconds.
"""

from __future__ import annotations

import threading
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from handoff.clock import Clock, ManualClock
from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState
from sandbox.world.behaviour import Behaviour
from sandbox.world.blueprint import WorldSize, generate
from sandbox.world.crm_sync import sync_new_mql
from sandbox.world.describe import describe
from sandbox.world.events import (
    Agenda,
    Arrival,
    Claim,
    DayStart,
    DealStep,
    Event,
    Outcome,
    Scheduled,
    Session,
    Touch,
)
from sandbox.world.marketing import Marketing
from sandbox.world.model import Blueprint
from sandbox.world.sales import Sales
from sandbox.world.scoring import MQL_THRESHOLD, WebhookSettings
from sandbox.world.seed_marketo import seed_marketo
from sandbox.world.seed_salesforce import seed_salesforce


@dataclass(frozen=True)
class BackfillReport:
    start: datetime
    end: datetime
    steps: int
    events: dict[str, int]
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)


class World:
    def __init__(
        self,
        blueprint: Blueprint,
        *,
        salesforce: SalesforceState,
        marketo: MarketoState,
        start: datetime | None = None,
        behaviour: Behaviour | None = None,
        clock: Clock | None = None,
    ) -> None:
        """A world over emulators already seeded with ``blueprint`` (see ``World.create``)."""
        self.blueprint = blueprint
        self.salesforce = salesforce
        self.marketo = marketo
        self.behaviour = behaviour or Behaviour()
        self.clock = clock
        self.now = start or blueprint.anchor
        if self.now.tzinfo is None:
            raise ValueError("the world's start must be an aware UTC datetime")
        self.marketing = Marketing(blueprint, marketo, self.behaviour)
        self.sales = Sales(blueprint, salesforce, self.behaviour)
        self.agenda = Agenda()
        self.agenda.push(self.now, DayStart(self.now.date()))
        self.events: Counter[str] = Counter()
        self._lock = threading.Lock()

    @classmethod
    def create(
        cls,
        seed: int,
        *,
        start: datetime,
        salesforce: SalesforceState | None = None,
        marketo: MarketoState | None = None,
        size: WorldSize | None = None,
        behaviour: Behaviour | None = None,
        webhook: WebhookSettings | None = None,
        threshold: int = MQL_THRESHOLD,
        clock: Clock | None = None,
    ) -> World:
        """Seed both emulators (fresh ones are made on ``clock`` when not given) and return the world,
        living from ``start`` (which is also the end of the seeded history)."""
        blueprint = generate(seed, size or WorldSize(), start)
        state_clock = clock or ManualClock(start)
        salesforce = salesforce or SalesforceState(clock=state_clock)
        marketo = marketo or MarketoState(clock=state_clock)
        seed_salesforce(salesforce, blueprint)
        seed_marketo(marketo, blueprint, webhook, threshold)
        return cls(
            blueprint, salesforce=salesforce, marketo=marketo, start=start, behaviour=behaviour, clock=clock
        )

    def close(self) -> None:
        """Stop watching the Salesforce org."""
        self.sales.close()

    def describe(self) -> dict[str, Any]:
        """Teams, queues, users, calendars, holidays, the rule and live ids, as a plain dict."""
        return describe(self.blueprint, self.salesforce, self.marketo)

    @property
    def stats(self) -> dict[str, int]:
        return dict(self.sales.stats)

    # -- time ----------------------------------------------------------------------------------------

    def tick(self) -> Counter[str]:
        """Advance to the injected clock's time."""
        if self.clock is None:
            raise ValueError("this world has no clock: call advance(to) with a time")
        return self.advance(self.clock())

    def advance(self, to: datetime) -> Counter[str]:
        """Handle every event up to and including ``to``; returns how many of each kind ran."""
        if to.tzinfo is None:
            raise ValueError("advance needs an aware UTC datetime")
        with self._lock:
            if to < self.now:
                raise ValueError(
                    f"the world is at {self.now.isoformat()} and never goes back to {to.isoformat()}"
                )
            done: Counter[str] = Counter()
            self._schedule(self.sales.sightings(self.now))
            while (next_time := self.agenda.next_time()) is not None and next_time <= to:
                at, event = self.agenda.pop()
                self.now = max(self.now, at)
                self._schedule(self._handle(event, self.now))
                self._schedule(self.sales.sightings(self.now))
                done[type(event).__name__] += 1
            self.now = to
            self.events.update(done)
            return done

    def backfill(
        self,
        days: float,
        *,
        step: timedelta = timedelta(minutes=5),
        clock: ManualClock | None = None,
        after_step: Callable[[datetime], Any] | None = None,
    ) -> BackfillReport:
        """Live ``days`` days from the world's current time in ``step``s. Before each step ``clock`` (the
        one Handoff and the emulators read) is set to the step's time; after it ``after_step(t)`` runs
        (the demo runs Handoff's jobs there), so history is processed at the right past instants."""
        if days < 0 or step <= timedelta(0):
            raise ValueError("days must be >= 0 and step positive")
        start = self.now
        end = start + timedelta(days=days)
        began = timer.perf_counter()
        before = Counter(self.events)
        steps = 0
        moment = start
        while moment < end:
            moment = min(end, moment + step)
            if clock is not None:
                clock.set(moment)
            self.advance(moment)
            if after_step is not None:
                after_step(moment)
            steps += 1
        events = dict(self.events - before)
        return BackfillReport(start, end, steps, events, timer.perf_counter() - began, self.stats)

    def run(self, stop: threading.Event, *, every_seconds: float = 1.0) -> None:
        """Keep living at the injected clock's pace until ``stop`` is set (the demo's background thread)."""
        if self.clock is None:
            raise ValueError("a world runs on a clock: create it with clock=...")
        while not stop.wait(every_seconds):
            self.tick()

    # -- dispatch ------------------------------------------------------------------------------------

    def _schedule(self, planned: list[Scheduled]) -> None:
        for at, event in planned:
            self.agenda.push(at, event)

    def _handle(self, event: Event, at: datetime) -> list[Scheduled]:
        if isinstance(event, DayStart):
            tomorrow = datetime.combine(event.day + timedelta(days=1), time(0), tzinfo=at.tzinfo)
            return [*self.marketing.plan_day(event, at), (tomorrow, DayStart(tomorrow.date()))]
        if isinstance(event, Arrival):
            lead_id, planned = self.marketing.arrive(event, at)
            return planned + self._sync(lead_id, at)
        if isinstance(event, Session):
            planned = self.marketing.session(event, at)
            return planned + self._sync(event.lead_id, at)
        if isinstance(event, Claim):
            return self.sales.claim(event, at)
        if isinstance(event, Touch):
            return self.sales.touch(event, at)
        if isinstance(event, Outcome):
            return self.sales.outcome(event, at)
        if isinstance(event, DealStep):
            return self.sales.deal_step(event, at)
        raise TypeError(f"unknown event {event!r}")

    def _sync(self, lead_id: int, at: datetime) -> list[Scheduled]:
        if self.behaviour.native_sync and sync_new_mql(self.marketo, self.salesforce, lead_id, at):
            self.sales.stats["synced_mqls"] += 1
        return []
