"""The escalation ladder with a hand-moved clock: fast reps never breach, slow reps climb the ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sla.models import SlaNotification, SlaOutOfOffice, SlaStepRun
from sync.models import OutboxMessage
from tests.sla.support import FAST, MANAGER, SLOW, STEADY, a_config, sla_world

pytestmark = pytest.mark.storage

# The conftest clock starts on Monday 2 November 2026 at 09:00 UTC, 10:00 in Berlin: inside working hours.
ROUTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return ROUTED + timedelta(minutes=minutes)


@pytest.fixture
def world(engine, clock):
    with sla_world(engine, clock) as built:
        yield built


async def test_fast_rep_is_never_reminded_or_breached(world, clock):
    handoff_id = world.route(FAST)
    clock.advance(minutes=2)
    assert world.touch(handoff_id, FAST).touched == 1
    clock.advance(hours=3)
    await world.run()

    assert world.kinds(handoff_id) == ["touched"]
    assert world.slack.posts == []
    handoff = world.handoff(handoff_id)
    assert (handoff.state, handoff.breached, handoff.first_touch_at) == ("touched", False, at(2))
    assert (handoff.touch_wall_seconds, handoff.touch_business_seconds) == (120, 120)
    (sla_clock,) = world.clocks(handoff_id)
    assert (sla_clock.status, sla_clock.ready_business_seconds, sla_clock.next_step_at) == (
        "touched",
        120,
        None,
    )


async def test_slow_rep_is_reminded_then_breached_then_reassigned(world, clock):
    handoff_id = world.route(SLOW)
    assert world.handoff(handoff_id).due_at == at(5)

    clock.set(at(2.5))
    await world.run()
    assert world.kinds(handoff_id) == ["notified", "reminded"]
    (reminder,) = world.slack.posts
    assert reminder["text"].startswith("First touch due soon: lead")
    assert "<@U0SLOW>: 2 min left (business time)" in reminder["blocks"][1]["text"]["text"]

    clock.set(at(5))
    await world.run()
    assert world.kinds(handoff_id)[2:] == ["breached", "notified", "notified"]
    (task_fields,) = [fields for name, fields in world.salesforce.calls if name == "create_task"]
    assert task_fields["OwnerId"] == MANAGER.id and task_fields["Subject"].startswith(
        "[Handoff] SLA breached"
    )
    assert world.handoff(handoff_id).state == "breached"

    clock.set(at(35))
    await world.run()
    assert world.kinds(handoff_id)[5:] == ["escalated", "reassigned", "notified", "notified"]
    assert world.salesforce.owners[world.handoff(handoff_id).sfdc_lead_id] == STEADY.id
    handoff = world.handoff(handoff_id)
    assert (handoff.state, handoff.owner_id, handoff.owner_name) == ("reassigned", STEADY.id, STEADY.name)
    first, second = world.clocks(handoff_id)
    assert (first.status, first.breached, first.ended_at) == ("reassigned", True, at(35))
    assert (second.owner_id, second.started_at, second.due_at, second.reassignments) == (
        STEADY.id,
        at(35),
        at(40),
        1,
    )
    assert handoff.due_at == at(40)
    texts = [post["text"] for post in world.slack.posts[-2:]]
    assert sorted(t.split(":")[0] for t in texts) == [
        "Lead reassigned away from you",
        "Lead reassigned to you",
    ]

    events = {event.kind: event for event in world.events(handoff_id)}
    assert events["breached"].at == at(5)
    assert events["reminded"].at == at(2.5)
    assert events["reassigned"].data["from_owner_id"] == SLOW.id

    clock.set(at(37))
    world.touch(handoff_id, STEADY)
    handoff = world.handoff(handoff_id)
    assert (handoff.state, handoff.breached, handoff.first_touch_at) == ("touched", True, at(37))
    assert handoff.touch_wall_seconds == 37 * 60


async def test_each_step_runs_exactly_once(world, clock):
    handoff_id = world.route(SLOW)
    clock.set(at(6))
    for _ in range(3):
        await world.run()
        world.tick()
    runs = world.step_runs(handoff_id)
    assert [(r.step_index, r.action, r.status) for r in runs] == [
        (0, "remind", "done"),
        (1, "breach", "done"),
    ]
    assert [r.scheduled_at for r in runs] == [at(2.5), at(5)]
    assert len(world.slack.posts) == 2
    with world.session() as session:
        assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 3
    assert world.kinds(handoff_id).count("breached") == 1


async def test_steps_stop_the_moment_a_touch_arrives(world, clock):
    handoff_id = world.route(SLOW)
    clock.set(at(3))
    await world.run()
    world.touch(handoff_id, SLOW)
    clock.set(at(120))
    await world.run()
    assert world.kinds(handoff_id) == ["notified", "reminded", "touched"]
    assert [r.action for r in world.step_runs(handoff_id)] == ["remind"]
    assert world.handoff(handoff_id).breached is False


async def test_rep_out_of_office_is_skipped_and_the_lead_moves_on_at_once(world, clock):
    with world.session() as session:
        for person in (SLOW, STEADY):
            session.add(
                SlaOutOfOffice(
                    user_id=person.id,
                    starts_at=at(-24 * 60),
                    ends_at=at(5 * 24 * 60),
                    reason="vacation",
                    created_by="ops@acme.example",
                    created_at=at(-48 * 60),
                )
            )
        session.commit()
    handoff_id = world.route(SLOW)
    await world.run()

    runs = world.step_runs(handoff_id)
    assert [(r.action, r.status, r.reason) for r in runs][:3] == [
        ("remind", "skipped", "owner_out_of_office"),
        ("breach", "skipped", "owner_out_of_office"),
        ("reassign", "done", None),
    ]
    handoff = world.handoff(handoff_id)
    assert handoff.owner_id == FAST.id, (
        "Steady (next in the team) is away too, so the team wraps round to Fast"
    )
    assert handoff.breached is False
    reassigned = next(e for e in world.events(handoff_id) if e.kind == "reassigned")
    assert reassigned.reason_code == "owner_out_of_office"
    with world.session() as session:
        skipped = session.execute(
            select(SlaNotification.recipient_id, SlaNotification.status, SlaNotification.reason).where(
                SlaNotification.handoff_id == handoff_id
            )
        ).all()
    assert (SLOW.id, "skipped", "out_of_office") in skipped
    assert (FAST.id, "sent", None) in skipped


async def test_channel_down_does_not_stop_the_ladder(world, clock):
    handoff_id = world.route(SLOW)
    world.slack.status, world.slack.body = 503, "rollup_error"
    clock.set(at(2.5))
    await world.run()
    (reminder,) = world.step_runs(handoff_id)
    assert reminder.status == "waiting"
    assert world.kinds(handoff_id) == []

    clock.set(at(5))
    await world.run()
    assert world.kinds(handoff_id)[0] == "breached"

    world.slack.status = 200
    clock.set(at(12))
    await world.run()
    assert len(world.slack.posts) == 2
    reminded = [e for e in world.events(handoff_id) if e.kind == "reminded"]
    assert [e.at for e in reminded] == [at(12)], "recorded when it was sent, not when it was decided"
    with world.session() as session:
        assert session.get(SlaStepRun, reminder.id).status == "done"


async def test_untouched_lead_is_recycled_as_leakage(engine, clock):
    with sla_world(engine, clock, a_config(max_reassignments=0)) as world:
        handoff_id = world.route(SLOW)
        clock.set(datetime(2026, 11, 4, 9, 4, tzinfo=UTC))
        await world.run()
        assert world.handoff(handoff_id).state == "breached"
        clock.set(datetime(2026, 11, 4, 9, 5, tzinfo=UTC))  # due + 16 business hours (two 8 h days)
        await world.run()

        handoff = world.handoff(handoff_id)
        assert (handoff.state, handoff.closed_at) == ("recycled", datetime(2026, 11, 4, 9, 5, tzinfo=UTC))
        recycled = next(e for e in world.events(handoff_id) if e.kind == "recycled")
        assert (recycled.reason_code, recycled.data["leakage"]) == ("no_first_touch", True)
        assert world.nurture.recycled[0]["program_id"] == 1044
        assert [(r.action, r.status, r.reason) for r in world.step_runs(handoff_id)][2:] == [
            ("reassign", "skipped", "max_reassignments"),
            ("recycle", "done", None),
        ]
        assert world.clocks(handoff_id)[0].status == "recycled"


async def test_touch_seen_late_but_made_in_time_is_not_a_breach(world, clock):
    handoff_id = world.route(SLOW)
    clock.set(at(6))
    await world.run()
    assert world.handoff(handoff_id).breached is True
    world.touch(handoff_id, SLOW, minutes_ago=2)  # the poller saw the 09:04 call only at 09:06
    handoff = world.handoff(handoff_id)
    assert (handoff.breached, handoff.first_touch_at) == (False, at(4))
    touched = world.events(handoff_id)[-1]
    assert touched.data["within_target"] is True


async def test_reassignment_is_dropped_when_the_rep_touches_before_salesforce_is_written(world, clock):
    handoff_id = world.route(SLOW)
    clock.set(at(35))
    world.tick()  # the reassign step is queued in the outbox ...
    world.touch(handoff_id, SLOW)  # ... and the rep calls before the outbox runs
    await world.dispatcher.drain()
    world.tick()
    assert [c.status for c in world.clocks(handoff_id)] == ["touched"]
    assert world.handoff(handoff_id).owner_id == SLOW.id
    assert (
        "reassign_lead",
        (world.handoff(handoff_id).sfdc_lead_id, STEADY.id),
    ) not in world.salesforce.calls
    reassign = next(r for r in world.step_runs(handoff_id) if r.action == "reassign")
    assert (reassign.status, reassign.reason) == ("skipped", "clock_stopped")
