"""One throttle per Marketo instance: 100 calls / rolling 20 s, 10 in flight, a daily budget (marketo.md §7).

Every call of every flow in the process asks the same ``Throttle`` for a permit before it is sent, so a
backfill can never push routing into a 606. Calls wait in priority lanes (routing before sync before
background); within a lane, first come first served. Background work additionally leaves headroom in
the window and in flight for routing bursts, and below ``routing_reserve`` calls left today only the
routing lane may call at all.

The counting lives behind ``ThrottleBackend``. ``InProcessBackend`` keeps it in memory; a second process
sharing the instance needs a backend whose ``try_start`` runs in one database transaction under a
Postgres advisory lock (see ``ThrottleBackend``). ``Throttle`` itself only orders local waiters and
sleeps with the injected clock and ``sleep``, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Protocol

from handoff.clock import Clock, utcnow
from sync.config import MarketoConnection
from sync.errors import QuotaError
from sync.marketo.errors import RATE_WINDOW_SECONDS, SYSTEM, next_daily_reset
from sync.marketo.metrics import QUOTA_REMAINING, THROTTLE_WAIT
from sync.outbox import PRIORITY_BACKFILL, PRIORITY_ROUTING

Sleep = Callable[[float], Awaitable[None]]


class Lane(IntEnum):
    """Waiting order; lower goes first."""

    ROUTING = 0
    SYNC = 1
    BACKGROUND = 2


def lane_for(priority: int) -> Lane:
    """Map the outbox's ``PRIORITY_*`` onto lanes: routing > sync (and notify) > backfill/writeback."""
    if priority <= PRIORITY_ROUTING:
        return Lane.ROUTING
    if priority < PRIORITY_BACKFILL:
        return Lane.SYNC
    return Lane.BACKGROUND


@dataclass(frozen=True)
class ThrottleLimits:
    calls_per_window: int = 100
    window_seconds: float = RATE_WINDOW_SECONDS
    max_in_flight: int = 10
    daily_quota: int = 50_000
    routing_reserve: int = 2_000
    # Background work stops at this share of the window and of the in-flight slots.
    background_share: float = 0.8

    def __post_init__(self) -> None:
        if self.calls_per_window < 1 or self.max_in_flight < 1 or self.daily_quota < 1:
            raise ValueError("throttle limits must be positive")
        if not 0 <= self.routing_reserve < self.daily_quota:
            raise ValueError("routing_reserve must be between 0 and the daily quota")
        if not 0 < self.background_share <= 1:
            raise ValueError("background_share must be in (0, 1]")

    @classmethod
    def from_connection(cls, connection: MarketoConnection) -> ThrottleLimits:
        return cls(
            calls_per_window=connection.calls_per_window,
            max_in_flight=connection.max_in_flight,
            daily_quota=connection.daily_quota,
            routing_reserve=connection.routing_reserve,
        )

    def window_cap(self, lane: Lane) -> int:
        if lane is Lane.BACKGROUND:
            return max(1, int(self.calls_per_window * self.background_share))
        return self.calls_per_window

    def in_flight_cap(self, lane: Lane) -> int:
        if lane is Lane.BACKGROUND:
            return max(1, int(self.max_in_flight * self.background_share))
        return self.max_in_flight

    def daily_floor(self, lane: Lane) -> int:
        """Calls that must remain after this one for the lane to be allowed to call."""
        return 0 if lane is Lane.ROUTING else self.routing_reserve


@dataclass(frozen=True)
class Granted:
    ticket: int
    remaining_today: int


@dataclass(frozen=True)
class WaitFor:
    """Time must pass (window full, or paused after a 606)."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class WaitForRelease:
    """All in-flight slots are taken: wait until a call finishes."""

    reason: str


@dataclass(frozen=True)
class Refused:
    """The day's budget for this lane is spent; nothing will change before ``resume_at``."""

    resume_at: datetime
    reason: str


Decision = Granted | WaitFor | WaitForRelease | Refused


