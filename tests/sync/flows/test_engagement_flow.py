"""Flow 4.4 end to end: Marketo opens, clicks and form fills become Salesforce Tasks, never twice."""

from __future__ import annotations

from sqlmodel import select

from sync import kinds
from sync.models import Cursor, OutboxMessage
from sync.pollers.marketo import ACTIVITIES_CURSOR
from tests.sync.world import a_world

ACTIVITIES = "sync.poll.marketo_activities"


async def test_engagement_becomes_readable_tasks_on_the_lead_or_contact(engine, clock):
    async with a_world(engine, clock) as world:
        sf, mk = world.salesforce_state, world.marketo_state
        lead = sf.add_lead({"LastName": "Lee", "Company": "Acme", "Email": "ann@acme.example"})
        contact = sf.add_contact({"LastName": "Ng", "Email": "bo@beta.example"})
        ann = mk.people.create({"email": "ann@acme.example", "sfdcLeadId": lead})
        bo = mk.people.create({"email": "bo@beta.example", "sfdcLeadId": lead, "sfdcContactId": contact})
        stranger = mk.people.create({"email": "nobody@gamma.example"})
        mk.engagement.open_email(ann, "Spring launch")
        mk.engagement.click_email(bo, "Spring launch", "https://acme.example/pricing")
        mk.engagement.fill_out_form(ann, "Demo request", webpage_url="https://acme.example/demo")
        mk.engagement.open_email(stranger, "Spring launch")
        await world.settle(poll=(ACTIVITIES,))
        tasks = world.salesforce("SELECT Id, WhoId, Subject, Description, Status FROM Task ORDER BY Subject")
        assert sorted((t["WhoId"], t["Subject"]) for t in tasks) == sorted(
            [
                (lead, "Marketo: Opened email \u201cSpring launch\u201d"),
                (contact, "Marketo: Clicked a link in email \u201cSpring launch\u201d"),
                (lead, "Marketo: Filled out form \u201cDemo request\u201d"),
            ]
        )
        click = next(t for t in tasks if t["WhoId"] == contact)
        assert "https://acme.example/pricing" in click["Description"] and click["Status"] == "Completed"
        waiting = [m for m in world.outbox_rows(kinds.OP_CREATE_TASKS) if m.status == "pending"]
        assert len(waiting) == 1 and "not in Salesforce yet" in waiting[0].last_error
        # A fresh activity of a person in no Salesforce record waits a little (its MQL signal may be a moment
        # behind it in the inbox), then is skipped, not dead-lettered.
        clock.advance(minutes=11)
        await world.settle()
        skipped = [
            m for m in world.outbox_rows(kinds.OP_CREATE_TASKS) if (m.result or {}).get("status") == "skipped"
        ]
        assert len(skipped) == 1 and skipped[0].result["reason"] == "not_in_salesforce"
        assert world.dead_letters() == []


async def test_an_open_processed_before_the_persons_mql_still_becomes_a_task(engine, clock):
    async with a_world(engine, clock) as world:
        sf, mk = world.salesforce_state, world.marketo_state
        ann = mk.people.create({"email": "ann@acme.example"})
        mk.engagement.open_email(ann, "Spring launch")
        await world.settle(poll=(ACTIVITIES,))
        assert world.salesforce("SELECT Id FROM Task") == []
        # The person reaches Salesforce a minute later (routed); the waiting Task follows.
        clock.advance(minutes=1)
        lead = sf.add_lead({"LastName": "Lee", "Company": "Acme", "Email": "ann@acme.example"})
        mk.people.update(ann, {"sfdcLeadId": lead})
        await world.settle()
        [task] = world.salesforce("SELECT WhoId FROM Task")
        assert task["WhoId"] == lead


async def test_activities_seen_twice_or_retried_after_a_crash_make_one_task(engine, clock):
    async with a_world(engine, clock) as world:
        sf, mk = world.salesforce_state, world.marketo_state
        lead = sf.add_lead({"LastName": "Lee", "Company": "Acme", "Email": "ann@acme.example"})
        ann = mk.people.create({"email": "ann@acme.example", "sfdcLeadId": lead})
        mk.engagement.open_email(ann, "Spring launch")
        await world.settle(poll=(ACTIVITIES,))
        with world.session() as session:  # the poller starts over: every activity is read again
            session.delete(session.get(Cursor, ACTIVITIES_CURSOR))
            session.commit()
        await world.settle(poll=(ACTIVITIES,))
        with world.session() as session:  # a crash after Salesforce saved the Task, before our sent mark
            message = session.exec(
                select(OutboxMessage).where(OutboxMessage.operation == kinds.OP_CREATE_TASKS)
            ).one()
            message.status, message.result = "pending", None
            session.add(message)
            session.commit()
        await world.settle()
        assert len(world.salesforce("SELECT Id FROM Task")) == 1
        [message] = world.outbox_rows(kinds.OP_CREATE_TASKS)
        assert message.result["status"] == "exists"


async def test_tasks_go_to_salesforce_200_per_call(engine, clock):
    async with a_world(engine, clock) as world:
        sf, mk = world.salesforce_state, world.marketo_state
        lead = sf.add_lead({"LastName": "Lee", "Company": "Acme", "Email": "ann@acme.example"})
        ann = mk.people.create({"email": "ann@acme.example", "sfdcLeadId": lead})
        for number in range(250):
            mk.engagement.open_email(ann, f"Newsletter {number}")
        await world.settle(poll=(ACTIVITIES,))
        assert len(world.salesforce("SELECT Id FROM Task")) == 250
        calls = world.salesforce_client.calls
        # per batch of 200: one guard query and one collection create (plus the token's first use)
        assert calls <= 2 * 2 + 1
