"""Injected faults: transient errors, latency (reference/marketo.md §2 retry column).

Only transient codes can be injected (604 time-out, 608 temporarily unavailable, 611 system error,
614 invalid subscription, 713 transient): they are the failures a client must survive by retrying.
Such failed calls do not count toward quota or rate limits (§2 "Quota"). Latency is real waiting
inside the request, so it holds a slot of the 10-in-flight limit like a slow Marketo would.
Token expiry and quota changes are faults too, but live with the tokens and the limits.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass

TRANSIENT_CODES = ("604", "608", "611", "614", "713")


@dataclass(frozen=True)
class PlannedError:
    code: str
    path_prefix: str | None = None


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._planned: deque[PlannedError] = deque()
        self._rate = 0.0
        self._rate_code = "604"
        self._latency_seconds = 0.0
        self._latency_calls: int | None = None

    def fail_next(self, code: str, count: int = 1, path_prefix: str | None = None) -> None:
        """The next ``count`` API calls (matching ``path_prefix`` if given) fail with ``code``."""
        code = _check_code(code)
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._planned.extend(PlannedError(code, path_prefix) for _ in range(count))

    def fail_randomly(self, code: str, rate: float) -> None:
        """Each call fails with ``code`` with probability ``rate`` (seeded, so runs repeat)."""
        code = _check_code(code)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._lock:
            self._rate, self._rate_code = rate, code

    def set_latency(self, seconds: float, calls: int | None = None) -> None:
        """Every call (or only the next ``calls``) waits ``seconds`` before it is answered."""
        if seconds < 0 or (calls is not None and calls < 1):
            raise ValueError("latency must be >= 0 and calls >= 1")
        with self._lock:
            self._latency_seconds, self._latency_calls = seconds, calls

    def clear(self) -> None:
        with self._lock:
            self._planned.clear()
            self._rate = 0.0
            self._latency_seconds, self._latency_calls = 0.0, None

    def take_latency(self) -> float:
        with self._lock:
            if self._latency_seconds <= 0:
                return 0.0
            if self._latency_calls is not None:
                self._latency_calls -= 1
                seconds = self._latency_seconds
                if self._latency_calls <= 0:
                    self._latency_seconds, self._latency_calls = 0.0, None
                return seconds
            return self._latency_seconds

    def take_error(self, path: str) -> str | None:
        with self._lock:
            for index, planned in enumerate(self._planned):
                if planned.path_prefix is None or path.startswith(planned.path_prefix):
                    del self._planned[index]
                    return planned.code
            if self._rate > 0 and self._random.random() < self._rate:
                return self._rate_code
            return None

    def describe(self) -> dict[str, object]:
        with self._lock:
            return {
                "planned": [{"code": p.code, "pathPrefix": p.path_prefix} for p in self._planned],
                "errorRate": self._rate,
                "errorRateCode": self._rate_code,
                "latencySeconds": self._latency_seconds,
                "latencyCalls": self._latency_calls,
            }


def _check_code(code: str | int) -> str:
    text = str(code)
    if text not in TRANSIENT_CODES:
        raise ValueError(f"only transient codes can be injected: {', '.join(TRANSIENT_CODES)}")
    return text
