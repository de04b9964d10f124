"""The REST limits of one instance: rolling rate window, concurrency, daily quota (reference/marketo.md §7).

- **606** past 100 calls in any rolling 20 s; **615** past 10 requests in flight; **607** once the daily
  quota (50,000 by default) is spent. The quota resets at midnight US Central (§7 "12:00 AM CST"; we
  follow America/Chicago including DST, which the reference leaves unverified).
- Time comes from the injected clock, so tests drive the window and the quota day without sleeping; the
  in-flight count is real concurrency (the gateway enters and leaves around each request).
- A call rejected by a limit is not counted, and a call answered with 601/602/604/605/608/611 is refunded
  (§2 "Quota": the starred codes do not count toward quota or rate limits).
- With ``enabled`` off nothing is rejected (the demo switch), but usage is still counted for the stats API.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

US_CENTRAL = ZoneInfo("America/Chicago")


def quota_day(moment: datetime) -> date:
    """The quota day a moment belongs to: the calendar date in US Central time."""
    return moment.astimezone(US_CENTRAL).date()


@dataclass
class LimitSettings:
    calls_per_window: int = 100
    window_seconds: float = 20.0
    max_in_flight: int = 10
    daily_quota: int = 50_000
    enabled: bool = True


@dataclass(frozen=True)
class Admission:
    """A counted call; handing it back to ``refund`` uncounts it."""

    at: datetime
    day: date
    user: str


class LimitExceeded(Exception):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass
class _DayUsage:
    total: int = 0
    users: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class ApiLimits:
    """Thread-safe counters shared by every request of one emulated instance."""

    def __init__(self, settings: LimitSettings | None = None) -> None:
        self.settings = settings or LimitSettings()
        self._lock = threading.Lock()
        self._window: deque[datetime] = deque()
        self._in_flight = 0
        self._days: dict[date, _DayUsage] = {}

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def enter(self) -> None:
        """Count a request as in flight, or raise 615 if ten are already running."""
        with self._lock:
            if self.settings.enabled and self._in_flight >= self.settings.max_in_flight:
                raise LimitExceeded("615")
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def admit(self, now: datetime, user: str) -> Admission:
        """Count one call against the quota and the rolling window, or raise 607 / 606 without counting."""
        day = quota_day(now)
        with self._lock:
            usage = self._days.setdefault(day, _DayUsage())
            window_start = now - timedelta(seconds=self.settings.window_seconds)
            while self._window and self._window[0] <= window_start:
                self._window.popleft()
            if self.settings.enabled:
                if usage.total >= self.settings.daily_quota:
                    raise LimitExceeded("607")
                if len(self._window) >= self.settings.calls_per_window:
                    raise LimitExceeded("606")
            self._window.append(now)
            usage.total += 1
            usage.users[user] += 1
            return Admission(now, day, user)

    def refund(self, admission: Admission) -> None:
        with self._lock:
            # The call may already have slid out of the window.
            with contextlib.suppress(ValueError):
                self._window.remove(admission.at)
            usage = self._days.get(admission.day)
            if usage and usage.total > 0:
                usage.total -= 1
                usage.users[admission.user] -= 1

    def record_error(self, now: datetime, code: str) -> None:
        with self._lock:
            self._days.setdefault(quota_day(now), _DayUsage()).errors[code] += 1

    def set_quota(
        self, now: datetime, *, daily_quota: int | None = None, used_today: int | None = None
    ) -> None:
        """Fault injection: change the quota or pretend part of today's quota is already spent."""
        with self._lock:
            if daily_quota is not None:
                if daily_quota < 0:
                    raise ValueError("daily_quota must not be negative")
                self.settings.daily_quota = daily_quota
            if used_today is not None:
                if used_today < 0:
                    raise ValueError("used_today must not be negative")
                self._days.setdefault(quota_day(now), _DayUsage()).total = used_today

    def used_on(self, day: date) -> int:
        with self._lock:
            usage = self._days.get(day)
            return usage.total if usage else 0

    def usage_report(self, days: list[date]) -> list[dict[str, object]]:
        """``stats/usage.json`` rows (§7): ``[{date, total, users:[{userId, count}]}]``."""
        with self._lock:
            rows = []
            for day in days:
                usage = self._days.get(day, _DayUsage())
                users = [{"userId": user, "count": n} for user, n in sorted(usage.users.items()) if n > 0]
                rows.append({"date": day.isoformat(), "total": usage.total, "users": users})
            return rows

    def error_report(self, days: list[date]) -> list[dict[str, object]]:
        """``stats/errors.json`` rows (§7): ``[{date, total, errors:[{errorCode, count}]}]``."""
        with self._lock:
            rows = []
            for day in days:
                errors = self._days.get(day, _DayUsage()).errors
                listed = [{"errorCode": code, "count": n} for code, n in sorted(errors.items())]
                rows.append({"date": day.isoformat(), "total": sum(errors.values()), "errors": listed})
            return rows
