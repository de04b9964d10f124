"""Programs follow their channel's steps, lists log adds/removes, companies obey the CRM flag (§5, §6)."""

from __future__ import annotations

import pytest

from sandbox.marketo import activity_types as types
from sandbox.marketo.envelope import MarketoError, RecordError
from tests.sandbox.marketo.support import a_lead, an_instance


def test_status_moves_forward_only_and_logs_change_status_in_progression(clock):
    state = an_instance(clock)
    webinar = state.programs.create("Webinar Q4", channel="Webinar")
    lead_id = a_lead(state)

    assert state.programs.change_status(webinar.id, lead_id, "Registered") == "created"
    assert state.programs.change_status(webinar.id, lead_id, "Attended") == "updated"
    with pytest.raises(RecordError) as skipped:
        state.programs.change_status(webinar.id, lead_id, "Registered")
    assert skipped.value.code == "1037"

    (member,) = state.programs.members(webinar.id)
    assert member.status.name == "Attended" and member.reached_success
    changes = state.activities(lead_id=lead_id, activity_type_ids=[types.CHANGE_STATUS_IN_PROGRESSION])
    assert [
        (a.attribute("Old Status"), a.attribute("New Status"), a.attribute("Success")) for a in changes
    ] == [
        ("Not in Program", "Registered", False),
        ("Registered", "Attended", True),
    ]
    assert changes[0].primary_attribute_value == "Webinar Q4"
    assert changes[0].primary_attribute_value_id == webinar.id


def test_a_status_outside_the_channel_is_refused_for_the_whole_call(clock):
    state = an_instance(clock)
    program = state.programs.create("Closed Won", channel="Sales Outcome")
    with pytest.raises(MarketoError) as refused:
        state.programs.change_status(program.id, a_lead(state), "Attended")
    assert refused.value.code == "1025"


def test_custom_channels_define_their_own_steps(clock):
    state = an_instance(clock)
    state.programs.add_channel("Lifecycle", [("MQL", 10, False), ("SQL", 20, False), ("Won", 30, True)])
    program = state.programs.create("Funnel", channel="Lifecycle")
    lead_id = a_lead(state)
    state.programs.change_status(program.id, lead_id, "SQL")
    with pytest.raises(RecordError):
        state.programs.change_status(program.id, lead_id, "MQL")
    with pytest.raises(ValueError):
        state.programs.add_channel("Broken", [("A", 10, False), ("B", 10, False)])


def test_static_list_adds_and_removes_are_logged_once(clock):
    state = an_instance(clock)
    target = state.lists.create("MQL backlog")
    lead_id = a_lead(state)

    assert state.lists.add(target.id, [lead_id, lead_id, 999_999]) == [
        {"id": lead_id, "status": "added"},
        {"id": lead_id, "status": "added"},
        {"id": 999_999, "status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]},
    ]
    assert state.lists.remove(target.id, [lead_id])[0]["status"] == "removed"
    assert state.lists.remove(target.id, [lead_id])[0]["reasons"][0]["code"] == "1015"
    kinds = [a.activity_type_id for a in state.activities(lead_id=lead_id)]
    assert kinds == [types.NEW_LEAD, types.ADD_TO_LIST, types.REMOVE_FROM_LIST]


def test_companies_dedupe_by_external_id_and_refuse_repeats_in_one_call(clock):
    state = an_instance(clock)
    results = state.companies.sync(
        [
            {"externalCompanyId": "001A", "company": "Acme", "numberOfEmployees": 500},
            {"externalCompanyId": "001A", "company": "Acme again"},
            {"externalCompanyId": "001B", "company": "Globex", "numberOfEmployees": "many"},
            {"company": "No key"},
        ]
    )
    assert results[0] == {"seq": 0, "status": "created", "id": results[0]["id"]}
    assert [r["reasons"][0]["code"] for r in results[1:]] == ["1036", "1001", "1003"]
    assert state.companies.sync([{"externalCompanyId": "001A", "industry": "Tech"}])[0]["status"] == "updated"
    assert state.companies.by_external_id("001A")["industry"] == "Tech"


def test_crm_sync_flag_makes_companies_read_only(clock):
    state = an_instance(clock)
    state.companies.create({"externalCompanyId": "001A", "company": "Acme"})
    state.set_crm_sync(True)
    with pytest.raises(MarketoError) as refused:
        state.companies.sync([{"externalCompanyId": "001A", "industry": "Tech"}])
    assert (refused.value.code, refused.value.message) == ("1018", "CRM Enabled")
    assert state.companies.by_external_id("001A").get("industry") is None


def test_a_lead_linked_to_a_company_reads_company_fields_from_it(clock):
    state = an_instance(clock)
    state.companies.create({"externalCompanyId": "001A", "company": "Acme Corp", "industry": "Manufacturing"})
    lead_id = a_lead(state, externalCompanyId="001A")
    with state.lock:
        view = state.core.lead_view(state.core.leads.get(lead_id), ["company", "industry", "email"])
    assert view["company"] == "Acme Corp" and view["industry"] == "Manufacturing"
