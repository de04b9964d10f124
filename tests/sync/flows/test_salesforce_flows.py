"""Flows 4.1, 4.3 and 4.5 end to end: Salesforce Outbound Messages (or polls) → Marketo, over loopback."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from routing.models import Handoff
from sandbox.salesforce.outbound_queue import OutboundPolicy
from sync import kinds
from sync.config import SyncConfig
from tests.sync.world import a_world

LEAD_OM_FIELDS = ["IsConverted", "ConvertedContactId", "ConvertedAccountId", "Email"]


async def routed_person(world, email: str = "ann.lee@acme.example") -> tuple[int, str]:
    """A Marketo person routed by Handoff: returns (Marketo id, Lead id)."""
    person = world.marketo_state.people.create(
        {"email": email, "firstName": "Ann", "lastName": "Lee", "company": "Acme", "leadScore": 50}
    )
    world.marketo_state.people.change_score(person, 40)
    await world.settle()
    [lead] = world.salesforce(f"SELECT Id FROM Lead WHERE Email = '{email}'")
    return person, lead["Id"]


def the_handoff(world) -> Handoff:
    with world.session() as session:
        return session.exec(select(Handoff)).one()


async def test_a_converted_lead_updates_marketo_and_closes_the_handoff_despite_duplicates_and_reordering(
    engine, clock
):
    policy = OutboundPolicy(duplicate_probability=1.0, reorder_probability=1.0, seed=3)
    async with a_world(engine, clock, outbound_policy=policy) as world:
        world.outbound_message("Lead", LEAD_OM_FIELDS, criteria={"IsConverted": True})
        world.mql_webhook_campaign(75)
        person, lead_id = await routed_person(world)
        other, other_lead = await routed_person(world, "bo.ng@beta.example")
        first = world.salesforce_state.convert_lead(lead_id)
        second = world.salesforce_state.convert_lead(other_lead)
        for _ in range(3):  # Salesforce retries and re-sends; every copy is acknowledged
            await world.settle()
            clock.advance(minutes=5)
        notifications = world.inbox_rows(kinds.SALESFORCE_LEAD)
        assert len(notifications) == 2  # each notification id once, however often delivered
        marketo_person = world.marketo_state.people.get(person)
        assert (
            marketo_person["sfdcContactId"],
            marketo_person["sfdcAccountId"],
            marketo_person["leadStatus"],
        ) == (
            first.contact_id,
            first.account_id,
            "SQL",
        )
        assert world.marketo_state.people.get(other)["sfdcContactId"] == second.contact_id
        assert len(world.outbox_rows(kinds.OP_MARKETO_LEAD_UPDATE)) == 4  # 2 routed + 2 converted
        with world.session() as session:
            states = {h.marketo_id: (h.state, h.sfdc_contact_id) for h in session.exec(select(Handoff))}
        assert states == {person: ("converted", first.contact_id), other: ("converted", second.contact_id)}
        assert world.dead_letters() == []


async def test_conversions_are_found_by_polling_where_outbound_messages_are_off(engine, clock):
    config = SyncConfig(outbound_messages_enabled=False)
    async with a_world(engine, clock, config) as world:
        world.mql_webhook_campaign(75)
        person, lead_id = await routed_person(world)
        clock.advance(minutes=1)
        result = world.salesforce_state.convert_lead(lead_id)
        await world.settle(poll=("sync.poll.salesforce_lead",))
        await world.settle(poll=("sync.poll.salesforce_lead",))
        assert world.marketo_state.people.get(person)["sfdcContactId"] == result.contact_id
        assert the_handoff(world).state == "converted"


async def test_a_closed_won_opportunity_moves_its_people_between_programs(engine, clock):
    async with a_world(engine, clock) as world:
        programs = world.marketo_state.programs
        acquisition = programs.create("Acquisition nurture", channel="Nurture")
        customers = programs.create("Customer onboarding", channel="Nurture")
        world.config.acquisition_program_ids = [acquisition.id]
        world.config.won_program_id = customers.id
        world.outbound_message("Opportunity", ["StageName", "IsClosed"], criteria={"IsClosed": True})
        sf = world.salesforce_state
        account = sf.add_account({"Name": "Acme"})
        contacts = [
            sf.add_contact({"LastName": name, "Email": f"{name.lower()}@acme.example", "AccountId": account})
            for name in ("Ann", "Bo")
        ]
        people = [
            world.marketo_state.people.create({"email": "ann@acme.example", "sfdcContactId": contacts[0]}),
            world.marketo_state.people.create({"email": "BO@acme.example"}),  # found by email only
        ]
        for person in people:
            programs.change_status(acquisition.id, person, "Member")
        opportunity = sf.add_opportunity(
            {"Name": "Acme deal", "AccountId": account, "StageName": "Prospecting", "CloseDate": "2026-12-01"}
        )
        for contact in contacts:
            sf.insert("OpportunityContactRole", {"OpportunityId": opportunity, "ContactId": contact})
        sf.update(opportunity, {"StageName": "Closed Won"})
        await world.settle()
        assert programs.members(acquisition.id) == []
        assert sorted(m.lead_id for m in programs.members(customers.id)) == sorted(people)
        assert world.dead_letters() == []


async def test_a_new_account_becomes_a_marketo_company_with_its_firmographics(engine, clock):
    async with a_world(engine, clock) as world:
        world.outbound_message("Account", ["Name"], criteria=())
        account = world.salesforce_state.add_account(
            {"Name": "Acme", "Industry": "Manufacturing", "AnnualRevenue": 5_000_000, "NumberOfEmployees": 120,
             "BillingCity": "Berlin"}
        )  # fmt: skip
        await world.settle()
        company = world.marketo_state.companies.by_external_id(account)
        assert company is not None
        assert (
            company["company"],
            company["industry"],
            company["numberOfEmployees"],
            company["billingCity"],
        ) == (
            "Acme",
            "Manufacturing",
            120,
            "Berlin",
        )


async def test_under_native_crm_sync_the_company_is_skipped_with_a_clear_status(engine, clock):
    async with a_world(engine, clock) as world:
        world.marketo_state.set_crm_sync(True)
        world.outbound_message("Account", ["Name"], criteria=())
        world.salesforce_state.add_account({"Name": "Acme"})
        await world.settle()
        [message] = world.outbox_rows(kinds.OP_SYNC_COMPANY)
        assert message.status == "sent"
        assert message.result["reason"] == "crm_sync_enabled"
        assert world.dead_letters() == [] and world.marketo_state.companies.all() == []
    clock.advance(timedelta(seconds=1))
