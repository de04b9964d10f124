"""A slow rep, end to end: the ladder reminds, breaches and reassigns through the outbox, in Salesforce."""

from __future__ import annotations

import pytest

from sla.escalation import REASSIGN_OPERATION
from tests.integration.support import a_deployment

pytestmark = pytest.mark.storage

TICK = "sla.tick"
TASK_POLL = "sync.poll.salesforce_task"


def handoff_tasks(d) -> list[dict]:
    return d.query(
        "SELECT Id, OwnerId, WhoId, Subject FROM Task WHERE Subject LIKE '[Handoff]%' ORDER BY CreatedDate"
    )


async def test_slow_rep_is_reminded_then_breached_then_reassigned(engine, clock, tmp_path):
    async with a_deployment(engine, clock, tmp_path) as d:
        d.qualify(d.a_person())
        await d.settle()
        [lead] = d.query("SELECT Id, OwnerId FROM Lead")
        handoff_id = d.handoff().id
        assert lead["OwnerId"] == d.org.ann

        clock.advance(minutes=15)  # 50% of the 30 business minutes: remind the owner
        await d.settle(jobs=(TICK,))
        [reminder] = handoff_tasks(d)
        assert (reminder["OwnerId"], reminder["WhoId"]) == (d.org.ann, lead["Id"])
        assert d.handoff().state == "routed"

        clock.advance(minutes=15)  # due: breached, the manager hears of it
        await d.settle(jobs=(TICK,))
        assert [t["OwnerId"] for t in handoff_tasks(d)] == [d.org.ann, d.org.mia]
        breached = d.handoff()
        assert breached.breached and breached.state == "breached"

        clock.advance(minutes=15)  # +15m after due: the lead goes to the next SDR of the team
        await d.settle(jobs=(TICK,))
        await d.settle(jobs=(TICK,))
        [reassign] = d.outbox(REASSIGN_OPERATION)
        assert reassign.status == "sent"
        [lead] = d.query("SELECT Id, OwnerId FROM Lead")
        assert lead["OwnerId"] == d.org.bo
        moved = d.handoff()
        assert (moved.state, moved.owner_id) == ("reassigned", d.org.bo)
        first, second = d.clocks(handoff_id)
        assert (first.status, first.owner_id, first.breached) == ("reassigned", d.org.ann, True)
        assert (second.status, second.owner_id, second.sequence) == ("open", d.org.bo, 2)
        assert [t["OwnerId"] for t in handoff_tasks(d)][-1] == d.org.bo  # the new owner is told
        kinds = [e.kind for e in d.events(handoff_id)]
        assert kinds[:3] == ["mql", "route_ready", "routed"]
        assert {"reminded", "breached", "reassigned"} <= set(kinds)

        # The Tasks Handoff wrote itself are polled like any other and never count as a touch.
        clock.advance(minutes=1)
        await d.settle(jobs=(TASK_POLL,))
        assert d.handoff().state == "reassigned"
        # Bo's call does.
        clock.advance(minutes=5)
        d.sdr_task(lead["Id"], d.org.bo)
        clock.advance(minutes=1)
        await d.settle(jobs=(TASK_POLL,))
        touched = d.handoff()
        assert (touched.state, touched.breached) == ("touched", True)
        assert d.dead_letters() == []
