"""Health, readiness, metrics and the one role guard on every non-public route."""

from __future__ import annotations

from sqlalchemy import text

from dashboard.auth import UserService
from handoff import __version__


def add_user(runtime, username, role, password="correct horse battery"):
    with runtime.session_factory() as session:
        users = UserService(session, runtime.clock)
        users.add(username, password, role)
        token = users.issue_token(username, "tests")
        session.commit()
    return token


def test_health_says_alive_and_ready_when_migrated(client):
    assert client.get("/healthz").json()["status"] == "alive"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_ready_is_503_when_migrations_are_behind(client, runtime):
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations behind" in response.json()["problems"][0]


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert f'handoff_build_info{{version="{__version__}"}} 1.0' in response.text


def test_openapi_docs_are_served(client):
    assert client.get("/openapi.json").json()["info"]["title"] == "Handoff"
    assert client.get("/docs").status_code == 200


def test_api_refuses_anonymous_and_accepts_a_token(client, runtime):
    assert client.get("/api/me").status_code == 401
    token = add_user(runtime, "ann", "viewer")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {"username": "ann", "role": "viewer", "via": "token"}


def test_wrong_role_is_forbidden_and_right_role_passes(client, runtime):
    viewer = add_user(runtime, "vic", "viewer")
    admin = add_user(runtime, "ada", "admin")
    assert client.get("/api/users", headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    listed = client.get("/api/users", headers={"Authorization": f"Bearer {admin}"}).json()
    assert {u["username"] for u in listed} == {"vic", "ada"}


def test_disabled_user_token_stops_working(client, runtime):
    token = add_user(runtime, "dan", "ops")
    with runtime.session_factory() as session:
        UserService(session, runtime.clock).set_disabled("dan")
        session.commit()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_bogus_token_is_refused(client):
    assert client.get("/api/me", headers={"Authorization": "Bearer hnd_not-a-real-token"}).status_code == 401
