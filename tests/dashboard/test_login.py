"""Login, sessions and CSRF over real HTTP on loopback: cookies, redirects, refusals."""

from __future__ import annotations

import re

import httpx
import pytest

from dashboard.auth.csrf import LOGIN_COOKIE
from handoff.app import create_app
from handoff.web import SESSION_COOKIE
from tests.dashboard.conftest import OPS, VIEWER, csrf_of, make_runtime, sign_in
from tests.support.servers import serve_app


def _set_cookie(response: httpx.Response, name: str) -> str:
    found = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.get_list('set-cookie')}"
    return found[0]


def test_a_browser_without_a_session_is_sent_to_login_and_back(live_url):
    with httpx.Client(base_url=live_url, headers={"accept": "text/html"}) as client:
        answer = client.get("/dashboard/sla?days=7")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=%2Fdashboard%2Fsla%3Fdays%3D7"
        form = client.get(answer.headers["location"])
        cookie = _set_cookie(form, LOGIN_COOKIE).lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/login" in cookie
        signed_in = client.post(
            "/login",
            data={
                "username": VIEWER[0],
                "password": VIEWER[1],
                "csrf_token": csrf_of(form.text),
                "next": "/dashboard/sla?days=7",
            },
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/dashboard/sla?days=7"
        session_cookie = _set_cookie(signed_in, SESSION_COOKIE).lower()
        assert (
            "httponly" in session_cookie
            and "samesite=lax" in session_cookie
            and "secure" not in session_cookie
        )
        page = client.get("/dashboard/sla?days=7")
        assert page.status_code == 200 and "Compliance per policy" in page.text
        assert "app;dur=" in page.headers["server-timing"]
        assert "script-src 'self'" in page.headers["content-security-policy"]


def test_api_clients_keep_their_401_and_403_json(live_url):
    with httpx.Client(base_url=live_url) as client:
        answer = client.get("/dashboard/", headers={"accept": "application/json"})
        assert answer.status_code == 401 and answer.json()["detail"] == "authentication required"
    viewer = sign_in(live_url, *VIEWER)
    answer = viewer.get("/dashboard/ops/sync", headers={"accept": "application/json"})
    assert answer.status_code == 403 and answer.json()["detail"] == "this needs the ops role"


def test_wrong_password_is_refused_without_a_session(live_url):
    with httpx.Client(base_url=live_url) as client:
        form = client.get("/login")
        answer = client.post(
            "/login", data={"username": VIEWER[0], "password": "nope-nope", "csrf_token": csrf_of(form.text)}
        )
    assert answer.status_code == 401
    assert "Unknown user or wrong password." in answer.text
    assert not [c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]


def test_login_without_its_form_token_is_refused(live_url):
    with httpx.Client(base_url=live_url) as client:
        client.get("/login")
        answer = client.post(
            "/login", data={"username": VIEWER[0], "password": VIEWER[1], "csrf_token": "forged"}
        )
    assert answer.status_code == 403
    assert "security token is missing or expired" in answer.text
    assert not [c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_after_login_only_local_pages_are_followed(live_url, target):
    with httpx.Client(base_url=live_url) as client:
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "username": VIEWER[0],
                "password": VIEWER[1],
                "csrf_token": csrf_of(form.text),
                "next": target,
            },
        )
    assert answer.headers["location"] == "/dashboard/"


def test_every_form_post_needs_the_session_token_and_a_same_site_origin(live_url):
    ops = sign_in(live_url, *OPS)
    page = ops.get("/dashboard/ops/config")
    token = csrf_of(page.text)
    no_token = ops.post("/dashboard/ops/config", data={"document": "routing: {}\n", "action": "check"})
    assert no_token.status_code == 403 and "Nothing was changed" in no_token.text
    other_site = ops.post(
        "/dashboard/ops/config",
        data={"document": "routing: {}\n", "action": "check", "csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403 and "posted from another site" in other_site.text
    accepted = ops.post(
        "/dashboard/ops/config", data={"document": "routing: {}\n", "action": "check", "csrf_token": token}
    )
    assert accepted.status_code == 200 and "Replay preview" in accepted.text


def test_logout_ends_the_session(live_url):
    viewer = sign_in(live_url, *VIEWER)
    token = csrf_of(viewer.get("/dashboard/").text)
    answer = viewer.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert re.search(rf"{SESSION_COOKIE}=\"?\"?;", _set_cookie(answer, SESSION_COOKIE))
    assert viewer.get("/dashboard/").status_code == 303


def test_cookies_are_secure_when_handoff_is_served_over_https(engine, clock, tmp_path):
    runtime = make_runtime(engine, clock, tmp_path, public_url="https://handoff.example.com")
    with serve_app(create_app(runtime, start_scheduler=False)) as url, httpx.Client(base_url=url) as client:
        form = client.get("/login")
        login_cookie = _set_cookie(form, LOGIN_COOKIE)
        assert "secure" in login_cookie.lower()
        # A browser keeps Secure cookies for https; this loopback test hands it back by hand.
        answer = client.post(
            "/login",
            data={"username": OPS[0], "password": OPS[1], "csrf_token": csrf_of(form.text)},
            headers={"cookie": login_cookie.split(";", 1)[0]},
        )
        assert "secure" in _set_cookie(answer, SESSION_COOKIE).lower()


def test_a_viewer_sees_the_403_page_for_the_ops_console(live_url):
    viewer = sign_in(live_url, *VIEWER)
    for path in ("/dashboard/ops/config", "/dashboard/ops/dead-letters", "/dashboard/ops/sync"):
        answer = viewer.get(path)
        assert answer.status_code == 403
        assert "This page needs the ops role. You are signed in as vera (viewer)." in answer.text
