"""MQL → gate → Salesforce assignment → events and write-back, against the in-memory Salesforce twin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from routing import repository
from routing.jobs import refresh_mirror, sweep_holds
from routing.models import Handoff, PersonSnapshot
from routing.ownership import check_owners
from routing.salesforce import AccountRecord
from sync.errors import PermanentError, RetryableError
from sync.models import OutboxMessage
from tests.routing.support import (
    ANN,
    BOB,
    EMEA_QUEUE,
    ENT_RULE,
    a_person,
    a_world,
)


def kinds(session, handoff):
    return [event.kind for event in repository.events_of(session, handoff.id)]


def outbox(session):
    return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


async def test_a_tier_a_person_is_created_with_the_segment_rule_and_the_owner_is_read_back(session, clock):
    world = a_world(session, clock, version_id=None)
    [evaluation] = await world.route(a_person())
    handoff = evaluation.handoff
    assert handoff.state == "routed"
    assert handoff.owner_id == ANN
    assert handoff.segment == "tier_a"
    assert handoff.sla_policy == "gold"
    assert handoff.decision == "route"
    assert handoff.target == f"rule:{ENT_RULE}"
    assert handoff.routed_at == clock()
    assert kinds(session, handoff) == ["mql", "route_ready", "routed"]
    [write] = world.salesforce.writes
    assert (write.operation, write.auto_assign) == ("create", ENT_RULE)
    assert write.fields["Routing_Reason__c"] == "Routed by Handoff: Tier A / EMEA / assignment rule"
    lead = world.salesforce.records[handoff.sfdc_lead_id]
    assert lead["Email"] == "ann.lee@acme.com"
    routed = repository.events_of(session, handoff.id)[-1]
    assert routed.data["owner_id"] == ANN
    assert routed.data["rule_id"] == ENT_RULE
    assert routed.data["auto_assign"] == ENT_RULE
    assert routed.message == "Routed by Handoff: Tier A / EMEA / assignment rule"


async def test_every_decision_event_carries_the_config_version_and_the_snapshot(session, clock):
    from routing.models import ConfigVersion

    version = ConfigVersion(
        created_at=clock(), author="ops", document="routing: {}", checksum="x", status="active"
    )
    session.add(version)
    session.flush()
    world = a_world(session, clock, version_id=version.id)
    [evaluation] = await world.route(a_person())
    events = repository.events_of(session, evaluation.handoff.id)
    assert {event.config_version_id for event in events} == {version.id}
    snapshot = session.get(PersonSnapshot, events[1].data["snapshot_id"])
    assert snapshot.fields["email"] == "ann.lee@acme.com"
    assert snapshot.context["records"] == []
    assert evaluation.handoff.config_version_id == version.id


async def test_routing_writes_the_reason_and_lifecycle_back_to_marketo_through_the_outbox(session, clock):
    world = a_world(session, clock)
    [evaluation] = await world.route(a_person())
    [message] = outbox(session)
    assert message.operation == "marketo.lead.update"
    assert message.target == "marketo"
    assert message.handoff_id == evaluation.handoff.id
    assert message.payload == {
        "action": "updateOnly",
        "lookupField": "id",
        "input": [{"id": 1001, "routingReason": evaluation.decision.summary, "leadStatus": "Routed"}],
    }


async def test_a_queue_target_sets_owner_id_with_assignment_off(session, clock):
    world = a_world(session, clock)
    [evaluation] = await world.route(a_person(numberOfEmployees=300))
    assert evaluation.handoff.owner_id == EMEA_QUEUE
    [write] = world.salesforce.writes
    assert write.auto_assign == "FALSE"
    assert write.fields["OwnerId"] == EMEA_QUEUE


async def test_an_account_owner_match_from_the_mirror_routes_to_that_owner(session, clock):
    world = a_world(session, clock)
    from routing.mirror import upsert_accounts

    upsert_accounts(
        session, [AccountRecord("001D000000IRFma", "ACME GmbH", "https://www.acme.com", BOB, clock())]
    )
    world.reload_accounts()
    [evaluation] = await world.route(a_person())
    assert evaluation.handoff.owner_id == BOB
    assert evaluation.handoff.sfdc_account_id == "001D000000IRFmaIAH"
    assert evaluation.decision.summary.endswith("account owner match 1.00")
    assert world.salesforce.writes[0].auto_assign == "FALSE"


async def test_an_existing_lead_is_updated_with_assignment_off_and_keeps_its_owner(session, clock):
    world = a_world(session, clock)
    lead_id = world.salesforce.add_record("Lead", Email="Ann.Lee+old@acme.com", OwnerId=BOB, LastName="Lee")
    await refresh_mirror(session, clock, world.salesforce)
    [evaluation] = await world.route(a_person())
    assert evaluation.handoff.owner_id == BOB
    assert evaluation.handoff.sfdc_lead_id == lead_id
    [write] = world.salesforce.writes
    assert (write.operation, write.auto_assign) == ("update", "FALSE")
    assert write.fields == {"Routing_Reason__c": "Routed by Handoff: Tier A / EMEA / existing lead owner"}


async def test_a_lead_the_mirror_has_not_seen_yet_is_found_before_creating_a_duplicate(session, clock):
    world = a_world(session, clock)
    lead_id = world.salesforce.add_record("Lead", Email="ANN.LEE@acme.com", OwnerId=BOB, LastName="Lee")
    [evaluation] = await world.route(a_person())
    assert [w.operation for w in world.salesforce.writes] == ["update"]
    assert evaluation.handoff.sfdc_lead_id == lead_id
    routed = repository.events_of(session, evaluation.handoff.id)[-1]
    assert routed.data["found_at_assignment"] == "Lead"


async def test_a_contact_found_at_assignment_is_rejected_when_the_policy_says_so(session, clock):
    world = a_world(session, clock, dedupe={"existing_contact": "reject"})
    world.salesforce.add_record("Contact", Email="ann.lee@acme.com", OwnerId=BOB, LastName="Lee")
    [evaluation] = await world.route(a_person())
    assert evaluation.handoff.state == "rejected"
    assert evaluation.handoff.reason_code == "existing_contact"
    assert world.salesforce.writes == []


async def test_an_existing_contact_stays_with_its_owner_and_no_lead_is_created(session, clock):
    world = a_world(session, clock)
    contact_id = world.salesforce.add_record("Contact", Email="ann.lee@acme.com", OwnerId=ANN, LastName="Lee")
    await refresh_mirror(session, clock, world.salesforce)
    [evaluation] = await world.route(a_person())
    assert evaluation.handoff.sfdc_contact_id == contact_id
    assert evaluation.handoff.sfdc_lead_id is None
    assert evaluation.handoff.owner_id == ANN
    assert world.salesforce.writes == []


async def test_a_held_person_is_re_evaluated_on_the_same_handoff_when_the_data_arrives(session, clock):
    world = a_world(session, clock)
    [held] = await world.route(a_person(phone=None))
    assert held.handoff.state == "held"
    assert held.handoff.reason_code == "missing_field"
    assert world.salesforce.writes == []
    clock.advance(hours=3)
    [routed] = await world.route(a_person())
    assert routed.handoff.id == held.handoff.id
    assert routed.handoff.state == "routed"
    assert kinds(session, routed.handoff) == ["mql", "held", "route_ready", "routed"]
    assert routed.handoff.mql_at == clock() - timedelta(hours=3)


async def test_a_hold_that_times_out_leaks_with_a_reason_and_stays_visible_as_held(session, clock):
    world = a_world(session, clock)
    [held] = await world.route(a_person(phone=None))
    clock.advance(hours=47)
    assert await sweep_holds(session, clock, world.salesforce, world.active) == []
    clock.advance(hours=1)
    [expired] = await sweep_holds(session, clock, world.salesforce, world.active)
    handoff = expired.handoff
    assert handoff.id == held.handoff.id
    assert (handoff.state, handoff.reason_code, handoff.decision) == ("held", "hold_expired", "reject")
    assert handoff.closed_at == clock()
    assert kinds(session, handoff)[-1] == "leaked"
    assert await sweep_holds(session, clock, world.salesforce, world.active) == []
    clock.advance(days=1)
    [again] = await world.route(a_person())
    assert again.handoff.id != handoff.id


async def test_a_rejected_person_is_closed_and_marketo_gets_the_lifecycle(session, clock):
    world = a_world(session, clock)
    [evaluation] = await world.route(a_person(email="ann@gmail.com"))
    assert evaluation.handoff.state == "rejected"
    assert evaluation.handoff.reason_code == "free_mail"
    assert evaluation.handoff.closed_at == clock()
    [message] = outbox(session)
    assert message.payload["input"] == [
        {"id": 1001, "leadStatus": "Disqualified", "routingReason": "gmail.com is a free-mail domain."}
    ]


async def test_a_person_routed_recently_does_not_open_a_new_handoff_that_routes(session, clock):
    world = a_world(session, clock)
    await world.route(a_person())
    clock.advance(days=10)
    [again] = await world.route(a_person())
    assert again.handoff.state == "rejected"
    assert again.handoff.reason_code == "cooldown"
    clock.advance(days=25)
    await refresh_mirror(session, clock, world.salesforce)
    [later] = await world.route(a_person())
    assert later.handoff.state == "routed"
    assert later.decision.target.lead_action == "update"
    assert [w.operation for w in world.salesforce.writes] == ["create", "update"]


async def test_a_marketo_duplicate_of_a_person_being_handed_off_is_rejected(session, clock):
    world = a_world(session, clock)
    await world.route(a_person())
    [twin] = await world.route(a_person(id=2002, email="Ann.Lee+promo@ACME.com"))
    assert twin.handoff.reason_code == "duplicate_in_marketo"


async def test_a_person_listed_twice_in_a_batch_is_judged_once_on_the_newest_fields(session, clock):
    world = a_world(session, clock)
    evaluations = await world.route(a_person(phone=None), a_person())
    assert len(evaluations) == 1
    assert evaluations[0].handoff.state == "routed"
    assert session.execute(select(func.count()).select_from(Handoff)).scalar_one() == 1


async def test_a_salesforce_failure_leaves_nothing_behind_and_the_retry_creates_one_lead(session, clock):
    world = a_world(session, clock)
    # The re-check succeeds, the create fails: the transaction rolls back, the inbox retries.
    original = world.salesforce.create_lead

    async def flaky(fields, auto_assign):
        world.salesforce.create_lead = original
        raise RetryableError("UNABLE_TO_LOCK_ROW", code="UNABLE_TO_LOCK_ROW")

    world.salesforce.create_lead = flaky
    with pytest.raises(RetryableError):
        await world.route(a_person())
    session.rollback()
    assert session.execute(select(func.count()).select_from(Handoff)).scalar_one() == 0
    [evaluation] = await world.route(a_person())
    assert evaluation.handoff.state == "routed"
    assert len([r for r in world.salesforce.records.values() if r["attributes"]["type"] == "Lead"]) == 1


async def test_a_refused_create_is_a_permanent_error_for_the_inbox_to_dead_letter(session, clock):
    world = a_world(session, clock)
    world.salesforce.fail_next(
        PermanentError("bad value for Country", code="FIELD_CUSTOM_VALIDATION_EXCEPTION")
    )
    with pytest.raises(PermanentError):
        await world.route(a_person())


async def test_an_owner_changed_behind_our_back_is_recorded_and_not_fought(session, clock):
    world = a_world(session, clock)
    [evaluation] = await world.route(a_person())
    lead_id = evaluation.handoff.sfdc_lead_id
    writes_before = len(world.salesforce.writes)
    clock.advance(minutes=30)
    world.salesforce.change_owner(lead_id, BOB)
    [event] = await refresh_mirror(session, clock, world.salesforce)
    assert event.kind == "owner_changed"
    assert event.data["from"] == ANN and event.data["to"] == BOB
    assert event.actor == "salesforce"
    assert evaluation.handoff.owner_id == BOB
    assert len(world.salesforce.writes) == writes_before
    assert await refresh_mirror(session, clock, world.salesforce) == []


async def test_polling_owners_finds_changes_too(session, clock):
    world = a_world(session, clock)
    [evaluation] = await world.route(a_person())
    world.salesforce.change_owner(evaluation.handoff.sfdc_lead_id, BOB)
    clock.advance(minutes=5)
    [event] = await check_owners(session, world.salesforce, clock())
    assert event.reason_code == "changed_in_salesforce"
    assert await check_owners(session, world.salesforce, clock()) == []


@pytest.mark.storage
async def test_broken_person_data_is_stored_and_judged_without_an_exception(session, clock):
    world = a_world(session, clock)
    broken = a_person(
        title="\x00nul",
        city="\ud800half a surrogate",
        annualRevenue=float("nan"),
        industry={"deep": {"er": {"and": {"deeper": 1}}}},
        company="x" * 200_000,
    )
    evaluation, _ = await world.route(broken, a_person(id=3003, email=None))
    session.flush()
    assert evaluation.handoff.state == "held"
    assert evaluation.handoff.reason_code == "invalid_field"
    stored = session.get(PersonSnapshot, evaluation.handoff.snapshot_id)
    assert stored.fields["title"] == {"$unstorable": "contains control characters"}
    assert stored.fields["company"] == {"$unstorable": "200000 characters"}
    [no_email] = session.execute(select(Handoff).where(Handoff.marketo_id == 3003)).scalars().all()
    assert no_email.reason_code == "missing_email"


async def test_a_data_change_re_judges_a_held_person_but_never_opens_a_handoff(session, clock):
    from routing.flows import route_people
    from routing.service import Qualified

    world = a_world(session, clock)

    async def changed(person):
        return await route_people(
            session,
            clock,
            world.salesforce,
            world.lookup,
            world.active,
            [Qualified(person, only_if_waiting=True)],
        )

    assert await changed(a_person()) == []
    assert session.execute(select(func.count()).select_from(Handoff)).scalar_one() == 0
    [held] = await world.route(a_person(phone=None))
    [routed] = await changed(a_person())
    assert routed.handoff.id == held.handoff.id
    assert routed.handoff.state == "routed"
