"""Marketo people as a real instance holds them: business people with gaps in their fields, free-mail
sign-ups, competitors reading our content, test records, and the same person twice (pure generation).

Field completeness follows ``COMPLETENESS`` (a business person lacks a title about one time in five, a
phone about half the time …); countries are spelled canonically most of the time, otherwise as an ISO
code or local name the assignment rule lists, or as a variant it does not. Duplicates copy an earlier
person with a case, plus-address or Gmail-dot variant of the email and fewer fields.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.world import catalogue
from sandbox.world.accounts import phone_for
from sandbox.world.model import Company
from sandbox.world.names import NamePools, ascii_slug
from sandbox.world.randomness import weighted

COMPLETENESS = {
    "firstName": 0.97,
    "company": 0.93,
    "country": 0.85,
    "title": 0.78,
    "phone": 0.55,
    "state": 0.7,
    "city": 0.5,
    "firmographics": 0.45,
    "website": 0.3,
}
#: Shares of kinds among new (non-contact) people, seeded or arriving.
KIND_SHARES = {
    "account_prospect": 0.30,
    "prospect": 0.365,
    "free_mail": 0.15,
    "competitor": 0.015,
    "test": 0.012,
    "duplicate": 0.035,
}
SCORE_CEILING = 74


def spell_country(rng: random.Random, country: str) -> str:
    for region in catalogue.REGIONS:
        for canonical, listed, unlisted in region.countries:
            if canonical == country:
                roll = rng.random()
                if roll < 0.8:
                    return canonical
                if roll < 0.92:
                    return rng.choice(listed[1:] or listed)
                return unlisted
    return country


def _email_local(rng: random.Random, first: str, last: str) -> str:
    f, last_slug = ascii_slug(first) or "info", ascii_slug(last) or "contact"
    patterns = {
        f"{f}.{last_slug}": 0.55,
        f"{f[0]}{last_slug}": 0.2,
        f: 0.08,
        f"{f}{last_slug[0]}": 0.1,
        f"{f}_{last_slug}": 0.07,
    }
    return weighted(rng, patterns)


def initial_score(rng: random.Random) -> int:
    """Most people sit low; about one in twenty is close to the MQL bar (never at or over it)."""
    if rng.random() < 0.05:
        return rng.randint(55, SCORE_CEILING)
    return min(SCORE_CEILING, int(rng.expovariate(1 / 14)))


class PersonMaker:
    def __init__(self, pools: NamePools) -> None:
        self.pools = pools

    def _common(self, rng: random.Random, first: str, last: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"lastName": last, "leadSource": weighted(rng, catalogue.LEAD_SOURCES)}
        if rng.random() < COMPLETENESS["firstName"]:
            fields["firstName"] = first.lower() if rng.random() < 0.03 else first
        if rng.random() < COMPLETENESS["title"]:
            fields["title"] = weighted(rng, catalogue.TITLES)
        fields["leadScore"] = initial_score(rng)
        fields["lifecycleStage"] = "Lead"
        if rng.random() < 0.03:
            fields["unsubscribed"] = True
        if rng.random() < 0.015:
            fields["emailInvalid"] = True
        if rng.random() < 0.02:
            fields["doNotCall"] = True
        return fields

    def _place(self, rng: random.Random, fields: dict[str, Any], country: str, state: str | None) -> None:
        if rng.random() < COMPLETENESS["country"]:
            fields["country"] = spell_country(rng, country)
            if state and rng.random() < COMPLETENESS["state"]:
                fields["state"] = state
        if rng.random() < COMPLETENESS["city"]:
            fields["city"] = rng.choice(catalogue.CITIES[country])
        if rng.random() < COMPLETENESS["phone"]:
            fields["phone"] = phone_for(rng, country)

    def business(self, rng: random.Random, company: Company, *, complete: bool = False) -> dict[str, Any]:
        """A person at ``company``; ``complete`` (CRM contacts) fills every field."""
        first, last = self.pools.person(rng, company.locale)
        fields = self._common(rng, first, last)
        fields["email"] = f"{_email_local(rng, first, last)}@{company.domain}"
        if complete:
            fields["firstName"] = first
            fields.setdefault("title", weighted(rng, catalogue.TITLES))
            fields["company"] = company.name
            fields["country"] = company.country
            if company.state:
                fields["state"] = company.state
            fields["city"] = company.city
            fields["phone"] = phone_for(rng, company.country)
            return fields
        if rng.random() < COMPLETENESS["company"]:
            fields["company"] = company.name if rng.random() < 0.85 else company.name.rsplit(" ", 1)[0]
        self._place(rng, fields, company.country, company.state)
        if rng.random() < COMPLETENESS["firmographics"]:
            fields |= {
                "industry": company.industry,
                "numberOfEmployees": company.employees,
                "annualRevenue": company.revenue,
            }
        if rng.random() < COMPLETENESS["website"]:
            fields["website"] = f"https://www.{company.domain}"
        return fields

    def free_mail(self, rng: random.Random, company: Company) -> dict[str, Any]:
        """A sign-up with a private address; about half still type an employer."""
        first, last = self.pools.person(rng, company.locale)
        fields = self._common(rng, first, last)
        local = _email_local(rng, first, last)
        if rng.random() < 0.35:
            local += str(rng.randint(1, 99))
        fields["email"] = f"{local}@{weighted(rng, catalogue.FREE_MAIL_DOMAINS)}"
        if rng.random() < 0.5:
            fields["company"] = company.name
        self._place(rng, fields, company.country, company.state)
        return fields

    def competitor(self, rng: random.Random, locale: str) -> dict[str, Any]:
        name, domain = rng.choice(catalogue.COMPETITORS)
        first, last = self.pools.person(rng, locale)
        fields = self._common(rng, first, last)
        fields |= {"email": f"{_email_local(rng, first, last)}@{domain}", "company": name}
        return fields

    def test_record(self, rng: random.Random, number: int, company: Company) -> dict[str, Any]:
        email, first, last, company_name = rng.choice(catalogue.TEST_RECORDS)
        values = {"domain": company.domain, "n": number, "company": company.name}
        fields: dict[str, Any] = {
            "email": email.format(**values),
            "firstName": first,
            "lastName": last,
            "company": company_name.format(**values),
            "leadSource": "Website",
            "leadScore": rng.randint(0, 30),
            "lifecycleStage": "Lead",
        }
        if rng.random() < 0.5:
            fields["country"] = rng.choice(("asdf", "United States", "Germany"))
        return fields

    def duplicate(self, rng: random.Random, original: Mapping[str, Any]) -> dict[str, Any]:
        """The same person again: an email variant and only some of the original's fields."""
        email = str(original.get("email") or "someone@example.com")
        local, _, domain = email.partition("@")
        variant = rng.random()
        if variant < 0.4:
            email = f"{local.title()}@{domain.capitalize()}"
        elif variant < 0.75:
            email = f"{local}+{rng.choice(('events', 'webinar', 'news', 'demo'))}@{domain}"
        elif domain == "gmail.com" and len(local) > 2 and "." not in local:
            cut = rng.randint(1, len(local) - 1)
            email = f"{local[:cut]}.{local[cut:]}@{domain}"
        fields: dict[str, Any] = {"email": email, "lastName": original.get("lastName")}
        for name in ("firstName", "company", "country", "title", "phone"):
            if name in original and rng.random() < 0.6:
                fields[name] = original[name]
        fields["leadSource"] = weighted(rng, catalogue.LEAD_SOURCES)
        fields["leadScore"] = initial_score(rng)
        fields["lifecycleStage"] = "Lead"
        return fields

    def draw(
        self,
        rng: random.Random,
        number: int,
        accounts: Sequence[Company],
        others: Sequence[Company],
        earlier: Sequence[Mapping[str, Any]],
    ) -> tuple[str, dict[str, Any], Company | None]:
        """A new person of a drawn kind: (kind, fields, the company they work for if any)."""
        kind = weighted(rng, KIND_SHARES)
        if kind == "duplicate" and earlier:
            return "duplicate", self.duplicate(rng, rng.choice(earlier)), None
        if kind == "account_prospect" and accounts:
            company = rng.choice(accounts)
            return "prospect", self.business(rng, company), company
        company = rng.choice(others)
        if kind == "free_mail":
            return "free_mail", self.free_mail(rng, company), None
        if kind == "competitor":
            return "competitor", self.competitor(rng, company.locale), None
        if kind == "test":
            return "test", self.test_record(rng, number, company), None
        return "prospect", self.business(rng, company), company
