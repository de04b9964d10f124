"""Builders for the Marketo emulator tests: an instance, a served instance, an authenticated client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from handoff.clock import ManualClock
from sandbox.marketo import MarketoState, create_app
from tests.support.servers import serve_app

CLIENT_ID = "3f1c9a2e-sandbox"
CLIENT_SECRET = "s3cr3t-for-tests-only"


def an_instance(clock: ManualClock, **options: Any) -> MarketoState:
    return MarketoState(clock=clock, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **options)


@dataclass
class Api:
    """An httpx client on a served instance, with the token fetched through the identity endpoint."""

    http: httpx.Client
    base_url: str
    state: MarketoState

    def token(self) -> str:
        response = self.http.get(
            "/identity/oauth/token",
            params={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(path, params=params, headers=self.auth())
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        response = self.http.post(path, params=params, json=body, headers=self.auth())
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def served(state: MarketoState, **app_options: Any) -> Iterator[Api]:
    with (
        serve_app(create_app(state, **app_options)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as http,
    ):
        yield Api(http, base_url, state)


def a_lead(state: MarketoState, **fields: Any) -> int:
    values = {"email": f"person{state.people.count() + 1}@example.com", "lastName": "Doe", **fields}
    return state.people.create(values)


def error_code(body: dict[str, Any]) -> str:
    assert body["success"] is False, body
    return body["errors"][0]["code"]
