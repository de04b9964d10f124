"""Program, list, company and campaign routes over real HTTP (§5, §6)."""

from __future__ import annotations

from sandbox.marketo import CampaignRequested, ChangeDataValue, FormFilled
from tests.sandbox.marketo.support import a_lead, an_instance, error_code, served


def test_members_status_adds_updates_and_skips_by_step(clock):
    state = an_instance(clock)
    webinar = state.programs.create("Webinar Q4", channel="Webinar")
    member, newcomer, ahead = a_lead(state), a_lead(state), a_lead(state)
    state.programs.change_status(webinar.id, member, "Invited")
    state.programs.change_status(webinar.id, ahead, "Attended")
    with served(state) as api:
        body = api.post(
            f"/rest/v1/programs/{webinar.id}/members/status.json",
            {
                "statusName": "Registered",
                "input": [{"leadId": member}, {"leadId": newcomer}, {"leadId": ahead}, {"leadId": 777777}],
            },
        )
        not_in_channel = api.post(
            f"/rest/v1/programs/{webinar.id}/members/status.json",
            {"statusName": "Influenced", "input": [{"leadId": member}]},
        )
        no_program = api.post(
            "/rest/v1/programs/4242/members/status.json",
            {"statusName": "Registered", "input": [{"leadId": member}]},
        )
        listed = api.get(
            f"/rest/v1/programs/{webinar.id}/members.json",
            filterType="statusName",
            filterValues="Registered",
            fields="statusName",
        )
        by_lead = api.get(
            f"/rest/v1/programs/{webinar.id}/members.json", filterType="leadId", filterValues=str(ahead)
        )
        deleted = api.post(
            f"/rest/v1/programs/{webinar.id}/members/delete.json",
            {"input": [{"leadId": newcomer}, {"leadId": newcomer}]},
        )
        describe = api.get("/rest/v1/programs/members/describe.json")
        channel = api.get("/rest/asset/v1/channel/byName.json", name="Webinar")
        no_such_channel = api.get("/rest/asset/v1/channel/byName.json", name="Carrier Pigeon")
    assert body["result"][:3] == [
        {"seq": 0, "status": "updated", "leadId": member},
        {"seq": 1, "status": "created", "leadId": newcomer},
        {
            "seq": 2,
            "status": "skipped",
            "reasons": [
                {"code": "1037", "message": "Lead skipped because it is already in or past this status"}
            ],
        },
    ]
    assert body["result"][3]["reasons"][0]["code"] == "1004"
    assert error_code(not_in_channel) == "1025"
    assert error_code(no_program) == "1013"
    assert sorted(r["leadId"] for r in listed["result"]) == [member, newcomer]
    assert set(listed["result"][0]) == {
        "seq",
        "leadId",
        "programId",
        "acquiredBy",
        "membershipDate",
        "reachedSuccess",
        "statusName",
    }
    assert by_lead["result"][0]["reachedSuccess"] is True
    assert deleted["result"][0] == {"seq": 0, "status": "deleted", "leadId": newcomer}
    assert deleted["result"][1]["reasons"] == [{"code": "1037", "message": "Lead not in program"}]
    assert ["statusName"] in describe["result"][0]["searchableFields"]
    assert [s["name"] for s in channel["result"][0]["progressionStatuses"]][:3] == [
        "Not in Program",
        "Invited",
        "Registered",
    ]
    assert "result" not in no_such_channel and no_such_channel["warnings"] == [
        "No assets found for the given search criteria."
    ]


def test_program_member_fields_update_only_members(clock):
    state = an_instance(clock)
    webinar = state.programs.create("Webinar Q1", channel="Webinar")
    member, stranger = a_lead(state), a_lead(state)
    state.programs.change_status(webinar.id, member, "Registered")
    with served(state) as api:
        body = api.post(
            f"/rest/v1/programs/{webinar.id}/members.json",
            {
                "input": [
                    {"leadId": member, "registrationCode": "abc-1"},
                    {"leadId": stranger, "registrationCode": "x"},
                ]
            },
        )
        listed = api.get(
            f"/rest/v1/programs/{webinar.id}/members.json",
            filterType="registrationCode",
            filterValues="abc-1",
        )
    assert body["result"][0] == {"seq": 0, "status": "updated", "leadId": member}
    assert body["result"][1]["reasons"] == [{"code": "1013", "message": "Membership not found"}]
    assert [r["leadId"] for r in listed["result"]] == [member]


