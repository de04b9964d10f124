"""Smart-campaign webhooks call a real receiver on loopback (reference/marketo-webhooks.md)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.marketo import CallWebhook, ChangeScore, FormFilled, ScoreChanged, ScoreCrosses
from sandbox.marketo import activity_types as types
from tests.sandbox.marketo.support import a_lead, an_instance, served
from tests.support.servers import serve_app


@dataclass
class Receiver:
    """Records what it receives; answers with ``status``/``body`` after ``delay`` seconds."""

    url: str = ""
    status: int = 200
    body: str = '{"ok": true}'
    delay: float = 0.0
    received: list[dict] = field(default_factory=list)
    active: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request) -> Response:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            payload = (await request.body()).decode()
            with self.lock:
                self.received.append(
                    {
                        "method": request.method,
                        "path": request.url.path,
                        "query": str(request.url.query),
                        "headers": dict(request.headers),
                        "body": payload,
                    }
                )
            if self.delay:
                await asyncio.sleep(self.delay)
            return Response(self.body, status_code=self.status, media_type="application/json")
        finally:
            with self.lock:
                self.active -= 1


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    app = Starlette(routes=[Route("/{path:path}", hook.handle, methods=["GET", "POST"])])
    with serve_app(app) as base_url:
        hook.url = base_url
        yield hook


async def test_score_crossing_75_calls_the_webhook_once_with_tokens_and_secret_header(clock, receiver):
    state = an_instance(clock)
    hook = state.webhooks.create(
        "Handoff MQL",
        f"{receiver.url}/hooks/marketo?lead={{{{lead.Id}}}}",
        template='{"leadId": {{lead.Id}}, "email": {{lead.Email Address}}, "score": {{lead.Lead Score}}, "company": {{lead.company}}, "campaign": {{campaign.name}}, "at": {{system.dateTime}}}',
        headers={"X-Handoff-Secret": "hunter2", "X-Lead": "{{lead.Id}}"},
    )
    state.campaigns.create(
        "MQL", triggers=[ScoreCrosses(75)], flow=[CallWebhook(hook.id)], qualification="every_time"
    )
    lead_id = a_lead(state, email='o"brien@acme.com', company="Acme & Sons", leadScore=60)
    state.people.change_score(lead_id, 10)
    state.people.change_score(lead_id, 10)
    state.people.change_score(lead_id, 10)

    deliveries = await state.webhooks.drain()

    assert [d.status_code for d in deliveries] == [200]
    (request,) = receiver.received
    assert request["path"] == "/hooks/marketo" and request["query"] == f"lead={lead_id}"
    assert request["headers"]["x-handoff-secret"] == "hunter2"
    assert request["headers"]["x-lead"] == str(lead_id)
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == {
        "leadId": lead_id,
        "email": 'o"brien@acme.com',
        "score": 80,
        "company": "Acme & Sons",
        "campaign": "MQL",
        "at": "2026-11-02T09:00:00Z",
    }
    (logged,) = state.activities(lead_id=lead_id, activity_type_ids=[types.CALL_WEBHOOK])
    assert logged.primary_attribute_value == "Handoff MQL"
    assert logged.attribute("Response Code") == 200 and logged.attribute("Error Type") is None


async def test_demo_request_form_triggers_and_run_once_qualification_holds(clock, receiver):
    state = an_instance(clock)
    hook = state.webhooks.create(
        "Demo", f"{receiver.url}/demo", template="email={{lead.Email Address}}&form=demo", encoding="form"
    )
    state.campaigns.create("Demo request", triggers=[FormFilled("Demo Request")], flow=[CallWebhook(hook.id)])
    lead_id = a_lead(state, email="a+b@acme.com")
    state.engagement.fill_out_form(lead_id, "Newsletter")
    state.engagement.fill_out_form(lead_id, "demo request")
    state.engagement.fill_out_form(lead_id, "Demo Request")

    await state.webhooks.drain()

    assert [r["body"] for r in receiver.received] == ["email=a%2Bb%40acme.com&form=demo"]
    assert receiver.received[0]["headers"]["content-type"] == "application/x-www-form-urlencoded"


async def test_failures_are_logged_and_never_retried(clock, receiver):
    state = an_instance(clock)
    receiver.status = 500
    hook = state.webhooks.create("Flaky", f"{receiver.url}/flaky", template="{}")
    state.campaigns.create("Any score", triggers=[ScoreChanged(min_new_score=1)], flow=[CallWebhook(hook.id)])
    lead_id = a_lead(state)
    state.people.change_score(lead_id, 5)

    await state.webhooks.drain()
    await state.webhooks.drain()

    assert len(receiver.received) == 1
    (logged,) = state.activities(lead_id=lead_id, activity_type_ids=[types.CALL_WEBHOOK])
    assert (logged.attribute("Response Code"), logged.attribute("Error Type")) == (500, "HTTP 500")


async def test_empty_body_is_error_1001_and_a_slow_service_times_out(clock, receiver):
    state = an_instance(clock, webhook_timeout_seconds=0.3)
    receiver.body = ""
    empty = state.webhooks.create("Empty", f"{receiver.url}/empty", template="{}")
    state.campaigns.create("Empty", triggers=[FormFilled("Empty")], flow=[CallWebhook(empty.id)])
    lead_id = a_lead(state)
    state.engagement.fill_out_form(lead_id, "Empty")
    await state.webhooks.drain()
    receiver.delay = 2.0
    slow = state.webhooks.create("Slow", f"{receiver.url}/slow", template="{}")
    state.campaigns.create("Slow", triggers=[FormFilled("Slow")], flow=[CallWebhook(slow.id)])
    state.engagement.fill_out_form(lead_id, "Slow")
    await state.webhooks.drain()

    outcomes = [
        (a.primary_attribute_value, a.attribute("Response Code"), a.attribute("Error Type"))
        for a in state.activities(lead_id=lead_id, activity_type_ids=[110])
    ]
    assert outcomes == [("Empty", 200, "1001 Empty response"), ("Slow", None, "Timeout")]


async def test_at_most_20_calls_at_once(clock, receiver):
    state = an_instance(clock)
    receiver.delay = 0.2
    hook = state.webhooks.create("Burst", f"{receiver.url}/burst", template="{{lead.Id}}", encoding="none")
    state.campaigns.create("Burst", triggers=[ScoreChanged()], flow=[CallWebhook(hook.id)])
    ids = [a_lead(state) for _ in range(45)]
    for lead_id in ids:
        state.people.change_score(lead_id, 1)

    deliveries = await state.webhooks.drain()

    assert len(deliveries) == 45 and state.webhooks.pending_count == 0
    assert sorted(int(r["body"]) for r in receiver.received) == ids
    assert 1 < receiver.peak <= 20


async def test_response_mappings_write_back_into_lead_fields(clock, receiver):
    state = an_instance(clock)
    receiver.body = '{"routing": {"status": "Queued", "reason": "route_ready"}}'
    hook = state.webhooks.create(
        "Enrich",
        f"{receiver.url}/enrich",
        template="{}",
        response_mappings={"routing.status": "handoffStatus", "routing.reason": "handoffReason"},
    )
    state.campaigns.create("Enrich", triggers=[FormFilled()], flow=[CallWebhook(hook.id), ChangeScore(5)])
    lead_id = a_lead(state)
    state.engagement.fill_out_form(lead_id, "Contact us")

    await state.webhooks.drain()

    lead = state.people.get(lead_id)
    assert (lead["handoffStatus"], lead["handoffReason"], lead["leadScore"]) == ("Queued", "route_ready", 5)


def test_the_running_server_delivers_webhooks_in_the_background(clock, receiver):
    state = an_instance(clock)
    hook = state.webhooks.create("Live", f"{receiver.url}/live", template="{{lead.Id}}", encoding="none")
    state.campaigns.create("Live", triggers=[FormFilled("Demo Request")], flow=[CallWebhook(hook.id)])
    with served(state) as api:
        created = api.post("/rest/v1/leads.json", {"input": [{"email": "live@acme.com"}]})["result"][0]["id"]
        state.engagement.fill_out_form(created, "Demo Request")
        drained = api.http.post("/_admin/webhooks/drain").json()
    assert drained["delivered"] in (0, 1)
    assert [r["body"] for r in receiver.received] == [str(created)]


def test_webhook_definitions_are_checked(clock):
    state = an_instance(clock)
    with pytest.raises(ValueError):
        state.webhooks.create("Bad", "ftp://example.com")
    with pytest.raises(ValueError):
        state.webhooks.create("Bad", "http://example.com", encoding="xml")
    with pytest.raises(ValueError):
        state.webhooks.create("Bad", "http://example.com", response_mappings={"a": "noSuchField"})
    with pytest.raises(ValueError):
        state.campaigns.create("Bad", triggers=[ScoreChanged()], flow=[CallWebhook(999)])


async def test_triggers_stay_silent_while_history_is_backfilled(clock, receiver):
    state = an_instance(clock)
    hook = state.webhooks.create("MQL", f"{receiver.url}/mql", template="{{lead.Id}}", encoding="none")
    state.campaigns.create("MQL", triggers=[ScoreCrosses(75)], flow=[CallWebhook(hook.id)])
    with state.campaigns.suspended():
        old = a_lead(state, leadScore=70)
        state.people.change_score(old, 10)
    live = a_lead(state, leadScore=70)
    state.people.change_score(live, 10)

    await state.webhooks.drain()

    assert [r["body"] for r in receiver.received] == [str(live)]
