"""The Marketo Call Webhook over real HTTP: a secret header, a stored hint, a small JSON answer."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from sync import kinds
from sync.hooks.config import HookSettings
from sync.models import InboxItem
from tests.support.servers import serve_app
from tests.sync.support import hooks_app

PATH = "/hooks/marketo/webhook"
SECRET = "a-long-shared-secret-0123456789"
HEADER = "X-Handoff-Webhook-Secret"


@pytest.fixture
def receiver(engine, clock):
    hooks = HookSettings(webhook_secret=SECRET, max_webhook_bytes=1024)
    with serve_app(hooks_app(engine, clock, hooks)) as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def inbox(session: Session) -> list[InboxItem]:
    session.expire_all()
    return list(session.exec(select(InboxItem)))


def test_a_hint_with_the_secret_is_stored_and_answered_with_json(receiver, session):
    response = receiver.post(
        PATH,
        json={"leadId": 318592, "at": "2026-11-02 09:00:01", "campaignId": 1077},
        headers={HEADER: SECRET},
    )
    assert response.status_code == 200
    assert response.json() == {"accepted": True, "leadId": 318592, "duplicate": False}
    [row] = inbox(session)
    assert (row.source, row.kind, row.natural_key) == (
        kinds.SOURCE_MARKETO_WEBHOOK,
        kinds.MARKETO_MQL_HINT,
        "318592:2026-11-02 09:00:01",
    )
    assert row.payload == {"lead_id": 318592, "called_at": "2026-11-02 09:00:01", "campaign_id": 1077}


def test_the_same_call_twice_is_stored_once(receiver, session):
    hint = {"leadId": "42", "at": "2026-11-02T09:00:00Z"}
    receiver.post(PATH, json=hint, headers={HEADER: SECRET})
    again = receiver.post(PATH, json=hint, headers={HEADER: SECRET})
    assert again.json()["duplicate"] is True
    assert len(inbox(session)) == 1


def test_form_encoded_templates_work_too(receiver, session):
    response = receiver.post(PATH, data={"leadId": "7", "at": "x"}, headers={HEADER: SECRET})
    assert response.status_code == 200
    assert inbox(session)[0].payload["lead_id"] == 7


@pytest.mark.parametrize("headers", [{}, {HEADER: "wrong"}, {HEADER: SECRET + "x"}, {"X-Other": SECRET}])
def test_missing_or_wrong_secret_is_refused(receiver, session, headers):
    response = receiver.post(PATH, json={"leadId": 1}, headers=headers)
    assert response.status_code == 401
    assert inbox(session) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"score": 80}, "leadId is missing"),
        ({"leadId": "abc"}, "leadId must be a positive integer"),
        ({"leadId": -3}, "leadId must be a positive integer"),
        ({"leadId": True}, "leadId must be a positive integer"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_unusable_hints_get_a_clear_400(receiver, session, body, reason):
    response = receiver.post(PATH, json=body, headers={HEADER: SECRET})
    assert response.status_code == 400 and reason in response.json()["error"]
    assert inbox(session) == []


def test_oversize_body_is_refused(receiver, session):
    response = receiver.post(PATH, json={"leadId": 1, "pad": "x" * 2000}, headers={HEADER: SECRET})
    assert response.status_code == 413
    assert inbox(session) == []


def test_without_a_configured_secret_nothing_is_accepted(engine, clock, session):
    with serve_app(hooks_app(engine, clock, HookSettings())) as base_url:
        response = httpx.post(base_url + PATH, json={"leadId": 1}, headers={HEADER: ""})
    assert response.status_code == 503
    assert inbox(session) == []
