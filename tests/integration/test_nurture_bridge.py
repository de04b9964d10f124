"""Recycling into Marketo nurture is idempotent: a person already in the program is not a dead letter."""

from __future__ import annotations

import pytest
import respx

from handoff.bridges.sla_ports import MarketoNurture
from sync.errors import PermanentError
from tests.sync.marketo.support import BASE, IDENTITY, a_client, failed, ok, token_reply

STATUS = f"{BASE}/rest/v1/programs/1007/members/status.json"
ALREADY = {
    "seq": 0,
    "status": "skipped",
    "reasons": [{"code": "1037", "message": "Lead skipped because it is already in or past this status"}],
}
REQUEST = {"marketo_id": 810, "program_id": 1007, "reason": "untouched", "handoff_id": 1}


@pytest.fixture
def marketo():
    with respx.mock(assert_all_called=False) as router:
        router.get(IDENTITY).mock(return_value=token_reply())
        yield router


async def test_new_member_is_added_to_nurture(marketo, clock):
    marketo.post(STATUS).mock(return_value=ok([{"seq": 0, "status": "created", "leadId": 810}]))
    async with a_client(clock) as client:
        result = await MarketoNurture(client).recycle(REQUEST)
    assert result == {"status": "created", "marketo_id": 810, "program_id": 1007}


async def test_person_already_in_nurture_is_a_success_not_a_dead_letter(marketo, clock):
    marketo.post(STATUS).mock(return_value=ok([ALREADY]))
    async with a_client(clock) as client:
        result = await MarketoNurture(client).recycle(REQUEST)
    assert result["status"] == "already_member"


async def test_other_refusals_stay_errors(marketo, clock):
    marketo.post(STATUS).mock(return_value=failed("1013", "Object not found"))
    async with a_client(clock) as client:
        with pytest.raises(PermanentError):
            await MarketoNurture(client).recycle(REQUEST)
