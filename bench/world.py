"""Benchmark: the synthetic world without Handoff in the loop: generate, seed both emulators, then live
N days in fixed steps (the demo's back-fill shape), and prove the result does not depend on the step.

    .venv/bin/python bench/world.py [--seed 7] [--days 90] [--step-minutes 5] [--arrivals 80] [--wakeups 40]
                                    [--accounts 2500] [--people 20000] [--native-sync] [--check-jump]

``--native-sync`` lets the world itself create the Salesforce Lead of each MQL through the assignment
rule (Handoff's job in the demo), so the sales side (claims, touches, conversions, deals) runs too.
``--check-jump`` replays the same days in one ``advance`` on a second pair of emulators and compares the
digests of both emulators' canonical dumps. The last line printed is one JSON object with the timings
(seconds), the event counts, the emulator sizes and, with ``--check-jump``, ``same_as_one_jump``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState
from sandbox.world import Behaviour, World, WorldSize, generate, state_digest
from sandbox.world.names import name_pools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=float, default=90)
    parser.add_argument("--step-minutes", type=float, default=5)
    parser.add_argument("--arrivals", type=float, default=80)
    parser.add_argument("--wakeups", type=float, default=40)
    parser.add_argument("--accounts", type=int, default=2500)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--native-sync", action="store_true")
    parser.add_argument("--check-jump", action="store_true")
    args = parser.parse_args()

    size = WorldSize(accounts=args.accounts, people=args.people)
    behaviour = Behaviour(
        arrivals_per_day=args.arrivals, wakeups_per_day=args.wakeups, native_sync=args.native_sync
    )
    start = datetime(2026, 8, 3, tzinfo=UTC)
    timings: dict[str, float] = {}

    began = time.perf_counter()
    name_pools(args.seed)
    blueprint = generate(args.seed, size, start)
    timings["generate"] = time.perf_counter() - began

    def seeded_world() -> World:
        salesforce, marketo = SalesforceState(clock=lambda: start), MarketoState(clock=lambda: start)
        began = time.perf_counter()
        world = World.create(
            args.seed, start=start, size=size, behaviour=behaviour, salesforce=salesforce, marketo=marketo
        )
        timings.setdefault("seed_both", time.perf_counter() - began)
        return world

    world = seeded_world()
    report = world.backfill(args.days, step=timedelta(minutes=args.step_minutes))
    timings["advance"] = report.seconds
    result: dict[str, object] = {
        "seed": args.seed,
        "days": args.days,
        "step_minutes": args.step_minutes,
        "steps": report.steps,
        "arrivals_per_day": args.arrivals,
        "wakeups_per_day": args.wakeups,
        "native_sync": args.native_sync,
        "accounts": len(blueprint.accounts),
        "people_seeded": len(blueprint.people),
        "seconds": {name: round(value, 3) for name, value in timings.items()},
        "events": report.events,
        "sales": report.stats,
        "marketo_people": world.marketo.people.count(),
        "marketo_activities": world.marketo.summary()["activities"],
        "webhook_calls_queued": world.marketo.webhooks.pending_count,
        "salesforce_tasks": len(world.salesforce.records("Task")),
        "salesforce_leads": len(world.salesforce.records("Lead")),
    }
    if args.check_jump:
        other = seeded_world()
        began = time.perf_counter()
        other.advance(start + timedelta(days=args.days))
        result["seconds_one_jump"] = round(time.perf_counter() - began, 3)
        result["same_as_one_jump"] = state_digest(world.salesforce, world.marketo) == state_digest(
            other.salesforce, other.marketo
        )
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
