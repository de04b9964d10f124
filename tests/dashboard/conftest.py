"""A running Handoff with a seeded history and two users, served on loopback; a watched Chromium page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.auth.service import UserService
from handoff.app import create_app
from handoff.clock import ManualClock
from handoff.config import HandoffConfig
from handoff.runtime import Runtime
from handoff.settings import Settings
from routing.views import config_validator
from tests.dashboard.support import full_validator, seed_history
from tests.support.servers import serve_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWER = ("vera", "viewer-password")
OPS = ("otto", "ops-password-1")


def make_runtime(engine: Engine, clock: ManualClock, tmp_path: Path, **settings: object) -> Runtime:
    with Session(engine) as session:
        users = UserService(session, clock)
        users.add(VIEWER[0], VIEWER[1], "viewer")
        users.add(OPS[0], OPS[1], "ops")
        session.commit()
    return Runtime(
        settings=Settings(
            data_dir=tmp_path / "data",
            secret_key="dashboard-test-secret-0123456789",
            run_scheduler=False,
            **settings,
        ),
        config=HandoffConfig(),
        engine=engine,
        clock=clock,
    )


@pytest.fixture
def seeded_engine(engine: Engine) -> Engine:
    seed_history(engine)
    return engine


@pytest.fixture
def live_url(seeded_engine: Engine, clock: ManualClock, tmp_path: Path) -> Iterator[str]:
    app = create_app(make_runtime(seeded_engine, clock, tmp_path), start_scheduler=False)
    app.dependency_overrides[config_validator] = lambda: full_validator
    with serve_app(app) as url:
        yield url


def sign_in(url: str, username: str, password: str) -> httpx.Client:
    """An HTTP client signed in through the real login form (with its CSRF token)."""
    client = httpx.Client(base_url=url, headers={"accept": "text/html"}, timeout=30)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


@dataclass
class Watched:
    """A browser page that records console errors and every request to a host other than 127.0.0.1."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chromium():
    """One browser per module: Playwright's sync API runs an event loop in this thread for as long as it is
    open, and a session-long one would make every later asyncio test fail ("cannot be called from a
    running event loop")."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watched(chromium, live_url: str) -> Iterator[Watched]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watched = Watched(page, live_url)
    page.on(
        "console",
        lambda message: watched.console_errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: watched.console_errors.append(str(error)))

    def only_loopback(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            watched.outside_requests.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    page.set_default_timeout(20_000)
    try:
        yield watched
    finally:
        context.close()


def browser_sign_in(watched: Watched, username: str, password: str, path: str = "/dashboard/") -> None:
    page = watched.page
    page.goto(watched.base_url + path)
    page.wait_for_url("**/login?next=*")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(watched.base_url + path)


def screenshot(watched: Watched, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    watched.page.screenshot(path=str(target), full_page=True)
    return target
