"""The org's daily API allocation as Salesforce reports it on every response (reference/salesforce.md §9).

``Sforce-Limit-Info: api-usage=18/5000`` is read after each call; below ``daily_reserve`` remaining calls
only routing work may go on, so that qualifying a lead never fails because a backfill spent the day.
Pure bookkeeping: the caller passes the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.errors import QuotaError
from sync.outbox import PRIORITY_ROUTING
from sync.salesforce.errors import SYSTEM

_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")

# Usage is a rolling 24 h count: once a refusal is this old, let one call through to read it again.
STALE_AFTER = timedelta(minutes=15)


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """``(used, max)`` from a ``Sforce-Limit-Info`` header, or None if absent or unreadable."""
    if not header:
        return None
    match = _USAGE.search(header)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class ApiUsage:
    used: int
    max: int
    observed_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.max - self.used)


class ApiAllocation:
    """The last reading of the daily allocation and the rule that protects the routing reserve."""

    def __init__(self, daily_reserve: int) -> None:
        if daily_reserve < 0:
            raise ValueError("daily_reserve must be >= 0")
        self.daily_reserve = daily_reserve
        self.usage: ApiUsage | None = None

    def observe(self, header: str | None, now: datetime) -> ApiUsage | None:
        parsed = parse_limit_info(header)
        if parsed is not None:
            self.usage = ApiUsage(used=parsed[0], max=parsed[1], observed_at=now)
        return self.usage

    def check(self, priority: int, now: datetime) -> None:
        """Raise ``QuotaError`` if a call of this priority must not spend the remaining allocation."""
        usage = self.usage
        if usage is None or now - usage.observed_at >= STALE_AFTER:
            return
        if priority <= PRIORITY_ROUTING:
            return
        if usage.remaining <= self.daily_reserve:
            raise QuotaError(
                f"Salesforce API allocation low: {usage.remaining} of {usage.max} calls left, "
                f"the last {self.daily_reserve} are kept for routing",
                code="RESERVE",
                system=SYSTEM,
                resume_at=usage.observed_at + STALE_AFTER,
            )
