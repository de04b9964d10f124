"""Collections: 200 records a call, one result per record in input order, partial failures never hidden."""

from __future__ import annotations

import json

import httpx
import pytest

from sync.errors import PermanentError, RetryableError
from sync.salesforce import SalesforceDuplicatesDetected
from tests.sync.salesforce.support import DATA, a_client, lead_id


def a_task(n: int) -> dict:
    return {
        "WhoId": lead_id(n),
        "Subject": f"Opened email {n}",
        "Status": "Completed",
        "TaskSubtype": "Email",
    }


def ok(n: int) -> dict:
    return {"id": f"00T5g00000{n:05d}AAA", "success": True, "errors": []}


def echo_created(request: httpx.Request) -> httpx.Response:
    records = json.loads(request.content)["records"]
    return httpx.Response(200, json=[ok(i) for i, _ in enumerate(records)])


async def test_450_tasks_take_three_calls_of_at_most_200(sf, clock):
    route = sf.post(f"{DATA}/composite/sobjects").mock(side_effect=echo_created)
    async with a_client(clock) as client:
        results = await client.create_many("Task", [a_task(n) for n in range(450)])
    sizes = [len(json.loads(c.request.content)["records"]) for c in route.calls]
    assert sizes == [200, 200, 50]
    body = json.loads(route.calls[0].request.content)
    assert body["allOrNone"] is False
    assert body["records"][0] == {"attributes": {"type": "Task"}, **a_task(0)}
    assert [r.index for r in results] == list(range(450))
    assert all(r.success and r.id for r in results)


async def test_partial_failure_is_reported_per_record_with_status_codes(sf, clock):
    sf.post(f"{DATA}/composite/sobjects").mock(
        return_value=httpx.Response(
            200,
            json=[
                ok(0),
                {"success": False, "errors": [{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "fields": []}]},
                {"success": False, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access to this record"}]},
                {"success": False, "errors": [{"statusCode": "MALFORMED_ID", "message": "Related To ID: id value of incorrect type", "fields": ["WhatId"]}]},
            ],
        )
    )  # fmt: skip
    async with a_client(clock) as client:
        results = await client.create_many("Task", [a_task(n) for n in range(4)])
    assert [r.status for r in results] == ["ok", "failed", "failed", "failed"]
    assert results[0].error is None
    assert isinstance(results[1].error, SalesforceDuplicatesDetected)
    assert isinstance(results[2].error, RetryableError)
    assert isinstance(results[3].error, PermanentError) and results[3].errors[0].fields == ("WhatId",)
    assert "record 3" in str(results[3].error)


async def test_all_or_none_rollback_marks_the_innocent_records_retryable(sf, clock):
    rolled_back = {
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    }
    sf.post(f"{DATA}/composite/sobjects").mock(
        return_value=httpx.Response(
            200,
            json=[
                {"id": None, "success": False, "errors": [rolled_back]},
                {"id": None, "success": False, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Subject]", "fields": ["Subject"]}]},
            ],
        )
    )  # fmt: skip
    async with a_client(clock) as client:
        results = await client.create_many("Task", [a_task(0), {"WhoId": lead_id(1)}], all_or_none=True)
    assert isinstance(results[0].error, RetryableError)
    assert type(results[1].error) is PermanentError


async def test_a_failed_call_fails_its_chunk_and_the_rest_is_not_sent(sf, clock):
    route = sf.post(f"{DATA}/composite/sobjects").mock(
        side_effect=[
            httpx.Response(200, json=[ok(i) for i in range(200)]),
            httpx.Response(
                503, text="<html>Service Unavailable</html>", headers={"content-type": "text/html"}
            ),
        ]
    )
    async with a_client(clock) as client:
        results = await client.create_many("Task", [a_task(n) for n in range(500)])
    assert route.call_count == 2
    assert [r.status for r in results[:200]] == ["ok"] * 200
    assert {r.status for r in results[200:400]} == {"call_failed"}
    assert {r.status for r in results[400:]} == {"not_sent"}
    assert all(isinstance(r.error, RetryableError) for r in results[200:])


async def test_a_reply_of_the_wrong_length_fails_the_chunk(sf, clock):
    sf.post(f"{DATA}/composite/sobjects").mock(return_value=httpx.Response(200, json=[ok(0)]))
    async with a_client(clock) as client:
        results = await client.create_many("Task", [a_task(0), a_task(1)])
    assert {r.status for r in results} == {"call_failed"}
    assert "expected 2 results, got 1" in str(results[0].error)


async def test_update_many_sends_ids_and_keeps_owners(sf, clock):
    route = sf.patch(f"{DATA}/composite/sobjects").mock(side_effect=echo_created)
    async with a_client(clock) as client:
        await client.update_many("Lead", [{"Id": lead_id(1), "Status": "Working"}])
        with pytest.raises(ValueError, match="needs its Id"):
            await client.update_many("Lead", [{"Status": "Working"}])
    request = route.calls.last.request
    assert request.headers["Sforce-Auto-Assign"] == "FALSE"
    assert json.loads(request.content)["records"] == [
        {"attributes": {"type": "Lead"}, "Status": "Working", "id": lead_id(1)}
    ]


async def test_upsert_many_by_external_id(sf, clock):
    route = sf.patch(f"{DATA}/composite/sobjects/Lead/ExtId__c").mock(
        return_value=httpx.Response(
            200, json=[{"id": lead_id(1), "success": True, "errors": [], "created": True}]
        )
    )
    async with a_client(clock) as client:
        results = await client.upsert_many("Lead", "ExtId__c", [{"ExtId__c": "M-1", "LastName": "Doe"}])
        with pytest.raises(ValueError, match="needs ExtId__c"):
            await client.upsert_many("Lead", "ExtId__c", [{"LastName": "Doe"}])
    assert results[0].created is True
    assert route.call_count == 1


async def test_delete_many_and_get_many(sf, clock):
    ids = [lead_id(n) for n in range(3)]
    deleted = sf.delete(f"{DATA}/composite/sobjects").mock(
        return_value=httpx.Response(200, json=[{"id": i, "success": True, "errors": []} for i in ids])
    )
    sf.post(f"{DATA}/composite/sobjects/Lead").mock(
        return_value=httpx.Response(
            200, json=[{"attributes": {"type": "Lead"}, "Id": ids[0], "Status": "Open"}, None, None]
        )
    )
    async with a_client(clock) as client:
        results = await client.delete_many(ids)
        records = await client.get_many("Lead", ids, ["Id", "Status"])
    assert all(r.success for r in results)
    assert deleted.calls.last.request.url.params["ids"] == ",".join(ids)
    assert records[0] is not None and records[0]["Status"] == "Open"
    assert records[1:] == [None, None]
    assert json.loads(sf.calls.last.request.content) == {"ids": ids, "fields": ["Id", "Status"]}
