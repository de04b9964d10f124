"""Config ids checked against the org; the dedupe / account mirror; the account index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from routing.accounts import AccountIndex, IndexedAccount
from routing.mirror import load_account_index, refresh
from routing.models import SalesforceAccount, SalesforceRecord
from routing.references import check_against_salesforce
from tests.routing.support import BOB, EMEA_QUEUE, FALLBACK_QUEUE, a_config, a_world, sf_id


async def test_every_id_in_the_config_is_checked_against_the_org(session, clock):
    world = a_world(session, clock)
    salesforce = world.salesforce
    assert await check_against_salesforce(world.active.config, salesforce) == []
    salesforce.queues[EMEA_QUEUE] = ("EMEA SDR", frozenset({"Case"}))
    salesforce.users[BOB] = ("Bob Rep", False)
    del salesforce.queues[FALLBACK_QUEUE]
    config = a_config(accounts={"team_rule": sf_id("01Q", 77)})
    assert await check_against_salesforce(config, salesforce) == [
        ("routing.fallback_queue", f"queue {FALLBACK_QUEUE} does not exist in Salesforce"),
        (
            "routing.accounts.team_rule",
            f"Lead assignment rule {sf_id('01Q', 77)} does not exist in Salesforce",
        ),
        ("routing.segments[1].target.queue", f'queue "EMEA SDR" ({EMEA_QUEUE}) does not accept Leads'),
        ("routing.segments[2].target.owner", f'user "Bob Rep" ({BOB}) is inactive'),
    ]


async def test_targeting_the_active_rule_needs_an_active_rule(session, clock):
    world = a_world(session, clock, segments=[{"name": "all", "target": {"assignment_rule": "active"}}])
    for rule in world.salesforce.rules.values():
        rule.active = False
    assert await check_against_salesforce(world.active.config, world.salesforce) == [
        ("routing.segments[0].target.assignment_rule", "Salesforce has no active Lead assignment rule")
    ]


async def test_the_mirror_pages_through_changes_and_keys_emails_loosely(session, clock):
    world = a_world(session, clock)
    salesforce = world.salesforce
    for n in range(5):
        salesforce.add_record("Lead", Email=f"Person.{n}+x@Example.COM", OwnerId=BOB)
        clock.advance(seconds=1)
    account_id = salesforce.add_account("Acme GmbH", "https://www.acme.com/", BOB)
    people, accounts = await refresh(session, salesforce, page=2)
    assert len(people) == 5
    assert [a.id for a in accounts] == [account_id]
    rows = session.execute(select(SalesforceRecord).order_by(SalesforceRecord.email_key)).scalars().all()
    assert [row.email_key for row in rows][:2] == ["person.0@example.com", "person.1@example.com"]
    [account] = session.execute(select(SalesforceAccount)).scalars().all()
    assert (account.domain, account.owner_id) == ("acme.com", BOB)
    again, _ = await refresh(session, salesforce, page=2)
    assert again == []
    clock.advance(minutes=1)
    salesforce.change_owner(rows[0].id, EMEA_QUEUE)
    changed, _ = await refresh(session, salesforce, page=2)
    assert [(p.id, p.owner_id) for p in changed] == [(rows[0].id, EMEA_QUEUE)]
    session.refresh(rows[0])
    assert rows[0].owner_id == EMEA_QUEUE
    index = load_account_index(session)
    assert [a.id for a in index.by_domain("eu.acme.com")] == [account_id]


def test_the_account_index_matches_domains_then_fuzzy_names_within_a_block():
    index = AccountIndex(
        [
            IndexedAccount("001A", "Acme Corporation", "acme.com", BOB),
            IndexedAccount("001B", "Acme Analytics GmbH", "acme-analytics.de", BOB),
            IndexedAccount("001C", "Globex", None, None),
        ]
    )
    candidates = index.candidates(["sales.acme.com", None], "ACME Corp.")
    assert [(c.id, c.method, c.score) for c in candidates][:2] == [
        ("001A", "domain", 100.0),
        ("001A", "name", 100.0),
    ]
    assert index.by_name("Acmee Analytics")[0][0].id == "001B"
    assert index.by_name("Initech") == []
    assert index.by_name(None) == []
    index.remove("001A")
    assert index.by_domain("acme.com") == []
    index.add(IndexedAccount("001C", "Globex Industries", "globex.com", BOB))
    assert len(index) == 2
    assert index.by_domain("globex.com")[0].name == "Globex Industries"


async def test_a_late_commit_inside_the_overlap_is_still_mirrored(session, clock):
    world = a_world(session, clock)
    salesforce = world.salesforce
    salesforce.add_record("Lead", Email="first@acme.com")
    await refresh(session, salesforce)
    late = salesforce.add_record("Lead", Email="late@acme.com")
    salesforce.records[late]["SystemModstamp"] = clock() - timedelta(minutes=2)
    people, _ = await refresh(session, salesforce)
    assert [p.id for p in people] == [late]
