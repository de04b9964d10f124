"""Salesforce sObject calls: assignment headers, the routing reserve, SOQL paging and collections."""

from __future__ import annotations

import json

import httpx
import pytest
from prometheus_client import REGISTRY

from sync.errors import QuotaError, RetryableError
from sync.outbox import PRIORITY_BACKFILL, PRIORITY_ROUTING, PRIORITY_SYNC
from sync.salesforce import AutoAssign, DuplicateRuleHeader, SalesforceNotFound
from tests.sync.salesforce.support import (
    DATA,
    INSTANCE,
    a_client,
    lead_id,
    limit_info,
)

LEAD = lead_id(1)
RULE = "01Q5g000000ABCDEAA"


async def test_updates_keep_the_owner_unless_asked(sf, clock):
    route = sf.patch(f"{DATA}/sobjects/Lead/{LEAD}").mock(return_value=httpx.Response(204))
    async with a_client(clock) as client:
        await client.update("Lead", LEAD, {"Status": "Working"})
        await client.update("Lead", LEAD, {"Status": "Working"}, auto_assign=AutoAssign.TRUE)
    first, second = (c.request for c in route.calls)
    assert first.headers["Sforce-Auto-Assign"] == "FALSE"
    assert json.loads(first.content) == {"Status": "Working"}
    assert second.headers["Sforce-Auto-Assign"] == "TRUE"


async def test_create_sends_the_rule_and_duplicate_header_only_when_given(sf, clock):
    route = sf.post(f"{DATA}/sobjects/Lead/").mock(
        return_value=httpx.Response(201, json={"id": LEAD, "success": True, "errors": []})
    )
    async with a_client(clock) as client:
        assert await client.create("Lead", {"LastName": "Doe", "Company": "Acme"}) == LEAD
        await client.create(
            "Lead",
            {"LastName": "Doe", "Company": "Acme"},
            auto_assign=AutoAssign.rule(RULE),
            duplicate_rule=DuplicateRuleHeader(allow_save=True),
        )
    plain, routed = (c.request for c in route.calls)
    assert "Sforce-Auto-Assign" not in plain.headers
    assert routed.headers["Sforce-Auto-Assign"] == RULE
    assert routed.headers["Sforce-Duplicate-Rule-Header"] == (
        "allowSave=true; includeRecordDetails=false; runAsCurrentUser=false"
    )


def test_auto_assign_refuses_what_is_not_a_rule_id():
    with pytest.raises(ValueError, match="AssignmentRule"):
        AutoAssign.rule("005000000000001")
    with pytest.raises(ValueError, match="TRUE, FALSE"):
        AutoAssign("yes")
    assert AutoAssign("false") == AutoAssign.FALSE


async def test_upsert_reports_created_or_updated(sf, clock):
    sf.patch(f"{DATA}/sobjects/Lead/ExtId__c/M%2F1").mock(
        side_effect=[
            httpx.Response(201, json={"id": LEAD, "success": True, "errors": [], "created": True}),
            httpx.Response(200, json={"id": LEAD, "success": True, "errors": [], "created": False}),
        ]
    )
    async with a_client(clock) as client:
        first = await client.upsert("Lead", "ExtId__c", "M/1", {"LastName": "Doe"})
        second = await client.upsert("Lead", "ExtId__c", "M/1", {"LastName": "Doe"})
    assert (first.id, first.created, second.created) == (LEAD, True, False)


