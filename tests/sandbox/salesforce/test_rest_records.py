"""REST sObject and collection resources over HTTP: statuses, bodies and errors of reference §2 and §4."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from handoff.clock import ManualClock
from tests.sandbox.salesforce.support import Org, an_org, rest_client

V = "/services/data/v59.0"


@pytest.fixture
def org(clock: ManualClock) -> Org:
    org = an_org(clock)
    org.state.define_field("Lead", "Marketo_Id__c", external_id=True, unique=True)
    return org


@pytest.fixture
def api(org: Org) -> Iterator[httpx.Client]:
    with rest_client(org) as client:
        client.headers["Sforce-Auto-Assign"] = "FALSE"
        yield client


def a_lead(api: httpx.Client, **fields: object) -> str:
    reply = api.post(f"{V}/sobjects/Lead", json={"LastName": "Doe", "Company": "Acme", **fields})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_create_and_retrieve_use_the_real_shapes(api: httpx.Client, org: Org) -> None:
    reply = api.post(
        f"{V}/sobjects/Lead/", json={"LastName": "Doe", "Company": "Acme", "Email": "d@acme.example"}
    )
    assert reply.status_code == 201
    body = reply.json()
    assert body == {"id": body["id"], "success": True, "errors": []}
    record = api.get(
        f"{V}/sobjects/Lead/{body['id']}", params={"fields": "Id,Status,OwnerId,CreatedDate"}
    ).json()
    assert record == {
        "attributes": {"type": "Lead", "url": f"{V}/sobjects/Lead/{body['id']}"},
        "Id": body["id"],
        "Status": "Open - Not Contacted",
        "OwnerId": org.state.integration_user_id,
        "CreatedDate": "2026-11-02T09:00:00.000+0000",
    }
    assert api.get(f"{V}/sobjects/Lead/{body['id'][:15]}").json()["Id"] == body["id"]


def test_input_datetimes_accept_offsets_and_come_back_in_utc(api: httpx.Client, org: Org) -> None:
    lead_id = a_lead(api)
    reply = api.post(
        f"{V}/sobjects/Task",
        json={
            "WhoId": lead_id,
            "Subject": "Call",
            "ReminderDateTime": "2026-11-02T10:30:00+01:00",
            "ActivityDate": "2026-11-03",
        },
    )
    task = api.get(f"{V}/sobjects/Task/{reply.json()['id']}").json()
    assert (task["ReminderDateTime"], task["ActivityDate"]) == ("2026-11-02T09:30:00.000+0000", "2026-11-03")
    assert (task["Status"], task["IsClosed"], task["TaskSubtype"]) == ("Not Started", False, "Task")
    api.patch(f"{V}/sobjects/Task/{task['Id']}", json={"Status": "Completed"})
    completed = api.get(f"{V}/sobjects/Task/{task['Id']}").json()
    assert (completed["IsClosed"], completed["CompletedDateTime"]) == (True, "2026-11-02T09:00:00.000+0000")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"LastName": "Doe"},
            {
                "message": "Required fields are missing: [Company]",
                "errorCode": "REQUIRED_FIELD_MISSING",
                "fields": ["Company"],
            },
        ),
        (
            {"LastName": "Doe", "Company": "A", "Foo__c": 1},
            {"message": "No such column 'Foo__c' on sobject of type Lead", "errorCode": "INVALID_FIELD"},
        ),
        (
            {"LastName": "Doe", "Company": "A", "IsConverted": True},
            {
                "message": "Unable to create/update fields: IsConverted. Please check the security settings of this field "
                "and verify that it is read/write for your profile or permission set.",
                "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                "fields": ["IsConverted"],
            },
        ),
        (
            {"LastName": "Doe", "Company": "A", "Status": "Hot"},
            {
                "message": "Lead Status: bad value for restricted picklist field: Hot",
                "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "fields": ["Status"],
            },
        ),
    ],
)
def test_bad_lead_bodies_get_the_real_error_array(api: httpx.Client, body: dict, error: dict) -> None:
    reply = api.post(f"{V}/sobjects/Lead", json=body)
    assert reply.status_code == 400
    assert reply.json() == [error]


def test_a_lookup_to_the_wrong_kind_of_record_is_malformed_id(api: httpx.Client) -> None:
    lead_id = a_lead(api)
    reply = api.post(f"{V}/sobjects/Task", json={"Subject": "Call", "WhatId": lead_id})
    assert reply.status_code == 400
    assert reply.json() == [
        {
            "message": f"Related To ID: id value of incorrect type: {lead_id}",
            "errorCode": "MALFORMED_ID",
            "fields": ["WhatId"],
        }
    ]


def test_a_value_of_the_wrong_json_type_is_a_parser_error(api: httpx.Client) -> None:
    reply = api.post(
        f"{V}/sobjects/Lead", json={"LastName": "Doe", "Company": "A", "NumberOfEmployees": "many"}
    )
    assert reply.status_code == 400
    assert reply.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert api.post(f"{V}/sobjects/Lead", content=b"{not json").json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_paths_that_do_not_name_a_record(api: httpx.Client) -> None:
    lead_id = a_lead(api)
    assert api.get(f"{V}/sobjects/Lead/abc").json() == [
        {
            "message": "Provided external ID field does not exist or is not accessible: abc",
            "errorCode": "NOT_FOUND",
        }
    ]
    wrong_type = api.get(f"{V}/sobjects/Contact/{lead_id}")
    assert (wrong_type.status_code, wrong_type.json()[0]["errorCode"]) == (404, "NOT_FOUND")
    assert api.get(f"{V}/sobjects/Widget__c/{lead_id}").status_code == 404
    assert api.get(f"{V}/nowhere").json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
    assert api.put(f"{V}/sobjects/Lead/{lead_id}").json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_duplicate_rule_blocks_unless_the_header_allows_saving(api: httpx.Client) -> None:
    first = a_lead(api, Email="Jane@Acme.example")
    reply = api.post(
        f"{V}/sobjects/Lead", json={"LastName": "Jane", "Company": "Acme", "Email": "jane@acme.example"}
    )
    assert reply.status_code == 400
    [error] = reply.json()
    assert error["errorCode"] == "DUPLICATES_DETECTED"
    assert (
        error["message"]
        == "You're creating a duplicate record. We recommend you use an existing record instead."
    )
    match = error["duplicateResult"]["matchResults"][0]
    assert match["matchRecords"][0]["record"]["Id"] == first
    assert error["duplicateResult"]["duplicateRule"] == "Standard_Lead_Duplicate_Rule"

    allowed = api.post(
        f"{V}/sobjects/Lead",
        json={"LastName": "Jane", "Company": "Acme", "Email": "jane@acme.example"},
        headers={
            "Sforce-Duplicate-Rule-Header": "allowSave=true; includeRecordDetails=false; runAsCurrentUser=false"
        },
    )
    assert allowed.status_code == 201


def test_unique_external_id_and_upsert_statuses(api: httpx.Client) -> None:
    created = api.patch(f"{V}/sobjects/Lead/Marketo_Id__c/42", json={"LastName": "Doe", "Company": "Acme"})
    assert created.status_code == 201 and created.json()["created"] is True
    updated = api.patch(f"{V}/sobjects/Lead/Marketo_Id__c/42", json={"Title": "CTO"})
    assert updated.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": False}
    old_api = api.patch("/services/data/v45.0/sobjects/Lead/Marketo_Id__c/42", json={"Title": "CEO"})
    assert old_api.status_code == 204
    clash = api.post(f"{V}/sobjects/Lead", json={"LastName": "X", "Company": "Y", "Marketo_Id__c": "42"})
    assert clash.json()[0]["errorCode"] == "DUPLICATE_VALUE"
    assert api.patch(f"{V}/sobjects/Lead/Email/x@y.z", json={}).json()[0]["message"] == (
        "Provided external ID field does not exist or is not accessible: Email"
    )
    assert api.delete(f"{V}/sobjects/Lead/Marketo_Id__c/42").status_code == 204


def test_a_converted_lead_cannot_be_updated(api: httpx.Client, org: Org) -> None:
    lead_id = a_lead(api, OwnerId=org.ann)
    org.state.convert_lead(lead_id)
    reply = api.patch(f"{V}/sobjects/Lead/{lead_id}", json={"Title": "CTO"})
    assert reply.status_code == 400
    assert reply.json()[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_collection_create_reports_per_record_and_keeps_the_good_ones(api: httpx.Client, org: Org) -> None:
    records = [
        {"attributes": {"type": "Lead"}, "LastName": "A", "Company": "X"},
        {"attributes": {"type": "Lead"}, "LastName": "B"},
        {"attributes": {"type": "Account"}, "Name": "Acme"},
    ]
    reply = api.post(f"{V}/composite/sobjects", json={"allOrNone": False, "records": records})
    assert reply.status_code == 200
    first, second, third = reply.json()
    assert first["success"] and first["id"].startswith("00Q") and third["id"].startswith("001")
    assert second == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [Company]",
                "fields": ["Company"],
            }
        ],
    }


def test_collection_all_or_none_rolls_everything_back(api: httpx.Client, org: Org) -> None:
    before = (len(org.state.records("Lead")), len(org.state.records("LeadHistory")))
    records = [
        {"attributes": {"type": "Lead"}, "LastName": "A", "Company": "X", "Email": "dup@x.example"},
        {"attributes": {"type": "Lead"}, "LastName": "B", "Company": "X", "Email": "dup@x.example"},
    ]
    reply = api.post(f"{V}/composite/sobjects", json={"allOrNone": True, "records": records})
    assert reply.status_code == 200
    rolled_back, duplicate = reply.json()
    assert rolled_back == {
        "id": None,
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert duplicate["errors"] == [
        {"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "fields": []}
    ]
    assert (len(org.state.records("Lead")), len(org.state.records("LeadHistory"))) == before


def test_collection_update_retrieve_and_delete(api: httpx.Client) -> None:
    ids = [a_lead(api, LastName=name) for name in ("A", "B")]
    updates = [
        {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "CTO"},
        {"attributes": {"type": "Lead"}, "Title": "?"},
    ]
    result = api.patch(f"{V}/composite/sobjects", json={"records": updates}).json()
    assert result[0] == {"id": ids[0], "success": True, "errors": []}
    assert result[1]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    fetched = api.get(
        f"{V}/composite/sobjects/Lead",
        params={"ids": f"{ids[0]},{ids[1]},001000000000000AAA", "fields": "Id,Title"},
    ).json()
    assert fetched[0]["Title"] == "CTO"
    assert fetched[1] == {
        "attributes": {"type": "Lead", "url": f"{V}/sobjects/Lead/{ids[1]}"},
        "Id": ids[1],
        "Title": None,
    }
    assert fetched[2] is None
    posted = api.post(f"{V}/composite/sobjects/Lead", json={"ids": ids, "fields": ["LastName"]}).json()
    assert [r["LastName"] for r in posted] == ["A", "B"]
    deleted = api.delete(f"{V}/composite/sobjects", params={"ids": ",".join(ids)}).json()
    assert [r["success"] for r in deleted] == [True, True]
    again = api.delete(f"{V}/composite/sobjects", params={"ids": ids[0]}).json()
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_collections_hold_at_most_200_records(api: httpx.Client) -> None:
    records = [{"attributes": {"type": "Lead"}, "LastName": str(n), "Company": "X"} for n in range(201)]
    reply = api.post(f"{V}/composite/sobjects", json={"records": records})
    assert reply.status_code == 400
    assert reply.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_query_all_sees_deleted_records_and_batch_size_pages(api: httpx.Client) -> None:
    ids = [a_lead(api, LastName=f"Page {n:03d}") for n in range(450)]
    api.delete(f"{V}/sobjects/Lead/{ids[0]}")
    soql = "SELECT Id, IsDeleted FROM Lead WHERE LastName LIKE 'Page%' ORDER BY LastName"
    live = api.get(f"{V}/query", params={"q": soql}, headers={"Sforce-Query-Options": "batchSize=200"}).json()
    assert (live["totalSize"], len(live["records"]), live["done"]) == (449, 200, False)
    second = api.get(live["nextRecordsUrl"]).json()
    third = api.get(second["nextRecordsUrl"]).json()
    assert (len(second["records"]), len(third["records"]), third["done"]) == (200, 49, True)
    assert "nextRecordsUrl" not in third
    everything = api.get(f"{V}/queryAll", params={"q": soql}).json()
    assert everything["totalSize"] == 450 and everything["records"][0]["IsDeleted"] is True
    stale = api.get(f"{V}/query/01g5g000000AAAAAAA-2000")
    assert stale.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
