"""Lead upserts and reads: as few calls as 300 records and 1 MB allow, every skip surfaced per record."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
from prometheus_client import REGISTRY

from sync.errors import PermanentError, RetryableError
from sync.marketo.batching import MAX_BODY_BYTES
from tests.sync.marketo.support import BASE, a_client, a_lead, failed, ok

LEADS = f"{BASE}/rest/v1/leads.json"


def created_for_each(request: httpx.Request) -> httpx.Response:
    records = json.loads(request.content)["input"]
    return ok([{"id": 1000 + i, "status": "created"} for i, _ in enumerate(records)])


def inputs(route) -> list[list[dict]]:
    return [json.loads(c.request.content)["input"] for c in route.calls]


async def test_650_leads_take_three_calls(mkto, clock):
    route = mkto.post(LEADS).mock(side_effect=created_for_each)
    leads = [a_lead(n) for n in range(650)]
    async with a_client(clock) as client:
        outcomes = await client.upsert_leads(leads)
    assert [len(chunk) for chunk in inputs(route)] == [300, 300, 50]
    body = json.loads(route.calls[0].request.content)
    assert (body["action"], body["lookupField"]) == ("createOrUpdate", "email")
    assert [o.index for o in outcomes] == list(range(650))
    assert all(o.ok and o.status == "created" for o in outcomes)
    assert outcomes[301].id == 1001


async def test_large_records_are_split_under_one_megabyte(mkto, clock):
    route = mkto.post(LEADS).mock(side_effect=created_for_each)
    leads = [a_lead(n, notes="x" * 9000) for n in range(300)]
    async with a_client(clock) as client:
        outcomes = await client.upsert_leads(leads)
    bodies = [c.request.content for c in route.calls]
    assert len(bodies) == 3
    assert all(len(b) <= MAX_BODY_BYTES for b in bodies)
    assert sum(len(chunk) for chunk in inputs(route)) == 300 and len(outcomes) == 300


async def test_the_same_lead_twice_goes_in_successive_calls(mkto, clock):
    route = mkto.post(LEADS).mock(side_effect=created_for_each)
    leads = [a_lead(1), a_lead(2), a_lead(1, lastName="Later"), a_lead(3)]
    async with a_client(clock) as client:
        await client.upsert_leads(leads)
    assert [[r["email"] for r in chunk] for chunk in inputs(route)] == [
        ["lead1@example.com", "lead2@example.com"],
        ["lead1@example.com", "lead3@example.com"],
    ]


async def test_partial_batch_failure_surfaces_each_skip(mkto, clock):
    mkto.post(LEADS).mock(
        return_value=ok(
            [
                {"id": 50, "status": "created"},
                {"id": 51, "status": "updated"},
                {"status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]},
                {"status": "skipped", "reasons": [{"code": "1022", "message": "Object in use"}]},
            ]
        )
    )
    before = (
        REGISTRY.get_sample_value(
            "handoff_marketo_skipped_records_total", {"endpoint": "leads.sync", "code": "1005"}
        )
        or 0
    )
    async with a_client(clock) as client:
        outcomes = await client.upsert_leads([a_lead(n) for n in range(4)], action="createOnly")
    assert [o.status for o in outcomes] == ["created", "updated", "skipped", "skipped"]
    assert [o.id for o in outcomes] == [50, 51, None, None]
    skipped = outcomes[2]
    assert isinstance(skipped.error, PermanentError) and skipped.error.code == "1005"
    assert skipped.reasons[0].message == "Lead already exists"
    assert skipped.request_id and skipped.error.request_id == skipped.request_id
    assert isinstance(outcomes[3].error, RetryableError)
    after = REGISTRY.get_sample_value(
        "handoff_marketo_skipped_records_total", {"endpoint": "leads.sync", "code": "1005"}
    )
    assert after == before + 1


async def test_a_failed_call_fails_its_chunk_and_the_rest_is_not_sent(mkto, clock):
    route = mkto.post(LEADS).mock(side_effect=[created_for_each, failed("609", "Invalid JSON")])
    async with a_client(clock) as client:
        outcomes = await client.upsert_leads([a_lead(n) for n in range(700)])
    assert route.call_count == 2
    assert {o.status for o in outcomes[:300]} == {"created"}
    assert {o.status for o in outcomes[300:600]} == {"call_failed"}
    assert {o.status for o in outcomes[600:]} == {"not_sent"}
    assert all(o.error is not None and o.error.code == "609" for o in outcomes[300:])


async def test_a_result_of_the_wrong_length_is_not_taken_for_success(mkto, clock):
    mkto.post(LEADS).mock(return_value=ok([{"id": 50, "status": "created"}]))
    async with a_client(clock) as client:
        outcomes = await client.upsert_leads([a_lead(1), a_lead(2)])
    assert {o.status for o in outcomes} == {"call_failed"}
    assert "expected 2 record results, got 1" in str(outcomes[0].error)


@pytest.mark.parametrize(
    ("leads", "kwargs", "message"),
    [
        ([{"firstName": "No email"}], {}, "has no 'email'"),
        ([a_lead(1, id=5)], {}, "only accepted with action updateOnly"),
        ([a_lead(1)], {"action": "upsert"}, "action must be one of"),
        ([a_lead(1)], {"action": "updateOnly", "partition_name": "Default"}, "partitionName"),
        ([{"email": "jürgen@example.com"}], {}, "ASCII"),
        ([a_lead(1, score=float("nan"))], {}, "plain JSON"),
        ([a_lead(1, notes="x" * 1_100_000)], {}, "over the 1000000-byte body limit"),
    ],
)
async def test_bad_input_is_refused_before_any_call(mkto, clock, leads, kwargs, message):
    route = mkto.post(LEADS).mock(side_effect=created_for_each)
    async with a_client(clock) as client:
        with pytest.raises(ValueError, match=message):
            await client.upsert_leads(leads, **kwargs)
    assert route.call_count == 0


async def test_reads_by_id_take_300_ids_a_call(mkto, clock):
    def found(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["filterValues"].split(",")
        return ok([{"id": int(i), "email": f"{i}@x.com"} for i in ids])

    route = mkto.get(LEADS).mock(side_effect=found)
    async with a_client(clock) as client:
        leads = await client.get_leads_by_id(list(range(1, 651)), ["id", "email", "sfdcLeadId"])
    assert len(leads) == 650 and leads[-1]["id"] == 650
    assert [len(c.request.url.params["filterValues"].split(",")) for c in route.calls] == [300, 300, 50]
    assert route.calls[0].request.url.params["filterType"] == "id"
    assert route.calls[0].request.url.params["fields"] == "id,email,sfdcLeadId"


async def test_a_read_too_long_for_a_url_is_sent_as_post_with_method_get(mkto, clock):
    route = mkto.post(LEADS, params={"_method": "GET"}).mock(return_value=ok([{"id": 1}]))
    emails = [f"someone.with.a.long.address.{n}@subsidiary.example.com" for n in range(200)]
    async with a_client(clock) as client:
        assert await client.get_leads("email", emails) == [{"id": 1}]
    form = parse_qs(route.calls.last.request.content.decode())
    assert form["filterType"] == ["email"] and len(form["filterValues"][0].split(",")) == 200


async def test_reads_follow_next_page_token(mkto, clock):
    page = [{"id": n} for n in range(300)]
    route = mkto.get(LEADS).mock(side_effect=[ok(page, nextPageToken="PT1"), ok([{"id": 300}])])
    async with a_client(clock) as client:
        leads = await client.get_leads("sfdcAccountId", ["001D000000IRFmaIAH"])
    assert len(leads) == 301
    assert route.calls.last.request.url.params["nextPageToken"] == "PT1"


async def test_missing_lead_is_none(mkto, clock):
    mkto.get(f"{BASE}/rest/v1/lead/99.json").mock(return_value=ok([]))
    async with a_client(clock) as client:
        assert await client.get_lead(99) is None
        with pytest.raises(ValueError):
            await client.get_lead(-1)


async def test_delete_leads(mkto, clock):
    route = mkto.post(f"{BASE}/rest/v1/leads/delete.json").mock(
        return_value=ok([{"id": 235, "status": "deleted"}])
    )
    async with a_client(clock) as client:
        outcomes = await client.delete_leads([235])
    assert outcomes[0].status == "deleted" and outcomes[0].ok
    assert json.loads(route.calls.last.request.content) == {"input": [{"id": 235}]}
