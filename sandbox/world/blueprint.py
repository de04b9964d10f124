"""``generate(seed, size, anchor)``: the whole seeded world as one frozen ``Blueprint`` (pure, cached).

Everything before the ``anchor`` instant is seeded history (accounts, contacts, old leads, people and
their program memberships); the behaviour model lives from the anchor on. Salesforce ids are minted
here from an ``IdFactory`` whose counters start at ``WORLD_ID_BASE``: the Salesforce seeder moves the
org's counters to the same base before inserting, so the ids it gets are these (it checks each one).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sandbox.salesforce.ids import KEY_PREFIXES, IdFactory
from sandbox.world import catalogue
from sandbox.world.accounts import CompanyMaker, build_accounts, build_other_companies
from sandbox.world.model import (
    AccountSpec,
    Blueprint,
    Company,
    ContactSpec,
    LeadSpec,
    Org,
    PersonSpec,
    ProgramSpec,
)
from sandbox.world.names import name_pools
from sandbox.world.org import build_org
from sandbox.world.persons import PersonMaker
from sandbox.world.randomness import derive, poisson, weighted

POD = "5g"
#: Counter value the world's ids start after, far above anything a fresh org mints at bootstrap.
WORLD_ID_BASE = 0x3A5B7C + 0x10000
ID_OBJECTS = ("User", "Group", "Account", "Contact", "Lead")
LEAD_STATUSES = {"Working - Contacted": 0.45, "Closed - Not Converted": 0.35, "Open - Not Contacted": 0.2}


@dataclass(frozen=True)
class WorldSize:
    """How big the seeded world is (the behaviour model's rates are in ``Behaviour``)."""

    accounts: int = 2500
    people: int = 20_000
    contacts_per_account: float = 2.2
    lead_share: float = 0.12

    def __post_init__(self) -> None:
        if self.accounts < 10 or self.people < self.accounts:
            raise ValueError("a world needs at least 10 accounts and at least as many people as accounts")
        if not 0 <= self.lead_share <= 0.5 or not 0 <= self.contacts_per_account <= 6:
            raise ValueError("lead_share must be within 0..0.5 and contacts_per_account within 0..6")


def id_factory() -> IdFactory:
    return IdFactory(POD, {KEY_PREFIXES[name]: WORLD_ID_BASE for name in ID_OBJECTS})


def _programs() -> tuple[ProgramSpec, ...]:
    return tuple(
        ProgramSpec(name, channel, description, source, statuses)
        for name, channel, description, source, statuses in catalogue.PROGRAMS
    )


def _acquisition(rng: Any, fields: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    source = fields.get("leadSource")
    for name, _, _, acquired_from, statuses in catalogue.PROGRAMS:
        if acquired_from == source and rng.random() < 0.6:
            return ((name, rng.choice(statuses)),)
    return ()


class _PeopleBuilder:
    def __init__(self, seed: int, anchor: datetime, org: Org, ids: IdFactory, maker: PersonMaker) -> None:
        self.seed, self.anchor, self.org, self.ids, self.maker = seed, anchor, org, ids, maker
        self.people: list[PersonSpec] = []
        self.contacts: list[ContactSpec] = []
        self.leads: list[LeadSpec] = []
        self.recent: deque[dict[str, Any]] = deque(maxlen=400)

    def add(self, kind: str, fields: dict[str, Any], created_at: datetime, **extra: Any) -> PersonSpec:
        index = len(self.people)
        created_at = created_at.replace(microsecond=0)
        person = PersonSpec(f"person-{index:06d}", index, kind, fields, created_at, **extra)  # type: ignore[arg-type]
        self.people.append(person)
        if kind in ("prospect", "free_mail", "contact"):
            self.recent.append(fields)
        return person

    def contacts_of(self, account: AccountSpec, company: Company, mean: float) -> None:
        rng = derive(self.seed, "contacts", account.key)
        owner = self.org.rep(account.owner_key)
        for _ in range(min(6, poisson(rng, mean))):
            fields = self.maker.business(rng, company, complete=True)
            contact_id = self.ids.for_object("Contact")
            fields |= {
                "sfdcType": "Contact",
                "sfdcContactId": contact_id,
                "sfdcAccountId": account.id,
                "sfdcLeadOwnerId": owner.id,
                "lifecycleStage": "Customer" if account.customer else "Opportunity",
            }
            created = account.created_at + (self.anchor - account.created_at) * rng.random() * 0.5
            programs = _acquisition(rng, fields)
            if account.customer:
                programs += ((catalogue.ONBOARDING_PROGRAM, rng.choice(("Enrolled", "Kick-off Held"))),)
            person = self.add("contact", fields, created, account_key=account.key, programs=programs)
            self.contacts.append(
                ContactSpec(
                    f"contact-{len(self.contacts):05d}", contact_id, account.key, person.index, created
                )
            )

    def prospect(
        self, number: int, accounts: list[Company], others: list[Company], lead_share: float
    ) -> None:
        rng = derive(self.seed, "person", number)
        kind, fields, company = self.maker.draw(rng, number, accounts, others, self.recent)
        created = self.anchor - timedelta(days=720 * rng.random() ** 1.6, minutes=rng.randint(0, 1440))
        created = created.replace(microsecond=0)
        programs = _acquisition(rng, fields)
        account_key = company.account_key if company is not None else None
        if kind == "prospect" and rng.random() < lead_share:
            self._lead(rng, fields, created, programs, account_key)
            return
        self.add(kind, fields, created, account_key=account_key, programs=programs)

    def _lead(
        self,
        rng: Any,
        fields: dict[str, Any],
        created: datetime,
        programs: tuple[tuple[str, str], ...],
        account_key: str | None,
    ) -> None:
        team = self.org.territory(fields.get("country"), fields.get("state"))
        if team is None:
            owner_id = self.org.queue("unassigned").id
        elif rng.random() < 0.75:
            owner_id = self.org.rep(rng.choice(team.sdr_keys)).id
        else:
            owner_id = self.org.queue(team.queue_key).id
        status = weighted(rng, LEAD_STATUSES)
        lead_id = self.ids.for_object("Lead")
        fields |= {
            "sfdcType": "Lead",
            "sfdcLeadId": lead_id,
            "leadStatus": status,
            "leadScore": rng.randint(40, 110),
            "lifecycleStage": "Recycled" if status.startswith("Closed") else "SAL",
        }
        if owner_id.startswith("005"):
            fields["sfdcLeadOwnerId"] = owner_id
        if status.startswith("Closed"):
            programs += ((catalogue.REENGAGEMENT_PROGRAM, "Member"),)
        person = self.add("lead", fields, created, account_key=account_key, programs=programs)
        self.leads.append(
            LeadSpec(f"lead-{len(self.leads):05d}", lead_id, person.index, owner_id, status, created)
        )


@lru_cache(maxsize=4)
def generate(seed: int, size: WorldSize = WorldSize(), anchor: datetime | None = None) -> Blueprint:
    """The world for ``seed``; ``anchor`` (aware, default 2026-11-02 00:00 UTC) ends the seeded history."""
    if anchor is None:
        anchor = datetime.fromisoformat("2026-11-02T00:00:00+00:00")
    if anchor.tzinfo is None:
        raise ValueError("the anchor must be an aware UTC datetime")
    ids = id_factory()
    pools = name_pools(seed)
    org = build_org(seed, anchor, ids, pools)
    companies = CompanyMaker(seed, pools)
    accounts, account_companies = build_accounts(seed, anchor, org, ids, companies, size.accounts)
    others = build_other_companies(companies, max(200, int(size.accounts * 0.6)))
    builder = _PeopleBuilder(seed, anchor, org, ids, PersonMaker(pools))
    for account, company in zip(accounts, account_companies, strict=True):
        if len(builder.people) >= size.people:
            break
        builder.contacts_of(account, company, size.contacts_per_account)
    number = 0
    while len(builder.people) < size.people:
        builder.prospect(number, account_companies, others, size.lead_share)
        number += 1
    return Blueprint(
        seed=seed,
        anchor=anchor,
        org=org,
        accounts=tuple(accounts),
        contacts=tuple(builder.contacts),
        leads=tuple(builder.leads),
        people=tuple(builder.people),
        programs=_programs(),
        account_companies=tuple(account_companies),
        other_companies=tuple(others),
    )
