"""Benchmark: how many calls and how much time the connectors need for bulk writes, limits on.

Upserts 30,000 Marketo leads through ``MarketoClient`` against the Marketo sandbox with its real limits
(100 calls / rolling 20 s, 10 in flight, daily quota), from ten concurrent flows sharing the client's
one throttle; then creates 10,000 Salesforce Tasks through ``SalesforceClient.create_many`` against the
Salesforce sandbox. Both sandboxes are served over loopback with the real clock. Prints progress, then
one JSON line:

- ``marketo_calls`` REST calls made (the identity call is not counted by Marketo and reported apart)
  vs ``marketo_min_calls`` = ceil(leads / 300);
- ``rate_limit_errors``: 606 and 615 answers received (the throttle should make this 0);
- ``marketo_seconds`` elapsed vs ``marketo_floor_seconds`` = calls / 5 (100 calls per 20 s);
- ``sf_calls`` vs ``sf_min_calls`` = ceil(tasks / 200), and ``sf_seconds``.

The leads are written as a backfill by default: that lane stops at 80 calls per window so that routing
always finds room, which makes 100 calls take one full window (the 20 s floor). ``--priority sync`` lets
them use the whole window, so 100 calls fit in the first one.

Run: ``.venv/bin/python bench/connectors.py [--leads 30000] [--tasks 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Run as ``python bench/connectors.py``: the project root goes first so that shared helpers import.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.marketo import MarketoState
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce.app import create_app as salesforce_app
from sandbox.salesforce.state import SalesforceState
from sync.config import MarketoConnection, SalesforceConnection
from sync.marketo import MarketoClient
from sync.outbox import PRIORITY_BACKFILL, PRIORITY_SYNC
from sync.salesforce import SalesforceClient
from tests.support.servers import serve_app as serve

MARKETO_BATCH = 300
SALESFORCE_BATCH = 200
CONCURRENT_FLOWS = 10


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def marketo_run(leads: int, priority: int) -> dict[str, Any]:
    state = MarketoState(client_id="bench-client", client_secret="bench-secret-value", limits_enabled=True)
    people = [
        {
            "email": f"bench.person.{n}@example.com",
            "firstName": "Bench",
            "lastName": f"Person {n}",
            "company": "Acme",
        }
        for n in range(leads)
    ]
    slices = [people[i::CONCURRENT_FLOWS] for i in range(CONCURRENT_FLOWS)]
    with serve(marketo_app(state, deliver_webhooks=False)) as url:
        connection = MarketoConnection(base_url=url, client_id="bench-client")
        async with MarketoClient(connection, client_secret="bench-secret-value") as client:
            started = time.perf_counter()
            results = await asyncio.gather(*(client.upsert_leads(s, priority=priority) for s in slices if s))
            elapsed = time.perf_counter() - started
            outcomes = [o for batch in results for o in batch]
            failures = [o for o in outcomes if not o.ok]
            errors = dict(client.errors_by_code)
            calls = client.calls
            token_calls = client._tokens.tokens_fetched
    log(f"marketo: {len(outcomes) - len(failures)} leads written, {len(failures)} failed, errors {errors}")
    return {
        "marketo_calls": calls,
        "marketo_min_calls": math.ceil(leads / MARKETO_BATCH),
        "marketo_token_calls": token_calls,
        "rate_limit_errors": errors.get("606", 0) + errors.get("615", 0),
        "marketo_errors": errors,
        "marketo_failed_records": len(failures),
        "marketo_leads_in_sandbox": state.people.count(),
        "marketo_seconds": round(elapsed, 2),
        "marketo_floor_seconds": round(calls / 5, 2),
    }


async def salesforce_run(tasks: int) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    state = SalesforceState(daily_api_limit=15_000)
    state.add_connected_app("bench-consumer-key", public_pem)
    username = state.get(state.integration_user_id)["Username"]
    lead_ids = [state.add_lead({"LastName": f"Lead {n}", "Company": "Acme"}) for n in range(50)]
    records = [
        {"WhoId": lead_ids[n % len(lead_ids)], "Subject": f"Opened email {n}", "Status": "Completed"}
        for n in range(tasks)
    ]
    with serve(salesforce_app(state)) as url:
        connection = SalesforceConnection(login_url=url, consumer_key="bench-consumer-key", username=username)
        async with SalesforceClient(connection, private_key=private_pem) as client:
            started = time.perf_counter()
            results = await client.create_many("Task", records, priority=PRIORITY_BACKFILL)
            elapsed = time.perf_counter() - started
            calls = client.calls
            usage = client.api_usage
    failed = sum(not r.success for r in results)
    log(f"salesforce: {len(results) - failed} tasks created, {failed} failed, allocation {usage}")
    return {
        "sf_calls": calls,
        "sf_min_calls": math.ceil(tasks / SALESFORCE_BATCH),
        "sf_failed_records": failed,
        "sf_seconds": round(elapsed, 2),
        "sf_api_remaining": usage.remaining if usage else None,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=30_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument(
        "--priority",
        choices=("backfill", "sync"),
        default="backfill",
        help="Marketo lane: backfill leaves 20%% of the window to routing, sync may use all of it",
    )
    args = parser.parse_args()
    if args.leads < 1 or args.tasks < 1:
        parser.error("--leads and --tasks must be positive")
    figures = await marketo_run(
        args.leads, PRIORITY_BACKFILL if args.priority == "backfill" else PRIORITY_SYNC
    )
    figures["marketo_priority"] = args.priority
    figures |= await salesforce_run(args.tasks)
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main())
