"""The synthetic B2B world: a seeded revenue organisation in both emulators, and its behaviour in time.

* ``salesforce_seeder(seed)`` / ``marketo_seeder(seed)`` seed one emulator each with the same world.
* ``World.create(seed, start=...)`` seeds both and returns the living world: ``advance(to)``, ``tick()``,
  ``backfill(days, clock=..., after_step=...)``, ``describe()``.
* ``generate(seed, size, anchor)`` gives the pure ``Blueprint`` behind all of it; ``describe(blueprint)``
  the plain dict a Handoff config is written from.
* ``state_digest(salesforce, marketo)`` hashes canonical dumps (determinism checks).
"""

from sandbox.world.behaviour import Behaviour
from sandbox.world.blueprint import WorldSize, generate
from sandbox.world.describe import describe
from sandbox.world.model import Blueprint
from sandbox.world.scoring import MQL_THRESHOLD, WebhookSettings, configure_webhook
from sandbox.world.seeders import marketo_seeder, salesforce_seeder
from sandbox.world.snapshot import state_digest
from sandbox.world.world import BackfillReport, World

__all__ = [
    "MQL_THRESHOLD",
    "BackfillReport",
    "Behaviour",
    "Blueprint",
    "WebhookSettings",
    "World",
    "WorldSize",
    "configure_webhook",
    "describe",
    "generate",
    "marketo_seeder",
    "salesforce_seeder",
    "state_digest",
]