def test_static_list_membership_routes(clock):
    state = an_instance(clock)
    target = state.lists.create("Event invitees")
    one, two = a_lead(state), a_lead(state)
    with served(state) as api:
        headers = api.auth()
        added = api.http.post(
            f"/rest/v1/lists/{target.id}/leads.json", params=[("id", one), ("id", two)], headers=headers
        ).json()
        member = api.http.post(
            f"/rest/v1/lists/{target.id}/leads/ismember.json",
            params={"_method": "GET"},
            json={"input": [{"id": one}]},
            headers=headers,
        ).json()
        removed = api.http.request(
            "DELETE", f"/rest/v1/lists/{target.id}/leads.json", json={"input": [{"id": one}]}, headers=headers
        ).json()
        page = api.get(f"/rest/v1/lists/{target.id}/leads.json", batchSize=1)
        missing = api.get("/rest/v1/lists/99/leads.json")
    assert [r["status"] for r in added["result"]] == ["added", "added"]
    assert member["result"] == [{"id": one, "status": "memberof"}]
    assert removed["result"] == [{"id": one, "status": "removed"}]
    assert [r["id"] for r in page["result"]] == [two] and "nextPageToken" not in page
    assert error_code(missing) == "1013"


def test_companies_sync_read_and_crm_flag(clock):
    state = an_instance(clock)
    with served(state) as api:
        created = api.post(
            "/rest/v1/companies.json",
            {"input": [{"externalCompanyId": "001A", "company": "Acme", "numberOfEmployees": 120}]},
        )
        read = api.get(
            "/rest/v1/companies.json",
            filterType="externalCompanyId",
            filterValues="001A",
            fields="company,numberOfEmployees",
        )
        api.http.post("/_admin/crm-sync", json={"enabled": True})
        refused = api.post(
            "/rest/v1/companies.json", {"input": [{"externalCompanyId": "001B", "company": "Globex"}]}
        )
        still_readable = api.get("/rest/v1/companies.json", filterType="company", filterValues="acme")
    assert created["result"] == [{"seq": 0, "status": "created", "id": created["result"][0]["id"]}]
    assert read["result"] == [{"seq": 0, "company": "Acme", "numberOfEmployees": 120}]
    assert refused["errors"] == [{"code": "1018", "message": "CRM Enabled"}]
    assert len(still_readable["result"]) == 1


def test_requesting_a_campaign_runs_its_flow_with_tokens(clock):
    state = an_instance(clock)
    requested = state.campaigns.create(
        "Mark as handed off",
        triggers=[CampaignRequested()],
        flow=[ChangeDataValue("handoffStatus", "Routed")],
    )
    form_only = state.campaigns.create("Form only", triggers=[FormFilled()], flow=[])
    lead_id = a_lead(state)
    with served(state) as api:
        not_requestable = api.post(
            f"/rest/v1/campaigns/{form_only.id}/trigger.json", {"input": {"leads": [{"id": lead_id}]}}
        )
        body = api.post(
            f"/rest/v1/campaigns/{requested.id}/trigger.json",
            {
                "input": {
                    "leads": [{"id": lead_id}, {"id": 9999}],
                    "tokens": [{"name": "{{my.reason}}", "value": "MQL"}],
                }
            },
        )
        too_many = api.post(
            f"/rest/v1/campaigns/{requested.id}/trigger.json",
            {"input": {"leads": [{"id": n} for n in range(101)]}},
        )
        missing = api.post("/rest/v1/campaigns/1/trigger.json", {"input": {"leads": [{"id": lead_id}]}})
        listed = api.get("/rest/v1/campaigns.json")
    assert body["result"] == [{"id": requested.id}]
    assert state.people.get(lead_id)["handoffStatus"] == "Routed"
    kinds = [a.activity_type_id for a in state.activities(lead_id=lead_id)]
    assert kinds[-2:] == [47, 13]
    assert state.activities(lead_id=lead_id)[-1].campaign_id == requested.id
    assert error_code(too_many) == "1003"
    assert error_code(missing) == "1013"
    assert error_code(not_requestable) == "1003"
    assert error_code(not_requestable) == "1003"
    assert listed["result"][0]["name"] == "Mark as handed off"
