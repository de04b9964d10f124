"""Limits count calls on the injected clock; paging tokens are encoded (time, id) pairs (§4, §7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.marketo import paging
from sandbox.marketo.activities import ActivityLog
from sandbox.marketo.limits import ApiLimits, LimitExceeded, LimitSettings, quota_day


def test_the_reference_sample_token_decodes_to_time_and_id():
    position = paging.decode("GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ")
    assert position == paging.PagePosition(datetime(2008, 11, 6, tzinfo=UTC), 0)
    assert paging.encode(position) == "GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ"


@pytest.mark.parametrize(
    "token", ["", "not-a-token", "MZXW6===", paging.encode(paging.PagePosition(datetime.now(UTC), 1))[:-3]]
)
def test_foreign_tokens_are_refused(token):
    with pytest.raises(paging.InvalidPagingToken):
        paging.decode(token)


def test_the_101st_call_in_a_rolling_20_seconds_is_606_and_the_window_slides(clock):
    limits = ApiLimits()
    for _ in range(100):
        limits.admit(clock(), "api")
        clock.advance(seconds=0.1)
    with pytest.raises(LimitExceeded) as exceeded:
        limits.admit(clock(), "api")
    assert exceeded.value.code == "606"
    clock.advance(seconds=10.1)  # the first call is now more than 20 s old
    limits.admit(clock(), "api")


def test_refused_and_refunded_calls_do_not_count(clock):
    limits = ApiLimits(LimitSettings(calls_per_window=2))
    first = limits.admit(clock(), "api")
    limits.admit(clock(), "api")
    with pytest.raises(LimitExceeded):
        limits.admit(clock(), "api")
    limits.refund(first)
    limits.admit(clock(), "api")
    assert limits.used_on(quota_day(clock())) == 2


def test_quota_runs_out_and_resets_at_midnight_us_central(clock):
    limits = ApiLimits(LimitSettings(daily_quota=3))
    clock.set(datetime(2026, 11, 3, 5, 30, tzinfo=UTC))  # 23:30 in Chicago (CST, UTC-6)
    for _ in range(3):
        limits.admit(clock(), "api")
        clock.advance(seconds=30)
    with pytest.raises(LimitExceeded) as exceeded:
        limits.admit(clock(), "api")
    assert exceeded.value.code == "607"
    clock.set(datetime(2026, 11, 3, 6, 0, 1, tzinfo=UTC))  # 00:00:01 in Chicago: a new quota day
    limits.admit(clock(), "api")
    assert quota_day(clock()).isoformat() == "2026-11-03"


def test_more_than_ten_in_flight_is_615_and_leaving_frees_a_slot():
    limits = ApiLimits()
    for _ in range(10):
        limits.enter()
    with pytest.raises(LimitExceeded) as exceeded:
        limits.enter()
    assert exceeded.value.code == "615"
    limits.leave()
    limits.enter()
    assert limits.in_flight == 10


def test_limits_off_refuses_nothing_but_still_counts(clock):
    limits = ApiLimits(LimitSettings(daily_quota=1, calls_per_window=1, max_in_flight=1, enabled=False))
    for _ in range(5):
        limits.enter()
        limits.admit(clock(), "api")
    assert limits.used_on(quota_day(clock())) == 5


def _log_with(clock, count: int) -> ActivityLog:
    log = ActivityLog()
    for n in range(count):
        log.append(lead_id=n % 3 + 1, activity_type_id=12 if n % 10 else 22, at=clock())
        clock.advance(seconds=1)
    return log


def test_sparse_queries_get_empty_pages_with_more_result(clock):
    start = clock()
    log = _log_with(clock, 50)
    position = log.start_position(start)
    pages = []
    while True:
        page = log.read_page(
            position, matches=lambda a: a.activity_type_id == 22, batch_size=300, scan_block=7
        )
        pages.append([a.id for a in page.records])
        position = page.position
        if not page.more_result:
            break
    assert [] in pages
    assert [i for p in pages for i in p] == [1, 11, 21, 31, 41]
    assert position.after_id == 50


def test_a_token_from_a_time_starts_at_the_first_activity_dated_then(clock):
    start = clock()
    log = _log_with(clock, 10)
    position = log.start_position(start + timedelta(seconds=4))
    page = log.read_page(position, matches=lambda a: True, batch_size=3, scan_block=100)
    assert [a.id for a in page.records] == [5, 6, 7] and page.more_result
    caught_up = log.start_position(clock() + timedelta(hours=1))
    assert caught_up.after_id == 10
    assert log.read_page(caught_up, matches=lambda a: True, batch_size=3, scan_block=100).more_result is False
