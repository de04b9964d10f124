"""Builders for routing tests: a person, a config, a Salesforce context, with readable defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from handoff.clock import ManualClock
from routing.accounts import AccountIndex
from routing.config import RoutingConfig
from routing.context import AccountCandidate, ExistingRecord, MarketoDuplicate, SalesforceContext
from routing.flows import route_people
from routing.ids import checksum_suffix
from routing.lookup import ContextLookup
from routing.mirror import load_account_index
from routing.service import ActiveConfig, Evaluation, Qualified
from routing.twin import InMemorySalesforce, RuleEntry

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sf_id(prefix: str, number: int) -> str:
    """A well-formed 18-char id with the given key prefix, e.g. ``sf_id("00G", 1)``."""
    id15 = f"{prefix}5g{number:010d}"
    return id15 + checksum_suffix(id15)


EMEA_QUEUE = sf_id("00G", 1)
FALLBACK_QUEUE = sf_id("00G", 2)
NA_QUEUE = sf_id("00G", 3)
ANN = sf_id("005", 1)
BOB = sf_id("005", 2)
TEAM_RULE = sf_id("01Q", 1)
ENT_RULE = sf_id("01Q", 2)
ACME_ACCOUNT = sf_id("001", 1)


def a_person(**fields: Any) -> dict[str, Any]:
    """A route-ready person in the EMEA enterprise tier; override any field, ``None`` removes it."""
    person: dict[str, Any] = {
        "id": 1001,
        "email": "ann.lee@acme.com",
        "firstName": "Ann",
        "lastName": "Lee",
        "company": "Acme",
        "country": "Germany",
        "title": "CTO",
        "phone": "+49 30 1234",
        "leadScore": 80,
        "behaviorScore": 30,
        "numberOfEmployees": 5000,
        "leadSource": "Demo Request",
    }
    for name, value in fields.items():
        if value is None:
            person.pop(name, None)
        else:
            person[name] = value
    return person


def config_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "custom_fields": {"behaviorScore": {"kind": "number"}},
        "required_fields": ["email", "company", "country", {"any_of": ["phone", "mobilePhone"]}],
        "score": {"thresholds": {"leadScore": 60}, "cooldown_days": 30},
        "exclusions": {
            "competitor_domains": ["rival.com"],
            "competitor_names": ["Rival Corp"],
            "test_patterns": [r"(?i)\btest\b", r"@example\.(com|org)$"],
            "countries": ["North Korea", "KP"],
        },
        "regions": {"EMEA": ["Germany", "DE", "France", "FR"], "NA": ["United States", "US", "Canada"]},
        "size_bands": [
            {"name": "smb", "max_employees": 199},
            {"name": "mid", "max_employees": 999},
            {"name": "ent"},
        ],
        "intents": {"high": ["Demo Request", "Contact Sales"], "low": ["Webinar", "Ebook"]},
        "segments": [
            {
                "name": "tier_a",
                "label": "Tier A",
                "when": {"size_bands": ["ent"], "intents": ["high"]},
                "required_fields": ["title"],
                "target": {"assignment_rule": ENT_RULE},
                "sla": "gold",
            },
            {"name": "emea", "when": {"regions": ["EMEA"]}, "target": {"queue": EMEA_QUEUE}},
            {"name": "na", "when": {"regions": ["NA"]}, "target": {"owner": BOB}},
        ],
        "fallback_queue": FALLBACK_QUEUE,
        "hold_timeout_hours": 48,
        "writeback": {"salesforce_reason_field": "Routing_Reason__c"},
    }
    data.update(overrides)
    return data


def a_config(**overrides: Any) -> RoutingConfig:
    return RoutingConfig.model_validate(config_data(**overrides))


def a_context(**values: Any) -> SalesforceContext:
    return SalesforceContext(**values)


def a_lead(
    email: str = "ann.lee@acme.com", owner: str = ANN, number: int = 1, **extra: Any
) -> ExistingRecord:
    return ExistingRecord("Lead", sf_id("00Q", number), email, owner, **extra)


def a_contact(
    email: str = "ann.lee@acme.com", owner: str = ANN, number: int = 1, **extra: Any
) -> ExistingRecord:
    return ExistingRecord("Contact", sf_id("003", number), email, owner, **extra)


def an_account(
    name: str = "Acme Inc",
    owner: str | None = ANN,
    method: str = "domain",
    score: float = 100.0,
    **extra: Any,
) -> AccountCandidate:
    return AccountCandidate(ACME_ACCOUNT, name, owner, method, score, **extra)  # type: ignore[arg-type]


def a_marketo_twin(
    marketo_id: int = 2002, email: str = "Ann.Lee@acme.com", open_handoff: bool = True
) -> MarketoDuplicate:
    return MarketoDuplicate(marketo_id, email, open_handoff)


@dataclass
class World:
    """An org with users, queues and rules, the routing config that names them, and the services' parts."""

    salesforce: InMemorySalesforce
    active: ActiveConfig
    lookup: ContextLookup
    clock: ManualClock
    session: Session

    async def route(self, *people: dict[str, Any]) -> list[Evaluation]:
        return await route_people(
            self.session,
            self.clock,
            self.salesforce,
            self.lookup,
            self.active,
            [Qualified(person) for person in people],
        )

    def reload_accounts(self) -> None:
        self.lookup.accounts = load_account_index(self.session)


def a_world(session: Session, clock: ManualClock, version_id: int | None = None, **overrides: Any) -> World:
    salesforce = InMemorySalesforce(clock)
    for user_id, name in ((ANN, "Ann Rep"), (BOB, "Bob Rep")):
        salesforce.add_user(name, user_id=user_id)
    for queue_id, name in ((EMEA_QUEUE, "EMEA SDR"), (FALLBACK_QUEUE, "Unassigned"), (NA_QUEUE, "NA SDR")):
        salesforce.add_queue(name, ("Lead",), queue_id=queue_id)
    salesforce.add_rule("Enterprise", [RuleEntry({"Country": ["Germany", "DE"]}, ANN)], rule_id=ENT_RULE)
    salesforce.add_rule("Main", [RuleEntry({"Country": ["US"]}, BOB)], active=True, rule_id=TEAM_RULE)
    salesforce.default_lead_owner = FALLBACK_QUEUE
    data = config_data(
        writeback={
            "salesforce_reason_field": "Routing_Reason__c",
            "marketo_reason_field": "routingReason",
            "marketo_lifecycle_field": "leadStatus",
            "lifecycle_on_route": "Routed",
            "lifecycle_on_reject": "Disqualified",
        }
    )
    data.update(overrides)
    config = RoutingConfig.model_validate(data)
    return World(
        salesforce, ActiveConfig.of(config, version_id), ContextLookup(AccountIndex()), clock, session
    )
