"""Benchmark: back-fill N Marketo people into Salesforce through inbox → flows → outbox, limits on.

Both sandboxes and Handoff's sync service run live on loopback with the real clock (``syncbench``);
the Marketo sandbox enforces its real limits (100 calls / rolling 20 s, 10 in flight, 50,000 a day).
The service's back-fill job reads people by id ranges of 300 into the inbox; each page becomes one
outbox message that checks Salesforce for existing Leads and Contacts by email, creates the missing
Leads 200 per collection call and writes the Lead ids back to Marketo 300 per call. When everything is
done, the Salesforce sandbox is checked: every person must have exactly one Lead. The org's duplicate
rule is switched off (Handoff's email guard is what is measured, not the emulator's fuzzy matcher).

One JSON line at the end:
- ``marketo_calls`` vs ``marketo_min_calls`` = 2 * ceil(people / 300) (read every person once, write
  every Lead id back once);
- ``sf_calls`` vs ``sf_min_calls`` = ceil(people / 200) (the collection creates alone; the dedupe guard
  adds two queries per page of 300, reported as they are);
- ``errors`` (dead letters), ``lost`` (people with no Lead), ``duplicated`` (emails with several Leads);
- ``seconds`` of wall time vs ``floor_seconds`` = marketo_min_calls * 20 / 100, the instance's rate
  limit (the back-fill lane keeps 20 % of each window free for routing, so it cannot reach the floor).

Run: ``.venv/bin/python bench/backfill.py [--people 50000]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

# bench/dashboard.py and bench/sla.py would shadow the packages of those names: the project root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import func, select
from syncbench import bench_world, log

from sync.config import PollerSettings, SyncConfig
from sync.flows.backfill import BACKFILL_CURSOR
from sync.models import Cursor, DeadLetter, InboxItem, OutboxMessage

IDLE = 86_400.0  # the other pollers stay out of the measurement


def finished(bench) -> bool:
    with bench.session() as session:
        cursor = session.get(Cursor, BACKFILL_CURSOR)
        if cursor is None or int(cursor.value.split(":")[1]) < 5:
            return False
        for model in (InboxItem, OutboxMessage):
            pending = session.exec(select(func.count()).where(model.status == "pending")).one()
            if pending:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()

    config = SyncConfig(
        backfill=True,
        pollers=PollerSettings(
            marketo_activities_seconds=IDLE,
            marketo_leadchanges_seconds=IDLE,
            salesforce_activities=False,
            backfill_seconds=1.0,
        ),
    )
    # The service starts with the world, so the people exist before it: seed first, then time it.
    with bench_world(config, start=False) as bench:
        log(f"seeding {args.people} Marketo people")
        with bench.marketo.campaigns.suspended():
            for number in range(args.people):
                bench.marketo.people.create(
                    {
                        "email": f"person{number}@backfill.example",
                        "firstName": "Pat",
                        "lastName": f"Lee{number}",
                        "company": f"Company {number % 997}",
                    }
                )
        rep = bench.salesforce.add_user("Rep", first_name="Ann")
        bench.salesforce.set_default_lead_owner(rep)
        # Handoff's own email guard is what is measured; the emulator's fuzzy duplicate matcher costs a
        # scan of every Lead per insert, which at 50,000 Leads would dominate the run.
        bench.salesforce.set_duplicate_rule(None)
        log("back-filling")
        started = time.monotonic()
        service = bench.start()
        deadline = started + args.timeout
        while not finished(bench) and time.monotonic() < deadline:
            time.sleep(0.5)
        seconds = time.monotonic() - started
        service.stop()
        leads = bench.salesforce.query("SELECT Email FROM Lead")
        per_email = Counter(lead["Email"] for lead in leads)
        expected = {f"person{number}@backfill.example" for number in range(args.people)}
        with bench.session() as session:
            errors = session.exec(select(func.count()).select_from(DeadLetter)).one()
        result = {
            "people": args.people,
            "marketo_calls": service.marketo_client.calls,
            "marketo_min_calls": 2 * math.ceil(args.people / 300),
            "sf_calls": service.salesforce_client.calls,
            "sf_min_calls": math.ceil(args.people / 200),
            "errors": int(errors),
            "lost": len(expected - set(per_email)),
            "duplicated": sum(1 for count in per_email.values() if count > 1),
            "seconds": round(seconds, 1),
            "floor_seconds": round(2 * math.ceil(args.people / 300) * 20 / 100, 1),
        }
        log(f"done in {seconds:.1f}s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
