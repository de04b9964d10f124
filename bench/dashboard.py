"""Dashboard page speed on a large history: seed N handoffs (with their events) fast, then time every page.

    .venv/bin/python bench/dashboard.py [--handoffs 1000000] [--database-url URL] [--days 365] [--runs 5]

Seeds with the dashboard's realistic sample builder through the database's own bulk path (COPY on
PostgreSQL, one executemany transaction on SQLite), runs ANALYZE, starts the real app in-process, logs in
through the real login form, and requests each page ``--runs`` times after one warm-up. The server time
of a page is what the page itself reports in its ``Server-Timing`` header (handler time, no network).
The last line printed is one JSON object:
``{"handoffs": N, "database": "sqlite|postgresql", "pages_ms": {page: median server ms}, ...}``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as ``python bench/dashboard.py``, this file's folder comes first on sys.path and its name would hide
# the ``dashboard`` package: take the folder off before importing anything of Handoff.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import handoff.models  # noqa: E402,F401  (registers every table)
from dashboard.auth.service import UserService  # noqa: E402
from dashboard.sample import SampleWorld  # noqa: E402
from handoff.clock import ManualClock  # noqa: E402
from handoff.db import make_db_engine, normalise_url  # noqa: E402

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PAGES = {
    "overview": "/dashboard/",
    "speed": "/dashboard/speed?by=owner",
    "sla": "/dashboard/sla",
    "leakage": "/dashboard/leakage",
    "conversion": "/dashboard/conversion",
    "leads": "/dashboard/leads?metric=leaked",
    "lead": "/dashboard/leads/{lead_id}",
    "ops_config": "/dashboard/ops/config",
    "ops_deadletters": "/dashboard/ops/dead-letters",
    "ops_sync": "/dashboard/ops/sync",
}
FILTERED_PAGES = {"overview", "speed", "sla", "leakage", "conversion", "leads"}
BATCH = 20_000


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _postgres_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


class BulkLoader:
    """Writes rows straight through the driver: the fastest path each database offers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.raw = engine.raw_connection()
        self.postgres = engine.dialect.name == "postgresql"
        if not self.postgres:
            self.raw.execute("PRAGMA synchronous=OFF")

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        cursor = self.raw.cursor()
        if self.postgres:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_postgres_value(row[name]) for name in columns])
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [[_sqlite_value(row[name]) for name in columns] for row in rows],
            )
        cursor.close()

    def finish(self) -> None:
        self.raw.commit()
        cursor = self.raw.cursor()
        if self.postgres:
            for table in ("config_version", "handoff", "handoff_event"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            self.raw.commit()
            cursor.close()
            driver = self.raw.driver_connection
            driver.autocommit = True
            cursor = driver.cursor()
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            self.raw.commit()
        cursor.close()
        self.raw.close()


def seed(engine: Engine, handoffs: int, days: int) -> tuple[int, int, float]:
    started = time.perf_counter()
    world = SampleWorld(seed=11, now=NOW, days=days, handoffs=handoffs)
    loader = BulkLoader(engine)
    loader.write("config_version", world.versions)
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    count = event_count = 0
    for row, row_events in world.handoffs():
        rows.append(row)
        events.extend(row_events)
        if len(rows) >= BATCH:
            loader.write("handoff", rows)
            loader.write("handoff_event", events)
            count, event_count = count + len(rows), event_count + len(events)
            rows, events = [], []
    loader.write("handoff", rows)
    loader.write("handoff_event", events)
    count, event_count = count + len(rows), event_count + len(events)
    loader.finish()
    return count, event_count, time.perf_counter() - started


def server_ms(response: Any) -> float:
    match = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    if response.status_code != 200 or not match:
        raise RuntimeError(f"{response.request.url}: HTTP {response.status_code} {response.text[:300]}")
    return float(match.group(1))


def measure(engine: Engine, runs: int, data_dir: Path, range_days: int | None = None) -> dict[str, float]:
    from handoff.app import create_app
    from handoff.config import HandoffConfig
    from handoff.runtime import Runtime
    from handoff.settings import Settings

    settings = Settings(data_dir=data_dir, secret_key="bench-" + uuid.uuid4().hex, run_scheduler=False)
    runtime = Runtime(settings=settings, config=HandoffConfig(), engine=engine, clock=ManualClock(NOW))
    with Session(engine) as session:
        UserService(session, runtime.clock).add("bench-ops", "bench-password", "ops")
        session.commit()
        lead_id = session.execute(text("SELECT max(id) FROM handoff")).scalar()
    pages_ms: dict[str, float] = {}
    with TestClient(create_app(runtime, start_scheduler=False)) as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token, "the login form has no CSRF token"
        client.post(
            "/login",
            data={"username": "bench-ops", "password": "bench-password", "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        for name, path in PAGES.items():
            url = path.format(lead_id=lead_id)
            if range_days and name in FILTERED_PAGES:
                url += ("&" if "?" in url else "?") + f"days={range_days}"
            server_ms(client.get(url))  # warm-up: first-use compilation and page cache
            timings = [server_ms(client.get(url)) for _ in range(runs)]
            pages_ms[name] = round(statistics.median(timings), 1)
    return pages_ms


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temp dir")
    parser.add_argument("--days", type=int, default=365, help="history length the handoffs are spread over")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--range-days", type=int, default=None, help="date range of the pages (default: their own, 30 days)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        schema = None
        if url.startswith(("postgres", "postgresql")):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_db_engine(url, pool_size=1, max_overflow=0)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = make_db_engine(normalise_url(url), connect_args={"options": f"-csearch_path={schema}"})
        else:
            engine = make_db_engine(url)
        try:
            SQLModel.metadata.create_all(engine)
            count, events, seed_seconds = seed(engine, args.handoffs, args.days)
            print(f"seeded {count} handoffs and {events} events in {seed_seconds:.0f} s", file=sys.stderr)
            pages_ms = measure(engine, args.runs, Path(tmp) / "data", args.range_days)
        finally:
            engine.dispose()
            if schema is not None:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    for name, value in pages_ms.items():
        print(f"{name:>16}: {value:7.1f} ms", file=sys.stderr)
    print(
        json.dumps(
            {
                "handoffs": count,
                "database": engine.dialect.name,
                "pages_ms": pages_ms,
                "events": events,
                "days": args.days,
                "range_days": args.range_days or 30,
                "seed_seconds": round(seed_seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
