"""Seed a ``SalesforceState`` with the world: users with managers and time zones, queues with members,
the one active lead assignment rule and default lead owner, accounts, contacts, old leads, and the
Closed Won deals of customer accounts. Everything goes through the emulator's seeding API
(``sandbox/salesforce/seeding.py``), so each record passed the same DML checks the REST API applies.

The whole load is one transaction: a failure leaves the org as it was. Before inserting, the seeder
moves the org's id counters for User, Group, Account, Contact and Lead to the world's base (the
``IdFactory.counters`` the emulator's persistence also restores), so the ids match the blueprint, which
the Marketo seeder has used for ``sfdcLeadId``/``sfdcContactId``; each returned id is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sandbox.salesforce import RuleEntry, SalesforceState
from sandbox.salesforce.ids import KEY_PREFIXES
from sandbox.world import catalogue
from sandbox.world.blueprint import ID_OBJECTS, POD, WORLD_ID_BASE
from sandbox.world.model import Blueprint, PersonSpec
from sandbox.world.randomness import derive

NOT_PROVIDED = "[not provided]"

#: Marketo REST field → Salesforce Lead field (what Marketo's CRM sync maps by default).
LEAD_FIELDS = {
    "firstName": "FirstName",
    "lastName": "LastName",
    "email": "Email",
    "title": "Title",
    "phone": "Phone",
    "company": "Company",
    "country": "Country",
    "state": "State",
    "city": "City",
    "industry": "Industry",
    "numberOfEmployees": "NumberOfEmployees",
    "annualRevenue": "AnnualRevenue",
    "website": "Website",
    "leadSource": "LeadSource",
    "doNotCall": "DoNotCall",
    "unsubscribed": "HasOptedOutOfEmail",
}


class SeedMismatch(RuntimeError):
    """The org handed out an id the blueprint did not predict: it was not a fresh org."""


def lead_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A Marketo person as a Salesforce Lead; LastName and Company are required, so they get the
    placeholder Marketo's sync writes when they are empty."""
    values = {sf: fields[mkto] for mkto, sf in LEAD_FIELDS.items() if fields.get(mkto) not in (None, "")}
    values.setdefault("LastName", NOT_PROVIDED)
    values.setdefault("Company", NOT_PROVIDED)
    return values


def _reserve_ids(state: SalesforceState) -> None:
    if state.ids.pod != POD:
        raise ValueError(f"the world's ids use pod {POD!r}; this org mints ids on pod {state.ids.pod!r}")
    for name in ID_OBJECTS:
        prefix = KEY_PREFIXES[name]
        if state.ids.counters.get(prefix, 0) > WORLD_ID_BASE:
            raise ValueError(f"the org already holds {name} ids in the world's range: seed a fresh org")
    for name in ID_OBJECTS:
        state.ids.counters[KEY_PREFIXES[name]] = WORLD_ID_BASE


def _expect(actual: str, expected: str, what: str) -> None:
    if actual != expected:
        raise SeedMismatch(f"{what}: the org minted {actual}, the world expected {expected}")


def seed_salesforce(state: SalesforceState, blueprint: Blueprint) -> None:
    with state.transaction():
        _reserve_ids(state)
        _users(state, blueprint)
        _queues_and_rule(state, blueprint)
        _accounts_and_contacts(state, blueprint)
        _leads(state, blueprint)
        _won_deals(state, blueprint)


def _users(state: SalesforceState, blueprint: Blueprint) -> None:
    since = blueprint.anchor - timedelta(days=900)
    org = blueprint.org
    for rep in org.reps:
        team = org.team(rep.team) if rep.team else None
        values = {
            "FirstName": rep.first_name,
            "LastName": rep.last_name,
            "Email": rep.email,
            "Username": f"{rep.email}.sandbox",
            "Title": rep.title,
            "TimeZoneSidKey": rep.calendar.time_zone,
            "Department": "Sales" if rep.role != "ops" else "Operations",
            "Division": team.name if team else "Global",
            "CompanyName": org.company,
            "IsActive": True,
        }
        if rep.manager_key:
            values["ManagerId"] = org.rep(rep.manager_key).id
        _expect(state.insert("User", values, at=since), rep.id, f"user {rep.key}")


