"""Activity routes over real HTTP: paging token, filters, empty pages, lead changes, types (§4)."""

from __future__ import annotations

from datetime import timedelta

from tests.sandbox.marketo.support import a_lead, an_instance, error_code, served


def _walk(api, path, **params):
    """Follow nextPageToken while moreResult is true; return (pages, last token)."""
    pages = []
    while True:
        body = api.get(path, **params)
        assert body["success"], body
        pages.append(body.get("result", []))
        assert body.get("result") != [], "empty pages omit result"

        params["nextPageToken"] = body["nextPageToken"]
        if not body["moreResult"]:
            return pages, body["nextPageToken"]


def test_activities_page_from_a_token_and_the_last_token_is_the_next_cursor(clock):
    state = an_instance(clock)
    start = clock()
    ids = [a_lead(state) for _ in range(5)]
    for lead_id in ids:
        clock.advance(minutes=1)
        state.engagement.open_email(lead_id, "Launch")
    with served(state) as api:
        token = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime=start.isoformat())
        pages, cursor = _walk(
            api,
            "/rest/v1/activities.json",
            activityTypeIds="10,12",
            batchSize=4,
            nextPageToken=token["nextPageToken"],
        )
        clock.advance(minutes=1)
        state.engagement.click_email(ids[0], "Launch", "https://acme.com")
        later, _ = _walk(api, "/rest/v1/activities.json", activityTypeIds="11", nextPageToken=cursor)
    assert set(token) == {"requestId", "success", "nextPageToken"}
    records = [r for page in pages for r in page]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [r["activityTypeId"] for r in records] == [12] * 5 + [10] * 5
    first_open = records[5]
    assert first_open["marketoGUID"] == str(first_open["id"])
    assert first_open["primaryAttributeValue"] == "Launch"
    assert first_open["activityDate"] == (start + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {"name": "Device", "value": "Desktop"} in first_open["attributes"]
    assert [r["activityTypeId"] for p in later for r in p] == [11]


def test_sparse_activity_queries_return_empty_pages_with_more_result(clock):
    state = an_instance(clock, activity_scan_block=10)
    start = clock()
    lead_id = a_lead(state)
    for n in range(30):
        state.engagement.visit_webpage(lead_id, f"/page/{n}")
    state.people.change_score(lead_id, 10)
    with served(state) as api:
        token = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime=start.isoformat())[
            "nextPageToken"
        ]
        pages, _ = _walk(api, "/rest/v1/activities.json", activityTypeIds="22", nextPageToken=token)
    assert pages[0] == []
    assert [r["activityTypeId"] for p in pages for r in p] == [22]


def test_lead_ids_and_list_id_narrow_activities(clock):
    state = an_instance(clock)
    start = clock()
    one, two, three = a_lead(state), a_lead(state), a_lead(state)
    target = state.lists.create("Hot")
    state.lists.add(target.id, [three])
    with served(state) as api:
        token = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime=start.isoformat())[
            "nextPageToken"
        ]
        by_lead, _ = _walk(
            api, "/rest/v1/activities.json", activityTypeIds="12", leadIds=f"{one},{two}", nextPageToken=token
        )
        by_list, _ = _walk(
            api,
            "/rest/v1/activities.json",
            activityTypeIds="12,24",
            listId=str(target.id),
            nextPageToken=token,
        )
        too_many_types = api.get(
            "/rest/v1/activities.json", activityTypeIds="1,2,3,6,7,8,9,10,11,12,13", nextPageToken=token
        )
        too_many_leads = api.get(
            "/rest/v1/activities.json",
            activityTypeIds="1",
            leadIds=",".join(str(n) for n in range(31)),
            nextPageToken=token,
        )
        no_token = api.get("/rest/v1/activities.json", activityTypeIds="1")
        bad_token = api.get("/rest/v1/activities.json", activityTypeIds="1", nextPageToken="garbage")
        bad_since = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime="yesterday")
    assert sorted(r["leadId"] for p in by_lead for r in p) == [one, two]
    assert [(r["leadId"], r["activityTypeId"]) for p in by_list for r in p] == [(three, 12), (three, 24)]
    assert [error_code(b) for b in (too_many_types, too_many_leads, no_token, bad_token, bad_since)] == [
        "1003",
        "1003",
        "701",
        "1003",
        "1001",
    ]


def test_lead_changes_returns_new_leads_and_changes_of_the_asked_fields(clock):
    state = an_instance(clock)
    start = clock()
    lead_id = a_lead(state, firstName="Ann")
    state.people.update(lead_id, {"firstName": "Anne", "title": "CTO"})
    state.people.change_score(lead_id, 5)
    with served(state) as api:
        token = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime=start.isoformat())[
            "nextPageToken"
        ]
        pages, _ = _walk(
            api, "/rest/v1/activities/leadchanges.json", fields="firstName,lastName", nextPageToken=token
        )
        missing_fields = api.get("/rest/v1/activities/leadchanges.json", nextPageToken=token)
    records = [r for p in pages for r in p]
    assert [r["activityTypeId"] for r in records] == [12, 13]
    change = records[1]
    assert change["fields"] == [{"id": 3, "name": "firstName", "newValue": "Anne", "oldValue": "Ann"}]
    assert change["attributes"] == [
        {"name": "Reason", "value": "Web service API"},
        {"name": "Source", "value": "Web service API"},
    ]
    assert error_code(missing_fields) == "701"


def test_deleted_leads_and_activity_types(clock):
    state = an_instance(clock)
    start = clock()
    lead_id = a_lead(state, firstName="Gone", lastName="Person")
    state.people.delete(lead_id)
    with served(state) as api:
        token = api.get("/rest/v1/activities/pagingtoken.json", sinceDatetime=start.isoformat())[
            "nextPageToken"
        ]
        pages, _ = _walk(api, "/rest/v1/activities/deletedleads.json", nextPageToken=token)
        kinds = {t["id"]: t for t in api.get("/rest/v1/activities/types.json")["result"]}
    (deleted,) = [r for p in pages for r in p]
    assert (deleted["activityTypeId"], deleted["leadId"], deleted["primaryAttributeValue"]) == (
        37,
        lead_id,
        "Gone Person",
    )
    assert {k: kinds[k]["name"] for k in (1, 2, 10, 11, 12, 13, 22, 37, 104, 110)} == {
        1: "Visit Webpage",
        2: "Fill Out Form",
        10: "Open Email",
        11: "Click Email",
        12: "New Lead",
        13: "Change Data Value",
        22: "Change Score",
        37: "Delete Lead",
        104: "Change Status in Progression",
        110: "Call Webhook",
    }
    assert kinds[2]["primaryAttribute"] == {"name": "Webform ID", "dataType": "integer"}
