"""Running a poller on a schedule: back off after failures, say why in the logs and the metrics.

The scheduler calls the runner every interval; after a failure the runner skips calls until its
back-off has passed (doubling per consecutive failure up to ``max_backoff``; a quota error waits for
the quota to come back), so a broken credential costs one log line per back-off, not one per second.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from prometheus_client import Counter, Gauge

from handoff.clock import Clock
from sync.errors import QuotaError, SyncError
from sync.pollers.report import PollReport

log = logging.getLogger(__name__)

POLL_RUNS = Counter("handoff_poller_runs_total", "Poller runs by poller and outcome", ["poller", "outcome"])
POLL_FAILURES = Gauge("handoff_poller_consecutive_failures", "Consecutive failed runs per poller", ["poller"])
POLL_STORED = Counter(
    "handoff_poller_items_stored_total", "New inbox items stored by each poller", ["poller"]
)
POLL_LAST_SUCCESS = Gauge(
    "handoff_poller_last_success_timestamp", "Unix time of the last good run", ["poller"]
)


def backoff_delay(failures: int, interval_seconds: float, max_backoff_seconds: float) -> timedelta:
    """Pure: interval * 2^failures, capped."""
    return timedelta(seconds=min(max_backoff_seconds, interval_seconds * (2 ** max(0, failures))))


class PollerRunner:
    def __init__(
        self,
        name: str,
        poll: Callable[[], Awaitable[PollReport]],
        *,
        clock: Clock,
        interval_seconds: float,
        max_backoff_seconds: float,
    ) -> None:
        self.name = name
        self._poll = poll
        self._clock = clock
        self.interval_seconds = interval_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.failures = 0
        self.resume_at: datetime | None = None
        self.last_error: str | None = None

    async def __call__(self) -> PollReport | None:
        return await self.run()

    async def run(self) -> PollReport | None:
        """One scheduled call (a plain coroutine function, which every scheduler recognises)."""
        now = self._clock()
        if self.resume_at is not None and now < self.resume_at:
            POLL_RUNS.labels(self.name, "backing_off").inc()
            return None
        try:
            report = await self._poll()
        except Exception as exc:
            self._failed(exc, now)
            return None
        if self.failures:
            log.info("poller recovered", extra={"poller": self.name, "after_failures": self.failures})
        self.failures = 0
        self.resume_at = None
        self.last_error = None
        POLL_FAILURES.labels(self.name).set(0)
        POLL_RUNS.labels(self.name, "ok").inc()
        POLL_STORED.labels(self.name).inc(report.stored)
        POLL_LAST_SUCCESS.labels(self.name).set(self._clock().timestamp())
        return report

    def _failed(self, exc: Exception, now: datetime) -> None:
        self.failures += 1
        error_class = exc.error_class if isinstance(exc, SyncError) else "unexpected"
        reason = str(exc) if isinstance(exc, SyncError) else f"{type(exc).__name__}: {exc}"
        delay = backoff_delay(self.failures, self.interval_seconds, self.max_backoff_seconds)
        if isinstance(exc, QuotaError) and exc.resume_at is not None:
            delay = max(delay, exc.resume_at - now)
        self.resume_at = now + delay
        self.last_error = reason
        POLL_FAILURES.labels(self.name).set(self.failures)
        POLL_RUNS.labels(self.name, f"failed_{error_class}").inc()
        log.warning(
            "poller failed; backing off",
            extra={
                "poller": self.name,
                "error_class": error_class,
                "reason": reason[:500],
                "consecutive_failures": self.failures,
                "retry_in_seconds": round(delay.total_seconds(), 1),
            },
        )
