"""The routing ops API over real HTTP on loopback, included with the ops guard the way the app does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml
from fastapi import Depends, FastAPI
from sqlmodel import Session

from dashboard.auth.service import UserService
from handoff.db import session_factory
from handoff.web import cookie_serializer, require_role
from routing.views import config_validator, router
from tests.routing.support import a_person, a_world, config_data
from tests.support.servers import serve_app

V1 = yaml.safe_dump({"routing": config_data()})
V2 = V1.replace("leadScore: 60", "leadScore: 75")


@pytest.fixture
def api(engine, clock) -> Iterator[tuple[httpx.Client, str]]:
    app = FastAPI()
    app.state.session_factory = session_factory(engine)
    app.state.clock = clock
    app.state.cookie_signer = cookie_serializer("s" * 40)
    app.include_router(router, dependencies=[Depends(require_role("ops"))])
    with Session(engine) as session:
        users = UserService(session, clock)
        users.add("olga", "a long password 1", role="ops")
        users.add("vic", "a long password 2", role="viewer")
        ops = users.issue_token("olga", "test")
        viewer = users.issue_token("vic", "test")
        session.commit()
    with (
        serve_app(app) as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ops}"}) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client, viewer


def test_viewers_are_refused(api):
    client, viewer = api
    response = client.get("/api/routing/config/versions", headers={"Authorization": f"Bearer {viewer}"})
    assert response.status_code == 403


def test_validate_reports_every_error_with_its_path(api):
    client, _ = api
    response = client.post(
        "/api/routing/config/validate",
        json={"document": "routing: {required_fields: [compnay], fallback_queue: '005000000000001'}"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "valid": False,
        "errors": [
            {
                "path": "routing.fallback_queue",
                "message": "'005000000000001' is a User id; expected a Queue id (starting 00G)",
            }
        ],
    }
    assert client.post("/api/routing/config/validate", json={"document": V1}).json() == {
        "valid": True,
        "errors": [],
    }


def test_propose_activate_diff_and_roll_back(api):
    client, _ = api
    assert client.get("/api/routing/config").status_code == 404
    first = client.post("/api/routing/config/versions", json={"document": V1, "comment": "start"})
    assert first.status_code == 201
    assert first.json()["author"] == "olga"
    first_id = first.json()["id"]
    assert client.post(f"/api/routing/config/versions/{first_id}/activate").json()["status"] == "active"
    second_id = client.post("/api/routing/config/versions", json={"document": V2}).json()["id"]
    diff = client.get(f"/api/routing/config/versions/{second_id}/diff").json()
    assert diff["from"] == first_id
    assert diff["changes"] == [{"path": "routing.score.thresholds.leadScore", "before": 60, "after": 75}]
    client.post(f"/api/routing/config/versions/{second_id}/activate")
    assert client.get("/api/routing/config").json()["id"] == second_id
    rolled = client.post("/api/routing/config/rollback", json={})
    assert rolled.status_code == 200
    assert rolled.json()["document"] == V1
    assert rolled.json()["comment"] == f"Rollback to version {first_id}"
    statuses = [v["status"] for v in client.get("/api/routing/config/versions").json()]
    assert statuses == ["active", "retired", "retired"]


def test_an_invalid_proposal_is_a_422_with_paths_and_unknown_versions_are_404(api):
    client, _ = api
    response = client.post(
        "/api/routing/config/versions", json={"document": "routing: {segments: [{nam: x}]}"}
    )
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["detail"]["errors"]}
    assert paths == {"routing.segments[0].nam", "routing.segments[0].name"}
    assert client.post("/api/routing/config/versions/999/activate").status_code == 404
    assert client.get("/api/routing/config/versions/999/diff").status_code == 404


def test_the_composition_root_can_plug_in_the_full_validator(api):
    client, _ = api
    client.app.dependency_overrides[config_validator] = lambda: lambda text: [("sla.policies", "required")]
    response = client.post("/api/routing/config/versions", json={"document": V1})
    assert response.status_code == 422
    assert response.json()["detail"]["errors"] == [{"path": "sla.policies", "message": "required"}]


async def test_simulate_over_the_api_replays_past_handoffs(api, engine, clock):
    client, _ = api
    version_id = client.post("/api/routing/config/versions", json={"document": V1}).json()["id"]
    client.post(f"/api/routing/config/versions/{version_id}/activate")
    with Session(engine, expire_on_commit=False) as session:
        world = a_world(session, clock, version_id=version_id)
        await world.route(a_person(id=1, email="a@acme.com", leadScore=70))
        await world.route(a_person(id=2, email="b@beta.io", leadScore=90))
        session.commit()
    clock.advance(days=1)
    response = client.post("/api/routing/simulate", json={"document": V2, "since_days": 7})
    assert response.status_code == 200
    report = response.json()
    assert report["outcomes"]["route"] == {"before": 2, "after": 1}
    assert report["fidelity"] == {"compared": 2, "reproduced": 2, "share": 1.0}
    [change] = report["changes"]
    assert change["marketo_id"] == 1
    assert change["reason_code"] == "below_score"
    assert client.post("/api/routing/simulate", json={"since_days": 7}).status_code == 422
    bad = client.post("/api/routing/simulate", json={"document": "routing: {score: 5}"})
    assert bad.status_code == 422
    clock.advance(days=10)
    assert (
        client.post("/api/routing/simulate", json={"version_id": version_id, "since_days": 7}).json()[
            "replayed"
        ]
        == 0
    )


async def test_a_handoff_explains_itself_event_by_event(api, engine, clock):
    client, _ = api
    with Session(engine, expire_on_commit=False) as session:
        world = a_world(session, clock)
        [evaluation] = await world.route(a_person())
        session.commit()
    body = client.get(f"/api/routing/handoffs/{evaluation.handoff.id}/events").json()
    assert body["handoff"]["state"] == "routed"
    assert [e["kind"] for e in body["events"]] == ["mql", "route_ready", "routed"]
    assert body["events"][1]["data"]["decision"]["segment"] == "tier_a"
    assert client.get("/api/routing/handoffs/999/events").status_code == 404
