"""The pollers against the real sandboxes over loopback: SOQL by SystemModstamp, Marketo paging tokens."""

from __future__ import annotations

from sync import kinds
from sync.config import MqlTrigger, SyncConfig
from sync.models import Cursor
from sync.pollers.marketo import LEADCHANGES_CURSOR
from tests.sync.world import a_world


async def test_tasks_and_events_reach_the_inbox_for_the_sla_tracker(engine, clock):
    async with a_world(engine, clock) as world:
        sf = world.salesforce_state
        rep = sf.add_user("Rep", first_name="Ann")
        lead = sf.add_lead({"LastName": "Lee", "Company": "Acme"})
        call = sf.add_task(
            {"WhoId": lead, "Subject": "Call", "TaskSubtype": "Call", "OwnerId": rep}, as_user=rep
        )
        meeting = sf.add_event(
            {
                "WhoId": lead,
                "Subject": "Demo",
                "StartDateTime": "2026-11-02T10:00:00Z",
                "DurationInMinutes": 30,
            }
        )
        await world.poll("sync.poll.salesforce_task", "sync.poll.salesforce_event")
        clock.advance(minutes=1)
        sf.update(call, {"Status": "Completed"})
        await world.poll("sync.poll.salesforce_task", "sync.poll.salesforce_event")
        tasks = world.inbox_rows(kinds.SALESFORCE_TASK)
        assert [t.payload["record_id"] for t in tasks] == [call, call]  # created, then completed
        assert tasks[0].payload["fields"]["CreatedById"] == rep
        assert tasks[1].payload["fields"]["Status"] == "Completed"
        [event] = world.inbox_rows(kinds.SALESFORCE_EVENT)
        assert event.payload["record_id"] == meeting


async def test_lead_changes_carry_the_watched_fields_values(engine, clock):
    trigger = MqlTrigger(score_field="leadScore", status_field="leadStatus", status_values=["MQL"])
    async with a_world(engine, clock, SyncConfig(mql=trigger)) as world:
        person = world.marketo_state.people.create({"email": "a@acme.example", "leadStatus": "New"})
        world.marketo_state.people.update(person, {"leadStatus": "MQL", "title": "CTO"})
        await world.poll("sync.poll.marketo_leadchanges")
        [new] = world.inbox_rows(kinds.MARKETO_NEW_LEAD)
        [change] = world.inbox_rows(kinds.MARKETO_DATA_VALUE_CHANGE)
        assert new.payload["leadId"] == change.payload["leadId"] == person
        assert {f["name"]: f["newValue"] for f in change.payload["fields"]}["leadStatus"] == "MQL"
        with world.session() as session:
            assert session.get(Cursor, LEADCHANGES_CURSOR) is not None
