"""Flow 4.2 end to end over loopback: Marketo MQL → pass-through gate → Salesforce Lead → Marketo ids."""

from __future__ import annotations

import pytest
from sqlmodel import select

from routing.models import Handoff, HandoffEvent
from sync import kinds
from tests.sync.world import a_world

ACTIVITIES = "sync.poll.marketo_activities"


@pytest.fixture
async def world(engine, clock):
    async with a_world(engine, clock) as world:
        yield world


def a_person(world, **fields) -> int:
    values = {"email": "Ann.Lee@Acme.example", "firstName": "Ann", "lastName": "Lee", "company": "Acme"}
    values.update(country="DE", leadScore=40, **fields)
    return world.marketo_state.people.create(values)


def handoffs(world) -> list[Handoff]:
    with world.session() as session:
        return list(session.exec(select(Handoff).order_by(Handoff.id)))


async def test_a_webhook_mql_becomes_a_lead_owned_by_the_rule_and_marketo_learns_the_ids(world):
    ann = world.salesforce_state.add_user("Rep", first_name="Ann")
    world.salesforce_state.set_lead_assignment_rule([({"Country": "DE"}, ann)])
    world.mql_webhook_campaign(75)
    person = a_person(world)
    world.marketo_state.people.change_score(person, 40)
    await world.settle()

    [lead] = world.salesforce("SELECT Id, OwnerId, Email, LastName, Company, Country FROM Lead")
    assert (lead["OwnerId"], lead["Email"], lead["Company"]) == (ann, "ann.lee@acme.example", "Acme")
    [handoff] = handoffs(world)
    assert (handoff.state, handoff.owner_id, handoff.sfdc_lead_id, handoff.marketo_id) == (
        "routed",
        ann,
        lead["Id"],
        person,
    )
    with world.session() as session:
        events = [e.kind for e in session.exec(select(HandoffEvent).order_by(HandoffEvent.id))]
    assert events == ["mql", "route_ready", "routed"]
    marketo_person = world.marketo_state.people.get(person)
    assert (marketo_person["sfdcLeadId"], marketo_person["leadStatus"]) == (lead["Id"], "MQL")
    assert world.dead_letters() == []


async def test_the_poll_seeing_the_same_qualification_creates_nothing_more(world):
    world.mql_webhook_campaign(75)
    person = a_person(world)
    world.marketo_state.people.change_score(person, 40)
    await world.settle(poll=(ACTIVITIES,))
    await world.settle(poll=(ACTIVITIES,))
    assert len(world.salesforce("SELECT Id FROM Lead")) == 1
    assert len(handoffs(world)) == 1
    assert world.inbox_rows(kinds.MARKETO_SCORE_CHANGE)  # the poll did see it


async def test_polling_alone_routes_when_the_webhook_is_lost(world):
    person = a_person(world)
    world.marketo_state.people.change_score(person, 50)
    await world.settle(poll=(ACTIVITIES,))
    [lead] = world.salesforce("SELECT Id FROM Lead")
    assert world.marketo_state.people.get(person)["sfdcLeadId"] == lead["Id"]


async def test_an_existing_contact_gets_no_lead(world):
    bob = world.salesforce_state.add_user("Owner", first_name="Bob")
    contact = world.salesforce_state.add_contact(
        {"LastName": "Lee", "Email": "ann.lee@acme.example", "OwnerId": bob}
    )
    world.mql_webhook_campaign(75)
    world.marketo_state.people.change_score(a_person(world), 40)
    await world.settle()
    assert world.salesforce("SELECT Id FROM Lead") == []
    [handoff] = handoffs(world)
    assert (handoff.state, handoff.sfdc_contact_id, handoff.owner_id) == ("routed", contact, bob)


async def test_an_existing_lead_is_updated_and_keeps_its_owner(world):
    ann = world.salesforce_state.add_user("Rep", first_name="Ann")
    bob = world.salesforce_state.add_user("Owner", first_name="Bob")
    world.salesforce_state.set_lead_assignment_rule([({"Country": "DE"}, ann)])
    existing = world.salesforce_state.add_lead(
        {"LastName": "Lee", "Company": "Old name", "Email": "ann.lee@acme.example", "OwnerId": bob}
    )
    world.mql_webhook_campaign(75)
    world.marketo_state.people.change_score(a_person(world), 40)
    await world.settle()
    [lead] = world.salesforce("SELECT Id, OwnerId, Company FROM Lead")
    assert (lead["Id"], lead["OwnerId"], lead["Company"]) == (existing, bob, "Acme")


async def test_a_person_below_the_threshold_is_not_routed(world):
    person = a_person(world)
    world.marketo_state.people.change_score(person, 10)
    await world.settle(poll=(ACTIVITIES,))
    assert world.salesforce("SELECT Id FROM Lead") == [] and handoffs(world) == []
