"""Clock lifecycle through the service: start (idempotent), touches from the poller, owner changes, closing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from routing.models import Handoff
from sla import repository
from sla.jobs import start_missing_clocks
from sla.service import add_out_of_office, close_clock, record_owner_change, record_touches, start_clock
from tests.sla.support import FAST, INTEGRATION_USER, SLOW, STEADY, a_config, sla_world

pytestmark = pytest.mark.storage

ROUTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(engine, clock):
    with sla_world(engine, clock) as built:
        yield built


def test_starting_twice_keeps_one_clock(world):
    handoff_id = world.route(SLOW)
    with world.session() as session:
        handoff = session.get(Handoff, handoff_id)
        again = start_clock(session, world.ctx, handoff, now=world.clock())
        session.commit()
    (only,) = world.clocks(handoff_id)
    assert again.id == only.id and only.sequence == 1


def test_handoff_without_policy_or_owner_gets_no_clock(world):
    with world.session() as session:
        handoff = Handoff(
            state="routed", mql_at=ROUTED, routed_at=ROUTED, updated_at=ROUTED, owner_id=SLOW.id
        )
        session.add(handoff)
        session.flush()
        assert start_clock(session, world.ctx, handoff, now=ROUTED) is None
        handoff.sla_policy = "gold"
        assert start_clock(session, world.ctx, handoff, now=ROUTED) is None


def test_sweep_starts_clocks_the_routing_flow_did_not(world, clock):
    with world.session() as session:
        for n in range(3):
            session.add(
                Handoff(
                    state="routed",
                    sla_policy="tier_a",
                    owner_id=FAST.id,
                    sfdc_lead_id=f"00Q{n:012d}ZZZ",
                    mql_at=ROUTED,
                    routed_at=ROUTED + timedelta(minutes=n),
                    updated_at=ROUTED,
                )
            )
        session.commit()
    assert start_missing_clocks(lambda: world.session(), clock, world.ctx) == 3
    assert start_missing_clocks(lambda: world.session(), clock, world.ctx) == 0
    with world.session() as session:
        assert repository.open_clock_count(session) == 3


def test_touch_on_the_converted_contact_stops_the_clock(world, clock):
    handoff_id = world.route(FAST)
    with world.session() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.sfdc_contact_id = "003000000000077AAA"
        session.commit()
    clock.advance(minutes=4)
    report = world.touch(handoff_id, FAST, WhoId="003000000000077AAA", TaskSubtype="Email", Type=None)
    assert report.touched == 1
    assert world.handoff(handoff_id).first_touch_at == ROUTED + timedelta(minutes=4)


def test_ignored_activities_are_logged_with_their_reason(world, clock, caplog):
    handoff_id = world.route(FAST)
    clock.advance(minutes=3)
    with caplog.at_level(logging.INFO, logger="sla.service"):
        world.touch(handoff_id, FAST, CreatedById=INTEGRATION_USER)
        world.touch(handoff_id, FAST, CreatedById="005000000000555AAA")
        world.touch(handoff_id, FAST, minutes_ago=10)
        world.touch(handoff_id, FAST, WhoId=None)
    reasons = [r.reason for r in caplog.records if r.msg == "activity ignored for first touch"]
    assert reasons == ["integration_user", "unknown_user", "before_routing", "no_who_id"]
    assert world.clocks(handoff_id)[0].status == "open"


def test_task_handoff_created_never_counts_as_a_touch(world, clock):
    handoff_id = world.route(SLOW)
    with world.session() as session:
        clock_id = world.clocks(handoff_id)[0].id
        session.execute(
            text(
                "INSERT INTO sla_notification (handoff_id, clock_id, kind, channel, channel_type, recipient_role,"
                " recipient_id, status, idempotency_key, external_id, created_at, notice)"
                " VALUES (:h, :c, 'breach', 'manager_task', 'salesforce_task', 'manager', :r, 'sent', 'k1',"
                " '00T000000000123AAA', :now, '{}')"
            ),
            {"h": handoff_id, "c": clock_id, "r": SLOW.id, "now": ROUTED.replace(tzinfo=None)},
        )
        session.commit()
    clock.advance(minutes=6)
    report = world.touch(handoff_id, SLOW, Id="00T000000000123AAA", Subject="Follow up now")
    assert report.touched == 0 and report.counts == {"written_by_handoff": 1}


def test_owner_changed_in_salesforce_restarts_the_clock_for_the_new_owner(world, clock):
    handoff_id = world.route(SLOW)
    clock.advance(minutes=2)
    with world.session() as session:
        handoff = session.get(Handoff, handoff_id)
        handoff.owner_id = FAST.id  # routing's owner observer already moved the projection
        new = record_owner_change(session, world.ctx, handoff, FAST.id, at=clock(), now=clock())
        again = record_owner_change(session, world.ctx, handoff, FAST.id, at=clock(), now=clock())
        session.commit()
    assert again is None
    first, second = world.clocks(handoff_id)
    assert (first.status, first.end_reason) == ("reassigned", "owner_changed_in_salesforce")
    assert (second.owner_id, second.started_at, second.due_at) == (
        FAST.id,
        clock(),
        clock() + timedelta(minutes=5),
    )
    assert new.id == second.id and world.kinds(handoff_id) == ["reassigned"]


def test_closing_stops_the_ladder(world, clock):
    handoff_id = world.route(SLOW)
    with world.session() as session:
        handoff = session.get(Handoff, handoff_id)
        close_clock(session, handoff, at=clock(), reason="converted")
        session.commit()
    clock.advance(hours=5)
    world.tick()
    assert world.step_runs(handoff_id) == []
    assert world.clocks(handoff_id)[0].status == "closed"


def test_wall_clock_policy_counts_nights_and_reports_business_time_too(engine, clock):
    config = a_config(mode="wall", first_touch="4h", ladder=[])
    with sla_world(engine, clock, config) as world:
        friday_evening = datetime(2026, 11, 6, 16, 30, tzinfo=UTC)  # 17:30 in Berlin, after hours
        clock.set(friday_evening)
        handoff_id = world.route(STEADY)
        assert world.handoff(handoff_id).due_at == friday_evening + timedelta(hours=4)
        clock.set(datetime(2026, 11, 9, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
        world.touch(handoff_id, STEADY)
        handoff = world.handoff(handoff_id)
        assert handoff.touch_wall_seconds == (clock() - friday_evening).total_seconds()
        assert handoff.touch_business_seconds == 30 * 60
        assert handoff.breached is True


def test_owner_time_zone_source_reads_hours_in_the_owners_zone(engine, clock):
    config = a_config(ladder=[])
    config["calendars"]["emea"]["time_zone_source"] = "owner"
    with sla_world(engine, clock, config) as world:
        world.ctx.directory.add(
            type(SLOW)("005000000000004AAA", "Nora NewYork", time_zone="America/New_York", teams=("sdr_us",))
        )
        clock.set(datetime(2026, 11, 2, 13, 0, tzinfo=UTC))  # 08:00 in New York: not open yet
        handoff_id = world.route(world.ctx.directory.person("005000000000004AAA"))
        (sla_clock,) = world.clocks(handoff_id)
        assert sla_clock.time_zone == "America/New_York"
        assert sla_clock.due_at == datetime(2026, 11, 2, 14, 5, tzinfo=UTC)


def test_tick_reads_due_clocks_through_the_index(world):
    with world.session() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("the plan text checked here is SQLite's")
        plan = session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT id FROM sla_clock WHERE status = 'open' AND next_step_at <= :now "
                "ORDER BY next_step_at, id LIMIT 1000"
            ),
            {"now": ROUTED.replace(tzinfo=None)},
        ).all()
    assert any("ix_sla_clock_next_step" in str(row) for row in plan), plan


def test_touch_report_counts_every_reason(world, clock):
    world.route(FAST)
    clock.advance(minutes=1)
    records = [
        {
            "Id": "00T000000000900AAA",
            "WhoId": "00Q000000000900AAA",
            "CreatedDate": clock(),
            "CreatedById": FAST.id,
        },
        {"Id": "00T000000000901AAA", "CreatedDate": clock()},
    ]
    with world.session() as session:
        report = record_touches(session, world.ctx, records, now=clock())
    assert report.counts == {"no_open_clock": 1, "no_who_id": 1}


def test_out_of_office_entered_in_handoff_is_checked_and_used(world, clock):
    with world.session() as session:
        with pytest.raises(ValueError, match="end after it starts"):
            add_out_of_office(
                session, user_id=SLOW.id, starts_at=clock(), ends_at=clock(), created_by="ops", now=clock()
            )
        with pytest.raises(ValueError, match="not a Salesforce user id"):
            add_out_of_office(
                session,
                user_id="00G000000000001AAA",
                starts_at=clock(),
                ends_at=clock() + timedelta(days=1),
                created_by="ops",
                now=clock(),
            )
        add_out_of_office(
            session,
            user_id=SLOW.id,
            starts_at=clock() - timedelta(hours=1),
            ends_at=clock() + timedelta(days=1),
            created_by="ops@acme.example",
            reason="sick",
            now=clock(),
        )
        session.commit()
    handoff_id = world.route(SLOW)
    (sla_clock,) = world.clocks(handoff_id)
    assert sla_clock.next_step_at == clock(), "an away owner's lead moves on at the next tick"


def test_a_clock_whose_handoff_converted_elsewhere_closes_when_it_comes_due(world, clock):
    handoff_id = world.route(SLOW)
    with world.session() as session:
        session.get(Handoff, handoff_id).state = "converted"
        session.commit()
    clock.advance(minutes=10)
    world.tick()
    (sla_clock,) = world.clocks(handoff_id)
    assert (sla_clock.status, sla_clock.end_reason, sla_clock.next_step_at) == (
        "closed",
        "handoff_converted",
        None,
    )
    assert world.step_runs(handoff_id) == [] and world.kinds(handoff_id) == []


def test_starting_again_after_a_touch_does_not_open_a_second_clock(world, clock):
    handoff_id = world.route(FAST)
    clock.advance(minutes=1)
    world.touch(handoff_id, FAST)
    with world.session() as session:
        again = start_clock(session, world.ctx, session.get(Handoff, handoff_id), now=clock())
        session.commit()
    assert again.status == "touched" and len(world.clocks(handoff_id)) == 1
