"""The per-instance throttle: rolling window, in-flight slots, lanes by priority and the daily budget."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from sync.errors import QuotaError
from sync.marketo import Lane, Throttle, ThrottleLimits, lane_for
from sync.outbox import PRIORITY_BACKFILL, PRIORITY_NOTIFY, PRIORITY_ROUTING, PRIORITY_SYNC
from tests.sync.marketo.support import FakeTime


def a_throttle(clock, **limits) -> tuple[Throttle, FakeTime]:
    fake = FakeTime(clock)
    return Throttle(ThrottleLimits(**limits), clock=clock, sleep=fake.sleep), fake


async def call(throttle: Throttle, priority: int = PRIORITY_SYNC) -> None:
    async with throttle.call(priority):
        pass


def test_priorities_map_onto_lanes():
    assert lane_for(PRIORITY_ROUTING) is Lane.ROUTING
    assert lane_for(PRIORITY_NOTIFY) is Lane.SYNC
    assert lane_for(PRIORITY_SYNC) is Lane.SYNC
    assert lane_for(PRIORITY_BACKFILL) is Lane.BACKGROUND


async def test_the_101st_call_waits_for_the_window(clock):
    throttle, fake = a_throttle(clock)
    start = clock()
    for _ in range(100):
        await call(throttle)
    assert clock() == start and fake.slept == []
    await call(throttle)
    assert clock() - start == timedelta(seconds=20)
    snapshot = await throttle.snapshot()
    assert snapshot.calls_in_window == 1 and snapshot.used_today == 101


async def test_a_sustained_stream_never_exceeds_100_calls_in_any_20_seconds(clock):
    throttle, _ = a_throttle(clock)
    starts = []
    for _ in range(350):
        async with throttle.call(PRIORITY_SYNC):
            starts.append(clock())
        clock.advance(seconds=0.05)
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s < start + timedelta(seconds=20)]
        assert len(in_window) <= 100


async def test_no_more_than_ten_in_flight(clock):
    throttle, _ = a_throttle(clock)
    release = asyncio.Event()
    in_flight = 0
    peak = 0

    async def slow_call() -> None:
        nonlocal in_flight, peak
        async with throttle.call(PRIORITY_SYNC):
            in_flight += 1
            peak = max(peak, in_flight)
            await release.wait()
            in_flight -= 1

    tasks = [asyncio.create_task(slow_call()) for _ in range(15)]
    await asyncio.sleep(0.01)
    assert in_flight == 10
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 10


async def test_routing_overtakes_queued_sync_and_background_work(clock):
    # Time stands still until all three are queued, as it would while real seconds pass.
    time_passes = asyncio.Event()
    fake = FakeTime(clock)

    async def gated_sleep(seconds: float) -> None:
        await time_passes.wait()
        await fake.sleep(seconds)

    throttle = Throttle(
        ThrottleLimits(calls_per_window=5, background_share=1.0), clock=clock, sleep=gated_sleep
    )
    for _ in range(5):
        await call(throttle)
    order: list[str] = []

    async def queued(name: str, priority: int) -> None:
        async with throttle.call(priority):
            order.append(name)

    tasks = [asyncio.create_task(queued("backfill", PRIORITY_BACKFILL))]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(queued("sync", PRIORITY_SYNC)))
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(queued("routing", PRIORITY_ROUTING)))
    await asyncio.sleep(0)
    assert order == []
    time_passes.set()
    await asyncio.gather(*tasks)
    assert order == ["routing", "sync", "backfill"]


async def test_background_work_leaves_headroom_for_routing(clock):
    throttle, fake = a_throttle(clock)
    for _ in range(80):
        await call(throttle, PRIORITY_BACKFILL)
    await call(throttle, PRIORITY_ROUTING)  # still free: background may only fill 80 of 100
    assert fake.slept == []
    await call(throttle, PRIORITY_BACKFILL)
    assert fake.slept == [20.0]


async def test_the_reserve_is_kept_for_routing_then_the_day_is_over(clock):
    throttle, _ = a_throttle(clock, daily_quota=30, routing_reserve=10, calls_per_window=100)
    for _ in range(20):
        await call(throttle, PRIORITY_SYNC)
    with pytest.raises(QuotaError, match="routing reserve") as raised:
        await call(throttle, PRIORITY_SYNC)
    assert raised.value.resume_at == datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
    with pytest.raises(QuotaError):
        await call(throttle, PRIORITY_BACKFILL)
    for _ in range(10):
        await call(throttle, PRIORITY_ROUTING)
    with pytest.raises(QuotaError, match="used up"):
        await call(throttle, PRIORITY_ROUTING)
    clock.set(datetime(2026, 11, 3, 6, 0, tzinfo=UTC))
    await call(throttle, PRIORITY_SYNC)
    assert (await throttle.snapshot()).used_today == 1


async def test_calls_marketo_does_not_bill_are_refunded(clock):
    throttle, _ = a_throttle(clock)
    async with throttle.call(PRIORITY_SYNC) as permit:
        permit.counted = False
    await call(throttle)
    assert (await throttle.snapshot()).used_today == 1


async def test_a_606_pauses_every_lane_for_the_window(clock):
    throttle, fake = a_throttle(clock)
    await throttle.pause(20)
    start = clock()
    await call(throttle, PRIORITY_ROUTING)
    assert clock() - start == timedelta(seconds=20)
    assert fake.slept == [20.0]


async def test_a_607_refuses_everything_until_the_reset(clock):
    throttle, _ = a_throttle(clock)
    resume = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
    await throttle.exhaust(resume)
    with pytest.raises(QuotaError, match="607") as raised:
        await call(throttle, PRIORITY_ROUTING)
    assert raised.value.resume_at == resume and raised.value.code == "607"
    clock.set(resume)
    await call(throttle, PRIORITY_ROUTING)


async def test_usage_reported_by_marketo_raises_our_count(clock):
    throttle, _ = a_throttle(clock, daily_quota=1000, routing_reserve=100)
    await throttle.record_usage(950)
    with pytest.raises(QuotaError):
        await call(throttle, PRIORITY_SYNC)
    await call(throttle, PRIORITY_ROUTING)
    assert REGISTRY.get_sample_value("handoff_marketo_quota_remaining") == 49


async def test_a_cancelled_waiter_leaves_the_queue(clock):
    throttle, _ = a_throttle(clock, max_in_flight=1)
    release = asyncio.Event()

    async def holder() -> None:
        async with throttle.call(PRIORITY_SYNC):
            await release.wait()

    holding = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(call(throttle, PRIORITY_ROUTING))
    await asyncio.sleep(0)
    waiting.cancel()
    release.set()
    await holding
    await asyncio.wait_for(call(throttle, PRIORITY_BACKFILL), timeout=1)
    assert waiting.cancelled()


async def test_wait_time_is_measured(clock):
    throttle, _ = a_throttle(clock, calls_per_window=1)
    before = REGISTRY.get_sample_value("handoff_marketo_throttle_wait_seconds_sum", {"lane": "routing"}) or 0
    await call(throttle, PRIORITY_ROUTING)
    await call(throttle, PRIORITY_ROUTING)
    after = REGISTRY.get_sample_value("handoff_marketo_throttle_wait_seconds_sum", {"lane": "routing"})
    assert after - before == pytest.approx(20.0)


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        ThrottleLimits(daily_quota=100, routing_reserve=100)
    with pytest.raises(ValueError):
        ThrottleLimits(background_share=0)
