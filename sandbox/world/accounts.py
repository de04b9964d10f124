"""Companies: the Salesforce accounts (with domains, firmographics, billing address and an AE owner)
and the other companies the world's prospects work for (pure generation).

Sizes are log-normal (median ~250 employees, about one in six at 1,000 or more, which the assignment
rule treats as enterprise); revenue follows size through a per-industry revenue per employee. An
account is owned by an AE of the team whose territory holds its billing country, or the VP of Sales
when no team covers it.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from sandbox.salesforce.ids import IdFactory
from sandbox.world import catalogue
from sandbox.world.model import AccountSpec, Company, Org
from sandbox.world.names import NamePools, ascii_slug
from sandbox.world.randomness import derive, weighted

CUSTOMER_SHARE = 0.18


def _place(rng: random.Random) -> tuple[str, str | None, str]:
    """(country, US state or None, locale) for a company or person."""
    if rng.random() < catalogue.OUTSIDE_WEIGHT:
        country = rng.choice(catalogue.OUTSIDE_COUNTRIES)
        return country, None, catalogue.OUTSIDE_LOCALES[country]
    region = catalogue.REGION_BY_KEY[weighted(rng, catalogue.REGION_WEIGHTS)]
    country = rng.choice(region.countries)[0]
    state = None
    if country == "United States":
        pairs = catalogue.US_WEST_STATE_PAIRS if region.key == "na_west" else catalogue.US_EAST_STATES
        state = rng.choice(pairs)[0]
    return country, state, region.locale


def _size(rng: random.Random, industry: str) -> tuple[int, int]:
    employees = int(min(250_000, max(3, rng.lognormvariate(math.log(250), 1.4))))
    revenue = employees * catalogue.REVENUE_PER_EMPLOYEE[industry] * rng.uniform(0.6, 1.5)
    return employees, int(round(revenue, -3))


class CompanyMaker:
    """Unique names and domains across all companies of one world."""

    def __init__(self, seed: int, pools: NamePools) -> None:
        self.seed, self.pools = seed, pools
        self.names: set[str] = set()
        self.domains: set[str] = {domain for _, domain in catalogue.COMPETITORS}

    def make(self, key: str, account_key: str | None = None) -> Company:
        rng = derive(self.seed, "company", key)
        country, state, locale = _place(rng)
        industry = weighted(rng, catalogue.INDUSTRIES)
        for attempt in range(50):
            stem = rng.choice(self.pools.companies[locale])
            word = (
                rng.choice(catalogue.INDUSTRY_WORDS[industry]) if rng.random() < 0.55 or attempt > 3 else ""
            )
            base = f"{stem} {word}".strip()
            legal = rng.choice(catalogue.LEGAL_FORMS[locale])
            domain = ascii_slug(base) + catalogue.TLDS[locale]
            if base not in self.names and domain not in self.domains and len(domain) > 4:
                break
        else:
            base = f"{base} {key}"
            domain = ascii_slug(base) + catalogue.TLDS[locale]
        self.names.add(base)
        self.domains.add(domain)
        employees, revenue = _size(rng, industry)
        city = rng.choice(catalogue.CITIES[country])
        return Company(
            f"{base} {legal}", domain, industry, employees, revenue, country, state, city, locale, account_key
        )


def _phone(rng: random.Random, country: str) -> str:
    return f"+{catalogue.CALLING_CODES[country]} {rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def build_accounts(
    seed: int, anchor: datetime, org: Org, ids: IdFactory, maker: CompanyMaker, count: int
) -> tuple[list[AccountSpec], list[Company]]:
    accounts: list[AccountSpec] = []
    companies: list[Company] = []
    for number in range(count):
        key = f"acct-{number:05d}"
        company = maker.make(key, key)
        rng = derive(seed, "account", key)
        team = org.territory(company.country, company.state)
        owner_key = rng.choice(team.ae_keys) if team is not None else "vp-sales"
        accounts.append(
            AccountSpec(
                key=key,
                id=ids.for_object("Account"),
                name=company.name,
                domain=company.domain,
                industry=company.industry,
                employees=company.employees,
                revenue=company.revenue,
                country=company.country,
                state=company.state,
                city=company.city,
                phone=_phone(rng, company.country),
                owner_key=owner_key,
                customer=rng.random() < CUSTOMER_SHARE,
                created_at=(anchor - timedelta(days=rng.uniform(45, 1500))).replace(microsecond=0),
            )
        )
        companies.append(company)
    return accounts, companies


def build_other_companies(maker: CompanyMaker, count: int) -> list[Company]:
    return [maker.make(f"other-{number:05d}") for number in range(count)]


def phone_for(rng: random.Random, country: str | None) -> str:
    return _phone(rng, country or "United States")
