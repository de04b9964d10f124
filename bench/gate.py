"""Gate throughput with realistic dedupe and matching, and the time to replay 90 days of handoffs.

    .venv/bin/python bench/gate.py [--people 100000] [--existing 1000000] [--accounts 50000]
                                   [--database-url postgresql://postgres@127.0.0.1:5432/test]

Seeds a fresh database (a temp SQLite file, or a new schema on PostgreSQL) with ``--existing``
Salesforce Leads/Contacts in the dedupe mirror and ``--accounts`` Accounts, loaded through each
database's bulk path. Then, for ``--people`` qualified people (a third of them duplicates of existing
records under case / plus-tag / Gmail-dot variants, many at account domains or with misspelt company
names), it measures full decisions: the batched context lookup (two indexed queries per 500 people,
the in-memory account index with fuzzy names) plus the gate. The decisions are then stored as 90 days
of handoffs with their snapshots, and ``routing.simulate`` replays them under a changed config.
A second, smaller pass runs ``RoutingService.evaluate`` (snapshots, events, projection, commit per
batch) to show the stored path too. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import handoff.models  # noqa: F401  (registers every table)
from handoff.clock import ManualClock
from handoff.db import make_db_engine, normalise_url
from routing.config import RoutingConfig
from routing.ids import checksum_suffix
from routing.lookup import ContextLookup, person_keys
from routing.mirror import load_account_index
from routing.models import Handoff, PersonSnapshot, SalesforceAccount, SalesforceRecord
from routing.normalise import email_key
from routing.service import ActiveConfig, Qualified, RoutingService, storable
from routing.simulate import simulate

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BATCH = 500
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
COUNTRIES = (
    "Germany",
    "France",
    "United Kingdom",
    "US",
    "United States",
    "Canada",
    "Japan",
    "Brazil",
    "DE",
    "FR",
)
SOURCES = ("Demo Request", "Contact Sales", "Webinar", "Ebook", "Trade Show", "Organic")
WORDS = ("Analytics", "Systems", "Logistics", "Health", "Energy", "Robotics", "Foods", "Media", "Capital", "Labs",
         "Software", "Networks", "Bio", "Retail", "Mobility", "Cloud", "Security", "Textiles", "Pharma", "Motors")  # fmt: skip
LEGAL = ("Inc", "GmbH", "Ltd", "LLC", "SA", "AG", "", "", "Corp", "BV")


def sf_id(prefix: str, number: int) -> str:
    id15 = f"{prefix}{number:012d}"
    return id15 + checksum_suffix(id15)


USERS = [sf_id("005", n) for n in range(1, 201)]
QUEUES = [sf_id("00G", n) for n in range(1, 6)]
RULE = sf_id("01Q", 1)


def bench_config(score: int = 60, emea_queue: str = QUEUES[0]) -> RoutingConfig:
    return RoutingConfig.model_validate(
        {
            "custom_fields": {"behaviorScore": {"kind": "number"}},
            "required_fields": ["email", "company", "country", {"any_of": ["phone", "mobilePhone"]}],
            "score": {"thresholds": {"leadScore": score}, "cooldown_days": 30},
            "exclusions": {"competitor_domains": ["rival.com"], "test_patterns": [r"(?i)\btest\b"]},
            "regions": {
                "EMEA": ["Germany", "DE", "France", "FR", "United Kingdom"],
                "NA": ["US", "United States", "Canada"],
            },
            "size_bands": [
                {"name": "smb", "max_employees": 199},
                {"name": "mid", "max_employees": 999},
                {"name": "ent"},
            ],
            "intents": {"high": ["Demo Request", "Contact Sales"], "low": ["Webinar", "Ebook"]},
            "segments": [
                {
                    "name": "tier_a",
                    "when": {"size_bands": ["ent"], "intents": ["high"]},
                    "target": {"assignment_rule": RULE},
                },
                {"name": "emea", "when": {"regions": ["EMEA"]}, "target": {"queue": emea_queue}},
                {"name": "na", "when": {"regions": ["NA"]}, "target": {"owner": USERS[1]}},
            ],
            "fallback_queue": QUEUES[2],
        }
    )


class World:
    """A deterministic synthetic org: accounts with domains, and existing people addressable by number."""

    def __init__(self, accounts: int, existing: int, seed: int = 7) -> None:
        self.random = random.Random(seed)
        fake = Faker()
        Faker.seed(seed)
        self.last_names = list(dict.fromkeys(fake.last_name() for _ in range(3000)))
        self.first_names = list(dict.fromkeys(fake.first_name() for _ in range(600)))
        self.accounts: list[tuple[str, str, str, str]] = []  # id, name, domain, owner
        seen: set[str] = set()
        for n in range(accounts):
            last, word = self.random.choice(self.last_names), self.random.choice(WORDS)
            name = f"{last} {word} {self.random.choice(LEGAL)}".strip()
            domain = f"{last}{word}".lower().replace("'", "") + ".com"
            if domain in seen:
                domain = f"{last}{word}{n}".lower().replace("'", "") + ".com"
            seen.add(domain)
            self.accounts.append((sf_id("001", n + 1), name, domain, self.random.choice(USERS)))
        self.existing = existing

    def email_of(self, number: int) -> str:
        first = self.first_names[number % len(self.first_names)]
        last = self.last_names[(number // 7) % len(self.last_names)]
        if number % 10 < 7:
            domain = self.accounts[number % len(self.accounts)][2]
        else:
            domain = FREE_MAIL[number % len(FREE_MAIL)]
        return f"{first}.{last}{number}@{domain}".lower()

    def existing_rows(self) -> Iterator[tuple[Any, ...]]:
        for number in range(self.existing):
            sobject = "Contact" if number % 4 == 0 else "Lead"
            email = self.email_of(number)
            account = self.accounts[number % len(self.accounts)][0] if sobject == "Contact" else None
            record_id = sf_id("003" if sobject == "Contact" else "00Q", number + 1)
            converted = sobject == "Lead" and number % 50 == 1
            modified = NOW - timedelta(minutes=number % 100_000)
            yield (
                record_id,
                sobject,
                email,
                email_key(email),
                USERS[number % len(USERS)],
                account,
                converted,
                modified,
            )

    def person(self, marketo_id: int) -> dict[str, Any]:
        r = self.random
        roll = r.random()
        account = r.choice(self.accounts)
        company = account[1]
        if roll < 0.33:  # an existing Salesforce person, typed differently
            email = self.email_of(r.randrange(self.existing))
            local, domain = email.split("@")
            if domain == "gmail.com":
                local = ".".join(local.replace(".", ""))[:40]
            variant = r.random()
            email = (
                (local.upper() if variant < 0.3 else f"{local}+news" if variant < 0.6 else local)
                + "@"
                + domain
            )
        elif roll < 0.70:  # someone new at an account's domain
            email = (
                f"{r.choice(self.first_names)}.{r.choice(self.last_names)}{marketo_id}@{account[2]}".lower()
            )
        elif roll < 0.85:  # someone new at an unknown domain whose company name is a typo of an account's
            email = f"p{marketo_id}@new{marketo_id}.io"
            company = company.replace("s", "z", 1) if r.random() < 0.5 else company.upper()
        elif roll < 0.95:  # free mail
            email = f"p{marketo_id}@{r.choice(FREE_MAIL)}"
        else:  # broken or excluded
            email = r.choice(
                [f"test{marketo_id}@acme.com", f"x{marketo_id}@rival.com", "not an email", "", "a" * 500]
            )
        person: dict[str, Any] = {
            "id": marketo_id,
            "email": email,
            "firstName": r.choice(self.first_names),
            "lastName": r.choice(self.last_names),
            "company": company,
            "country": r.choice(COUNTRIES),
            "title": r.choice(("CTO", "VP Sales", "Engineer", "Head of Marketing")),
            "leadScore": r.randint(30, 100),
            "numberOfEmployees": r.choice((10, 150, 600, 2500, 12000)),
            "leadSource": r.choice(SOURCES),
        }
        if r.random() < 0.9:
            person["phone"] = f"+49 30 {marketo_id:07d}"
        return person


def open_database(url: str | None) -> tuple[Engine, str, Any]:
    if not url:
        path = Path(tempfile.mkdtemp(prefix="handoff-bench-")) / "bench.sqlite"
        return make_db_engine(f"sqlite:///{path}"), "sqlite", None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_db_engine(url, pool_size=1, max_overflow=0)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_db_engine(normalise_url(url), connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, "postgresql", drop


def bulk_load(engine: Engine, table: Any, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL; chunked executemany in one transaction on SQLite."""
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(dict(zip(columns, row, strict=True)))
            if len(chunk) >= 20_000:
                connection.execute(insert(table), chunk)
                chunk = []
        if chunk:
            connection.execute(insert(table), chunk)


