"""The daily API allocation: a rolling 24-hour count of requests against a maximum.

Reference §9: every REST response carries ``Sforce-Limit-Info: api-usage=N/M``; ``/limits`` reports
``DailyApiRequests {Max, Remaining}``; when the allocation is spent the API answers
``403 REQUEST_LIMIT_EXCEEDED`` (never 429). The window is rolling, so usage is kept in one-minute buckets.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


class ApiUsage:
    def __init__(self, maximum: int = 15_000) -> None:
        if maximum < 0:
            raise ValueError("the allocation cannot be negative")
        self.maximum = maximum
        self._buckets: deque[list] = deque()
        self._lock = threading.Lock()

    def _expire(self, now: datetime) -> None:
        while self._buckets and self._buckets[0][0] <= now - WINDOW:
            self._buckets.popleft()

    def used(self, now: datetime) -> int:
        with self._lock:
            self._expire(now)
            return sum(count for _, count in self._buckets)

    def remaining(self, now: datetime) -> int:
        return max(0, self.maximum - self.used(now))

    def try_consume(self, now: datetime) -> bool:
        """Count one request; False (and nothing counted) when the allocation is spent."""
        with self._lock:
            self._expire(now)
            if sum(count for _, count in self._buckets) >= self.maximum:
                return False
            self._add(now, 1)
            return True

    def _add(self, now: datetime, count: int) -> None:
        minute = _minute(now)
        if self._buckets and self._buckets[-1][0] == minute:
            self._buckets[-1][1] += count
        else:
            self._buckets.append([minute, count])

    def set_remaining(self, remaining: int, now: datetime, maximum: int | None = None) -> None:
        """Fault injection and demos: pretend ``maximum - remaining`` calls were made just now."""
        with self._lock:
            if maximum is not None:
                if maximum < 0:
                    raise ValueError("the allocation cannot be negative")
                self.maximum = maximum
            if not 0 <= remaining <= self.maximum:
                raise ValueError(f"remaining must be between 0 and {self.maximum}")
            self._buckets.clear()
            if self.maximum - remaining:
                self._add(now, self.maximum - remaining)

    def header(self, now: datetime) -> str:
        return f"api-usage={self.used(now)}/{self.maximum}"

    def dump(self) -> dict:
        with self._lock:
            return {"maximum": self.maximum, "buckets": [[m.isoformat(), c] for m, c in self._buckets]}

    def load(self, data: dict) -> None:
        with self._lock:
            self.maximum = int(data["maximum"])
            self._buckets = deque([datetime.fromisoformat(m), int(c)] for m, c in data["buckets"])
