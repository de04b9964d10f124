"""Builders for Marketo client tests: a connection, fake time for the throttle, wire-shaped envelopes."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import httpx

from handoff.clock import ManualClock
from sync.config import MarketoConnection
from sync.marketo import MarketoClient

BASE = "https://284-RPR-133.mktorest.com"
IDENTITY = f"{BASE}/identity/oauth/token"
SECRET = "s3cr3t-marketo-client-secret"

_request_ids = itertools.count(1)


class FakeTime:
    """An injected ``sleep`` that moves a ManualClock instead of waiting.

    Concurrent sleepers each move the clock to *their own* wake-up time (never backwards), so time passes
    as it would for parallel real sleeps: the longest wins, durations do not add up.
    """

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        wake_at = self.clock() + timedelta(seconds=seconds)
        self.slept.append(seconds)
        await asyncio.sleep(0)
        if wake_at > self.clock():
            self.clock.set(wake_at)


def a_connection(**overrides: Any) -> MarketoConnection:
    values: dict[str, Any] = {"base_url": BASE, "client_id": "client-id-1", "routing_reserve": 100}
    values.update(overrides)
    return MarketoConnection(**values)


def a_client(clock: ManualClock, fake: FakeTime | None = None, **overrides: Any) -> MarketoClient:
    fake = fake or FakeTime(clock)
    return MarketoClient(a_connection(**overrides), client_secret=SECRET, clock=clock, sleep=fake.sleep)


def token_reply(
    token: str = "cdf01657-110d-4155-99a7-f986b2ff13a0:int", expires_in: int = 3599
) -> httpx.Response:
    """Plain JSON, not the envelope (reference §1)."""
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": "apis@acmeinc.com",
        },
    )


def request_id() -> str:
    return f"e42b#{next(_request_ids):011x}"


def ok(result: list[Any] | None = None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"requestId": request_id(), "success": True}
    if result is not None:
        body["result"] = result
    body.update(extra)
    return httpx.Response(200, json=body)


def failed(code: str, message: str) -> httpx.Response:
    """Marketo errors come with HTTP 200 and a string code (reference §2)."""
    return httpx.Response(
        200,
        json={"requestId": request_id(), "success": False, "errors": [{"code": code, "message": message}]},
    )


def a_lead(n: int, **fields: Any) -> dict[str, Any]:
    return {"email": f"lead{n}@example.com", "firstName": "Ann", "lastName": f"Lee{n}", **fields}
