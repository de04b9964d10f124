"""Lead routes over real HTTP: Sync Leads outcomes, reads by filter, _method=GET, delete, merge (§3)."""

from __future__ import annotations

from sandbox.marketo import activity_types as types
from tests.sandbox.marketo.support import a_lead, an_instance, error_code, served


def test_sync_leads_reports_each_record_in_input_order(clock):
    state = an_instance(clock)
    existing = a_lead(state, email="old@acme.com")
    twin_a = a_lead(state, email="twin@acme.com")
    a_lead(state, email="twin@acme.com")
    state.companies.create({"externalCompanyId": "001A", "company": "Acme"})
    with served(state) as api:
        body = api.post(
            "/rest/v1/leads.json",
            {
                "action": "createOrUpdate",
                "lookupField": "email",
                "input": [
                    {"email": "new@acme.com", "firstName": "Nia"},
                    {"email": "OLD@acme.com", "title": "CFO"},
                    {"email": "twin@acme.com", "title": "CTO"},
                    {"email": "x@acme.com", "shoeSize": 44},
                    {"email": "y@acme.com", "leadScore": "high"},
                    {"email": "z@acme.com", "externalCompanyId": "001A", "industry": "Tech"},
                    {"firstName": "No email"},
                ],
            },
        )
    result = body["result"]
    assert result[0] == {"id": result[0]["id"], "status": "created"}
    assert result[1] == {"id": existing, "status": "updated"}
    assert [r["reasons"][0]["code"] for r in result[2:]] == ["1007", "1006", "1001", "1021", "1003"]
    assert all("id" not in r for r in result[2:])
    assert state.people.get(existing)["title"] == "CFO"
    assert state.people.get(twin_a).get("title") is None


def test_create_only_update_only_and_create_duplicate(clock):
    state = an_instance(clock)
    existing = a_lead(state, email="ann@acme.com")
    with served(state) as api:
        create_only = api.post(
            "/rest/v1/leads.json",
            {"action": "createOnly", "input": [{"email": "ann@acme.com"}, {"email": "bo@acme.com", "id": 5}]},
        )
        update_only = api.post(
            "/rest/v1/leads.json", {"action": "updateOnly", "input": [{"email": "nobody@acme.com"}]}
        )
        by_id = api.post(
            "/rest/v1/leads.json",
            {"action": "updateOnly", "lookupField": "id", "input": [{"id": existing, "title": "COO"}]},
        )
        duplicate = api.post(
            "/rest/v1/leads.json", {"action": "createDuplicate", "input": [{"email": "ann@acme.com"}]}
        )
        bad_action = api.post("/rest/v1/leads.json", {"action": "upsert", "input": [{"email": "a@b.c"}]})
        bad_lookup = api.post(
            "/rest/v1/leads.json", {"lookupField": "firstName", "input": [{"firstName": "A"}]}
        )
        too_many = api.post(
            "/rest/v1/leads.json", {"input": [{"email": f"p{n}@acme.com"} for n in range(301)]}
        )
    assert [r["reasons"][0]["code"] for r in create_only["result"]] == ["1005", "1003"]
    assert update_only["result"][0]["reasons"] == [{"code": "1004", "message": "Lead not found"}]
    assert by_id["result"] == [{"id": existing, "status": "updated"}]
    assert duplicate["result"][0]["status"] == "created"
    assert len(state.people.find("email", "ann@acme.com")) == 2
    assert error_code(bad_action) == "1003"
    assert error_code(bad_lookup) == "1011"
    assert error_code(too_many) == "1003"
    assert state.people.find("email", "p0@acme.com") == []


