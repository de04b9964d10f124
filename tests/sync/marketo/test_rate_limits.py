"""How the client reacts to Marketo's rate, concurrency and quota errors: wait, retry within bounds, stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import REGISTRY

from sync.errors import QuotaError, RetryableError
from sync.outbox import PRIORITY_ROUTING
from tests.sync.marketo.support import BASE, FakeTime, a_client, failed, ok

LEAD = f"{BASE}/rest/v1/lead/7.json"


def errors_total(code: str) -> float:
    return (
        REGISTRY.get_sample_value("handoff_marketo_errors_total", {"endpoint": "lead.get", "code": code}) or 0
    )


async def test_606_waits_out_the_window_then_succeeds(mkto, clock):
    route = mkto.get(LEAD).mock(
        side_effect=[failed("606", "Max rate limit '100' exceeded with in '20' secs"), ok([{"id": 7}])]
    )
    before = errors_total("606")
    fake = FakeTime(clock)
    start = clock()
    async with a_client(clock, fake) as client:
        assert await client.get_lead(7) == {"id": 7}
        # Every other flow of the instance waits too.
        snapshot = await client.throttle.snapshot()
    assert route.call_count == 2
    assert clock() - start == timedelta(seconds=20)
    assert snapshot.paused_until is None
    assert errors_total("606") == before + 1


async def test_615_backs_off_briefly_and_retries(mkto, clock):
    mkto.get(LEAD).mock(side_effect=[failed("615", "Concurrent access limit reached"), ok([{"id": 7}])])
    fake = FakeTime(clock)
    async with a_client(clock, fake) as client:
        assert await client.get_lead(7) == {"id": 7}
    assert fake.slept == [1.0]


async def test_transient_errors_are_retried_a_bounded_number_of_times(mkto, clock):
    route = mkto.get(LEAD).mock(return_value=failed("604", "Request timed out"))
    fake = FakeTime(clock)
    async with a_client(clock, fake) as client:
        with pytest.raises(RetryableError) as raised:
            await client.get_lead(7)
    assert route.call_count == 3
    assert fake.slept == [5.0, 10.0]
    assert raised.value.code == "604" and raised.value.retry_after_seconds == 5.0


async def test_502_is_left_to_the_caller_because_the_outcome_is_unknown(mkto, clock):
    route = mkto.get(LEAD).mock(return_value=failed("502", "Bad Gateway"))
    async with a_client(clock) as client:
        with pytest.raises(RetryableError):
            await client.get_lead(7)
    assert route.call_count == 1


async def test_607_stops_every_call_until_the_daily_reset(mkto, clock):
    route = mkto.get(LEAD).mock(return_value=failed("607", "Daily quota reached"))
    async with a_client(clock) as client:
        with pytest.raises(QuotaError) as raised:
            await client.get_lead(7)
        assert raised.value.resume_at == datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
        with pytest.raises(QuotaError):
            await client.get_lead(7, priority=PRIORITY_ROUTING)
    assert route.call_count == 1


async def test_timeouts_and_refused_connections_are_retryable(mkto, clock):
    mkto.get(LEAD).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
    async with a_client(clock) as client:
        with pytest.raises(RetryableError, match="timed out"):
            await client.get_lead(7)
        with pytest.raises(RetryableError, match="connection failed"):
            await client.get_lead(7)
        # The timed-out call may have reached Marketo and counts; the refused one did not.
        assert (await client.throttle.snapshot()).used_today == 1


async def test_calls_marketo_does_not_bill_are_not_counted(mkto, clock):
    mkto.get(LEAD).mock(side_effect=[failed("608", "API Temporarily Unavailable"), ok([{"id": 7}])])
    async with a_client(clock) as client:
        await client.get_lead(7)
        assert (await client.throttle.snapshot()).used_today == 1


async def test_daily_usage_is_read_from_marketo(mkto, clock):
    mkto.get(f"{BASE}/rest/v1/stats/usage.json").mock(
        return_value=ok(
            [
                {"date": "2026-11-01", "total": 40000, "users": []},
                {"date": "2026-11-02", "total": 48500, "users": [{"userId": "x@y.com", "count": 200}]},
            ]
        )
    )
    async with a_client(clock, routing_reserve=2000) as client:
        assert await client.refresh_daily_usage() == 48500
        assert (await client.throttle.snapshot()).remaining_today == 1500
        with pytest.raises(QuotaError, match="routing reserve"):
            await client.get_lead(7)