async def test_delete_then_get_is_not_found(sf, clock):
    sf.delete(f"{DATA}/sobjects/Lead/{LEAD}").mock(return_value=httpx.Response(204))
    sf.get(f"{DATA}/sobjects/Lead/{LEAD}").mock(
        return_value=httpx.Response(
            404, json=[{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
        )
    )
    async with a_client(clock) as client:
        await client.delete("Lead", LEAD)
        with pytest.raises(SalesforceNotFound):
            await client.get("Lead", LEAD, ["Id", "OwnerId"])
    assert sf.calls.last.request.url.params["fields"] == "Id,OwnerId"


async def test_limit_info_is_read_and_the_reserve_keeps_calls_for_routing(sf, clock):
    route = sf.get(f"{DATA}/sobjects/Lead/{LEAD}").mock(
        return_value=httpx.Response(200, json={"Id": LEAD}, headers=limit_info(used=14950, maximum=15000))
    )
    async with a_client(clock, daily_reserve=100) as client:
        await client.get("Lead", LEAD)
        assert client.api_usage is not None and client.api_usage.remaining == 50
        assert REGISTRY.get_sample_value("handoff_salesforce_api_remaining") == 50
        with pytest.raises(QuotaError, match="kept for routing") as raised:
            await client.get("Lead", LEAD, priority=PRIORITY_SYNC)
        assert raised.value.resume_at is not None and raised.value.resume_at > clock()
        with pytest.raises(QuotaError):
            await client.get("Lead", LEAD, priority=PRIORITY_BACKFILL)
        await client.get("Lead", LEAD, priority=PRIORITY_ROUTING)
        assert route.call_count == 2
        # The allocation is a rolling 24 h count: a stale reading lets one call through to refresh it.
        clock.advance(minutes=16)
        await client.get("Lead", LEAD, priority=PRIORITY_SYNC)
    assert route.call_count == 3


async def test_query_follows_next_records_url_until_done(sf, clock):
    def record(n: int) -> dict:
        return {
            "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{lead_id(n)}"},
            "Id": lead_id(n),
        }

    first = sf.get(f"{DATA}/query").mock(
        return_value=httpx.Response(
            200,
            json={
                "totalSize": 3,
                "done": False,
                "nextRecordsUrl": "/services/data/v59.0/query/01gRO0000016PIAYA2-2",
                "records": [record(1), record(2)],
            },
        )
    )
    more = sf.get(f"{INSTANCE}/services/data/v59.0/query/01gRO0000016PIAYA2-2").mock(
        return_value=httpx.Response(200, json={"totalSize": 3, "done": True, "records": [record(3)]})
    )
    soql = "SELECT Id FROM Lead WHERE LastModifiedDate > 2026-11-01T00:00:00Z"
    async with a_client(clock) as client:
        ids = [r["Id"] async for r in client.query(soql, batch_size=1000)]
    assert ids == [lead_id(1), lead_id(2), lead_id(3)]
    assert first.calls.last.request.url.params["q"] == soql
    assert first.calls.last.request.headers["Sforce-Query-Options"] == "batchSize=1000"
    assert more.call_count == 1


async def test_query_all_and_bad_batch_size(sf, clock):
    route = sf.get(f"{DATA}/queryAll").mock(
        return_value=httpx.Response(200, json={"totalSize": 0, "done": True, "records": []})
    )
    async with a_client(clock) as client:
        assert [r async for r in client.query("SELECT Id FROM Lead", include_deleted=True)] == []
        with pytest.raises(ValueError, match="between 200 and 2000"):
            [r async for r in client.query("SELECT Id FROM Lead", batch_size=50)]
    assert route.call_count == 1


async def test_query_page_claiming_more_without_a_link_is_an_error(sf, clock):
    sf.get(f"{DATA}/query").mock(
        return_value=httpx.Response(200, json={"totalSize": 5, "done": False, "records": []})
    )
    async with a_client(clock) as client:
        with pytest.raises(RetryableError, match="nextRecordsUrl"):
            [r async for r in client.query("SELECT Id FROM Lead")]


async def test_limits_resource(sf, clock):
    sf.get(f"{DATA}/limits/").mock(
        return_value=httpx.Response(
            200,
            json={
                "DailyApiRequests": {
                    "Max": 15000,
                    "Remaining": 14998,
                    "Ant Migration Tool": {"Max": 0, "Remaining": 0},
                },
                "DailyBulkApiRequests": {"Max": 5000, "Remaining": 5000},
            },
            headers=limit_info(2),
        )
    )
    async with a_client(clock) as client:
        limits = await client.limits()
    assert limits["DailyApiRequests"]["Remaining"] == 14998


async def test_calls_and_errors_are_counted(sf, clock):
    sf.get(f"{DATA}/sobjects/Lead/{LEAD}").mock(
        return_value=httpx.Response(503, json=[{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}])
    )
    before = (
        REGISTRY.get_sample_value(
            "handoff_salesforce_errors_total", {"endpoint": "sobject.get", "code": "SERVER_UNAVAILABLE"}
        )
        or 0
    )
    async with a_client(clock) as client:
        with pytest.raises(RetryableError):
            await client.get("Lead", LEAD)
    after = REGISTRY.get_sample_value(
        "handoff_salesforce_errors_total", {"endpoint": "sobject.get", "code": "SERVER_UNAVAILABLE"}
    )
    assert after == before + 1
