"""Clocks: the only way Handoff code learns the time.

A clock is any zero-argument callable returning an aware UTC ``datetime``. Services take one as a
parameter so that tests move time by hand instead of sleeping. This module is a leaf: it imports
nothing from Handoff, so every domain package may use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The system clock, always aware and in UTC."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC; a naive value is taken to be UTC already (as SQLite returns it)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class ManualClock:
    """A clock that only moves when told to: tests and simulations advance it explicitly."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = ensure_utc(start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("a clock never goes backwards")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        moment = ensure_utc(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError("a clock never goes backwards")
            self._now = moment


class ScaledClock:
    """Wall time sped up by a factor from a fixed origin: the demo world lives faster than real time."""

    def __init__(self, factor: float, origin: datetime | None = None, base: Clock = utcnow) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self.factor = factor
        self._base = base
        self._real_origin = base()
        self._origin = ensure_utc(origin) if origin else self._real_origin

    def __call__(self) -> datetime:
        elapsed = self._base() - self._real_origin
        return self._origin + elapsed * self.factor
