"""Replaying a proposed config over past handoffs: counts, changes, load, fidelity, and no writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from routing.models import Handoff, HandoffEvent, PersonSnapshot
from routing.simulate import simulate
from routing.simulate_report import report_json, report_text
from sync.models import OutboxMessage
from tests.routing.support import (
    ANN,
    BOB,
    EMEA_QUEUE,
    ENT_RULE,
    FALLBACK_QUEUE,
    a_config,
    a_person,
    a_world,
    config_data,
)


def row_counts(session):
    return [
        session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Handoff, HandoffEvent, PersonSnapshot, OutboxMessage)
    ]


async def a_week_of_handoffs(session, clock):
    world = a_world(session, clock)
    start = clock()
    people = [
        a_person(id=1, email="a1@acme.com"),  # tier_a → ENT rule → ANN
        a_person(id=2, email="a2@beta.io", numberOfEmployees=300),  # emea queue
        a_person(id=3, email="a3@gamma.io", numberOfEmployees=300, leadScore=70),  # emea queue, score 70
        a_person(id=4, email="a4@delta.io", country="US", numberOfEmployees=50),  # na → BOB
        a_person(id=5, email="a5@gmail.com"),  # rejected: free mail
        a_person(id=6, email="a6@eps.io", phone=None),  # held
    ]
    for person in people:
        await world.route(person)
        clock.advance(days=1)
    return world, start


async def test_replaying_the_config_in_force_reproduces_every_recorded_decision(session, clock):
    world, start = await a_week_of_handoffs(session, clock)
    report = simulate(session, world.active.config, start, clock(), baseline=world.active.config)
    assert report.replayed == 6
    assert report.changed == 0
    assert report.fidelity == 1.0
    assert dict(report.before) == dict(report.after) == {"route": 4, "reject": 1, "hold": 1}
    assert report.load_before == report.load_after
    assert report.load_before == {f"owner:{ANN}": 1, f"queue:{EMEA_QUEUE}": 2, f"owner:{BOB}": 1}


async def test_a_stricter_score_and_a_new_queue_show_up_as_outcome_target_and_load_changes(session, clock):
    world, start = await a_week_of_handoffs(session, clock)
    data = config_data()
    data["score"] = {"thresholds": {"leadScore": 75}, "cooldown_days": 30}
    data["segments"][1]["target"] = {"queue": FALLBACK_QUEUE}
    data["required_fields"] = ["email", "company", "country"]
    proposed = a_config(
        score=data["score"], segments=data["segments"], required_fields=data["required_fields"]
    )
    before_rows = row_counts(session)
    report = simulate(session, proposed, start, clock(), baseline=world.active.config)
    assert row_counts(session) == before_rows
    assert report.transitions[("route", "reject")] == 1  # person 3, score 70
    assert report.transitions[("hold", "route")] == 1  # person 6, phone no longer required
    assert report.target_changes == {(f"queue:{EMEA_QUEUE}", f"queue:{FALLBACK_QUEUE}"): 1}
    assert report.load_before[f"queue:{EMEA_QUEUE}"] == 2
    assert report.load_after[f"queue:{EMEA_QUEUE}"] == 0
    assert report.load_after[f"owner:{ANN}"] == 1
    assert report.load_after[f"rule:{ENT_RULE}"] == 1  # person 6, newly routed: the rule picks the owner
    changed = {change.marketo_id: change for change in report.changes}
    assert set(changed) == {2, 3, 6}
    assert changed[3].reason_code == "below_score"
    assert changed[3].reason == "Not qualified: leadScore 70 < 75."
    assert changed[6].after_target == f"rule:{ENT_RULE}"
    data = report_json(report)
    assert data["outcomes"]["route"] == {"before": 4, "after": 4}
    assert data["changed"] == 3
    text = report_text(report)
    assert "route → reject: 1" in text
    assert "Not qualified: leadScore 70 < 75." in text


async def test_only_handoffs_decided_in_the_window_are_replayed(session, clock):
    world, start = await a_week_of_handoffs(session, clock)
    report = simulate(session, world.active.config, start + timedelta(days=2), start + timedelta(days=4))
    assert report.replayed == 2
    assert report.fidelity is None


async def test_simulate_refuses_to_write_even_by_accident(session, clock):
    world, start = await a_week_of_handoffs(session, clock)
    session.add(Handoff(state="mql", mql_at=clock(), updated_at=clock()))
    with pytest.raises(RuntimeError, match="simulate must not write"):
        simulate(session, world.active.config, start, clock())
    session.rollback()


async def test_a_damaged_snapshot_context_replays_as_a_hold_not_a_crash(session, clock):
    world, start = await a_week_of_handoffs(session, clock)
    snapshot = session.execute(select(PersonSnapshot).order_by(PersonSnapshot.id)).scalars().first()
    snapshot.context = {"records": [{"unexpected": 1}]}
    session.add(snapshot)
    session.flush()
    report = simulate(session, world.active.config, start, clock())
    assert report.incomplete_contexts == 1
    assert report.transitions[("route", "hold")] == 1
