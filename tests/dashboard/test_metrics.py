"""The metric definitions, on plain values: percentiles, shares, period changes, buckets, stages, SLA."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.metrics import (
    RESPONSE_BUCKETS,
    SPEED_BUCKETS,
    Change,
    StageLimits,
    bucket_for,
    cumulative_shares,
    format_seconds,
    nearest_rank,
    percentile,
    share,
    sla_outcome,
    stage_of,
    within_shares,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_median_of_an_odd_count_is_the_middle_value_and_p90_an_observed_value():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
    assert percentile(values, 50) == 6.0
    assert percentile(values, 90) == 10.0
    assert percentile([], 50) is None


@given(
    st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=200),
    st.integers(1, 100),
)
def test_nearest_rank_percentile_splits_the_values_as_defined(values, percent):
    ordered = sorted(values)
    found = percentile(ordered, percent)
    at_or_below = sum(1 for value in ordered if value <= found)
    below = sum(1 for value in ordered if value < found)
    assert at_or_below >= math.ceil(percent * len(ordered) / 100)
    assert below < math.ceil(percent * len(ordered) / 100)


def test_nearest_rank_refuses_nonsense():
    with pytest.raises(ValueError):
        nearest_rank(0, 10)
    with pytest.raises(ValueError):
        nearest_rank(50, 0)


def test_shares_and_changes_say_better_or_worse_by_what_good_means():
    assert share(1, 4) == 0.25
    assert share(3, 0) is None
    faster = Change(current=240.0, previous=300.0, higher_is_better=False)
    assert faster.delta == -60.0
    assert faster.relative == pytest.approx(-0.2)
    assert faster.verdict == "better"
    assert Change(0.5, 0.6).verdict == "worse"
    assert Change(0.5, None).verdict == "same"
    assert Change(3.0, 0.0).relative is None


def test_speed_buckets_cover_every_duration_once():
    assert bucket_for(None, SPEED_BUCKETS) == "never"
    assert bucket_for(0, SPEED_BUCKETS) == "0-60"
    assert bucket_for(299.9, SPEED_BUCKETS) == "60-300"
    assert bucket_for(300, SPEED_BUCKETS) == "300-900"
    assert bucket_for(30 * 86400, SPEED_BUCKETS) == "604800-"
    assert bucket_for(-3, RESPONSE_BUCKETS) == "0-300"
    assert [bucket.label for bucket in RESPONSE_BUCKETS] == [
        "< 5 min",
        "5\u201360 min",
        "1\u201324 h",
        "> 24 h",
    ]


def test_within_shares_and_ecdf_come_from_the_histogram():
    counts = {"0-60": 2, "60-300": 2, "300-900": 1, "3600-7200": 3, "86400-172800": 1}
    shares = dict(within_shares(counts, never=1, buckets=SPEED_BUCKETS))
    assert shares == {"within 5 min": 0.4, "within 1 h": 0.5, "within 1 day": 0.8, "never touched": 0.1}
    assert cumulative_shares([2, 2, 1], 10) == [0.2, 0.4, 0.5]


def _stage(**changes):
    values = dict(
        state="routed",
        mql_at=NOW - timedelta(hours=3),
        routed_at=NOW - timedelta(hours=3),
        due_at=NOW + timedelta(hours=1),
        first_touch_at=None,
        breached=False,
        converted_at=None,
        now=NOW,
    )
    values.update(changes)
    return stage_of(**values)


def test_every_stage_of_the_leakage_funnel():
    assert _stage(converted_at=NOW) == "converted"
    assert _stage(state="recycled") == "recycled"
    assert _stage(state="rejected", routed_at=None) == "rejected"
    assert _stage(routed_at=None, mql_at=NOW - timedelta(days=2)) == "held_too_long"
    assert _stage(routed_at=None) == "waiting"
    assert _stage(due_at=NOW - timedelta(minutes=1)) == "untouched"
    assert _stage(due_at=None, routed_at=NOW - timedelta(hours=25)) == "untouched"
    assert _stage() == "awaiting_touch"
    assert _stage(first_touch_at=NOW, due_at=NOW - timedelta(minutes=1)) == "late"
    assert _stage(first_touch_at=NOW - timedelta(hours=2)) == "touched"
    assert (
        _stage(routed_at=None, mql_at=NOW - timedelta(hours=5), limits=StageLimits(hold=timedelta(hours=4)))
        == "held_too_long"
    )


def test_sla_outcome_counts_overdue_untouched_leads_as_missed_and_young_ones_as_pending():
    due = NOW - timedelta(minutes=5)
    assert sla_outcome(due_at=None, first_touch_at=None, breached=False, now=NOW) == "no_sla"
    assert sla_outcome(due_at=due, first_touch_at=due, breached=False, now=NOW) == "met"
    assert sla_outcome(due_at=due, first_touch_at=NOW, breached=False, now=NOW) == "missed"
    assert sla_outcome(due_at=due, first_touch_at=None, breached=False, now=NOW) == "missed"
    assert sla_outcome(due_at=NOW + timedelta(1), first_touch_at=None, breached=False, now=NOW) == "pending"
    assert sla_outcome(due_at=NOW + timedelta(1), first_touch_at=NOW, breached=True, now=NOW) == "missed"


def test_durations_read_the_way_people_say_them():
    assert format_seconds(None) == "\u2013"
    assert format_seconds(42) == "42 s"
    assert format_seconds(252) == "4 min 12 s"
    assert format_seconds(3 * 3600 + 300) == "3 h 05 min"
    assert format_seconds(2 * 86400 + 4 * 3600) == "2 d 4 h"


def test_a_hold_closed_by_routing_counts_as_leaked_inside_the_dashboards_limit():
    assert (
        _stage(routed_at=None, mql_at=NOW - timedelta(hours=7), closed_at=NOW - timedelta(hours=1))
        == "held_too_long"
    )
