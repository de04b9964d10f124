"""The synthetic B2B world: a seeded revenue organisation in both emulators, and its behaviour in time.

* ``salesforce_seeder(seed)`` / ``marketo_seeder(seed)`` seed one emulator each with the same world.
* ``generate(seed, size, anchor)`` gives the pure ``Blueprint`` behind both.
* ``state_digest(salesforce, marketo)`` hashes canonical dumps (determinism checks).
"""

from sandbox.world.blueprint import WorldSize, generate
from sandbox.world.model import Blueprint
from sandbox.world.scoring import MQL_THRESHOLD, WebhookSettings, configure_webhook
from sandbox.world.seeders import marketo_seeder, salesforce_seeder
from sandbox.world.snapshot import state_digest

__all__ = [
    "MQL_THRESHOLD",
    "Blueprint",
    "WebhookSettings",
    "WorldSize",
    "configure_webhook",
    "generate",
    "marketo_seeder",
    "salesforce_seeder",
    "state_digest",
]
