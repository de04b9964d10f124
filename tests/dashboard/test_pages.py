"""Pages over real HTTP on loopback: empty states, bad filters, CSV exports, lead pages, dead letters."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import Session

from handoff.app import create_app
from sync.models import DeadLetter, OutboxMessage
from tests.dashboard.conftest import OPS, VIEWER, csrf_of, make_runtime, sign_in
from tests.dashboard.support import NOW
from tests.support.servers import serve_app


def test_an_empty_installation_explains_what_to_configure(engine, clock, tmp_path):
    with serve_app(create_app(make_runtime(engine, clock, tmp_path), start_scheduler=False)) as url:
        viewer = sign_in(url, *VIEWER)
        for path in (
            "/dashboard/",
            "/dashboard/speed",
            "/dashboard/sla",
            "/dashboard/leakage",
            "/dashboard/conversion",
        ):
            page = viewer.get(path)
            assert page.status_code == 200
            assert "No handoffs recorded yet" in page.text and "handoff demo" in page.text
        ops = sign_in(url, *OPS)
        assert "No open dead letters" in ops.get("/dashboard/ops/dead-letters").text
        assert "No poller has run yet" in ops.get("/dashboard/ops/sync").text
        assert "No version saved yet" in ops.get("/dashboard/ops/config").text


def test_filters_that_match_nothing_say_so(live_url):
    viewer = sign_in(live_url, *VIEWER)
    page = viewer.get("/dashboard/", params={"segment": "Tier Z"})
    assert "No leads match these filters" in page.text


def test_a_bad_filter_gets_a_clear_error(live_url):
    viewer = sign_in(live_url, *VIEWER)
    page = viewer.get("/dashboard/speed", params={"from": "2026-11-09", "to": "2026-11-01"})
    assert page.status_code == 400
    assert "from (2026-11-09) is after to (2026-11-01)" in page.text
    drill = viewer.get("/dashboard/leads", params={"stage": "gone"})
    assert drill.status_code == 400 and "stage: expected one of" in drill.text


def test_the_lead_list_export_holds_exactly_the_listed_leads(live_url):
    viewer = sign_in(live_url, *VIEWER)
    page = viewer.get("/dashboard/leads", params={"stage": "untouched"})
    total = int(
        page.text.split(" lead(s) that became MQL")[0].rsplit(">", 1)[-1].strip().replace("\u202f", "")
    )
    export = viewer.get("/dashboard/leads", params={"stage": "untouched", "format": "csv"})
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == total > 0
    assert {row["stage"] for row in rows} == {"untouched"}


def test_every_page_exports_its_table(live_url):
    viewer = sign_in(live_url, *VIEWER)
    headers = {
        "/dashboard/": "metric,current,previous,change",
        "/dashboard/speed": "segment,routed,median_seconds",
        "/dashboard/sla": "owner,owner_id,routed",
        "/dashboard/leakage": "stage,leaked,reason_code,leads",
        "/dashboard/conversion": "segment,first_touch,routed,converted,conversion",
    }
    for path, header in headers.items():
        export = viewer.get(path, params={"format": "csv"})
        assert export.status_code == 200
        lines = export.text.splitlines()
        assert lines[0].startswith(header) and len(lines) > 2


def test_the_lead_page_tells_why_and_what_happened_next(live_url):
    viewer = sign_in(live_url, *VIEWER)
    page = viewer.get("/dashboard/leads", params={"event": "reassigned"})
    lead_path = page.text.split('href="/dashboard/leads/', 1)[1].split('"', 1)[0]
    lead = viewer.get(f"/dashboard/leads/{lead_path}")
    assert lead.status_code == 200
    for expected in ("Why this person", "Routed by Handoff", "Reassigned", "first_touch_overdue", "config #"):
        assert expected in lead.text
    assert viewer.get("/dashboard/leads/999999").status_code == 404


def test_ops_replays_and_discards_dead_letters_from_the_console(seeded_engine, live_url):
    with Session(seeded_engine) as session:
        message = OutboxMessage(
            target="salesforce",
            operation="route_lead",
            idempotency_key="route:42",
            payload={"handoff_id": 42},
            status="dead",
            attempts=5,
            created_at=NOW,
            next_attempt_at=NOW,
            last_error="FIELD_CUSTOM_VALIDATION_EXCEPTION",
        )
        session.add(message)
        session.flush()
        letters = [
            DeadLetter(
                origin="outbox",
                origin_id=message.id,
                operation="route_lead",
                idempotency_key="route:42",
                payload={"handoff_id": 42},
                error_class="permanent",
                error="FIELD_CUSTOM_VALIDATION_EXCEPTION: Country is required",
                attempts=5,
                created_at=NOW - timedelta(minutes=m),
            )
            for m in (5, 1)
        ]
        session.add_all(letters)
        session.commit()
        replay_id, discard_id = (letter.id for letter in letters)
        message_id = message.id
    ops = sign_in(live_url, *OPS)
    page = ops.get("/dashboard/ops/dead-letters")
    assert "Country is required" in page.text and "route:42" in page.text
    token = csrf_of(page.text)
    replayed = ops.post(
        f"/dashboard/ops/dead-letters/{replay_id}/replay", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Dead letter #{replay_id} replayed" in replayed.text
    discarded = ops.post(
        f"/dashboard/ops/dead-letters/{discard_id}/discard", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Dead letter #{discard_id} discarded" in discarded.text
    again = ops.post(
        f"/dashboard/ops/dead-letters/{discard_id}/replay", data={"csrf_token": token}, follow_redirects=True
    )
    assert "is already discarded" in again.text
    with Session(seeded_engine) as session:
        assert session.get(OutboxMessage, message_id).status == "pending"
        assert session.get(DeadLetter, replay_id).resolved_by == OPS[0]
    status = ops.get("/dashboard/ops/sync")
    assert "salesforce" in status.text and "pending" in status.text


def test_ops_rolls_back_to_the_previous_version(seeded_engine, live_url):
    ops = sign_in(live_url, *OPS)
    token = csrf_of(ops.get("/dashboard/ops/config").text)
    answer = ops.post("/dashboard/ops/config/rollback", data={"csrf_token": token}, follow_redirects=True)
    assert "Rolled back: version 5 is active" in answer.text
    assert "Rollback to version 3" in answer.text


def test_quota_gauges_appear_once_the_client_has_made_calls():
    from dashboard.queries.sync_status import quota_gauges
    from sync.salesforce import metrics

    metrics.CALLS.labels(endpoint="query", outcome="ok").inc()
    metrics.API_REMAINING.set(4_321)
    assert ("handoff_salesforce_api_remaining", "", 4_321.0) in quota_gauges()
