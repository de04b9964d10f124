"""The Salesforce client against the Salesforce sandbox over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from handoff.clock import ManualClock
from sandbox.salesforce.app import create_app
from sandbox.salesforce.faults import FaultKind, FaultSettings
from sandbox.salesforce.state import SalesforceState
from sync.errors import AuthError, PermanentError, QuotaError, RetryableError
from sync.outbox import PRIORITY_ROUTING, PRIORITY_SYNC
from sync.salesforce import (
    AutoAssign,
    DuplicateRuleHeader,
    SalesforceClient,
    SalesforceDuplicatesDetected,
    SalesforceNotFound,
)
from tests.support.servers import serve_app
from tests.sync.salesforce.support import a_connection, private_pem, public_pem

CONSUMER_KEY = "3MVG9sandboxconsumer"


@dataclass
class Org:
    state: SalesforceState
    url: str
    username: str
    clock: ManualClock

    def client(self, **overrides) -> SalesforceClient:
        connection = a_connection(
            login_url=self.url, consumer_key=CONSUMER_KEY, username=self.username, **overrides
        )
        return SalesforceClient(connection, private_key=private_pem(), clock=self.clock)


@pytest.fixture
def org(clock) -> Iterator[Org]:
    state = SalesforceState(clock=clock, daily_api_limit=15_000)
    state.add_connected_app(CONSUMER_KEY, public_pem())
    username = state.get(state.integration_user_id)["Username"]
    with serve_app(create_app(state, clock)) as url:
        yield Org(state, url, username, clock)


async def test_assignment_rule_on_create_and_owner_kept_on_update(org):
    ann = org.state.add_user("Rep", first_name="Ann")
    bob = org.state.add_user("Rep", first_name="Bob")
    rule_id = org.state.set_lead_assignment_rule([({"Country": "DE"}, ann)], default_owner=bob)
    async with org.client() as client:
        lead_id = await client.create(
            "Lead",
            {"LastName": "Doe", "Company": "Acme", "Email": "doe@acme.example", "Country": "DE"},
            auto_assign=AutoAssign.rule(rule_id),
            priority=PRIORITY_ROUTING,
        )
        assert (await client.get("Lead", lead_id, ["OwnerId"]))["OwnerId"] == ann
        await client.update("Lead", lead_id, {"OwnerId": bob})
        await client.update("Lead", lead_id, {"Status": "Working - Contacted"})
        record = await client.get("Lead", lead_id, ["OwnerId", "Status"])
        assert (record["OwnerId"], record["Status"]) == (bob, "Working - Contacted")
        usage = client.api_usage
    assert usage is not None and (usage.used, usage.max) == (client.calls, 15_000) == (5, 15_000)


async def test_collections_and_query_paging(org):
    lead_id = org.state.add_lead({"LastName": "Doe", "Company": "Acme", "Email": "d@acme.example"})
    tasks = [{"WhoId": lead_id, "Subject": f"Opened email {n}", "Status": "Completed"} for n in range(450)]
    tasks[201] = {"WhoId": "00Q000000000000AAA", "Subject": "bad who", "Status": "Completed"}
    async with org.client() as client:
        results = await client.create_many("Task", tasks)
        assert client.calls == 3
        seen = [
            r
            async for r in client.query(
                f"SELECT Id, Subject FROM Task WHERE WhoId = '{lead_id}'", batch_size=200
            )
        ]
    assert sum(r.success for r in results) == 449
    failed = results[201]
    assert failed.status == "failed" and isinstance(failed.error, PermanentError)
    assert failed.errors and failed.errors[0].code
    assert len(seen) == 449 and len({r["Id"] for r in seen}) == 449


async def test_errors_from_the_sandbox_are_classified(org):
    async with org.client() as client:
        with pytest.raises(PermanentError) as missing:
            await client.create("Lead", {"LastName": "NoCompany"})
        assert missing.value.code == "REQUIRED_FIELD_MISSING"
        lead_id = await client.create(
            "Lead", {"LastName": "Doe", "Company": "Acme", "Email": "dup@acme.example"}
        )
        with pytest.raises(SalesforceDuplicatesDetected) as duplicate:
            await client.create("Lead", {"LastName": "Doe", "Company": "Acme", "Email": "dup@acme.example"})
        assert lead_id in duplicate.value.duplicate_ids
        allowed = await client.create(
            "Lead",
            {"LastName": "Doe", "Company": "Acme", "Email": "dup@acme.example"},
            duplicate_rule=DuplicateRuleHeader(allow_save=True),
        )
        assert allowed != lead_id
        await client.delete("Lead", lead_id)
        with pytest.raises(SalesforceNotFound):
            await client.delete("Lead", lead_id)


async def test_expired_session_is_renewed_transparently(org):
    async with org.client() as client:
        await client.limits()
        org.state.sessions.expire_all()
        limits = await client.limits()
        assert limits["DailyApiRequests"]["Max"] == 15_000
        assert client._tokens.tokens_minted == 2


async def test_injected_faults_are_retryable(org):
    org.state.faults.configure(FaultSettings(fail_next=[FaultKind.LOCK_ROW, FaultKind.UNAVAILABLE]))
    lead_id = org.state.add_lead({"LastName": "Doe", "Company": "Acme"})
    async with org.client() as client:
        with pytest.raises(RetryableError) as lock:
            await client.update("Lead", lead_id, {"Status": "Working - Contacted"})
        with pytest.raises(RetryableError) as down:
            await client.get("Lead", lead_id)
        await client.get("Lead", lead_id)
    assert (lock.value.code, down.value.code) == ("UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE")


async def test_the_routing_reserve_and_a_spent_allocation(org):
    org.state.usage.set_remaining(60, org.clock())
    async with org.client(daily_reserve=50) as client:
        await client.limits()
        remaining = client.api_usage.remaining
        assert remaining <= 59
        for _ in range(remaining - 50):
            await client.limits(priority=PRIORITY_SYNC)
        with pytest.raises(QuotaError, match="kept for routing"):
            await client.limits(priority=PRIORITY_SYNC)
        org.state.usage.set_remaining(0, org.clock())
        with pytest.raises(QuotaError) as spent:
            await client.limits(priority=PRIORITY_ROUTING)
    assert spent.value.code == "REQUEST_LIMIT_EXCEEDED"


async def test_unapproved_user_gets_the_pre_authorize_advice(org):
    org.state.add_connected_app(CONSUMER_KEY, public_pem(), pre_authorized_user_ids=[])
    async with org.client() as client:
        with pytest.raises(AuthError, match="pre-authorize the connected app"):
            await client.limits()
