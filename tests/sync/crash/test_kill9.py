"""kill -9 at the worst moments, restart, and nothing is lost or duplicated in either sandbox.

The sandboxes live in this test's process (their state survives the worker); the worker is a real
subprocess sharing this test's database. Run 1 SIGKILLs itself right after Salesforce answered a write
and before Handoff committed anything about it; run 2 is killed from outside mid-stream; run 3 finishes.
Then Salesforce must hold exactly one Lead per qualified person and one Task per email open, and
Marketo must carry each person's Lead id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from handoff.clock import utcnow
from routing.models import Handoff
from sandbox.marketo import MarketoState
from sandbox.marketo import create_app as marketo_app
from sandbox.salesforce.app import create_app as salesforce_app
from sandbox.salesforce.state import SalesforceState
from sync.models import DeadLetter, InboxItem, OutboxMessage
from tests.support.servers import serve_app
from tests.sync.salesforce.support import private_pem, public_pem

pytestmark = [pytest.mark.slow, pytest.mark.storage]

PEOPLE = 30
OPENS_EACH = 8
ROOT = Path(__file__).resolve().parents[3]


def start_worker(spec: dict, tmp_path: Path, name: str) -> subprocess.Popen:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    log = open(tmp_path / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 (kept for the child)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.crash.worker", str(path)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    """Wait for a real event (another process's progress), never for simulated time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def database_spec(engine) -> dict:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return {"database_url": url}
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    return {"database_url": url, "schema": schema}


def test_a_worker_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(engine, tmp_path):
    salesforce = SalesforceState(clock=utcnow, daily_api_limit=100_000)
    salesforce.add_connected_app("3MVG9crash", public_pem())
    rep = salesforce.add_user("Rep", first_name="Ann")
    salesforce.set_lead_assignment_rule([({"LeadSource": "Web"}, rep)], default_owner=rep)
    marketo = MarketoState(clock=utcnow, client_id="crash", client_secret="crash-secret")
    people = []
    for number in range(PEOPLE):
        person = marketo.people.create(
            {
                "email": f"person{number}@acme.example",
                "lastName": f"Lee{number}",
                "company": "Acme",
                "leadScore": 10,
            }
        )
        marketo.people.change_score(person, 80)
        for email in range(OPENS_EACH):
            marketo.engagement.open_email(person, f"Newsletter {email}")
        people.append(person)
    with (
        serve_app(salesforce_app(salesforce)) as salesforce_url,
        serve_app(marketo_app(marketo)) as marketo_url,
    ):
        spec = {
            **database_spec(engine),
            "salesforce_url": salesforce_url,
            "consumer_key": "3MVG9crash",
            "username": salesforce.get(salesforce.integration_user_id)["Username"],
            "private_key": private_pem(),
            "marketo_url": marketo_url,
            "marketo_client_id": "crash",
            "marketo_client_secret": "crash-secret",
            "lease_seconds": 2,
        }

        def leads() -> int:
            return len(salesforce.query("SELECT Id FROM Lead"))

        first = start_worker({**spec, "crash_after_salesforce_writes": 12}, tmp_path, "run1")
        assert first.wait(timeout=180) == -signal.SIGKILL
        assert 0 < leads() < PEOPLE

        second = start_worker(spec, tmp_path, "run2")
        before = leads()
        wait_for(
            lambda: leads() >= before + 5 or second.poll() is not None, "the second run to make progress"
        )
        os.kill(second.pid, signal.SIGKILL)
        assert second.wait(timeout=30) == -signal.SIGKILL

        third = start_worker(spec, tmp_path, "run3")
        assert third.wait(timeout=300) == 0, (tmp_path / "run3.log").read_text()

    lead_rows = salesforce.query("SELECT Id, Email, OwnerId FROM Lead")
    assert sorted(r["Email"] for r in lead_rows) == sorted(f"person{n}@acme.example" for n in range(PEOPLE))
    assert {r["OwnerId"] for r in lead_rows} == {rep}
    by_email = {r["Email"]: r["Id"] for r in lead_rows}
    for number, person in enumerate(people):
        assert marketo.people.get(person)["sfdcLeadId"] == by_email[f"person{number}@acme.example"]
    tasks = salesforce.query("SELECT Id, WhoId, Description FROM Task")
    markers = [t["Description"].rsplit("(Marketo activity ", 1)[1] for t in tasks]
    assert len(tasks) == PEOPLE * OPENS_EACH and len(set(markers)) == len(markers)
    with Session(engine) as session:
        handoffs = list(session.exec(select(Handoff)))
        assert len(handoffs) == PEOPLE and {h.state for h in handoffs} == {"routed"}
        assert {i.status for i in session.exec(select(InboxItem))} == {"done"}
        assert {m.status for m in session.exec(select(OutboxMessage))} == {"sent"}
        assert session.exec(select(DeadLetter)).all() == []
