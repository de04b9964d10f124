"""The SQL aggregates agree with the pure metric definitions on the same seeded history."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from dashboard.filters import Drill, parse_filters
from dashboard.metrics import (
    LEAKED_STAGES,
    SPEED_BUCKETS,
    StageLimits,
    bucket_for,
    percentile,
    sla_outcome,
    stage_of,
)
from dashboard.queries import leads, leakage, overview, sla, speed
from dashboard.queries.common import cohort, h, prepare, ranks, unpack
from tests.dashboard.support import NOW, all_handoffs, seed_history

pytestmark = pytest.mark.storage
LIMITS = StageLimits()
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def history(engine):
    seed_history(engine)
    filters = parse_filters({}, today=NOW.date(), tz=UTC_ZONE)
    rows = [row for row in all_handoffs(engine) if filters.start <= row["mql_at"] < filters.end]
    return engine, filters, rows


def _stage(row):
    return stage_of(
        state=row["state"],
        mql_at=row["mql_at"],
        routed_at=row["routed_at"],
        due_at=row["due_at"],
        first_touch_at=row["first_touch_at"],
        breached=row["breached"],
        converted_at=row["converted_at"],
        closed_at=row["closed_at"],
        now=NOW,
        limits=LIMITS,
    )


def _outcome(row):
    return sla_outcome(
        due_at=row["due_at"], first_touch_at=row["first_touch_at"], breached=row["breached"], now=NOW
    )


def test_overview_counts_and_percentiles_match_the_definitions(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        figures = overview.period_figures(connection, filters, NOW, LIMITS)
    assert figures.mqls == len(rows) > 300
    assert figures.routed == sum(1 for row in rows if row["routed_at"])
    assert figures.sla_met == sum(1 for row in rows if _outcome(row) == "met")
    assert figures.sla_missed == sum(1 for row in rows if _outcome(row) == "missed")
    assert figures.leaked == sum(1 for row in rows if _stage(row) in LEAKED_STAGES)
    assert figures.converted == sum(1 for row in rows if row["converted_at"])
    for clock in ("wall", "business"):
        values = sorted(
            row[f"touch_{clock}_seconds"] for row in rows if row[f"touch_{clock}_seconds"] is not None
        )
        assert figures.speed[clock] == {50: percentile(values, 50), 90: percentile(values, 90)}


def test_percentile_aggregate_per_group_matches_the_pure_definition(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        found = dict(
            prepare(connection)
            .execute(
                h.owner_id.table.select()
                .with_only_columns(h.owner_id, ranks(h.touch_business_seconds))
                .where(*cohort(filters))
                .group_by(h.owner_id)
            )
            .all()
        )
    owners = {row["owner_id"] for row in rows}
    for owner in owners:
        values = sorted(
            r["touch_business_seconds"]
            for r in rows
            if r["owner_id"] == owner and r["touch_business_seconds"] is not None
        )
        expected = {50: percentile(values, 50), 90: percentile(values, 90)} if values else {}
        assert unpack(found[owner]) == expected


def test_leakage_funnel_puts_every_lead_in_its_stage(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        stages = {row.key: row.count for row in leakage.funnel(connection, filters, NOW, LIMITS)}
    expected = Counter(_stage(row) for row in rows)
    assert stages == {key: expected.get(key, 0) for key in stages}
    assert sum(stages.values()) == len(rows)


def test_speed_histogram_per_segment_matches_bucket_for(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        groups = speed.speed_by(connection, filters, "segment", "wall")
    for group in groups:
        routed = [row for row in rows if row["segment"] == group.key and row["routed_at"]]
        expected = Counter(bucket_for(row["touch_wall_seconds"], SPEED_BUCKETS) for row in routed)
        assert group.never == expected.pop("never", 0)
        assert group.buckets == dict(expected)


def test_sla_per_policy_and_per_rep_match_the_outcomes(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        policies = sla.by_policy(connection, filters, NOW)
        reps = sla.by_rep(connection, filters, NOW)
    for policy in policies:
        mine = [row for row in rows if row["routed_at"] and row["sla_policy"] == policy.policy]
        assert (policy.met, policy.missed, policy.pending) == tuple(
            sum(1 for row in mine if _outcome(row) == outcome) for outcome in ("met", "missed", "pending")
        )
        assert sum(met + missed for met, missed in policy.days.values()) == policy.met + policy.missed
    assert sum(rep.routed for rep in reps) == sum(1 for row in rows if row["routed_at"])


@pytest.mark.parametrize(
    "drill",
    [
        Drill(stage="untouched"),
        Drill(metric="sla_missed"),
        Drill(speed="300-900", clock="business"),
        Drill(metric="leaked"),
    ],
)
def test_drill_down_lists_exactly_the_leads_behind_the_number(history, drill):
    engine, filters, rows = history
    with engine.connect() as connection:
        conditions = leads.drill_conditions(connection, filters, drill, NOW, LIMITS)
        listed = [row["id"] for row in leads.iter_leads(connection, conditions, NOW, LIMITS, batch=97)]
        first_page = leads.lead_page(connection, conditions, NOW, LIMITS)
    if drill.stage:
        expected = {row["id"] for row in rows if _stage(row) == drill.stage}
    elif drill.metric == "sla_missed":
        expected = {row["id"] for row in rows if _outcome(row) == "missed"}
    elif drill.metric == "leaked":
        expected = {row["id"] for row in rows if _stage(row) in LEAKED_STAGES}
    else:
        expected = {
            row["id"]
            for row in rows
            if row["routed_at"] and bucket_for(row["touch_business_seconds"], SPEED_BUCKETS) == "300-900"
        }
    assert len(listed) == len(set(listed)) == first_page.total
    assert set(listed) == expected and expected
    assert [row["id"] for row in first_page.rows] == listed[: len(first_page.rows)]


def test_speed_per_policy_matches_the_pure_percentiles(history):
    engine, filters, rows = history
    with engine.connect() as connection:
        found = sla.policy_speed(connection, filters)
    for policy, speeds in found.items():
        values = sorted(
            row["touch_business_seconds"]
            for row in rows
            if row["routed_at"] and row["sla_policy"] == policy and row["touch_business_seconds"] is not None
        )
        assert speeds == {50: percentile(values, 50), 90: percentile(values, 90)}
