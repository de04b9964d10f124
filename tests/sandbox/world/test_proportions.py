"""The seeded people look like a real Marketo instance: shares of free mail, duplicates, gaps, junk."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sandbox.world import WorldSize, catalogue, generate
from sandbox.world.model import Blueprint
from tests.sandbox.world.support import ANCHOR

MEDIUM = WorldSize(accounts=600, people=6000)


@pytest.fixture(scope="module")
def blueprint() -> Blueprint:
    return generate(21, MEDIUM, ANCHOR)


def _email_key(email: str) -> str:
    local, _, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _share(count: int, total: int) -> float:
    return count / total


def test_free_mail_competitor_and_test_records_have_realistic_shares(blueprint: Blueprint) -> None:
    emails = [p.email or "" for p in blueprint.people]
    domains = Counter(e.partition("@")[2].lower() for e in emails)
    free = sum(domains[d] for d in catalogue.FREE_MAIL_DOMAINS)
    competitors = sum(domains[d] for _, d in catalogue.COMPETITORS)
    patterns = [re.compile(p) for p in catalogue.TEST_PATTERNS]
    tests = sum(1 for e in emails if any(p.search(e.lower()) for p in patterns))
    assert 0.07 <= _share(free, len(emails)) <= 0.2
    assert 0.004 <= _share(competitors, len(emails)) <= 0.03
    assert 0.003 <= _share(tests, len(emails)) <= 0.03


def test_the_same_person_appears_twice_with_email_variants(blueprint: Blueprint) -> None:
    keys = Counter(_email_key(p.email or "") for p in blueprint.people)
    repeated = sum(count - 1 for count in keys.values() if count > 1)
    assert 0.015 <= _share(repeated, len(blueprint.people)) <= 0.08
    variants = [p.email for p in blueprint.people if p.kind == "duplicate"]
    assert any("+" in e for e in variants)
    assert any(e != e.lower() for e in variants)


def test_business_people_have_realistic_gaps(blueprint: Blueprint) -> None:
    prospects = [p.fields for p in blueprint.people if p.kind == "prospect"]

    def missing(name: str) -> float:
        return _share(sum(1 for f in prospects if not f.get(name)), len(prospects))

    assert 0.03 <= missing("company") <= 0.15
    assert 0.08 <= missing("country") <= 0.25
    assert 0.12 <= missing("title") <= 0.35
    assert 0.3 <= missing("phone") <= 0.6
    spellings = Counter(f.get("country") for f in prospects if f.get("country"))
    assert spellings["U.K."] + spellings["U.S.A."] + spellings["BRD"] > 0


def test_crm_contacts_are_complete_and_nobody_starts_over_the_mql_bar(blueprint: Blueprint) -> None:
    contacts = [p.fields for p in blueprint.people if p.kind == "contact"]
    assert all(f.get("company") and f.get("country") and f.get("title") for f in contacts)
    outside_crm = [p.fields for p in blueprint.people if p.kind != "lead"]
    assert max(f["leadScore"] for f in outside_crm) < 75
    near = sum(1 for f in outside_crm if f["leadScore"] >= 55)
    assert 0.02 <= _share(near, len(outside_crm)) <= 0.1


def test_accounts_have_unique_domains_ae_owners_and_a_share_of_enterprises(blueprint: Blueprint) -> None:
    domains = [a.domain for a in blueprint.accounts]
    assert len(set(domains)) == len(domains)
    owners = {blueprint.org.rep(a.owner_key).role for a in blueprint.accounts}
    assert owners <= {"ae", "vp"}
    enterprise = sum(1 for a in blueprint.accounts if a.employees >= 1000)
    assert 0.08 <= _share(enterprise, len(blueprint.accounts)) <= 0.3
    per_account = len(blueprint.contacts) / len(blueprint.accounts)
    assert 1.6 <= per_account <= 2.8
    business = sum(1 for p in blueprint.people if p.kind in ("prospect", "lead"))
    assert 0.08 <= _share(len(blueprint.leads), business) <= 0.16
