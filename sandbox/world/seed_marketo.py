"""Seed a ``MarketoState`` with the world: programs (acquisition programs, "Post-sale onboarding" on its
own channel, "Re-engagement"), the Handoff webhook, the people with their program memberships, then
the scoring and MQL campaigns (last, so that seeding history triggers nothing).

People are created in blueprint order, so person ``i`` gets Marketo id ``i + 1`` on a fresh instance
(checked); CRM-linked people carry the Salesforce ids the Salesforce seeder creates.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.marketo import MarketoState
from sandbox.world import catalogue
from sandbox.world.model import Blueprint, PersonSpec
from sandbox.world.scoring import MQL_THRESHOLD, WebhookSettings, install_campaigns, install_webhook

_SOURCE_TYPES = {"contact": "Salesforce.com", "lead": "Salesforce.com", "duplicate": "Web service API"}


class SeedMismatch(RuntimeError):
    """The instance handed out a lead id the blueprint did not predict: it was not fresh."""


def seed_marketo(
    state: MarketoState,
    blueprint: Blueprint,
    webhook: WebhookSettings | None = None,
    threshold: int = MQL_THRESHOLD,
) -> None:
    if state.people.count() or state.programs.all():
        raise ValueError("seed a fresh Marketo instance (it already holds people or programs)")
    with state.lock:
        since = blueprint.anchor - timedelta(days=900)
        name, statuses = catalogue.ONBOARDING_CHANNEL
        if state.programs.channel(name) is None:
            state.programs.add_channel(name, statuses)
        program_ids = {
            spec.name: state.programs.create(
                spec.name, channel=spec.channel, description=spec.description, at=since
            ).id
            for spec in blueprint.programs
        }
        hook = install_webhook(state, webhook or WebhookSettings())
        for person in blueprint.people:
            _person(state, person, program_ids)
        install_campaigns(state, hook, threshold)


def _person(state: MarketoState, person: PersonSpec, program_ids: dict[str, int]) -> None:
    values = dict(person.fields)
    if person.programs:
        values["acquisitionProgramId"] = program_ids[person.programs[0][0]]
    lead_id = state.people.create(
        values, at=person.created_at, source_type=_SOURCE_TYPES.get(person.kind, "Web form fillout")
    )
    if lead_id != person.marketo_id:
        raise SeedMismatch(f"{person.key}: Marketo gave id {lead_id}, the world expected {person.marketo_id}")
    for position, (program, status) in enumerate(person.programs):
        state.programs.change_status(
            program_ids[program],
            lead_id,
            status,
            at=person.created_at + timedelta(minutes=1 + position),
            reason="Imported",
            acquired_by=position == 0,
        )