def analyze(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--stored-people", type=int, default=5_000, help="people for the stored-path pass")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    engine, database, cleanup = open_database(args.database_url)
    try:
        result = run(engine, database, args)
    finally:
        if cleanup is not None:
            cleanup()
    print(json.dumps(result))


def run(engine: Engine, database: str, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    SQLModel.metadata.create_all(engine)
    world = World(args.accounts, args.existing)
    record_columns = [
        "id",
        "sobject",
        "email",
        "email_key",
        "owner_id",
        "account_id",
        "is_converted",
        "modified_at",
    ]
    bulk_load(engine, SalesforceRecord.__table__, record_columns, world.existing_rows())
    bulk_load(
        engine,
        SalesforceAccount.__table__,
        ["id", "name", "domain", "owner_id", "modified_at"],
        ((a[0], a[1], a[2], a[3], NOW) for a in world.accounts),
    )
    analyze(engine)
    with Session(engine) as session:
        lookup = ContextLookup(load_account_index(session))
    # The account index is long-lived: keep the cyclic GC from re-scanning it (what a server does too).
    gc.collect()
    gc.freeze()
    setup_seconds = time.perf_counter() - started
    print(
        f"seeded {args.existing} records and {args.accounts} accounts in {setup_seconds:.1f} s",
        file=sys.stderr,
    )

    active = ActiveConfig.of(bench_config(), None)
    people = [world.person(marketo_id) for marketo_id in range(1, args.people + 1)]
    window = timedelta(days=90)
    decided_at = [NOW - window + window * (n + 0.5) / args.people for n in range(args.people)]
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for _, decisions, _ in decide_in_batches(engine, lookup, active, people, decided_at):
        for decision in decisions:
            outcomes[decision.outcome] = outcomes.get(decision.outcome, 0) + 1
    decide_seconds = time.perf_counter() - started
    print(f"{args.people} decisions in {decide_seconds:.1f} s: {outcomes}", file=sys.stderr)

    # The timed pass keeps nothing (a server does not either); storing the history decides again.
    for start, decisions, contexts in decide_in_batches(engine, lookup, active, people, decided_at):
        end = start + len(decisions)
        store_history(engine, start, people[start:end], decisions, contexts, decided_at[start:end])
    fix_sequences(engine)
    analyze(engine)
    proposed = bench_config(score=70, emea_queue=QUEUES[3])
    with Session(engine) as session:
        report = simulate(session, proposed, NOW - window, NOW + timedelta(seconds=1), baseline=active.config)
    print(
        f"simulated {report.replayed} handoffs in {report.seconds:.1f} s, {report.changed} change, "
        f"fidelity {report.fidelity}",
        file=sys.stderr,
    )

    stored_rate = stored_pass(engine, world, lookup, active, args.stored_people)
    return {
        "people": args.people,
        "decisions_per_second": round(args.people / decide_seconds),
        "existing_records": args.existing,
        "accounts": args.accounts,
        "simulate_90d_seconds": round(report.seconds, 2),
        "database": database,
        "outcomes": outcomes,
        "simulated_handoffs": report.replayed,
        "simulate_changed": report.changed,
        "simulate_fidelity": report.fidelity,
        "stored_decisions_per_second": round(stored_rate),
        "setup_seconds": round(setup_seconds, 1),
    }


def decide_in_batches(
    engine: Engine, lookup: ContextLookup, active: ActiveConfig, people: list[Any], decided_at: list[datetime]
) -> Iterator[tuple[int, list[Any], list[Any]]]:
    """Context lookup (two queries + the account index) and the gate, ``BATCH`` people at a time."""
    with Session(engine) as session:
        for start in range(0, len(people), BATCH):
            batch = people[start : start + BATCH]
            contexts = lookup.contexts(session, [person_keys(p) for p in batch])
            decisions = [
                active.gate.decide(person, context, decided_at[start + offset])
                for offset, (person, context) in enumerate(zip(batch, contexts, strict=True))
            ]
            yield start, decisions, contexts


def store_history(
    engine: Engine,
    first: int,
    people: list[Any],
    decisions: list[Any],
    contexts: list[Any],
    decided_at: list[datetime],
) -> None:
    """One batch of decisions as handoffs with their snapshots (ids from ``first``, bulk loaded)."""
    snapshot_columns = ["id", "marketo_id", "email", "captured_at", "fields", "context"]
    handoff_columns = [
        "id", "marketo_id", "email", "email_key", "company", "state", "segment", "reason_code", "decision", "target",
        "snapshot_id", "mql_at", "decided_at", "updated_at", "breached",
    ]  # fmt: skip
    postgres = engine.dialect.name == "postgresql"

    def as_json(value: Any) -> Any:
        return json.dumps(value) if postgres else value

    snapshots = (
        (
            first + n + 1,
            p["id"],
            str(p.get("email"))[:320],
            decided_at[n],
            as_json(storable(p)),
            as_json(contexts[n].to_json()),
        )
        for n, p in enumerate(people)
    )
    bulk_load(engine, PersonSnapshot.__table__, snapshot_columns, snapshots)
    state = {"route": "routed", "hold": "held", "reject": "rejected"}
    handoffs = (
        (
            first + n + 1,
            p["id"],
            str(p.get("email"))[:320],
            email_key(p.get("email")),
            p.get("company"),
            state[d.outcome],
            d.segment,
            d.reason_code,
            d.outcome,
            d.target.label if d.target else None,
            first + n + 1,
            decided_at[n],
            decided_at[n],
            decided_at[n],
            False,
        )
        for n, (p, d) in enumerate(zip(people, decisions, strict=True))
    )
    bulk_load(engine, Handoff.__table__, handoff_columns, handoffs)


def fix_sequences(engine: Engine) -> None:
    """Rows were loaded with explicit ids: move PostgreSQL's sequences past them."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ("person_snapshot", "handoff"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )


def stored_pass(
    engine: Engine, world: World, lookup: ContextLookup, active: ActiveConfig, count: int
) -> float:
    """``RoutingService.evaluate`` end to end: snapshots, handoffs, events, one commit per batch."""
    clock = ManualClock(NOW + timedelta(days=1))
    people = [Qualified(world.person(marketo_id)) for marketo_id in range(10_000_000, 10_000_000 + count)]
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        with Session(engine, expire_on_commit=False) as session:
            RoutingService(session, clock, lookup).evaluate(people[start : start + BATCH], active)
            session.commit()
    return count / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
