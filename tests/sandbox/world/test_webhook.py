"""The MQL smart campaign calls Handoff's webhook over real HTTP for every person crossing 75."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI, Request

from sandbox.marketo import activity_types as types
from sandbox.world import WebhookSettings, configure_webhook
from sandbox.world.behaviour import Behaviour
from sandbox.world.world import World
from tests.sandbox.world.support import SMALL
from tests.support.servers import serve_app

START = datetime(2026, 10, 5, tzinfo=UTC)


def a_receiver() -> tuple[FastAPI, list[tuple[dict[str, str], dict]]]:
    received: list[tuple[dict[str, str], dict]] = []
    app = FastAPI()

    @app.post("/hooks/marketo/webhook")
    async def hook(request: Request) -> dict[str, bool]:
        received.append((dict(request.headers), json.loads(await request.body())))
        return {"accepted": True}

    return app, received


def crossings(world: World) -> set[int]:
    crossed = set()
    for activity in world.marketo.activities(activity_type_ids=[types.CHANGE_SCORE]):
        old, new = activity.attribute("Old Value") or 0, activity.attribute("New Value")
        if old < 75 <= new:
            crossed.add(activity.lead_id)
    return crossed


async def test_every_person_crossing_75_is_posted_once_with_the_secret_header() -> None:
    app, received = a_receiver()
    with serve_app(app) as base_url:
        settings = WebhookSettings(url=f"{base_url}/hooks/marketo/webhook", secret="s3cret-for-tests")
        world = World.create(
            7, start=START, size=SMALL, behaviour=Behaviour(arrivals_per_day=150), webhook=settings
        )
        world.advance(START + timedelta(days=4))
        deliveries = await world.marketo.webhooks.drain()
    assert deliveries and all(d.status_code == 200 for d in deliveries)
    crossed = crossings(world)
    assert len(crossed) >= 3
    assert sorted(body["leadId"] for _, body in received) == sorted(crossed)
    for headers, body in received:
        assert headers["x-handoff-secret"] == "s3cret-for-tests"
        assert headers["content-type"] == "application/json"
        person = world.marketo.people.get(body["leadId"])
        assert body["reason"] == "score_threshold" and body["email"] == person["email"]
        assert body["score"] >= 75 and person["lifecycleStage"] == "MQL"
        assert isinstance(body["campaignId"], int) and body["at"]


async def test_the_webhook_can_be_pointed_elsewhere_after_seeding() -> None:
    app, received = a_receiver()
    world = World.create(8, start=START, size=SMALL, behaviour=Behaviour(arrivals_per_day=150))
    with serve_app(app) as base_url:
        configure_webhook(
            world.marketo, WebhookSettings(url=f"{base_url}/hooks/marketo/webhook", secret="later")
        )
        world.advance(START + timedelta(days=3))
        await world.marketo.webhooks.drain()
    assert received and all(headers["x-handoff-secret"] == "later" for headers, _ in received)


def test_webhook_settings_never_show_the_secret() -> None:
    settings = WebhookSettings(secret="do-not-print")
    assert "do-not-print" not in repr(settings) and "do-not-print" not in str(settings)
