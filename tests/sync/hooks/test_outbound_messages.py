"""Salesforce Outbound Messages over real HTTP: stored then acknowledged, hostile input refused untouched."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlmodel import Session, SQLModel, select

from sync import kinds
from sync.hooks.config import HookSettings
from sync.hooks.soap import ACK
from sync.models import InboxItem
from tests.support.database import isolated_engine
from tests.support.servers import serve_app
from tests.sync.support import ORG_ID, a_notification, hooks_app, outbound_message

PATH = "/hooks/salesforce/outbound-messages"
SOAP_HEADERS = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>&xxe;</OrganizationId>
</notifications></soapenv:Body></soapenv:Envelope>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>&lol4;</OrganizationId>
</notifications></soapenv:Body></soapenv:Envelope>"""


@pytest.fixture
def hooks() -> HookSettings:
    return HookSettings(organization_id=ORG_ID, max_outbound_bytes=20_000)


@pytest.fixture
def receiver(engine, clock, hooks):
    with serve_app(hooks_app(engine, clock, hooks)) as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def inbox(session: Session) -> list[InboxItem]:
    session.expire_all()
    return list(session.exec(select(InboxItem).order_by(InboxItem.id)))


def post(http: httpx.Client, body: bytes, **headers: str) -> httpx.Response:
    return http.post(PATH, content=body, headers={**SOAP_HEADERS, **headers})


def assert_fault(response: httpx.Response, status: int, reason: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/xml")
    assert b"<soapenv:Fault>" in response.content and reason.encode() in response.content


def test_each_notification_is_stored_before_the_real_ack(receiver, session):
    converted = a_notification("Lead", IsConverted="true", Email="ann@acme.com")
    account = a_notification("Account", Name="Acme")
    response = post(receiver, outbound_message([converted, account], session_id="00Dx!secret-session"))
    assert response.status_code == 200
    assert response.content == ACK
    rows = inbox(session)
    assert [(r.source, r.kind, r.natural_key) for r in rows] == [
        (kinds.SOURCE_OUTBOUND_MESSAGE, kinds.SALESFORCE_LEAD, converted[0]),
        (kinds.SOURCE_OUTBOUND_MESSAGE, kinds.SALESFORCE_ACCOUNT, account[0]),
    ]
    assert rows[0].payload["fields"]["IsConverted"] == "true"
    assert rows[0].payload["record_id"] == converted[2]["Id"]
    assert "secret-session" not in str([r.payload for r in rows])


def test_a_message_delivered_twice_is_acknowledged_twice_and_stored_once(receiver, session):
    body = outbound_message([a_notification("Lead", Status="Open"), a_notification("Lead", Status="Working")])
    assert post(receiver, body).content == ACK
    assert post(receiver, body).content == ACK
    assert len(inbox(session)) == 2
    assert all(row.attempts == 0 and row.status == "pending" for row in inbox(session))


def test_out_of_order_redeliveries_are_each_kept_once(receiver, session):
    older, newer = a_notification("Lead", Status="Open"), a_notification("Lead", Status="Qualified")
    for message in ([newer], [older], [newer, older]):
        assert post(receiver, outbound_message(message)).content == ACK
    assert sorted(r.natural_key for r in inbox(session)) == sorted([older[0], newer[0]])


def test_null_fields_arrive_as_none(receiver, session):
    post(receiver, outbound_message([a_notification("Lead", Email=None)]))
    assert inbox(session)[0].payload["fields"]["Email"] is None


def test_external_entity_is_refused_and_nothing_stored(receiver, session):
    assert_fault(post(receiver, XXE), 500, "refused: the XML declares a DTD")
    assert inbox(session) == []


def test_billion_laughs_is_refused_and_nothing_stored(receiver, session):
    assert_fault(post(receiver, BILLION_LAUGHS), 500, "DTD")
    assert inbox(session) == []


def test_oversize_body_is_refused_before_parsing(receiver, session):
    huge = outbound_message([a_notification("Lead", Description="x" * 30_000)])
    assert_fault(post(receiver, huge), 413, "larger than 20000 bytes")

    def chunks():  # no Content-Length: the limit holds while streaming too
        yield huge[:10_000]
        yield huge[10_000:]

    response = receiver.post(PATH, content=chunks(), headers=SOAP_HEADERS)
    assert_fault(response, 413, "larger than")
    assert inbox(session) == []


def test_foreign_organization_is_refused(receiver, session):
    foreign = outbound_message([a_notification("Lead")], organization_id="00D000000000001AAA")
    assert_fault(
        post(receiver, foreign), 500, "OrganizationId 00D000000000001 is not the configured organization"
    )
    assert inbox(session) == []


def test_organization_is_compared_on_its_first_15_characters(engine, clock, session):
    hooks = HookSettings(organization_id=ORG_ID[:15])
    with serve_app(hooks_app(engine, clock, hooks)) as base_url:
        response = httpx.post(
            base_url + PATH, content=outbound_message([a_notification()]), headers=SOAP_HEADERS
        )
    assert response.content == ACK


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<notifications/>", "not a SOAP 1.1 envelope"),
        (b"<<<", "not well-formed XML"),
        (b'{"json": true}', "not well-formed XML"),
        (
            outbound_message([a_notification(notification="not-an-id")]),
            "Id is missing or not a Salesforce id",
        ),
        (outbound_message([]), "no Notification"),
        (outbound_message([a_notification("Lead", Id="bad")]), "has no valid Id"),
    ],
)
def test_malformed_messages_get_a_clear_fault(receiver, session, body, reason):
    assert_fault(post(receiver, body), 500, reason)
    assert inbox(session) == []


def test_basic_auth_when_configured(engine, clock, session):
    hooks = HookSettings(organization_id=ORG_ID, outbound_username="sfdc", outbound_password="s3cret")
    body = outbound_message([a_notification()])
    good = "Basic " + base64.b64encode(b"sfdc:s3cret").decode()
    wrong = "Basic " + base64.b64encode(b"sfdc:guess").decode()
    with serve_app(hooks_app(engine, clock, hooks)) as base_url, httpx.Client(base_url=base_url) as http:
        assert_fault(post(http, body), 401, "authentication required")
        assert_fault(post(http, body, Authorization=wrong), 401, "authentication required")
        assert inbox(session) == []
        assert post(http, body, Authorization=good).content == ACK
    assert len(inbox(session)) == 1


def test_an_unconfigured_receiver_refuses_everything(engine, clock, session):
    with serve_app(hooks_app(engine, clock, None)) as base_url:
        response = httpx.post(
            base_url + PATH, content=outbound_message([a_notification()]), headers=SOAP_HEADERS
        )
    assert_fault(response, 503, "not configured")
    assert inbox(session) == []


def test_no_ack_when_the_message_cannot_be_stored(tmp_path, clock):
    with isolated_engine(tmp_path) as empty:  # no tables: the commit fails
        with serve_app(hooks_app(empty, clock, HookSettings(organization_id=ORG_ID))) as base_url:
            response = httpx.post(
                base_url + PATH, content=outbound_message([a_notification()]), headers=SOAP_HEADERS
            )
        assert_fault(response, 503, "retry later")
        assert b"<Ack>" not in response.content
        SQLModel.metadata.create_all(empty)
        with Session(empty) as db:
            assert db.exec(select(InboxItem)).all() == []
