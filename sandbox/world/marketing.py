"""What people do in Marketo once the world lives: arrive through a first form, come back for more
sessions (page views, email opens and clicks, sometimes another form), and wake up after months.

Every activity is written through the emulator's engagement API with its own ``at``, so the scoring
campaigns (``scoring.py``) date each score change at its activity and the MQL campaign fires when a
score crosses the bar. A person's plan (how keen, how many sessions, how far apart) and each session
come from streams derived from (seed, person key, session number), never from shared state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.marketo import MarketoState
from sandbox.marketo.envelope import RecordError
from sandbox.world import catalogue
from sandbox.world.accounts import phone_for
from sandbox.world.behaviour import Behaviour
from sandbox.world.events import Arrival, DayStart, Scheduled, Session
from sandbox.world.model import Blueprint, Company
from sandbox.world.names import name_pools
from sandbox.world.persons import PersonMaker
from sandbox.world.randomness import derive, poisson, weighted

#: intent → (sessions range, mean days between sessions, mean extra page views, email, form chance)
INTENTS: dict[str, tuple[tuple[int, int], float, float, float, float]] = {
    "cold": ((0, 2), 12.0, 0.8, 0.3, 0.04),
    "warm": ((1, 4), 6.0, 1.5, 0.4, 0.12),
    "hot": ((2, 6), 1.5, 3.0, 0.5, 0.4),
}
NEW_INTENTS = {"cold": 0.6, "warm": 0.3, "hot": 0.1}
WAKE_INTENTS = {"cold": 0.3, "warm": 0.5, "hot": 0.2}
_FIRST_FORMS = {"Webinar": "Webinar Registration", "Content Syndication": "Content Download"}


def _zone(fields: dict[str, Any]) -> ZoneInfo:
    country = fields.get("country")
    if country == "United States" and fields.get("state") in catalogue.US_WEST_STATES:
        return ZoneInfo("America/Los_Angeles")
    return ZoneInfo(catalogue.COUNTRY_ZONES.get(str(country), "America/New_York"))


def _online(rng: random.Random, at: datetime, zone: ZoneInfo) -> datetime:
    """People are online from 07:00 to 22:00 local; a session planned at night moves to the morning."""
    local = at.astimezone(zone)
    if 7 <= local.hour < 22:
        return at
    day = local.date() + timedelta(days=1 if local.hour >= 22 else 0)
    morning = datetime.combine(day, time(rng.randint(8, 11), rng.randint(0, 59)), tzinfo=zone)
    return morning.astimezone(at.tzinfo)


@dataclass(frozen=True)
class SessionStep:
    offset: int
    kind: str
    value: str


class Marketing:
    def __init__(self, blueprint: Blueprint, marketo: MarketoState, behaviour: Behaviour) -> None:
        self.seed = blueprint.seed
        self.blueprint = blueprint
        self.marketo = marketo
        self.behaviour = behaviour
        self.maker = PersonMaker(name_pools(blueprint.seed))
        self.program_ids: dict[str, int] = {}
        for spec in blueprint.programs:
            program = marketo.programs.by_name(spec.name)
            if program is None:
                raise ValueError(f"Marketo has no program {spec.name!r}: seed it with marketo_seeder first")
            self.program_ids[spec.name] = program.id
        self.duplicable = [
            p.fields for p in blueprint.people if p.kind in ("prospect", "free_mail", "contact")
        ]
        self.wakeable = [p for p in blueprint.people if p.kind != "test"]
        self._running: dict[tuple[str, int], list[SessionStep]] = {}

    # -- planning ----------------------------------------------------------------------------------

    def plan_day(self, event: DayStart, not_before: datetime) -> list[Scheduled]:
        """The day's arrivals (rates by UTC hour from every region's local office curve) and wake-ups."""
        day = event.day
        rng = derive(self.seed, "day", day.isoformat())
        midnight = datetime.combine(day, time(0), tzinfo=not_before.tzinfo)
        factor = catalogue.WEEKDAY_FACTORS[day.weekday()]
        shares = self._hour_shares(midnight)
        planned: list[Scheduled] = []
        number = 0
        for hour, share in enumerate(shares):
            for _ in range(poisson(rng, self.behaviour.arrivals_per_day * factor * share)):
                at = midnight + timedelta(hours=hour, seconds=rng.randint(0, 3599))
                key = f"arrival-{day:%Y%m%d}-{number:04d}"
                number += 1
                if at >= not_before:
                    planned.append((at, Arrival(key, number)))
        for index in range(poisson(rng, self.behaviour.wakeups_per_day * factor)):
            person = rng.choice(self.wakeable)
            at = _online(
                rng, midnight + timedelta(seconds=rng.randint(6 * 3600, 20 * 3600)), _zone(person.fields)
            )
            if at >= not_before:
                planned.append((at, Session(f"{person.key}@{day.isoformat()}#{index}", person.marketo_id, 0)))
        return planned

    @staticmethod
    def _hour_shares(midnight: datetime) -> list[float]:
        weights = [0.0] * 24
        for region in catalogue.REGIONS:
            zone = ZoneInfo(region.time_zone)
            for hour in range(24):
                local_hour = (midnight + timedelta(hours=hour)).astimezone(zone).hour
                weights[hour] += (
                    catalogue.REGION_WEIGHTS[region.key] * catalogue.LOCAL_HOUR_WEIGHTS[local_hour]
                )
        total = sum(weights)
        return [w / total for w in weights]

    def _plan(self, key: str, intents: dict[str, float]) -> tuple[str, int, float]:
        rng = derive(self.seed, "plan", key)
        intent = weighted(rng, intents)
        (low, high), gap_days, *_ = INTENTS[intent]
        return intent, rng.randint(low, high), gap_days

    # -- events ------------------------------------------------------------------------------------

    def arrive(self, event: Arrival, at: datetime) -> tuple[int, list[Scheduled]]:
        """Create the person through their first form; returns their Marketo id and next session.

        A form fill (or a list import) with a known email updates that person in Marketo, so duplicates
        do not come in through forms: they come from an integration that pushes trade-show badge scans
        with ``createDuplicate`` (reference/marketo.md §3), which is how case and plus-address variants
        of one person end up as two records."""
        rng = derive(self.seed, "arrival", event.key)
        companies, others = self.blueprint.account_companies, self.blueprint.other_companies
        kind, fields, company = self.maker.draw(rng, event.number, companies, others, self.duplicable)
        fields = {**fields, "leadScore": 0, "lifecycleStage": "Lead"}
        intent, sessions, gap_days = self._plan(event.key, NEW_INTENTS)
        form = _FIRST_FORMS.get(str(fields.get("leadSource")), "Content Download")
        if intent == "hot" and rng.random() < 0.25:
            form = "Demo Request"
        elif rng.random() < 0.2:
            form = "Contact Us"
        page = weighted(rng, catalogue.PAGES)
        with self.marketo.lock:
            if kind == "duplicate":
                fields["leadSource"] = "Tradeshow"
                lead_id = self.marketo.people.create(fields, at=at, source_type="Web service API")
                self._status(lead_id, catalogue.TRADESHOW_PROGRAM, "Visited Booth", at, acquired=True)
            else:
                lead_id = self.marketo.people.create(
                    fields, at=at, source_type="Web form fillout", form_name=form
                )
                self.marketo.engagement.visit_webpage(lead_id, page, at=at)
                submitted = self._form_fields(rng, fields, company, form)
                self.marketo.engagement.fill_out_form(
                    lead_id, form, at=at, form_fields=submitted, webpage_url=page
                )
                self._join(lead_id, form, at, acquired=True)
        if sessions == 0:
            return lead_id, []
        next_at = _online(rng, at + timedelta(days=rng.expovariate(1 / gap_days)), _zone(fields))
        return lead_id, [(next_at, Session(event.key, lead_id, 1))]

    def _steps(self, event: Session, intent: str) -> list[SessionStep]:
        """The steps of one session (offsets in seconds from its start), the same on every call; kept
        while the session runs so that its later steps need not redraw them."""
        cached = self._running.get((event.key, event.number))
        if cached is not None:
            return cached
        steps = self._draw_steps(event, intent)
        self._running[(event.key, event.number)] = steps
        return steps

    def _draw_steps(self, event: Session, intent: str) -> list[SessionStep]:
        rng = derive(self.seed, "session", event.key, event.number)
        _, _, page_mean, email_chance, form_chance = INTENTS[intent]
        waking = event.number == 0
        steps: list[SessionStep] = []
        offset = 0
        if waking or rng.random() < email_chance:
            email = catalogue.REENGAGEMENT_EMAIL if waking else rng.choice(catalogue.EMAILS[:-1])
            steps.append(SessionStep(offset, "open", email))
            offset += rng.randint(20, 240)
            if waking or rng.random() < 0.45:
                steps.append(SessionStep(offset, "click", email))
                offset += rng.randint(5, 60)
        for _ in range(1 + poisson(rng, page_mean)):
            steps.append(SessionStep(offset, "visit", weighted(rng, catalogue.PAGES)))
            offset += rng.randint(30, 300)
        if rng.random() < form_chance:
            hot_demo = intent == "hot" and rng.random() < 0.5
            steps.append(
                SessionStep(offset, "form", "Demo Request" if hot_demo else rng.choice(list(catalogue.FORMS)))
            )
        return steps

    def session(self, event: Session, at: datetime) -> list[Scheduled]:
        person = self.marketo.people.get(event.lead_id)
        if person is None:
            self._running.pop((event.key, event.number), None)
            return []  # merged or deleted since (e.g. Handoff merged a duplicate)
        intent, sessions, gap_days = self._plan(event.key, WAKE_INTENTS if event.number == 0 else NEW_INTENTS)
        steps = self._steps(event, intent)
        started = event.started or at
        self._act(event, steps[event.step], person, at)
        if event.step + 1 >= len(steps):
            self._running.pop((event.key, event.number), None)
        else:
            following = steps[event.step + 1]
            return [
                (
                    started + timedelta(seconds=following.offset),
                    replace(event, step=event.step + 1, started=started),
                )
            ]
        if event.number >= sessions:
            return []
        rng = derive(self.seed, "gap", event.key, event.number)
        next_at = _online(rng, started + timedelta(days=rng.expovariate(1 / gap_days)), _zone(person))
        return [(next_at, Session(event.key, event.lead_id, event.number + 1))]

    def _act(self, event: Session, step: SessionStep, person: dict[str, Any], at: datetime) -> None:
        engagement = self.marketo.engagement
        rng = derive(self.seed, "act", event.key, event.number, event.step)
        with self.marketo.lock:
            if step.kind == "open":
                engagement.open_email(
                    event.lead_id, step.value, at=at, device=rng.choice(("Desktop", "Mobile"))
                )
            elif step.kind == "click":
                engagement.click_email(
                    event.lead_id, step.value, f"{catalogue.SITE}/?utm_campaign=email", at=at
                )
                if step.value == catalogue.REENGAGEMENT_EMAIL:
                    self._status(event.lead_id, catalogue.REENGAGEMENT_PROGRAM, "Engaged", at)
            elif step.kind == "visit":
                engagement.visit_webpage(event.lead_id, step.value, at=at)
            else:
                submitted = self._form_fields(rng, person, None, step.value)
                engagement.fill_out_form(event.lead_id, step.value, at=at, form_fields=submitted)
                self._join(event.lead_id, step.value, at, acquired=False)

    # -- helpers -----------------------------------------------------------------------------------

    def _form_fields(
        self, rng: random.Random, fields: dict[str, Any], company: Company | None, form: str
    ) -> dict[str, Any]:
        """What the form submits: the known values, plus the ones a sales form makes mandatory."""
        submitted = {k: fields[k] for k in ("email", "firstName", "lastName") if fields.get(k)}
        if form in ("Demo Request", "Contact Us"):
            place = company or rng.choice(self.blueprint.other_companies)
            submitted["company"] = fields.get("company") or place.name
            submitted["country"] = fields.get("country") or place.country
            submitted["phone"] = fields.get("phone") or phone_for(rng, place.country)
            if not fields.get("title"):
                submitted["title"] = weighted(rng, catalogue.TITLES)
        return submitted

    def _join(self, lead_id: int, form: str, at: datetime, *, acquired: bool) -> None:
        program, status = catalogue.FORM_PROGRAMS[form]
        self._status(lead_id, program, status, at, acquired=acquired)

    def _status(
        self, lead_id: int, program: str, status: str, at: datetime, *, acquired: bool = False
    ) -> None:
        try:
            self.marketo.programs.change_status(
                self.program_ids[program],
                lead_id,
                status,
                at=at,
                reason="Form fill-out",
                acquired_by=acquired,
            )
        except RecordError:
            return  # already in or past this status: Marketo skips it
