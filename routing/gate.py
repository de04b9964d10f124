"""The route-ready gate: (person snapshot, Salesforce context, config, now) → decision and reasons.

Pure: no session, no HTTP, no clock read (``now`` is an argument). ``Gate(config)`` compiles the
config once (domain sets, regexes, region maps) so that the hot path is dictionary lookups; ``decide``
is the one-shot form. The gate never raises on a person's data: anything broken becomes a ``hold``
(fixable by editing the person in Marketo) or a ``reject`` with a reason.

Order of judgement: exclusions and disqualifications reject; missing or broken required data holds
(and a hold older than ``hold_timeout_hours`` becomes a rejection, i.e. leakage); otherwise the
person routes to a target chosen as: existing Contact's owner, existing Lead's owner, matched
account's owner (or the account team's rule; never a lead queue, since Contacts cannot sit in one),
the segment's target, the fallback queue, the active assignment rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from routing.checks import RuleChecks
from routing.config import RoutingConfig, Segment
from routing.context import ExistingRecord, SalesforceContext
from routing.decision import Decision, Outcome, Reason
from routing.fields import DISPOSABLE_DOMAINS, FREE_MAIL_DOMAINS, STANDARD_FIELDS
from routing.normalise import EmailOptions, casefold_set, company_key, email_key, parse_email
from routing.person import PersonValues, read_person
from routing.targets import TargetChoice


class Gate(RuleChecks, TargetChoice):
    """A config compiled for fast, repeated decisions."""

    def __init__(self, config: RoutingConfig) -> None:
        self.config = config
        ex = config.exclusions
        self.email_options = EmailOptions(config.dedupe.strip_plus_tags, config.dedupe.gmail_dots)
        self.free_mail = FREE_MAIL_DOMAINS | casefold_set(ex.free_mail_domains)
        self.disposable = DISPOSABLE_DOMAINS | casefold_set(ex.disposable_domains)
        self.competitor_domains = casefold_set(ex.competitor_domains)
        self.competitor_names = frozenset(filter(None, (company_key(name) for name in ex.competitor_names)))
        self.test_patterns = tuple(re.compile(pattern) for pattern in ex.test_patterns)
        self.excluded_countries = casefold_set(ex.countries)
        self.region_of = {
            country.strip().casefold(): region
            for region, countries in config.regions.items()
            for country in countries
        }
        self.intent_of = {
            source.strip().casefold(): intent
            for intent, sources in config.intents.items()
            for source in sources
        }
        self.segment_fields = [
            {name: casefold_set(values) for name, values in segment.when.fields.items()}
            for segment in config.segments
        ]
        self.specs = tuple(STANDARD_FIELDS.values()) + tuple(
            spec for name in config.custom_fields if (spec := config.field_spec(name)) is not None
        )
        self.hold_timeout = timedelta(hours=config.hold_timeout_hours)
        self.cooldown = timedelta(days=config.score.cooldown_days)

    def read(self, person: object) -> PersonValues | None:
        """The person's clean values (None when it is not a mapping); shareable between gates with equal ``specs``."""
        return read_person(person, self.specs) if isinstance(person, Mapping) else None

    def decide(
        self, person: object, context: SalesforceContext, now: datetime, values: PersonValues | None = None
    ) -> Decision:
        if values is None:
            values = self.read(person)
        if values is None:
            reason = Reason(
                "invalid_snapshot",
                f"The person record is not a set of fields ({type(person).__name__}); nothing can be judged.",
                blocks="reject",
            )
            return Decision("reject", None, None, (reason,), summary=reason.message)
        reasons: list[Reason] = []
        if not context.complete:
            reasons.append(
                Reason(
                    "context_unavailable",
                    "Salesforce could not be checked for existing records; waiting to try again.",
                    {"problems": list(context.problems)},
                    blocks="hold",
                )
            )
        email = values.text("email")
        parsed = parse_email(email) if email else None
        person_key = email_key(email, self.email_options) if parsed else None
        domain = parsed[1] if parsed else None
        reasons.extend(self._exclusions(values, domain))
        reasons.extend(self._score(values))
        if context.last_routed_at is not None and now - context.last_routed_at < self.cooldown:
            reasons.append(
                Reason(
                    "cooldown",
                    f"Routed {_ago(now - context.last_routed_at)} ago; re-qualification waits "
                    f"{self.config.score.cooldown_days:g} days.",
                    {"last_routed_at": context.last_routed_at.isoformat()},
                    blocks="reject",
                )
            )
        records = self._matching_records(context.records, person_key)
        contact = next((r for r in records if r.sobject == "Contact"), None)
        lead = next((r for r in records if r.sobject == "Lead" and not r.is_converted), None)
        reasons.extend(self._dedupe(contact, lead, values, person_key, context))
        attributes = self._attributes(values, person_key)
        segment = self._segment(values, attributes)
        account = self._account(context.accounts, domain, values)
        if account is not None:
            attributes["account_id"] = account.id
        lead_action = "none" if contact else "update" if lead else "create"
        reasons.extend(self._required(values, segment, email, parsed is not None, lead_action))
        reasons.extend(self._ignored_problems(values, segment))
        outcome = _outcome(reasons)
        if (
            outcome == "hold"
            and context.held_since is not None
            and now - context.held_since >= self.hold_timeout
        ):
            waiting = [r.code for r in reasons if r.blocks == "hold"]
            reasons.append(
                Reason(
                    "hold_expired",
                    f"Held for {_ago(now - context.held_since)} waiting for data ({', '.join(waiting)}); "
                    "the hold timed out and the lead leaked.",
                    {"held_since": context.held_since.isoformat(), "waiting_for": waiting},
                    blocks="reject",
                )
            )
            outcome = "reject"
        segment_name = segment.name if segment else None
        if outcome != "route":
            blocking = next(r for r in reasons if r.blocks == outcome)
            return Decision(outcome, segment_name, None, tuple(reasons), attributes, blocking.message)
        target, target_reason = self._target(segment, contact, lead, account)
        reasons.append(target_reason)
        summary = self._summary(segment, attributes, target_reason)
        return Decision(
            "route",
            segment_name,
            target,
            tuple(reasons),
            attributes,
            summary,
            self._salesforce_fields(values, summary),
        )

    # --- exclusions and qualification -------------------------------------------------------------

    def _matching_records(
        self, records: tuple[ExistingRecord, ...], person_key: str | None
    ) -> list[ExistingRecord]:
        """Records found by stored id always count; by email only if the configured key agrees.

        Ordered (stored ids first, then by record id) so that the choice among several matches does not
        depend on the order a database returned them in.
        """
        matching = [
            r
            for r in records
            if r.matched_by == "id"
            or (person_key is not None and email_key(r.email, self.email_options) == person_key)
        ]
        return sorted(matching, key=lambda r: (r.matched_by != "id", r.id))

    def _dedupe(
        self,
        contact: ExistingRecord | None,
        lead: ExistingRecord | None,
        values: PersonValues,
        person_key: str | None,
        context: SalesforceContext,
    ) -> list[Reason]:
        dedupe = self.config.dedupe
        found: list[Reason] = []
        if contact is not None:
            data = {"contact_id": contact.id, "owner_id": contact.owner_id, "matched_by": contact.matched_by}
            if dedupe.existing_contact == "reject":
                found.append(
                    Reason(
                        "existing_contact",
                        f"Already a Salesforce Contact ({contact.id}).",
                        data,
                        blocks="reject",
                    )
                )
            else:
                found.append(
                    Reason("existing_contact", f"Already a Salesforce Contact ({contact.id}).", data)
                )
        elif lead is not None:
            data = {"lead_id": lead.id, "owner_id": lead.owner_id, "matched_by": lead.matched_by}
            if dedupe.existing_lead == "reject":
                found.append(
                    Reason("existing_lead", f"Already a Salesforce Lead ({lead.id}).", data, blocks="reject")
                )
            else:
                found.append(
                    Reason("existing_lead", f"Already a Salesforce Lead ({lead.id}); it is updated.", data)
                )
        if dedupe.marketo_duplicates == "reject" and person_key is not None:
            twins = sorted(
                d.marketo_id
                for d in context.marketo_duplicates
                if d.has_open_handoff
                and d.marketo_id != values.marketo_id
                and email_key(d.email, self.email_options) == person_key
            )
            if twins:
                found.append(
                    Reason(
                        "duplicate_in_marketo",
                        f"Marketo person {twins[0]} has the same mailbox and is already being handed off.",
                        {"marketo_ids": twins},
                        blocks="reject",
                    )
                )
        return found

    # --- segments ---------------------------------------------------------------------------------

    def _attributes(self, values: PersonValues, person_key: str | None) -> dict[str, Any]:
        country = values.text("country")
        employees = values.values.get("numberOfEmployees")
        band = None
        if isinstance(employees, float):
            band = next(
                (
                    b.name
                    for b in self.config.size_bands
                    if b.max_employees is None or employees <= b.max_employees
                ),
                None,
            )
        source = values.text(self.config.intent_field)
        return {
            "region": self.region_of.get(country.casefold()) if country else None,
            "size_band": band,
            "intent": self.intent_of.get(source.casefold()) if source else None,
            "email_key": person_key,
        }

    def _segment(self, values: PersonValues, attributes: dict[str, Any]) -> Segment | None:
        for segment, wanted_fields in zip(self.config.segments, self.segment_fields, strict=True):
            when = segment.when
            if when.regions is not None and attributes["region"] not in when.regions:
                continue
            if when.size_bands is not None and attributes["size_band"] not in when.size_bands:
                continue
            if when.intents is not None and attributes["intent"] not in when.intents:
                continue
            if all(
                (text := values.text(name)) is not None and text.casefold() in accepted
                for name, accepted in wanted_fields.items()
            ):
                return segment
        return self.config.segment(self.config.default_segment)

    # --- required data ----------------------------------------------------------------------------


def decide(person: object, context: SalesforceContext, config: RoutingConfig, now: datetime) -> Decision:
    """One decision; compile a ``Gate`` once instead when deciding for many people."""
    return Gate(config).decide(person, context, now)


def _outcome(reasons: list[Reason]) -> Outcome:
    if any(r.blocks == "reject" for r in reasons):
        return "reject"
    if any(r.blocks == "hold" for r in reasons):
        return "hold"
    return "route"


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"
