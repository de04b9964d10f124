"""Proof of faithfulness: the unmodified third-party client marketorestpython against the emulator.

The client builds ``https://{munchkinId}.mktorest.com`` itself; only its ``host`` attribute is pointed
at the sandbox served over real HTTP on loopback. It reads leads with ``POST …?_method=GET`` form bodies,
pages activities with ``nextPageToken``/``moreResult``, and changes program status through the legacy
``leads/programs/{id}/status.json`` route, so all of those paths are exercised as it really calls them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from marketorestpython.client import MarketoClient

from sandbox.marketo import MarketoState
from tests.sandbox.marketo.support import CLIENT_ID, CLIENT_SECRET, Api, an_instance, served


@pytest.fixture
def instance(clock) -> MarketoState:
    return an_instance(clock)


@pytest.fixture
def api(instance) -> Iterator[Api]:
    with served(instance) as served_api:
        yield served_api


def a_client(api: Api, **options) -> MarketoClient:
    client = MarketoClient(api.state.munchkin_id, CLIENT_ID, CLIENT_SECRET, **options)
    client.host = api.base_url
    return client


def test_marketorestpython_upserts_300_reads_them_back_pages_activities_and_moves_program_status(
    clock, instance, api
):
    start = clock() - timedelta(minutes=1)
    client = a_client(api)
    people = [
        {
            "email": f"buyer{n:03d}@example.com",
            "firstName": f"Buyer{n}",
            "lastName": "Example",
            "company": "Acme",
        }
        for n in range(300)
    ]

    upserted = client.execute(
        method="create_update_leads", leads=people, action="createOrUpdate", lookupField="email"
    )

    assert client.token is not None and client.token.endswith(":int")
    assert len(upserted) == 300 and {r["status"] for r in upserted} == {"created"}
    ids = [r["id"] for r in upserted]
    assert instance.people.count() == 300

    read_back = client.execute(
        method="get_multiple_leads_by_filter_type",
        filterType="email",
        filterValues=[p["email"] for p in people],
        fields="id,email,firstName,lastName",
    )
    assert sorted(r["id"] for r in read_back) == sorted(ids)
    assert {r["email"]: r["firstName"] for r in read_back} == {p["email"]: p["firstName"] for p in people}

    clock.advance(minutes=1)
    again = client.execute(
        method="create_update_leads", leads=[{"email": "buyer000@example.com", "firstName": "Bea"}]
    )
    assert again == [{"id": ids[0], "status": "updated"}]

    token = client.execute(method="get_paging_token", sinceDatetime=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    pages = list(
        client.execute(
            method="get_lead_activities_yield",
            activityTypeIds=["12", "13"],
            nextPageToken=token,
            batchSize=100,
            return_full_result=True,
        )
    )
    records = [r for page in pages for r in page["result"]]
    assert len(pages) >= 4 and all("nextPageToken" in page for page in pages)
    assert [r["activityTypeId"] for r in records].count(12) == 300
    change = next(r for r in records if r["activityTypeId"] == 13)
    assert (change["leadId"], change["primaryAttributeValue"]) == (ids[0], "First Name")
    assert len({r["marketoGUID"] for r in records}) == len(records)

    changes = client.execute(
        method="get_lead_changes", fields=["firstName"], sinceDatetime=start.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert [c["fields"][0]["newValue"] for c in changes if c["activityTypeId"] == 13] == ["Bea"]

    webinar = instance.programs.create("Webinar Nov", channel="Webinar")
    registered = api.post(
        f"/rest/v1/programs/{webinar.id}/members/status.json",
        {"statusName": "Registered", "input": [{"leadId": i} for i in ids[:3]]},
    )
    assert [r["status"] for r in registered["result"]] == ["created"] * 3

    moved = client.execute(
        method="change_lead_program_status", id=webinar.id, leadIds=ids[:2], status="Attended"
    )
    assert moved == [{"id": ids[0], "status": "updated"}, {"id": ids[1], "status": "updated"}]
    members = client.execute(method="get_multiple_leads_by_program_id", programId=webinar.id, fields="email")
    statuses = {m["id"]: m["membership"]["progressionStatus"] for m in members}
    assert statuses == {ids[0]: "Attended", ids[1]: "Attended", ids[2]: "Registered"}
    assert (
        instance.activities(lead_id=ids[0], activity_type_ids=[104])[-1].attribute("New Status") == "Attended"
    )


def test_marketorestpython_sees_602_for_an_expired_token_and_601_for_a_foreign_one(clock, api):
    token = a_client(api)
    token.authenticate()
    clock.advance(seconds=3601)

    expired = MarketoClient(api.state.munchkin_id, access_token=token.token)
    expired.host = api.base_url
    foreign = MarketoClient(api.state.munchkin_id, access_token="00000000-0000-0000-0000-000000000000:int")
    foreign.host = api.base_url

    with pytest.raises(Exception) as refused:
        expired.execute(method="get_lead_by_id", id=1)
    assert refused.value.args[0]["code"] == "602"
    with pytest.raises(Exception) as invalid:
        foreign.execute(method="describe")
    assert invalid.value.args[0]["code"] == "601"


def test_marketorestpython_gets_a_clear_error_for_bad_credentials(api):
    client = MarketoClient(api.state.munchkin_id, CLIENT_ID, "not-the-secret")
    client.host = api.base_url
    with pytest.raises(Exception, match="Bad client credentials"):
        client.authenticate()


def test_marketorestpython_describe_types_lists_and_companies(instance, api):
    client = a_client(api)
    described = client.execute(method="describe")
    types = client.execute(method="get_activity_types")
    target = instance.lists.create("Nurture")
    lead = client.execute(method="create_update_leads", leads=[{"email": "x@acme.com"}])[0]["id"]
    added = client.execute(method="add_leads_to_list", listId=target.id, id=[lead])
    member = client.execute(method="member_of_list", listId=target.id, id=[lead])
    companies = client.execute(
        method="create_update_companies", input=[{"externalCompanyId": "001A", "company": "Acme"}]
    )
    found = client.execute(
        method="get_companies", filterType="externalCompanyId", filterValues=["001A"], fields=["company"]
    )
    instance.set_crm_sync(True)
    with pytest.raises(Exception) as crm:
        client.execute(
            method="create_update_companies", input=[{"externalCompanyId": "001B", "company": "Globex"}]
        )

    assert any(f["rest"]["name"] == "sfdcLeadId" for f in described)
    assert {t["id"] for t in types} >= {1, 2, 10, 11, 12, 13, 22, 104}
    assert added == [{"id": lead, "status": "added"}]
    assert member == [{"id": lead, "status": "memberof"}]
    assert companies[0]["status"] == "created"
    assert found == [{"seq": 0, "company": "Acme"}]
    assert crm.value.args[0] == {"message": "CRM Enabled", "code": "1018"}