@dataclass(frozen=True)
class ThrottleSnapshot:
    in_flight: int
    calls_in_window: int
    used_today: int
    remaining_today: int
    paused_until: datetime | None
    exhausted_until: datetime | None


class ThrottleBackend(Protocol):
    """Where the counts live. Every method must be atomic with respect to every other user of the instance.

    A database implementation shares the budget between processes: one row per instance (``used_today``,
    ``day_resets_at``, ``paused_until``, ``exhausted_until``) and one row per call (``ticket``, ``lane``,
    ``started_at``, ``finished_at``). ``try_start`` runs in one transaction under
    ``pg_advisory_xact_lock(<instance key>)``: drop call rows finished more than a window ago, count
    in-flight rows (unfinished and younger than the request timeout, so a crashed process frees its
    slots) and rows in the window, compare with the limits, then insert the call row and increment
    ``used_today``. Because a release in another process cannot wake a local waiter, that backend answers
    ``WaitFor(short poll)`` where this one answers ``WaitForRelease``.
    """

    async def try_start(self, lane: Lane, now: datetime) -> Decision: ...

    async def finish(self, ticket: int, now: datetime, *, counted: bool) -> None: ...

    async def pause(self, until: datetime) -> None: ...

    async def exhaust(self, resume_at: datetime) -> None: ...

    async def record_usage(self, used_today: int, now: datetime) -> None: ...

    async def snapshot(self, now: datetime) -> ThrottleSnapshot: ...


class InProcessBackend:
    """The counts of one process. A call occupies the window from its start until ``window`` after it ends:
    Marketo counts it on arrival, somewhere in between, so this never undercounts."""

    def __init__(self, limits: ThrottleLimits) -> None:
        self.limits = limits
        self._tickets = itertools.count(1)
        self._in_flight: dict[int, Lane] = {}
        self._finished: deque[datetime] = deque()
        self._used = 0
        self._resets_at: datetime | None = None
        self._paused_until: datetime | None = None
        self._exhausted_until: datetime | None = None

    def _roll(self, now: datetime) -> None:
        if self._resets_at is None or now >= self._resets_at:
            if self._resets_at is not None:
                self._used = 0
            self._resets_at = next_daily_reset(now)
        if self._exhausted_until is not None and now >= self._exhausted_until:
            self._exhausted_until = None
        horizon = now - timedelta(seconds=self.limits.window_seconds)
        while self._finished and self._finished[0] <= horizon:
            self._finished.popleft()

    async def try_start(self, lane: Lane, now: datetime) -> Decision:
        self._roll(now)
        assert self._resets_at is not None
        limits = self.limits
        if self._exhausted_until is not None:
            return Refused(self._exhausted_until, "Marketo reported the daily quota reached (607)")
        remaining = limits.daily_quota - self._used
        floor = limits.daily_floor(lane)
        if remaining <= floor:
            reason = (
                "daily quota used up" if floor == 0 else f"only the routing reserve of {floor} calls is left"
            )
            return Refused(self._resets_at, reason)
        if self._paused_until is not None and now < self._paused_until:
            return WaitFor((self._paused_until - now).total_seconds(), "paused after a 606 rate-limit error")
        if len(self._in_flight) >= limits.in_flight_cap(lane):
            return WaitForRelease("all in-flight slots are taken")
        cap = limits.window_cap(lane)
        in_window = len(self._in_flight) + len(self._finished)
        if in_window >= cap:
            to_expire = in_window - cap  # index of the finished call whose expiry frees a slot
            if to_expire >= len(self._finished):
                return WaitForRelease("the window is full of calls still in flight")
            frees_at = self._finished[to_expire] + timedelta(seconds=limits.window_seconds)
            return WaitFor(
                (frees_at - now).total_seconds(), f"{in_window} calls in the last {limits.window_seconds:g} s"
            )
        ticket = next(self._tickets)
        self._in_flight[ticket] = lane
        self._used += 1
        return Granted(ticket, limits.daily_quota - self._used)

    async def finish(self, ticket: int, now: datetime, *, counted: bool) -> None:
        if self._in_flight.pop(ticket, None) is None:
            return
        self._finished.append(now)
        if not counted:
            self._used = max(0, self._used - 1)

    async def pause(self, until: datetime) -> None:
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until

    async def exhaust(self, resume_at: datetime) -> None:
        self._exhausted_until = resume_at
        self._used = self.limits.daily_quota

    async def record_usage(self, used_today: int, now: datetime) -> None:
        self._roll(now)
        self._used = max(self._used, used_today)

    async def snapshot(self, now: datetime) -> ThrottleSnapshot:
        self._roll(now)
        return ThrottleSnapshot(
            in_flight=len(self._in_flight),
            calls_in_window=len(self._in_flight) + len(self._finished),
            used_today=self._used,
            remaining_today=max(0, self.limits.daily_quota - self._used),
            paused_until=self._paused_until if self._paused_until and self._paused_until > now else None,
            exhausted_until=self._exhausted_until,
        )


