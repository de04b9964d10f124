"""``handoff demo``: both sandboxes, a seeded world and the service, living together on one laptop.

The world is created ``days`` in the past and lived forward to now on one ``ManualClock`` shared by the
world, both emulators and Handoff, with Handoff's jobs run between steps: so the history the dashboard
shows was routed, clocked and escalated by Handoff itself at the right past instants, over real HTTP
to the emulators. Then the clock switches to real time, the scheduler takes over, and the world keeps
living. The demo rebuilds its world at each start (same seed, same organisation) in ``data_dir``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from handoff.clock import Clock, ManualClock, utcnow
from handoff.config import validate_document
from handoff.demo_config import WEBHOOK_HEADER, demo_config
from handoff.runtime import Runtime, StartupError, prepare_database
from handoff.settings import Settings

log = logging.getLogger(__name__)

OUTBOUND_PATH = "/hooks/salesforce/outbound-messages"
WEBHOOK_PATH = "/hooks/marketo/webhook"
# What Salesforce tells Handoff about, as the admin would configure Outbound Messages (DESIGN.md flows).
OUTBOUND_MESSAGES: tuple[tuple[str, list[str], Any], ...] = (
    ("Lead", ["IsConverted", "ConvertedContactId", "ConvertedAccountId", "Email"], {"IsConverted": True}),
    ("Opportunity", ["StageName", "IsClosed", "IsWon", "AccountId"], {"IsClosed": True}),
    ("Account", ["Name"], ()),
)
DEMO_USER = "demo"
# During the back-fill a step is minutes long, so jobs whose data barely moves run less often than live.
BACKFILL_MIN_SECONDS = {
    "sla.refresh_directory": 86_400.0,
    "routing.refresh_mirror": 3_600.0,
    "routing.sweep_holds": 3_600.0,
    "sla.start_missing_clocks": 3_600.0,
    "handoff.owner_names": 3_600.0,
}


class DemoClock:
    """One clock for everything: a ManualClock during the back-fill, then the system clock."""

    def __init__(self, source: Clock) -> None:
        self._source = source

    def __call__(self) -> datetime:
        return self._source()

    def use(self, source: Clock) -> None:
        if source() < self._source():
            raise ValueError("the demo clock never goes backwards")
        self._source = source


def _port_or_free(preferred: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _outbound_due(sender: Any, now: datetime) -> bool:
    """Whether the Salesforce sandbox has Outbound Messages to send now (a cheap look at its queue)."""
    state = sender.state
    with state.lock:
        return bool(state.outbound_queue.due(now))


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Demo:
    port: int
    data_dir: Path
    seed: int
    days: float
    step: timedelta = timedelta(minutes=15)
    servers: list[uvicorn.Server] = field(default_factory=list)

    async def run(self) -> None:
        from sandbox.marketo import MarketoState
        from sandbox.marketo import create_app as marketo_app
        from sandbox.salesforce import OutboundSender, SalesforceState
        from sandbox.salesforce import create_app as salesforce_app
        from sandbox.salesforce.server import ensure_apps
        from sandbox.world import WebhookSettings, World

        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.data_dir.glob("handoff.sqlite*"):
            stale.unlink()
        sf_port = _port_or_free(self.port + 100)
        mk_port = _port_or_free(self.port + 200)
        service_url = f"http://127.0.0.1:{self.port}"
        ends = utcnow()
        starts = ends - timedelta(days=self.days)
        manual = ManualClock(starts)
        clock = DemoClock(manual)

        _say(f"Seeding the world (seed {self.seed}) …")
        webhook_secret = secrets.token_urlsafe(24)
        marketo_secret = secrets.token_urlsafe(24)
        salesforce = SalesforceState(clock=clock, daily_api_limit=250_000)
        marketo = MarketoState(clock=clock, client_id="handoff-demo", client_secret=marketo_secret)
        world = World.create(
            self.seed,
            start=starts,
            salesforce=salesforce,
            marketo=marketo,
            webhook=WebhookSettings(
                url=service_url + WEBHOOK_PATH, secret=webhook_secret, header=WEBHOOK_HEADER
            ),
            clock=clock,
        )
        salesforce.settings.instance_url = f"http://127.0.0.1:{sf_port}"
        salesforce.settings.login_url = f"http://localhost:{sf_port}"
        salesforce.settings.login_hosts = {"localhost"}
        keys = self.data_dir / "salesforce"
        keys.mkdir(exist_ok=True)
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
            marketo_client_id="handoff-demo",
            service_url=service_url,
        )
        config = validate_document(document, "demo config")
        (self.data_dir / "handoff.yaml").write_text(
            "# Written by `handoff demo` from the synthetic world; secrets are in the environment, not here.\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        settings = Settings(
            data_dir=self.data_dir,
            database_url=f"sqlite:///{self.data_dir / 'handoff.sqlite'}",
            run_scheduler=False,
            public_url=service_url,
            salesforce_private_key=Path(key_file).read_text(encoding="utf-8"),
            marketo_client_secret=marketo_secret,
            marketo_webhook_secret=webhook_secret,
        )
        engine = prepare_database(settings, migrate=True)
        runtime = Runtime(settings=settings, config=config, engine=engine, clock=clock)
        password = self._demo_user(runtime)

        from handoff.app import create_app
        from handoff.wiring import assemble

        assembly = assemble(runtime)
        sender = OutboundSender(salesforce)
        await self._serve(salesforce_app(salesforce, run_outbound=False), sf_port)
        await self._serve(marketo_app(marketo, deliver_webhooks=False), mk_port)
        await self._serve(create_app(runtime, start_scheduler=False), self.port)
        _say(
            f"\nHandoff demo: {service_url}  (log in as {DEMO_USER} / {password})\n"
            f"  Salesforce sandbox: http://127.0.0.1:{sf_port}   Marketo sandbox: http://127.0.0.1:{mk_port}\n"
            f"  Config: {self.data_dir / 'handoff.yaml'}   Database: {self.data_dir / 'handoff.sqlite'}\n"
        )
        try:
            await self._backfill(world, manual, marketo, sender, assembly.jobs, ends)
            clock.use(utcnow)
            _say("History done: the world now lives in real time. Ctrl-C stops the demo.")
            await self._live(world, marketo, sender, runtime)
        finally:
            for server in self.servers:
                server.should_exit = True
            await asyncio.sleep(0.2)
            sender.close()
            world.close()
            await assembly.aclose()
            engine.dispose()

    def _demo_user(self, runtime: Runtime) -> str:
        from dashboard.auth import UserService

        password = secrets.token_urlsafe(9)
        with runtime.session_factory() as session:
            users = UserService(session, runtime.clock)
            users.add(DEMO_USER, password, "admin")
            session.commit()
        (self.data_dir / "demo-login.txt").write_text(f"{DEMO_USER} / {password}\n", encoding="utf-8")
        return password

    async def _serve(self, app: Any, port: int) -> None:
        server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False
            )
        )
        # Several servers share this loop; the demo handles Ctrl-C itself.
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        asyncio.get_running_loop().create_task(server.serve())
        self.servers.append(server)
        while not server.started:
            await asyncio.sleep(0.02)

    async def _backfill(
        self,
        world: Any,
        manual: ManualClock,
        marketo: Any,
        sender: Any,
        jobs: list[tuple[str, float, Callable[[], Awaitable[Any]]]],
        ends: datetime,
    ) -> None:
        """Live the history step by step, running Handoff's jobs at each step as the scheduler would."""
        began = time.monotonic()
        last_run: dict[str, datetime] = {}
        spent: dict[str, float] = {"world": 0.0, "deliveries": 0.0}
        moment = manual()
        day_printed = moment.date()
        _say(
            f"Back-filling {self.days:g} days of history in {self.step.total_seconds() / 60:g}-minute steps …"
        )
        while moment < ends:
            moment = min(ends, moment + self.step)
            manual.set(moment)
            mark = time.monotonic()
            happened = world.advance(moment)
            spent["world"] += time.monotonic() - mark
            mark = time.monotonic()
            await marketo.webhooks.drain()
            if _outbound_due(sender, moment):
                await asyncio.to_thread(sender.deliver_due)
            spent["deliveries"] += time.monotonic() - mark
            for name, seconds, job in jobs:
                quiet_poll = name.startswith("sync.poll.") and not happened
                previous = last_run.get(name)
                interval = max(seconds, BACKFILL_MIN_SECONDS.get(name, 0.0))
                if quiet_poll or (previous is not None and (moment - previous).total_seconds() < interval):
                    continue
                last_run[name] = moment
                mark = time.monotonic()
                await job()
                spent[name] = spent.get(name, 0.0) + time.monotonic() - mark
            if moment.date() != day_printed:
                day_printed = moment.date()
                elapsed = time.monotonic() - began
                _say(f"  {day_printed.isoformat()}  world: {dict(world.stats)}  ({elapsed:.0f}s)")
        slowest = sorted(spent.items(), key=lambda item: -item[1])[:6]
        _say("  time spent: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in slowest))

    async def _live(self, world: Any, marketo: Any, sender: Any, runtime: Runtime) -> None:
        from handoff.scheduler import build_scheduler

        scheduler = build_scheduler(runtime)
        scheduler.start()
        try:
            while not any(server.should_exit for server in self.servers):
                world.tick()
                await marketo.webhooks.drain()
                await asyncio.to_thread(sender.deliver_due)
                await asyncio.sleep(2)
        finally:
            scheduler.shutdown(wait=False)


def run_demo(*, port: int, data_dir: Path, seed: int, days: float) -> None:
    """Run until Ctrl-C; start-up problems surface as ``StartupError`` with a clear message."""
    if days < 0:
        raise StartupError("--days must be zero or more")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise StartupError(
                f"port {port} is already in use: stop what uses it, or pass --port N"
            ) from None
    demo = Demo(port=port, data_dir=data_dir, seed=seed, days=days)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(demo.run())