def test_get_leads_by_filter_pages_and_accepts_the_method_get_form(clock):
    state = an_instance(clock)
    ids = [a_lead(state, email=f"p{n}@acme.com", sfdcAccountId="001000000000001AAA") for n in range(5)]
    with served(state) as api:
        headers = api.auth()
        first = api.get(
            "/rest/v1/leads.json",
            filterType="sfdcAccountId",
            filterValues="001000000000001AAA",
            batchSize=2,
            fields="email,sfdcAccountId",
        )
        second = api.get(
            "/rest/v1/leads.json",
            filterType="sfdcAccountId",
            filterValues="001000000000001AAA",
            batchSize=2,
            fields="email",
            nextPageToken=first["nextPageToken"],
        )
        form = api.http.post(
            "/rest/v1/leads.json",
            data={
                "_method": "GET",
                "filterType": "email",
                "filterValues": "p1@acme.com,P3@ACME.COM,none@acme.com",
            },
            headers=headers,
        ).json()
        unsupported = api.get("/rest/v1/leads.json", filterType="createdAt", filterValues="2026-01-01")
        missing = api.get("/rest/v1/lead/999999.json")
        unknown_field = api.get(f"/rest/v1/lead/{ids[0]}.json", fields="shoeSize")
    assert [r["id"] for r in first["result"]] == ids[:2]
    assert first["result"][0] == {"id": ids[0], "email": "p0@acme.com", "sfdcAccountId": "001000000000001AAA"}
    assert second["result"] == [
        {"id": ids[2], "email": "p2@acme.com"},
        {"id": ids[3], "email": "p3@acme.com"},
    ]
    assert [r["email"] for r in form["result"]] == ["p1@acme.com", "p3@acme.com"]
    assert set(form["result"][0]) == {"id", "email", "updatedAt", "createdAt", "firstName", "lastName"}
    assert form["result"][0]["createdAt"] == "2026-11-02T09:00:00Z"
    assert "nextPageToken" not in form
    assert unsupported["errors"] == [{"code": "1011", "message": "Lookup field 'createdAt' not supported"}]
    assert missing == {"requestId": missing["requestId"], "result": [], "success": True}
    assert error_code(unknown_field) == "1006"


def test_more_than_1000_matches_is_1003(clock):
    state = an_instance(clock)
    for n in range(1001):
        a_lead(state, email=f"p{n}@acme.com", sfdcAccountId="001000000000002AAA")
    with served(state) as api:
        body = api.get("/rest/v1/leads.json", filterType="sfdcAccountId", filterValues="001000000000002AAA")
    assert body["errors"] == [{"code": "1003", "message": "Too many results match the filter"}]


def test_describe_lists_fields_and_searchable_fields(clock):
    state = an_instance(clock)
    state.add_lead_field("territory", "string", display_name="Territory")
    with served(state) as api:
        describe = api.get("/rest/v1/leads/describe.json")["result"]
        describe2 = api.get("/rest/v1/leads/describe2.json")["result"][0]
    email = next(f for f in describe if f["rest"]["name"] == "email")
    assert email == {
        "id": 2,
        "displayName": "Email Address",
        "dataType": "email",
        "length": 255,
        "rest": {"name": "email", "readOnly": False},
        "soap": {"name": "EmailAddress", "readOnly": False},
    }
    assert describe2["name"] == "API Lead"
    assert ["sfdcLeadId"] in describe2["searchableFields"] and ["territory"] in describe2["searchableFields"]
    assert ["firstName"] not in describe2["searchableFields"]


def test_delete_and_merge(clock):
    state = an_instance(clock)
    doomed = a_lead(state)
    winner, loser = a_lead(state, email="w@acme.com"), a_lead(state, email="l@acme.com", phone="+1 555 0100")
    with served(state) as api:
        deleted = api.post("/rest/v1/leads/delete.json", {"input": [{"id": doomed}, {"id": 424242}]})
        merged = api.post(f"/rest/v1/leads/{winner}/merge.json", leadId=str(loser))
        unknown = api.post(f"/rest/v1/leads/{winner}/merge.json", leadIds="31337")
        marketorestpython_style = api.http.delete("/rest/v1/leads.json", headers=api.auth()).json()
    assert deleted["result"][0] == {"id": doomed, "status": "deleted"}
    assert deleted["result"][1]["reasons"][0]["code"] == "1004"
    assert set(merged) == {"requestId", "success"} and merged["success"] is True
    assert state.people.get(winner)["phone"] == "+1 555 0100" and state.people.get(loser) is None
    assert error_code(unknown) == "1004"
    assert error_code(marketorestpython_style) == "605"
    assert state.activities(lead_id=doomed)[-1].activity_type_id == types.DELETE_LEAD