@dataclass
class CallPermit:
    """Held while one request is on the wire; set ``counted=False`` for replies Marketo does not bill."""

    lane: Lane
    waited_seconds: float
    counted: bool = True


class Throttle:
    """Orders this process's waiters by lane and asks the backend when each may start."""

    def __init__(
        self,
        limits: ThrottleLimits | None = None,
        *,
        backend: ThrottleBackend | None = None,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or ThrottleLimits()
        self.backend: ThrottleBackend = backend or InProcessBackend(self.limits)
        self.clock = clock
        self._sleep = sleep
        self._queue: list[tuple[int, int]] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @asynccontextmanager
    async def call(self, priority: int) -> AsyncIterator[CallPermit]:
        """Wait for a permit, hold it for one request, and give it back whatever happens."""
        lane = lane_for(priority)
        started = self.clock()
        granted = await self._acquire(lane)
        waited = max(0.0, (self.clock() - started).total_seconds())
        THROTTLE_WAIT.labels(lane.name.lower()).observe(waited)
        QUOTA_REMAINING.set(granted.remaining_today)
        permit = CallPermit(lane=lane, waited_seconds=waited)
        try:
            yield permit
        finally:
            await self.backend.finish(granted.ticket, self.clock(), counted=permit.counted)
            self._notify()

    async def _acquire(self, lane: Lane) -> Granted:
        entry = (int(lane), next(self._order))
        heapq.heappush(self._queue, entry)
        try:
            while True:
                changed = self._changed
                if self._queue[0] == entry:
                    decision = await self.backend.try_start(lane, self.clock())
                    if isinstance(decision, Granted):
                        return decision
                    if isinstance(decision, Refused):
                        raise QuotaError(
                            f"Marketo daily budget: {decision.reason} (lane {lane.name.lower()})",
                            code="607" if "607" in decision.reason else "DAILY_BUDGET",
                            system=SYSTEM,
                            resume_at=decision.resume_at,
                        )
                    if isinstance(decision, WaitFor):
                        await self._sleep(max(decision.seconds, 0.001))
                        continue
                await changed.wait()
        finally:
            self._queue.remove(entry)
            heapq.heapify(self._queue)
            self._notify()

    async def pause(self, seconds: float) -> None:
        """Nobody in this instance calls for ``seconds`` (Marketo said 606: someone else used the window)."""
        await self.backend.pause(self.clock() + timedelta(seconds=seconds))

    async def exhaust(self, resume_at: datetime) -> None:
        """Marketo said 607: refuse every call until the daily reset."""
        await self.backend.exhaust(resume_at)
        QUOTA_REMAINING.set(0)
        self._notify()

    async def record_usage(self, used_today: int) -> None:
        await self.backend.record_usage(used_today, self.clock())
        self._notify()

    async def snapshot(self) -> ThrottleSnapshot:
        return await self.backend.snapshot(self.clock())
