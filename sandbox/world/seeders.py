"""The seeders ``handoff sandbox salesforce|marketo --world SEED`` use: each seeds one emulator alone
with the same world (same seed and size → same users, accounts and people, and consistent ids between
the two). The anchor, the instant the seeded history ends, defaults to midnight UTC of the state's
clock, so a sandbox started today holds history up to today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState
from sandbox.world.blueprint import WorldSize, generate
from sandbox.world.scoring import MQL_THRESHOLD, WebhookSettings
from sandbox.world.seed_marketo import seed_marketo
from sandbox.world.seed_salesforce import seed_salesforce


def day_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def salesforce_seeder(
    seed: int, *, size: WorldSize | None = None, anchor: datetime | None = None
) -> Callable[[SalesforceState], None]:
    def seed_state(state: SalesforceState) -> None:
        blueprint = generate(seed, size or WorldSize(), anchor or day_start(state.clock()))
        seed_salesforce(state, blueprint)

    return seed_state


def marketo_seeder(
    seed: int,
    *,
    size: WorldSize | None = None,
    anchor: datetime | None = None,
    webhook: WebhookSettings | None = None,
    threshold: int = MQL_THRESHOLD,
) -> Callable[[MarketoState], None]:
    def seed_state(state: MarketoState) -> None:
        blueprint = generate(seed, size or WorldSize(), anchor or day_start(state.clock()))
        seed_marketo(state, blueprint, webhook, threshold)

    return seed_state
