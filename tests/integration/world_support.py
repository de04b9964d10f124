"""Handoff living with the synthetic world, as ``handoff demo`` runs it, on the test's engine and clock.

``a_world_deployment`` seeds both sandboxes with ``World.create`` on the test's ``ManualClock``, writes the
Handoff config from ``world.describe()`` with ``handoff.demo_config.demo_config`` (the demo's own config,
so the test checks what the demo shows), serves both sandboxes and the real app on loopback and wires
the runtime with ``handoff.wiring.assemble``. ``WorldDeployment.live_until`` is the demo's back-fill loop:
world step, webhook drain, Outbound Message delivery, then every job due at that instant.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from handoff.app import create_app
from handoff.clock import ManualClock
from handoff.config import HandoffConfig, validate_document
from handoff.demo import BACKFILL_MIN_SECONDS, OUTBOUND_MESSAGES, OUTBOUND_PATH, WEBHOOK_PATH
from handoff.demo_config import WEBHOOK_HEADER, demo_config
from handoff.runtime import Runtime
from handoff.settings import Settings
from handoff.wiring import Assembly, assemble
from sandbox.marketo import MarketoState
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce import OutboundSender, SalesforceState
from sandbox.salesforce import create_app as salesforce_app
from sandbox.salesforce.server import ensure_apps
from sandbox.world import Behaviour, WebhookSettings, World, WorldSize
from tests.support.servers import free_port, serve_app

MARKETO_ID = "handoff-world-test"


@dataclass
class WorldDeployment:
    world: World
    clock: ManualClock
    salesforce: SalesforceState
    marketo: MarketoState
    sender: OutboundSender
    runtime: Runtime
    assembly: Assembly
    config: HandoffConfig
    described: dict[str, Any]
    last_run: dict[str, datetime] = field(default_factory=dict)

    async def live_until(self, ends: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        """Step the shared clock to ``ends``, running Handoff's jobs between steps as the demo does."""
        moment = self.clock()
        while moment < ends:
            moment = min(ends, moment + step)
            self.clock.set(moment)
            happened = self.world.advance(moment)
            await self.marketo.webhooks.drain()
            if self._outbound_due(moment):
                await asyncio.to_thread(self.sender.deliver_due)
            for name, seconds, job in self.assembly.jobs:
                previous = self.last_run.get(name)
                interval = max(seconds, BACKFILL_MIN_SECONDS.get(name, 0.0))
                quiet_poll = name.startswith("sync.poll.") and not happened
                if quiet_poll or (previous is not None and (moment - previous).total_seconds() < interval):
                    continue
                self.last_run[name] = moment
                await job()

    def _outbound_due(self, now: datetime) -> bool:
        with self.salesforce.lock:
            return bool(self.salesforce.outbound_queue.due(now))


@asynccontextmanager
async def a_world_deployment(
    engine: Engine,
    clock: ManualClock,
    tmp_path: Path,
    *,
    seed: int,
    size: WorldSize,
    behaviour: Behaviour,
) -> AsyncIterator[WorldDeployment]:
    """The demo's arrangement on ``engine``: the world starts (and its seeded history ends) at ``clock()``."""
    sf_port, mk_port, service_port = free_port(), free_port(), free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    webhook_secret = secrets.token_urlsafe(24)
    marketo_secret = secrets.token_urlsafe(24)
    salesforce = SalesforceState(clock=clock, daily_api_limit=250_000)
    marketo = MarketoState(clock=clock, client_id=MARKETO_ID, client_secret=marketo_secret)
    world = World.create(
        seed,
        start=clock(),
        salesforce=salesforce,
        marketo=marketo,
        size=size,
        behaviour=behaviour,
        webhook=WebhookSettings(url=service_url + WEBHOOK_PATH, secret=webhook_secret, header=WEBHOOK_HEADER),
        clock=clock,
    )
    salesforce.settings.instance_url = f"http://127.0.0.1:{sf_port}"
    salesforce.settings.login_url = f"http://localhost:{sf_port}"
    salesforce.settings.login_hosts = {"localhost"}
    keys = tmp_path / "salesforce"
    keys.mkdir()
    consumer_key, key_file, _, _ = ensure_apps(salesforce, keys)
    for sobject, fields, criteria in OUTBOUND_MESSAGES:
        salesforce.add_outbound_message(sobject, service_url + OUTBOUND_PATH, fields, criteria=criteria)
    integration = salesforce.get(salesforce.integration_user_id) or {}
    described = world.describe()
    document = demo_config(
        described,
        salesforce_login_url=salesforce.settings.login_url,
        consumer_key=consumer_key,
        username=str(integration.get("Username")),
        marketo_url=f"http://127.0.0.1:{mk_port}",
        marketo_client_id=MARKETO_ID,
        service_url=service_url,
    )
    config = validate_document(document, "world test config")
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="world-test-secret-key-0123456789",
        run_scheduler=False,
        public_url=service_url,
        salesforce_private_key=Path(key_file).read_text(encoding="utf-8"),
        marketo_client_secret=marketo_secret,
        marketo_webhook_secret=webhook_secret,
    )
    runtime = Runtime(settings=settings, config=config, engine=engine, clock=clock)
    async with AsyncExitStack() as stack:
        stack.callback(world.close)
        stack.enter_context(serve_app(salesforce_app(salesforce, run_outbound=False), sf_port))
        stack.enter_context(serve_app(marketo_app(marketo, deliver_webhooks=False), mk_port))
        assembly = assemble(runtime)
        stack.push_async_callback(assembly.aclose)
        stack.enter_context(serve_app(create_app(runtime, start_scheduler=False), service_port))
        sender = OutboundSender(salesforce)
        stack.callback(sender.close)
        yield WorldDeployment(world, clock, salesforce, marketo, sender, runtime, assembly, config, described)
