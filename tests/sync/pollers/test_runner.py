"""A failing poller backs off, says why, and recovers."""

from __future__ import annotations

import logging
from datetime import timedelta

from sync.errors import AuthError, QuotaError
from sync.pollers.report import PollReport
from sync.pollers.runner import PollerRunner, backoff_delay


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_delay(n, 30, 900).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 900, 900]


async def test_failures_back_off_and_log_the_reason_then_recover(clock, caplog):
    outcomes: list[Exception | None] = [AuthError("Marketo 603 access denied", code="603"), None]

    async def poll() -> PollReport:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return PollReport("marketo.activities", stored=3)

    runner = PollerRunner(
        "marketo.activities", poll, clock=clock, interval_seconds=30, max_backoff_seconds=900
    )
    with caplog.at_level(logging.WARNING):
        assert await runner() is None
    record = next(r for r in caplog.records if r.getMessage() == "poller failed; backing off")
    assert record.error_class == "auth" and "603" in record.reason and record.retry_in_seconds == 60
    clock.advance(seconds=30)
    assert await runner() is None and outcomes  # still backing off: the poll was not called
    clock.advance(seconds=31)
    report = await runner()
    assert report is not None and report.stored == 3 and runner.failures == 0


async def test_a_quota_error_waits_for_the_quota_to_come_back(clock):
    resume = clock() + timedelta(hours=5)

    async def poll() -> PollReport:
        raise QuotaError("Marketo 607 daily quota reached", code="607", resume_at=resume)

    runner = PollerRunner("p", poll, clock=clock, interval_seconds=30, max_backoff_seconds=900)
    await runner()
    assert runner.resume_at == resume
