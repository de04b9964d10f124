"""Notifications are de-duplicated and rate-limited per recipient, with an optional digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sla.models import SlaNotification
from tests.sla.support import SLOW, a_config, sla_world

pytestmark = pytest.mark.storage

ROUTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REMIND_AND_BREACH = [
    {"at": "50%", "action": "remind", "notify": [{"to": "owner", "via": ["sdr_slack"]}]},
    {"at": "due", "action": "breach", "notify": [{"to": "owner", "via": ["sdr_slack"]}]},
]


def limited_config(digest: bool):
    config = a_config(ladder=REMIND_AND_BREACH)
    config["channels"]["sdr_slack"].update(rate_limit={"max": 1, "per": "1h"}, digest=digest)
    return config


def notifications(world):
    with world.session() as session:
        rows = session.execute(select(SlaNotification).order_by(SlaNotification.id))
        return list(rows.scalars())


async def test_over_the_limit_messages_wait_for_one_digest(engine, clock):
    with sla_world(engine, clock, limited_config(digest=True)) as world:
        first, second = world.route(SLOW), world.route(SLOW)
        clock.set(ROUTED + timedelta(minutes=5))
        await world.run()
        assert len(world.slack.posts) == 1
        assert [(n.kind, n.status) for n in notifications(world)] == [
            ("remind", "sent"),
            ("breach", "held"),
            ("remind", "held"),
            ("breach", "held"),
        ]
        assert {n.hold_until for n in notifications(world) if n.status == "held"} == {
            ROUTED + timedelta(minutes=65)
        }
        assert "reminded" not in world.kinds(second), "the step is recorded when its message is sent"

        clock.set(ROUTED + timedelta(minutes=65))
        await world.run()
        assert len(world.slack.posts) == 2
        digest = world.slack.posts[1]
        assert digest["text"] == "3 SLA updates for Sam Slow"
        body = digest["blocks"][1]["text"]["text"]
        assert body.count("•") == 3 and "First touch due soon" in body and "SLA breached" in body
        assert {n.status for n in notifications(world)} == {"sent"}
        assert len({n.outbox_message_id for n in notifications(world)}) == 2
        reminded = [e for e in world.events(second) if e.kind == "reminded"]
        assert [e.at for e in reminded] == [ROUTED + timedelta(minutes=65)]
        assert world.kinds(first).count("notified") == 2


async def test_without_digest_over_the_limit_messages_are_suppressed_and_recorded(engine, clock):
    with sla_world(engine, clock, limited_config(digest=False)) as world:
        world.route(SLOW)
        second = world.route(SLOW)
        clock.set(ROUTED + timedelta(minutes=3))
        await world.run()
        assert len(world.slack.posts) == 1
        assert [(n.status, n.reason) for n in notifications(world)] == [
            ("sent", None),
            ("suppressed", "rate_limited"),
        ]
        (run,) = world.step_runs(second)
        assert (run.status, run.reason) == ("skipped", "rate_limited")


async def test_a_step_never_notifies_the_same_person_twice(engine, clock):
    with sla_world(engine, clock, a_config(ladder=REMIND_AND_BREACH)) as world:
        handoff_id = world.route(SLOW)
        clock.set(ROUTED + timedelta(minutes=3))
        for _ in range(3):
            await world.run()
        keys = [n.idempotency_key for n in notifications(world)]
        assert len(keys) == len(set(keys)) == 1
        assert world.kinds(handoff_id) == ["notified", "reminded"]


async def test_held_reminder_is_dropped_when_the_rep_touches_before_the_digest(engine, clock):
    with sla_world(engine, clock, limited_config(digest=True)) as world:
        world.route(SLOW)
        second = world.route(SLOW)
        clock.set(ROUTED + timedelta(minutes=3))
        await world.run()
        world.touch(second, SLOW)
        clock.set(ROUTED + timedelta(minutes=63))
        await world.run()
        texts = [post["text"] for post in world.slack.posts]
        assert [t.split(":")[0] for t in texts] == ["First touch due soon", "SLA breached"]
        assert not any(world.handoff(second).email in t for t in texts), (
            "the touched lead's reminder is dropped"
        )
        held = [n for n in notifications(world) if n.handoff_id == second]
        assert [(n.status, n.reason) for n in held] == [("suppressed", "clock_stopped")]
        (run,) = world.step_runs(second)
        assert (run.status, run.reason) == ("skipped", "clock_stopped")
