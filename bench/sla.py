"""SLA scale: one scheduler tick over 100,000 open clocks, and first-touch matching over 1,000,000 Tasks.

    .venv/bin/python bench/sla.py [--clocks 100000] [--due 1000] [--tasks 1000000]
                                  [--database-url postgresql://postgres@127.0.0.1:5432/test]

Seeds a fresh database (a temp SQLite file, or a new schema on PostgreSQL) with ``--clocks`` routed
handoffs and their open clocks, loaded through the bulk insert path, with next-step times spread over
the coming three business days and ``--due`` of them due now. The tick is ``sla.jobs.tick`` as the
scheduler runs it: the due clocks come from ``ix_sla_clock_next_step``; each runs its reminder step
(step run, notice, Slack payload into the outbox). Then ``--tasks`` Task records, generated page by page
like the Salesforce poller reads them (2,000 a page; most on leads without an open clock, a share on
open-clock leads, with integration-user, automated, pre-routing and Handoff-written ones mixed in), go
through ``sla.service.record_touches``: the indexed WhoId lookup, the pure matcher and the stored
touches. The pure matcher alone is timed too over the same records. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import handoff.models  # noqa: F401  (registers every table)
from handoff.clock import ManualClock
from handoff.db import make_db_engine, normalise_url
from routing.models import Handoff
from sla import repository
from sla.config import SlaConfig
from sla.jobs import tick
from sla.models import SlaClock
from sla.notify.registry import build_channels
from sla.policy import compile_rules
from sla.ports import Person
from sla.service import SlaContext, record_touches
from sla.touch import OpenClock, match_touches
from sla.twins import InMemoryDirectory

NOW = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # Monday, 14:00 in Berlin
PAGE = 2_000
INSERT_BATCH = 5_000
INTEGRATION = "005000000009999AAA"
REPS = [f"005{n:012d}AAA" for n in range(1, 51)]
MANAGERS = [f"005{n:012d}MGR" for n in range(1, 6)]

CONFIG = {
    "calendars": {"emea": {"time_zone": "Europe/Berlin"}},
    "touch": {"integration_user_ids": [INTEGRATION]},
    "channels": {"sdr_slack": {"type": "slack"}},
    "links": {
        "salesforce_url": "https://acme.my.salesforce.com",
        "lead_page": "https://handoff.acme.example/leads/{handoff_id}",
    },
    "policies": {
        "tier_a": {
            "first_touch": "4h",
            "calendar": "emea",
            "ladder": [
                {"at": "50%", "action": "remind", "notify": [{"to": "owner", "via": ["sdr_slack"]}]},
                {"at": "due", "action": "breach", "notify": [{"to": "owner", "via": ["sdr_slack"]}]},
            ],
        }
    },
}


def lead_id(n: int) -> str:
    return f"00Q{n:012d}AAA"


def a_directory() -> InMemoryDirectory:
    directory = InMemoryDirectory([Person(m, f"Manager {i}") for i, m in enumerate(MANAGERS)])
    for i, rep in enumerate(REPS):
        directory.add(
            Person(rep, f"Rep {i}", f"rep{i}@acme.example", MANAGERS[i % 5], "Europe/Berlin", f"U{i:05d}",
                   (f"team_{i % 5}",))
        )  # fmt: skip
    return directory


@contextmanager
def fresh_engine(url: str | None) -> Iterator[Engine]:
    if not url:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_db_engine(f"sqlite:///{Path(tmp) / 'bench-sla.sqlite'}")
            SQLModel.metadata.create_all(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_db_engine(url, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_db_engine(normalise_url(url), connect_args={"options": f"-csearch_path={schema}"})
    try:
        SQLModel.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(engine: Engine, ctx: SlaContext, clocks: int, due: int, rng: random.Random) -> None:
    """Routed handoffs with open clocks; ``due`` of them have their reminder due now."""
    policy = ctx.rules.policies["tier_a"]
    measure = policy.measure("Europe/Berlin")
    due_ids = set(rng.sample(range(1, clocks + 1), due))
    with engine.begin() as connection:
        for start in range(1, clocks + 1, INSERT_BATCH):
            numbers = range(start, min(start + INSERT_BATCH, clocks + 1))
            handoffs, rows = [], []
            for n in numbers:
                owner = REPS[n % len(REPS)]
                if n in due_ids:  # routed 2.5 h ago: the 50 % reminder of a 4 h target is due now
                    routed = NOW - timedelta(hours=2, minutes=30)
                else:  # routed in the last few minutes, or already reminded and waiting for due
                    routed = NOW - timedelta(minutes=rng.uniform(0, 110))
                due_at = measure.add(routed, policy.target_seconds)
                handoffs.append(
                    {"id": n, "email": f"lead{n}@prospect.example", "company": f"Prospect {n}", "state": "routed",
                     "segment": "demo_request", "sla_policy": "tier_a", "owner_id": owner, "sfdc_lead_id": lead_id(n),
                     "mql_at": routed, "route_ready_at": routed, "routed_at": routed, "due_at": due_at,
                     "breached": False, "updated_at": routed}
                )  # fmt: skip
                rows.append(
                    {"handoff_id": n, "sequence": 1, "policy": "tier_a", "mode": "business",
                     "time_zone": "Europe/Berlin", "target_seconds": policy.target_seconds, "owner_id": owner,
                     "reassignments": 0, "started_at": routed, "route_ready_at": routed, "due_at": due_at,
                     "status": "open", "next_step_index": 0,
                     "next_step_at": policy.fire_at(policy.steps[0], measure, routed), "breached": False,
                     "created_at": routed}
                )  # fmt: skip
            connection.execute(insert(Handoff), handoffs)
            connection.execute(insert(SlaClock), rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def task_pages(total: int, clocks: int, rng: random.Random) -> Iterator[list[dict[str, Any]]]:
    """Task records page by page: 2 % on open-clock leads (some not touches), the rest on other leads."""
    serial = 0
    while serial < total:
        page = []
        for _ in range(min(PAGE, total - serial)):
            serial += 1
            on_clock = rng.random() < 0.02
            n = rng.randint(1, clocks) if on_clock else clocks + rng.randint(1, 5_000_000)
            creator = REPS[n % len(REPS)] if rng.random() < 0.9 else rng.choice(REPS)
            minutes = rng.uniform(-30, 0) if on_clock else rng.uniform(-600, 0)
            kind = rng.random()
            record = {
                "attributes": {"type": "Task"},
                "Id": f"00T{serial:012d}AAA",
                "WhoId": lead_id(n),
                "OwnerId": creator,
                "CreatedById": INTEGRATION if kind < 0.05 else creator,
                "CreatedDate": NOW + timedelta(minutes=minutes),
                "TaskSubtype": "ListEmail" if kind > 0.97 else rng.choice(("Call", "Email", "Task")),
                "Type": rng.choice(("Call", "Email", None)),
                "Subject": "[Handoff] follow up" if 0.05 <= kind < 0.06 else "Call about the demo",
            }
            page.append(record)
        yield page


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    sla_config = SlaConfig.model_validate(CONFIG)
    channels = build_channels(sla_config, slack_webhook_url="http://127.0.0.1:9/services/T/B/bench")
    ctx = SlaContext(compile_rules(sla_config), a_directory(), channels)
    with fresh_engine(args.database_url) as engine:

        def session_factory() -> Session:
            return Session(engine, expire_on_commit=False)

        started = time.perf_counter()
        seed(engine, ctx, args.clocks, args.due, rng)
        seed_seconds = time.perf_counter() - started

        with session_factory() as session:
            open_clocks = repository.open_clock_count(session)
        started = time.perf_counter()
        report = tick(session_factory, ManualClock(NOW), ctx, batch=args.due or 1)
        tick_seconds = time.perf_counter() - started
        started = time.perf_counter()
        idle = tick(session_factory, ManualClock(NOW), ctx)
        idle_tick_seconds = time.perf_counter() - started

        match_seconds = 0.0
        touched = 0
        counts: dict[str, int] = {}
        for page in task_pages(args.tasks, args.clocks, random.Random(11)):
            started = time.perf_counter()
            with session_factory() as session:
                result = record_touches(session, ctx, page, now=NOW)
                session.commit()
            match_seconds += time.perf_counter() - started
            touched += result.touched
            for reason, count in result.counts.items():
                counts[reason] = counts.get(reason, 0) + count

        # The pure matcher alone, over the same records, against every open clock of the seed.
        by_who = {
            lead_id(n): [OpenClock(n, REPS[n % len(REPS)], NOW - timedelta(hours=3))]
            for n in range(1, args.clocks + 1)
        }
        known = set(REPS) | {INTEGRATION}
        pure_seconds = 0.0
        for page in task_pages(args.tasks, args.clocks, random.Random(11)):
            started = time.perf_counter()
            match_touches(page, by_who, ctx.rules.touch, known.__contains__)
            pure_seconds += time.perf_counter() - started

        with session_factory() as session:
            still_open = session.execute(
                select(func.count()).select_from(SlaClock).where(SlaClock.status == "open")
            ).scalar()
    return {
        "database": engine.dialect.name,
        "open_clocks": open_clocks,
        "due_clocks": report.due_clocks,
        "steps": report.steps,
        "tick_seconds": round(tick_seconds, 3),
        "idle_tick_seconds": round(idle_tick_seconds, 4),
        "idle_tick_due": idle.due_clocks,
        "tasks": args.tasks,
        "touched": touched,
        "match_seconds": round(match_seconds, 3),
        "tasks_per_second": round(args.tasks / match_seconds) if match_seconds else None,
        "pure_match_seconds": round(pure_seconds, 3),
        "open_after_touches": still_open,
        "outcomes": dict(sorted(counts.items())),
        "seed_seconds": round(seed_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument(
        "--due", type=int, default=1_000, help="open clocks whose next step is due at the tick"
    )
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL; a temp SQLite file otherwise")
    args = parser.parse_args()
    if not 0 <= args.due <= args.clocks:
        parser.error("--due must be between 0 and --clocks")
    print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
