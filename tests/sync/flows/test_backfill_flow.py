"""Back-fill end to end: every Marketo person becomes one Salesforce Lead, existing records are reused."""

from __future__ import annotations

from sync import kinds
from sync.config import SyncConfig
from tests.sync.world import a_world

BACKFILL = "sync.backfill.marketo_people"


async def test_backfill_creates_each_missing_lead_once_and_links_everyone(engine, clock):
    async with a_world(engine, clock, SyncConfig(backfill=True)) as world:
        sf, mk = world.salesforce_state, world.marketo_state
        existing_lead = sf.add_lead({"LastName": "Old", "Company": "Acme", "Email": "p3@acme.example"})
        contact = sf.add_contact({"LastName": "Customer", "Email": "p4@acme.example"})
        people = [
            mk.people.create({"email": f"P{n}@Acme.example", "lastName": f"Lee{n}", "company": "Acme"})
            for n in range(650)
        ]
        twin = mk.people.create({"email": "p5@acme.example", "lastName": "Twin"})  # same mailbox as P5
        linked = mk.people.create({"email": "linked@acme.example", "sfdcLeadId": existing_lead})
        mk.people.create({"lastName": "No email"})
        for _ in range(6):
            await world.settle(poll=(BACKFILL,))
        leads = world.salesforce("SELECT Id, Email FROM Lead")
        emails = [lead["Email"] for lead in leads]
        assert len(emails) == len(set(emails)) == 650 - 1  # p4 is a Contact; p3 was already a Lead
        by_email = {lead["Email"]: lead["Id"] for lead in leads}
        assert by_email["p3@acme.example"] == existing_lead
        for number, person in enumerate(people):
            record = mk.people.get(person)
            if number == 4:
                assert record["sfdcContactId"] == contact
            else:
                assert record["sfdcLeadId"] == by_email[f"p{number}@acme.example"]
        assert mk.people.get(twin)["sfdcLeadId"] == by_email["p5@acme.example"]
        assert mk.people.get(linked)["sfdcLeadId"] == existing_lead
        assert world.dead_letters() == []
        pages = world.inbox_rows(kinds.MARKETO_BACKFILL_PAGE)
        assert len(pages) == 3  # 654 ids in ranges of 300


async def test_a_finished_backfill_costs_no_more_calls(engine, clock):
    async with a_world(engine, clock, SyncConfig(backfill=True)) as world:
        world.marketo_state.people.create({"email": "a@acme.example", "lastName": "A", "company": "Acme"})
        for _ in range(3):
            await world.settle(poll=(BACKFILL,))
        calls = world.marketo_client.calls
        await world.settle(poll=(BACKFILL,))
        assert world.marketo_client.calls == calls
