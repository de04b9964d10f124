"""Benchmark: speed to route, from a Marketo score change to the owner on the Salesforce Lead.

Both sandboxes and Handoff's sync service run live on loopback with the real clock (``syncbench``). N
people cross the MQL threshold (score 50 → 80, threshold 75) in the Marketo sandbox, one every
``--spacing`` seconds. For each, the clock starts at the score change and stops when the Salesforce
sandbox commits a Lead with that email and an ``OwnerId`` (set by the assignment rule on create),
seen through the sandbox's commit listener. Run twice on fresh worlds: with the smart campaign's
Call Webhook step (the webhook path), then with polling only (activities every ``--poll-interval``
seconds, the service's default). Marketo's native sync waits 5 minutes between cycles (marketo.md §9).

Prints progress on stderr, then one JSON line: ``mqls``, ``p50_seconds`` and ``p95_seconds`` (webhook),
``poll_only_p50_seconds``, ``poll_only_p95_seconds``, ``poll_interval_seconds`` and ``lost`` (MQLs
without an owned Lead by the deadline, both runs).

Run: ``.venv/bin/python bench/speed_to_route.py [--mqls 100] [--spacing 0.3] [--poll-interval 30]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

# bench/dashboard.py and bench/sla.py would shadow the packages of those names: the project root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syncbench import WEBHOOK_SECRET, bench_world, log, percentile

from sandbox.marketo import CallWebhook, ScoreCrosses
from sync.config import PollerSettings, SyncConfig

THRESHOLD = 75


def measure(mqls: int, spacing: float, poll_interval: float, webhook: bool) -> tuple[list[float], int]:
    config = SyncConfig(
        pollers=PollerSettings(marketo_activities_seconds=poll_interval, salesforce_activities=False)
    )
    config.mql.threshold = THRESHOLD
    with bench_world(config) as bench:
        rep = bench.salesforce.add_user("Rep", first_name="Ann")
        bench.salesforce.set_lead_assignment_rule([({"LeadSource": "Never"}, rep)], default_owner=rep)
        if webhook:
            hook = bench.marketo.webhooks.create(
                "Handoff MQL",
                bench.service_url + "/hooks/marketo/webhook",
                template='{"leadId": {{lead.Id}}, "at": {{system.dateTime}}}',
                headers={"X-Handoff-Webhook-Secret": WEBHOOK_SECRET},
            )
            bench.marketo.campaigns.create(
                "MQL → Handoff", triggers=[ScoreCrosses(THRESHOLD)], flow=[CallWebhook(hook.id)]
            )
        emails = [f"mql{n}@bench.example" for n in range(mqls)]
        people = [
            bench.marketo.people.create(
                {
                    "email": email,
                    "firstName": "Pat",
                    "lastName": f"Lee{n}",
                    "company": "Bench",
                    "leadScore": 50,
                }
            )
            for n, email in enumerate(emails)
        ]
        started: dict[str, float] = {}
        owned: dict[str, float] = {}
        done = threading.Event()

        def on_commit(touched: set[str]) -> None:
            now = time.monotonic()
            for record_id in touched:
                if not record_id.startswith("00Q"):
                    continue
                record = bench.salesforce.get(record_id)
                email = (record or {}).get("Email")
                if email in started and email not in owned and record.get("OwnerId"):
                    owned[email] = now
            if len(owned) == mqls:
                done.set()

        bench.salesforce.commit_listeners.append(on_commit)
        for email, person in zip(emails, people, strict=True):
            started[email] = time.monotonic()
            bench.marketo.people.change_score(person, 30)
            time.sleep(spacing)
        done.wait(timeout=poll_interval + 120)
        latencies = [owned[e] - started[e] for e in emails if e in owned]
        return latencies, mqls - len(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mqls", type=int, default=100)
    parser.add_argument("--spacing", type=float, default=0.3, help="seconds between two score changes")
    parser.add_argument(
        "--poll-interval", type=float, default=SyncConfig().pollers.marketo_activities_seconds
    )
    args = parser.parse_args()

    log(f"webhook run: {args.mqls} MQLs, one every {args.spacing}s")
    webhook, webhook_lost = measure(args.mqls, args.spacing, args.poll_interval, webhook=True)
    log(f"  p50 {percentile(webhook, 0.5):.2f}s p95 {percentile(webhook, 0.95):.2f}s lost {webhook_lost}")
    log(f"poll-only run: activities polled every {args.poll_interval}s")
    polled, polled_lost = measure(args.mqls, args.spacing, args.poll_interval, webhook=False)
    log(f"  p50 {percentile(polled, 0.5):.2f}s p95 {percentile(polled, 0.95):.2f}s lost {polled_lost}")

    def seconds(values: list[float], share: float) -> float | None:
        value = percentile(values, share)
        return None if value != value else round(value, 3)  # NaN: every MQL of the run was lost

    print(
        json.dumps(
            {
                "mqls": args.mqls,
                "p50_seconds": seconds(webhook, 0.5),
                "p95_seconds": seconds(webhook, 0.95),
                "poll_only_p50_seconds": seconds(polled, 0.5),
                "poll_only_p95_seconds": seconds(polled, 0.95),
                "poll_interval_seconds": args.poll_interval,
                "lost": webhook_lost + polled_lost,
            }
        )
    )


if __name__ == "__main__":
    main()
