"""The seeders: deterministic, consistent between the two emulators, and a real org configuration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handoff.clock import ManualClock
from sandbox.salesforce import SalesforceState
from sandbox.world import WorldSize, generate, salesforce_seeder, state_digest
from tests.sandbox.world.support import ANCHOR, SMALL, seeded


def test_same_seed_gives_byte_identical_emulators() -> None:
    first, second = seeded(7), seeded(7)
    assert state_digest(first.salesforce, first.marketo) == state_digest(second.salesforce, second.marketo)


def test_another_seed_gives_another_world() -> None:
    assert state_digest(seeded(7).salesforce) != state_digest(seeded(8).salesforce)
    assert state_digest(marketo=seeded(7).marketo) != state_digest(marketo=seeded(8).marketo)


def test_marketo_crm_ids_point_at_matching_salesforce_records() -> None:
    world = seeded(11)
    linked = [p for p in world.marketo.people.all() if p.get("sfdcLeadId") or p.get("sfdcContactId")]
    assert len(linked) > 100
    for person in linked:
        if person.get("sfdcContactId"):
            contact = world.salesforce.get(person["sfdcContactId"])
            assert contact is not None and contact["Email"] == person["email"]
            assert contact["AccountId"] == person["sfdcAccountId"]
        else:
            lead = world.salesforce.get(person["sfdcLeadId"])
            assert lead is not None and lead["Email"] == person["email"]
            assert lead["Status"] == person["leadStatus"]


def test_teams_have_a_manager_sdrs_aes_a_queue_and_local_time_zones() -> None:
    blueprint = generate(7, SMALL, ANCHOR)
    world = seeded(7)
    assert 3 <= len(blueprint.org.teams) <= 5
    zones = set()
    for team in blueprint.org.teams:
        assert len(team.sdr_keys) >= 2 and len(team.ae_keys) >= 1
        manager = world.salesforce.get(blueprint.org.rep(team.manager_key).id)
        assert manager is not None and manager["Title"] == "Regional Sales Director"
        for key in (*team.sdr_keys, *team.ae_keys):
            user = world.salesforce.get(blueprint.org.rep(key).id)
            assert user["ManagerId"] == manager["Id"]
            assert user["TimeZoneSidKey"] == team.time_zone
            zones.add(user["TimeZoneSidKey"])
        queue = blueprint.org.queue(team.queue_key)
        members = set(world.salesforce.queue_members(queue.id))
        assert members == {blueprint.org.rep(key).id for key in team.sdr_keys}
    assert len(zones) == len(blueprint.org.teams)
    queues = world.salesforce.query("SELECT Name FROM Group WHERE Type = 'Queue'")
    assert "Unassigned Leads" in {row["Name"] for row in queues}


def test_the_active_lead_assignment_rule_routes_by_territory_size_and_default_owner() -> None:
    blueprint = generate(7, SMALL, ANCHOR)
    world = seeded(7)
    rule = world.salesforce.active_assignment_rule("Lead")
    assert rule is not None and [e.name for e in rule.entries] == [e.name for e in blueprint.org.rule.entries]
    east = blueprint.org.team("na_east")

    def owner_of(**fields: object) -> str:
        lead_id = world.salesforce.insert(
            "Lead", {"LastName": "Probe", "Company": "Probe", **fields}, auto_assign=True
        )
        return world.salesforce.get(lead_id)["OwnerId"]

    assert owner_of(Country="USA", State="NY", NumberOfEmployees=40) == blueprint.org.queue(east.queue_key).id
    enterprise = blueprint.org.rep(east.enterprise_sdr_key).id
    assert owner_of(Country="United States", State="NY", NumberOfEmployees=5000) == enterprise
    assert owner_of(Country="U.S.A.", NumberOfEmployees=5000) == blueprint.org.queue("unassigned").id
    assert owner_of(Country="France") == world.salesforce.default_lead_owner_id


def test_cli_seeders_take_the_anchor_from_the_state_clock() -> None:
    clock = ManualClock(datetime(2026, 3, 4, 15, 30, tzinfo=UTC))
    state = SalesforceState(clock=clock)
    salesforce_seeder(3, size=SMALL)(state)
    newest = max(a["CreatedDate"] for a in state.records("Account"))
    assert newest < datetime(2026, 3, 4, tzinfo=UTC)


def test_seeding_an_org_twice_is_refused_and_changes_nothing() -> None:
    world = seeded(7)
    before = state_digest(world.salesforce)
    with pytest.raises(ValueError, match="fresh org"):
        salesforce_seeder(7, size=SMALL, anchor=ANCHOR)(world.salesforce)
    assert state_digest(world.salesforce) == before


def test_world_sizes_are_checked() -> None:
    with pytest.raises(ValueError):
        WorldSize(accounts=5, people=100)
    with pytest.raises(ValueError):
        WorldSize(accounts=100, people=50)
