"""Program membership and companies: the current member API, 1037 skips and the CRM-sync 1018 case."""

from __future__ import annotations

import json

import pytest

from sync.marketo import MarketoCrmSyncEnabled
from tests.sync.marketo.support import BASE, a_client, failed, ok


async def test_member_status_maps_results_back_by_seq(mkto, clock):
    route = mkto.post(f"{BASE}/rest/v1/programs/1044/members/status.json").mock(
        return_value=ok(
            [
                {"seq": 1, "status": "updated", "leadId": 1801},
                {"seq": 2, "status": "created", "leadId": 1235},
                {
                    "seq": 0,
                    "status": "skipped",
                    "reasons": [
                        {
                            "code": "1037",
                            "message": "Lead skipped because it is already in or past this status",
                        }
                    ],
                },
            ]
        )
    )
    async with a_client(clock) as client:
        outcomes = await client.set_program_member_status(1044, "Influenced", [1800, 1801, 1235])
    assert json.loads(route.calls.last.request.content) == {
        "statusName": "Influenced",
        "input": [{"leadId": 1800}, {"leadId": 1801}, {"leadId": 1235}],
    }
    assert [o.status for o in outcomes] == ["skipped", "updated", "created"]
    assert outcomes[0].error is not None and outcomes[0].error.code == "1037"
    assert outcomes[1].entry["leadId"] == 1801


async def test_removing_members(mkto, clock):
    mkto.post(f"{BASE}/rest/v1/programs/1044/members/delete.json").mock(
        return_value=ok(
            [
                {"seq": 0, "status": "deleted", "leadId": 1235},
                {
                    "seq": 1,
                    "status": "skipped",
                    "reasons": [{"code": "1037", "message": "Lead not in program"}],
                },
            ]
        )
    )
    async with a_client(clock) as client:
        outcomes = await client.delete_program_members(1044, [1235, 99])
    assert outcomes[0].ok and not outcomes[1].ok


async def test_member_input_is_checked(mkto, clock):
    async with a_client(clock) as client:
        with pytest.raises(ValueError, match="program id"):
            await client.set_program_member_status(0, "Member", [1])
        with pytest.raises(ValueError, match="status_name"):
            await client.set_program_member_status(1044, " ", [1])
        with pytest.raises(ValueError, match="lead id"):
            await client.delete_program_members(1044, ["1"])  # type: ignore[list-item]


async def test_companies_sync_by_external_id(mkto, clock):
    route = mkto.post(f"{BASE}/rest/v1/companies.json").mock(
        return_value=ok([{"seq": 0, "status": "created", "id": 7}, {"seq": 1, "status": "updated", "id": 8}])
    )
    companies = [
        {
            "externalCompanyId": "001D000000IRFmaIAH",
            "company": "Acme",
            "industry": "Tech",
            "numberOfEmployees": 100,
        },
        {"externalCompanyId": "001D000000IRFmbIAH", "company": "Globex"},
    ]
    async with a_client(clock) as client:
        outcomes = await client.sync_companies(companies)
        with pytest.raises(ValueError, match="externalCompanyId"):
            await client.sync_companies([{"company": "No key"}])
    body = json.loads(route.calls.last.request.content)
    assert (body["action"], body["dedupeBy"], body["input"]) == ("createOrUpdate", "dedupeFields", companies)
    assert [o.id for o in outcomes] == [7, 8]


async def test_crm_sync_on_makes_every_company_a_clear_skip(mkto, clock):
    mkto.post(f"{BASE}/rest/v1/companies.json").mock(return_value=failed("1018", "CRM Enabled"))
    async with a_client(clock) as client:
        outcomes = await client.sync_companies([{"externalCompanyId": "A"}, {"externalCompanyId": "B"}])
    assert all(isinstance(o.error, MarketoCrmSyncEnabled) for o in outcomes)
    assert "CRM Enabled" in str(outcomes[0].error)


async def test_repeated_company_keys_never_share_a_call(mkto, clock):
    route = mkto.post(f"{BASE}/rest/v1/companies.json").mock(
        side_effect=[
            ok([{"seq": 0, "status": "created", "id": 7}]),
            ok([{"seq": 0, "status": "updated", "id": 7}]),
        ]
    )
    async with a_client(clock) as client:
        outcomes = await client.sync_companies(
            [{"externalCompanyId": "A"}, {"externalCompanyId": "A", "company": "x"}]
        )
    assert route.call_count == 2 and [o.index for o in outcomes] == [0, 1]
