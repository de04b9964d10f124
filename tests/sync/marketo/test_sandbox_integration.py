"""The Marketo client against the Marketo sandbox over real HTTP on loopback, limits on.

The sandbox and the client read the same ManualClock; the client's sleeps move it (``FakeTime``), so the
rolling window passes without waiting while requests, concurrency and limits are real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from handoff.clock import ManualClock
from sandbox.marketo import MarketoState, create_app
from sync.errors import QuotaError
from sync.marketo import MarketoClient, MarketoCrmSyncEnabled
from sync.outbox import PRIORITY_ROUTING
from tests.support.servers import serve_app
from tests.sync.marketo.support import FakeTime, a_connection

CLIENT_ID = "handoff-integration"
CLIENT_SECRET = "integration-secret-value"


@dataclass
class Instance:
    state: MarketoState
    url: str
    clock: ManualClock
    fake: FakeTime

    def client(self, **overrides) -> MarketoClient:
        connection = a_connection(base_url=self.url, client_id=CLIENT_ID, **overrides)
        return MarketoClient(connection, client_secret=CLIENT_SECRET, clock=self.clock, sleep=self.fake.sleep)


@pytest.fixture
def instance(clock) -> Iterator[Instance]:
    state = MarketoState(
        clock=clock, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, activity_scan_block=50
    )
    with serve_app(create_app(state, clock, deliver_webhooks=False)) as url:
        yield Instance(state, url, clock, FakeTime(clock))


def people(count: int, start: int = 0, **fields) -> list[dict]:
    return [
        {"email": f"person{n}@example.com", "firstName": "Ann", "lastName": f"Lee{n}", **fields}
        for n in range(start, start + count)
    ]


async def test_upsert_then_read_back_then_create_only_skips(instance):
    async with instance.client() as client:
        created = await client.upsert_leads(people(650))
        assert client.calls == 3
        assert {o.status for o in created} == {"created"}
        ids = [o.id for o in created]
        updated = await client.upsert_leads(people(2, company="Acme"))
        assert [o.status for o in updated] == ["updated", "updated"]
        skipped = await client.upsert_leads(people(1), action="createOnly")
        leads = await client.get_leads_by_id(ids, ["id", "email", "lastName"])
    assert skipped[0].status == "skipped" and skipped[0].error is not None
    assert skipped[0].error.code == "1005" and skipped[0].error.request_id
    assert sorted(lead["id"] for lead in leads) == sorted(ids)


async def test_long_reads_go_as_post_with_method_get(instance):
    emails = [f"someone.with.a.rather.long.address.{n}@subsidiary.example.com" for n in range(250)]
    async with instance.client() as client:
        await client.upsert_leads([{"email": e, "lastName": "Doe"} for e in emails])
        found = await client.get_leads("email", emails, ["email"])
    assert sorted(f["email"] for f in found) == sorted(emails)


async def test_expired_token_mid_run_is_renewed_and_the_call_replayed(instance):
    async with instance.client() as client:
        await client.upsert_leads(people(3))
        instance.state.tokens.expire_all(instance.clock())
        outcomes = await client.upsert_leads(people(3, start=3))
        assert all(o.ok for o in outcomes)
        assert client._tokens.tokens_fetched == 2
        assert client.errors_by_code.get("602") == 1


async def test_another_integration_filling_the_window_costs_a_606_and_a_wait(instance):
    async with instance.client() as client:
        await client.upsert_leads(people(1))
        start = instance.clock()
        for _ in range(99):  # with our one call, the window is full
            instance.state.limits.admit(instance.clock(), "another-integration@example.com")
        outcomes = await client.upsert_leads(people(1, start=1))
    assert outcomes[0].ok
    assert client.errors_by_code == {"606": 1}
    assert instance.clock() - start >= timedelta(seconds=20)


async def test_three_hundred_concurrent_calls_never_hit_a_limit(instance):
    async with instance.client() as client:
        created = await client.upsert_leads(people(300))
        ids = [o.id for o in created]
        start = instance.clock()
        leads = await asyncio.gather(*(client.get_lead(i) for i in ids))
    assert all(lead is not None for lead in leads)
    assert client.errors_by_code == {}
    # 301 calls at 100 per rolling 20 s: the throttle spreads them over three more windows.
    assert instance.clock() - start >= timedelta(seconds=60)


async def test_daily_quota_spent_stops_the_client_until_the_reset(instance):
    async with instance.client() as client:
        await client.upsert_leads(people(1))
        instance.state.limits.set_quota(instance.clock(), used_today=50_000)
        outcomes = await client.upsert_leads(people(1, start=1), priority=PRIORITY_ROUTING)
        calls = client.calls
        with pytest.raises(QuotaError):
            await client.get_lead(1)
        assert client.calls == calls  # refused locally, no call wasted
    error = outcomes[0].error
    assert isinstance(error, QuotaError) and error.code == "607" and outcomes[0].status == "call_failed"
    assert error.resume_at == instance.clock().replace(day=3, hour=6)


async def test_activities_page_through_empty_blocks_and_resume(instance):
    async with instance.client() as client:
        since = instance.clock()
        # 120 New Lead activities first: the sandbox scans 50 a page, so the first pages hold no email open.
        created = (await client.upsert_leads(people(120)))[:5]
        instance.clock.advance(minutes=1)
        for outcome in created:
            instance.state.engagement.open_email(outcome.id, "Webinar invite")
        token = await client.get_paging_token(since - timedelta(seconds=1))
        pages = [p async for p in client.activity_pages([10, 11], next_page_token=token, batch_size=2)]
        opened = [a for p in pages for a in p.activities]
        changes = [p async for p in client.lead_change_pages(["firstName"], next_page_token=token)]
        new_leads = [a for p in changes for a in p.activities if a.activity_type_id == 12]
    assert sorted(a.lead_id for a in opened) == sorted(o.id for o in created)
    assert {a.activity_type_id for a in opened} == {10}
    assert len({a.marketo_guid for a in opened}) == 5
    assert all(not p.rejected for p in pages)
    assert any(not p.activities and p.more_result for p in pages)
    assert pages[-1].more_result is False
    assert len(new_leads) == 120


async def test_program_membership_and_companies(instance):
    program = instance.state.programs.create("Closed Won", channel="Sales Outcome")
    async with instance.client() as client:
        leads = await client.upsert_leads(people(2))
        ids = [o.id for o in leads]
        first = await client.set_program_member_status(program.id, "Influenced", ids)
        again = await client.set_program_member_status(program.id, "Member", ids)
        removed = await client.delete_program_members(program.id, [ids[0]])
        companies = await client.sync_companies(
            [{"externalCompanyId": "001D000000IRFmaIAH", "company": "Acme"}]
        )
        instance.state.set_crm_sync(True)
        read_only = await client.sync_companies(
            [{"externalCompanyId": "001D000000IRFmaIAH", "company": "Acme"}]
        )
    assert all(o.ok for o in first)
    assert all(o.status == "skipped" and o.error.code == "1037" for o in again)
    assert removed[0].ok
    assert companies[0].ok and companies[0].id
    assert isinstance(read_only[0].error, MarketoCrmSyncEnabled)


async def test_injected_transient_errors_are_absorbed(instance):
    async with instance.client() as client:
        instance.state.faults.fail_next("604")
        outcomes = await client.upsert_leads(people(2))
    assert all(o.ok for o in outcomes)
    assert client.errors_by_code == {"604": 1}