def _queues_and_rule(state: SalesforceState, blueprint: Blueprint) -> None:
    org = blueprint.org
    for queue in org.queues:
        members = [org.rep(key).id for key in queue.member_keys]
        created = state.add_queue(queue.name, members=members, developer_name=queue.developer_name)
        _expect(created, queue.id, f"queue {queue.key}")
    entries = [RuleEntry(entry.assign_to, list(entry.criteria), entry.name) for entry in org.rule.entries]
    state.set_lead_assignment_rule(entries, default_owner=org.rule.default_owner, name=org.rule.name)


def _accounts_and_contacts(state: SalesforceState, blueprint: Blueprint) -> None:
    org = blueprint.org
    for account in blueprint.accounts:
        values = {
            "Name": account.name,
            "Website": f"https://www.{account.domain}",
            "Industry": account.industry,
            "NumberOfEmployees": account.employees,
            "AnnualRevenue": account.revenue,
            "BillingCountry": account.country,
            "BillingCity": account.city,
            "Phone": account.phone,
            "Type": "Customer" if account.customer else "Prospect",
            "AccountSource": "Marketing",
            "OwnerId": org.rep(account.owner_key).id,
        }
        if account.state:
            values["BillingState"] = account.state
        _expect(state.insert("Account", values, at=account.created_at), account.id, f"account {account.key}")
    for contact in blueprint.contacts:
        person = blueprint.people[contact.person_index]
        account = blueprint.account(contact.account_key)
        values = _contact_values(person)
        values |= {"AccountId": account.id, "OwnerId": org.rep(account.owner_key).id}
        _expect(state.insert("Contact", values, at=contact.created_at), contact.id, f"contact {contact.key}")


def _contact_values(person: PersonSpec) -> dict[str, Any]:
    fields = person.fields
    names = {"firstName": "FirstName", "lastName": "LastName", "email": "Email", "title": "Title"}
    names |= {
        "phone": "Phone",
        "leadSource": "LeadSource",
        "country": "MailingCountry",
        "city": "MailingCity",
    }
    names |= {"state": "MailingState"}
    return {sf: fields[mkto] for mkto, sf in names.items() if fields.get(mkto) not in (None, "")}


def _leads(state: SalesforceState, blueprint: Blueprint) -> None:
    for lead in blueprint.leads:
        values = lead_values(blueprint.people[lead.person_index].fields)
        values |= {"OwnerId": lead.owner_id, "Status": lead.status}
        _expect(state.insert("Lead", values, at=lead.created_at), lead.id, f"lead {lead.key}")


def _won_deals(state: SalesforceState, blueprint: Blueprint) -> None:
    """Customers bought once: a Closed Won opportunity owned by the account's AE."""
    org = blueprint.org
    for account in blueprint.accounts:
        if not account.customer:
            continue
        rng = derive(blueprint.seed, "won-deal", account.key)
        owner = org.rep(account.owner_key)
        median = owner.ae.deal_size_median if owner.ae else 30_000.0
        closed = account.created_at + (blueprint.anchor - account.created_at) * rng.uniform(0.2, 0.9)
        state.insert(
            "Opportunity",
            {
                "Name": f"{account.name} - New Business",
                "AccountId": account.id,
                "OwnerId": owner.id,
                "StageName": "Closed Won",
                "CloseDate": closed.date(),
                "Amount": round(median * rng.lognormvariate(0, 0.5), -2),
                "Type": "New Business",
                "LeadSource": rng.choice(list(catalogue.LEAD_SOURCES)),
            },
            at=closed - timedelta(days=rng.randint(20, 90)),
        )
