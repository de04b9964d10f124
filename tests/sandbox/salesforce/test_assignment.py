"""Assignment rules and ``Sforce-Auto-Assign`` exactly as reference §5 says, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from handoff.clock import ManualClock
from sandbox.salesforce import Criterion, RuleEntry
from sandbox.salesforce.assignment import AssignmentRuleConfig, AutoAssign, AutoAssignMode, choose_owner
from tests.sandbox.salesforce.support import Org, an_org, rest_client

LEADS = "/services/data/v59.0/sobjects/Lead"


@pytest.fixture
def org(clock: ManualClock) -> Org:
    return an_org(clock)


@pytest.fixture
def api(org: Org) -> Iterator[httpx.Client]:
    with rest_client(org) as client:
        yield client


def owner_of(org: Org, lead_id: str) -> str:
    return org.state.get(lead_id)["OwnerId"]  # type: ignore[index]


def create(api: httpx.Client, headers: dict[str, str] | None = None, **fields: str) -> str:
    body = {"LastName": "Doe", "Company": "Acme", **fields}
    reply = api.post(LEADS, json=body, headers=headers or {})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_absent_header_means_true_on_create(api: httpx.Client, org: Org) -> None:
    assert owner_of(org, create(api, Country="DE")) == org.ann
    assert owner_of(org, create(api, Country="US")) == org.bob


def test_no_matching_entry_gives_the_default_lead_owner_queue(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, Country="FR")
    assert owner_of(org, lead_id) == org.fallback_queue
    assert org.fallback_queue.startswith("00G")


def test_absent_header_means_true_on_update_and_overwrites_the_owner(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, Country="DE")
    reply = api.patch(f"{LEADS}/{lead_id}", json={"OwnerId": org.bob})
    assert reply.status_code == 204
    assert owner_of(org, lead_id) == org.ann

    api.patch(f"{LEADS}/{lead_id}", json={"Country": "US"})
    assert owner_of(org, lead_id) == org.bob


def test_false_keeps_the_owner_on_create_and_update(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, {"Sforce-Auto-Assign": "FALSE"}, Country="DE", OwnerId=org.bob)
    assert owner_of(org, lead_id) == org.bob
    api.patch(f"{LEADS}/{lead_id}", json={"OwnerId": org.emea_queue}, headers={"sforce-auto-assign": "false"})
    assert owner_of(org, lead_id) == org.emea_queue


def test_true_runs_the_rule_even_over_an_explicit_owner(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, {"Sforce-Auto-Assign": "True"}, Country="US", OwnerId=org.ann)
    assert owner_of(org, lead_id) == org.bob


def test_a_rule_id_applies_that_rule_on_create_only(api: httpx.Client, org: Org) -> None:
    everything_to_emea = org.state.add_assignment_rule("EMEA only", [((), org.emea_queue)])
    lead_id = create(api, {"Sforce-Auto-Assign": everything_to_emea}, Country="US")
    assert owner_of(org, lead_id) == org.emea_queue

    api.patch(
        f"{LEADS}/{lead_id}", json={"OwnerId": org.ann}, headers={"Sforce-Auto-Assign": everything_to_emea}
    )
    assert owner_of(org, lead_id) == org.ann, "a rule id is not applied on update"


def test_a_15_character_rule_id_works_and_a_malformed_one_is_refused(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, {"Sforce-Auto-Assign": org.rule_id[:15]}, Country="DE")
    assert owner_of(org, lead_id) == org.ann
    reply = api.post(LEADS, json={"LastName": "X", "Company": "Y"}, headers={"Sforce-Auto-Assign": "maybe"})
    assert reply.status_code == 400
    assert reply.json()[0]["errorCode"] == "MALFORMED_ID"


def test_the_rule_is_visible_to_soql(api: httpx.Client, org: Org) -> None:
    soql = "SELECT Id, Name, Active, SobjectType FROM AssignmentRule WHERE SobjectType = 'Lead' AND Active = true"
    records = api.get("/services/data/v59.0/query", params={"q": soql}).json()["records"]
    assert [(r["Id"], r["Active"]) for r in records] == [(org.rule_id, True)]
    queues = api.get(
        "/services/data/v59.0/query", params={"q": "SELECT Name FROM Group WHERE Type = 'Queue'"}
    ).json()
    assert sorted(r["Name"] for r in queues["records"]) == ["EMEA Inbound", "Unassigned Leads"]


def test_owner_changes_are_tracked_in_lead_history(api: httpx.Client, org: Org) -> None:
    lead_id = create(api, Country="DE")
    api.patch(f"{LEADS}/{lead_id}", json={"Country": "US"})
    soql = f"SELECT Field, OldValue, NewValue, DataType FROM LeadHistory WHERE LeadId = '{lead_id}' AND Field = 'Owner'"
    rows = api.get("/services/data/v59.0/query", params={"q": soql}).json()["records"]
    values = {(r["DataType"], r["OldValue"], r["NewValue"]) for r in rows}
    assert values == {("EntityId", org.ann, org.bob), ("Text", "Ann Rep", "Bob Seller")}


def test_criteria_compare_like_rule_criteria() -> None:
    rule = AssignmentRuleConfig(
        "01Q5g0000000001AAA",
        "Rule",
        [
            RuleEntry("005A", [Criterion("NumberOfEmployees", "greaterOrEqual", 1000)]),
            RuleEntry(
                "005B",
                [
                    Criterion("Industry", "equals", ["Banking", "Insurance"]),
                    Criterion("Country", "notEqual", "US"),
                ],
            ),
            RuleEntry("005C", lambda lead: str(lead.get("Email", "")).endswith(".de")),
            RuleEntry(
                "005D", [Criterion("Company", "startsWith", "acme"), Criterion("Title", "contains", "VP")]
            ),
        ],
    )
    assert choose_owner(rule, {"NumberOfEmployees": 5000}, "00GX") == "005A"
    assert choose_owner(rule, {"Industry": "insurance", "Country": "DE"}, "00GX") == "005B"
    assert choose_owner(rule, {"Industry": "insurance", "Country": "US"}, "00GX") == "00GX"
    assert choose_owner(rule, {"Email": "a@b.de"}, "00GX") == "005C"
    assert choose_owner(rule, {"Company": "ACME GmbH", "Title": "svp sales"}, None) == "005D"
    assert choose_owner(rule, {"NumberOfEmployees": None}, None) is None


@pytest.mark.parametrize(
    ("header", "creating", "expected"),
    [
        (None, True, "ACTIVE"),
        (None, False, "ACTIVE"),
        ("TRUE", False, "ACTIVE"),
        ("false", True, None),
        ("01Q5g0000000001", True, "01Q5g0000000001EAA"),
        ("01Q5g0000000001", False, None),
    ],
)
def test_which_rule_runs(header: str | None, creating: bool, expected: str | None) -> None:
    auto_assign = AutoAssign.from_header(header)
    assert auto_assign.rule_for(creating=creating, active_rule_id="ACTIVE") == expected
    if header and header.startswith("01Q"):
        assert auto_assign.mode is AutoAssignMode.RUN_RULE
