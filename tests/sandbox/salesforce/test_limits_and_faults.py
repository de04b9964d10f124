"""The daily allocation (reference §9) and the fault-injection admin API, over HTTP."""

from __future__ import annotations

import gc
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handoff.clock import ManualClock
from tests.sandbox.salesforce.support import Org, an_org, jwt_client, org_server, rest_client

V = "/services/data/v59.0"


@pytest.fixture
def org(clock: ManualClock) -> Org:
    return an_org(clock, daily_api_limit=1000)


@pytest.fixture
def api(org: Org) -> Iterator[httpx.Client]:
    with rest_client(org) as client:
        yield client


def usage(reply: httpx.Response) -> str:
    return reply.headers["Sforce-Limit-Info"]


def test_every_rest_response_carries_the_usage_header(api: httpx.Client) -> None:
    ok = api.get(f"{V}/query", params={"q": "SELECT Id FROM Lead"})
    failed = api.post(f"{V}/sobjects/Lead", json={"LastName": "NoCompany"})
    missing = api.get(f"{V}/sobjects/Lead/00Q5g000000AAAAAAA")
    assert [usage(r) for r in (ok, failed, missing)] == [
        "api-usage=1/1000",
        "api-usage=2/1000",
        "api-usage=3/1000",
    ]
    assert "Sforce-Limit-Info" not in api.get("/services/data/").headers


def test_limits_resource_reports_the_same_allocation(api: httpx.Client) -> None:
    reply = api.get(f"{V}/limits/")
    assert reply.json()["DailyApiRequests"] == {"Max": 1000, "Remaining": 999}
    assert usage(reply) == "api-usage=1/1000"


def test_a_spent_allocation_answers_403_until_the_rolling_day_frees_it(
    api: httpx.Client, clock: ManualClock
) -> None:
    api.get(f"{V}/limits")
    assert api.put("/_sandbox/limits", json={"remaining": 0}).json()["remaining"] == 0
    refused = api.get(f"{V}/limits")
    assert refused.status_code == 403
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert usage(refused) == "api-usage=1000/1000"
    clock.advance(hours=24, minutes=1)
    assert api.get("/_sandbox/limits").json() == {"max": 1000, "used": 0, "remaining": 1000}


def test_a_share_of_requests_can_answer_503(api: httpx.Client) -> None:
    api.put("/_sandbox/faults", json={"unavailable_rate": 1.0})
    reply = api.get(f"{V}/query", params={"q": "SELECT Id FROM Lead"})
    assert reply.status_code == 503
    assert reply.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    api.put("/_sandbox/faults", json={"unavailable_rate": 0.5, "seed": 7})
    statuses = [api.get(f"{V}/limits").status_code for _ in range(40)]
    assert {200, 503} == set(statuses)


def test_lock_row_faults_strike_writes_only(api: httpx.Client) -> None:
    lead_id = api.post(f"{V}/sobjects/Lead", json={"LastName": "Doe", "Company": "Acme"}).json()["id"]
    api.put("/_sandbox/faults", json={"lock_row_rate": 1.0})
    assert api.get(f"{V}/sobjects/Lead/{lead_id}").status_code == 200
    locked = api.patch(f"{V}/sobjects/Lead/{lead_id}", json={"Title": "CTO"})
    assert locked.status_code == 400
    assert locked.json() == [
        {
            "message": f"unable to obtain exclusive access to this record or 1 records: {lead_id}",
            "errorCode": "UNABLE_TO_LOCK_ROW",
            "fields": [],
        }
    ]


def test_scripted_failures_hit_the_next_requests_in_order(api: httpx.Client) -> None:
    api.put("/_sandbox/faults", json={"fail_next": ["unavailable", "lock_row", "limit_exceeded"]})
    assert api.get(f"{V}/limits").status_code == 503
    assert api.get(f"{V}/limits").status_code == 200, "a lock-row fault waits for a write"
    assert (
        api.post(f"{V}/sobjects/Lead", json={"LastName": "A", "Company": "B"}).json()[0]["errorCode"]
        == "UNABLE_TO_LOCK_ROW"
    )
    assert api.get(f"{V}/limits").status_code == 403
    assert api.get(f"{V}/limits").status_code == 200
    assert api.get("/_sandbox/faults").json()["fail_next"] == []


def test_bad_fault_settings_are_refused_and_change_nothing(api: httpx.Client) -> None:
    assert api.put("/_sandbox/faults", json={"unavailable_rate": 2}).status_code == 422
    assert api.put("/_sandbox/limits", json={"remaining": 5000}).status_code == 422
    assert api.get("/_sandbox/faults").json()["unavailable_rate"] == 0.0
    assert api.get(f"{V}/limits").status_code == 200


def test_expiring_sessions_makes_simple_salesforce_log_in_again(tmp_path: Path) -> None:
    org = an_org()
    with org_server(org, tmp_path) as server:
        sf = jwt_client(org, server, tmp_path)
        old_session = sf.session_id
        trust = ssl.create_default_context(cafile=server.ca_file)
        admin = httpx.post(f"{server.base_url}/_sandbox/sessions/expire", verify=trust, trust_env=False)
        assert admin.json()["expired"] >= 1
        assert sf.query("SELECT Id FROM Lead")["done"] is True
        assert sf.session_id != old_session
        gc.collect()
        sf.session.close()
