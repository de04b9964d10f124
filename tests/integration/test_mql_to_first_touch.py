"""The whole chain over loopback: Marketo MQL → webhook → gate → Salesforce Lead → clock → SDR Task → touched."""

from __future__ import annotations

import pytest
from sqlmodel import select

from routing.models import ConfigVersion
from sync import kinds
from tests.integration.support import a_deployment

pytestmark = pytest.mark.storage

TASK_POLL = "sync.poll.salesforce_task"


@pytest.fixture
async def deployment(engine, clock, tmp_path):
    async with a_deployment(engine, clock, tmp_path) as deployment:
        yield deployment


async def test_a_person_crossing_the_mql_line_is_routed_clocked_and_touched_by_the_sdr(deployment, clock):
    d = deployment
    person = d.a_person()
    d.qualify(person)
    await d.settle()

    [lead] = d.query("SELECT Id, OwnerId, Email, Company, Country FROM Lead")
    assert (lead["OwnerId"], lead["Email"], lead["Country"]) == (d.org.ann, "ann.lee@acme.example", "DE")
    handoff = d.handoff()
    assert (handoff.state, handoff.owner_id, handoff.sfdc_lead_id, handoff.marketo_id) == (
        "routed",
        d.org.ann,
        lead["Id"],
        person,
    )
    assert handoff.segment == "emea" and handoff.sla_policy == "standard"
    assert [e.kind for e in d.events(handoff.id)] == ["mql", "route_ready", "routed"]
    routed = d.events(handoff.id)[-1]
    assert (routed.data["auto_assign"], routed.data["owner_id"]) == ("TRUE", d.org.ann)
    with d.session() as session:
        [version] = session.exec(select(ConfigVersion)).all()
    assert (version.status, version.author, routed.config_version_id) == (
        "active",
        "handoff.yaml",
        version.id,
    )
    [sla_clock] = d.clocks(handoff.id)
    assert (sla_clock.status, sla_clock.owner_id, sla_clock.started_at) == ("open", d.org.ann, clock())
    assert (sla_clock.due_at - sla_clock.started_at).total_seconds() == 30 * 60
    assert d.marketo.people.get(person)["sfdcLeadId"] == lead["Id"]
    await d.run("handoff.owner_names")
    named = d.handoff()
    assert (named.owner_name, named.team) == ("Sdr Ann", "SDR EMEA"), "dashboards show people, not ids"

    clock.advance(minutes=10)
    task = d.sdr_task(lead["Id"], d.org.ann)
    clock.advance(minutes=1)
    await d.settle(jobs=(TASK_POLL,))

    touched = d.handoff()
    assert touched.state == "touched"
    assert (touched.touch_wall_seconds, touched.touch_business_seconds) == (600.0, 600.0)
    assert not touched.breached
    [sla_clock] = d.clocks(handoff.id)
    assert (sla_clock.status, sla_clock.touch_activity_id, sla_clock.touch_actor_id) == (
        "touched",
        task[:18],
        d.org.ann,
    )
    last = d.events(handoff.id)[-1]
    assert (last.kind, last.reason_code, last.data["within_target"]) == ("touched", "first_touch", True)
    assert d.dead_letters() == []


async def test_the_activity_poll_seeing_the_qualification_too_routes_it_once(deployment, clock):
    d = deployment
    person = d.a_person()
    d.qualify(person)
    await d.settle()
    clock.advance(minutes=1)
    await d.settle(jobs=("sync.poll.marketo_activities", "sync.poll.marketo_leadchanges"))

    assert len(d.query("SELECT Id FROM Lead")) == 1
    assert d.handoff().state == "routed"
    assert len(d.outbox(kinds.OP_MARKETO_LEAD_UPDATE)) == 1
