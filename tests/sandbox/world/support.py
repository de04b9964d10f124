"""Builders for world tests: small worlds seeded into fresh emulators on a manual clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from handoff.clock import ManualClock
from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState
from sandbox.world import WorldSize, marketo_seeder, salesforce_seeder
from sandbox.world.scoring import WebhookSettings

ANCHOR = datetime(2026, 11, 2, tzinfo=UTC)
SMALL = WorldSize(accounts=120, people=900)


@dataclass
class Emulators:
    clock: ManualClock
    salesforce: SalesforceState
    marketo: MarketoState


def seeded(
    seed: int = 7,
    size: WorldSize = SMALL,
    *,
    anchor: datetime = ANCHOR,
    webhook: WebhookSettings | None = None,
) -> Emulators:
    """Both emulators seeded with one world; the clock starts at the anchor."""
    clock = ManualClock(anchor)
    salesforce = SalesforceState(clock=clock)
    marketo = MarketoState(clock=clock, client_id="world-test", client_secret="world-test-secret")
    salesforce_seeder(seed, size=size, anchor=anchor)(salesforce)
    marketo_seeder(seed, size=size, anchor=anchor, webhook=webhook)(marketo)
    return Emulators(clock, salesforce, marketo)
