"""Outbound Messages reach a real receiver on loopback, are re-sent until acknowledged, and stop after.

Time moves by hand (``ManualClock``); ``OutboundSender.deliver_due`` does one delivery pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise

import pytest
from defusedxml import ElementTree
from fastapi import FastAPI, Request
from fastapi.responses import Response

from handoff.clock import ManualClock
from sandbox.salesforce import Criterion, Evaluation, OutboundPolicy, OutboundSender, SalesforceState
from sandbox.salesforce.outbound_queue import MessageStatus
from tests.support.servers import serve_app

OUT = "{http://soap.sforce.com/2005/09/outbound}"
SF = "{urn:sobject.enterprise.soap.sforce.com}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>'
    "</soapenv:Body></soapenv:Envelope>"
)
NACK = ACK.replace("<Ack>true</Ack>", "<Ack>false</Ack>")


@dataclass
class Delivery:
    headers: dict[str, str]
    organization_id: str
    action_id: str
    session_nil: bool
    notifications: list[tuple[str, dict[str, str]]]


@dataclass
class Receiver:
    """A receiver whose answers are scripted: each call pops the next answer (the last one repeats)."""

    answers: list[tuple[int, str]] = field(default_factory=lambda: [(200, ACK)])
    deliveries: list[Delivery] = field(default_factory=list)
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/salesforce/outbound")
        async def receive(request: Request) -> Response:
            root = ElementTree.fromstring(await request.body())
            body = root.find(f".//{OUT}notifications")
            assert body is not None
            notifications = []
            for notification in body.findall(f"{OUT}Notification"):
                sobject = notification.find(f"{OUT}sObject")
                fields = {child.tag.replace(SF, ""): child.text or "" for child in sobject}  # type: ignore[union-attr]
                notifications.append((notification.findtext(f"{OUT}Id") or "", fields))
            self.deliveries.append(
                Delivery(
                    dict(request.headers),
                    body.findtext(f"{OUT}OrganizationId") or "",
                    body.findtext(f"{OUT}ActionId") or "",
                    body.find(f"{OUT}SessionId").get(XSI_NIL) == "true",  # type: ignore[union-attr]
                    notifications,
                )
            )
            status, text = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return Response(text, status_code=status, media_type="text/xml")

        return app

    def sent_ids(self) -> list[list[str]]:
        return [[notification_id for notification_id, _ in d.notifications] for d in self.deliveries]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with serve_app(receiver.app()) as base_url:
        receiver.url = f"{base_url}/salesforce/outbound"
        yield receiver


def an_org_with_message(
    clock: ManualClock, receiver: Receiver, **policy: object
) -> tuple[SalesforceState, str]:
    state = SalesforceState(clock=clock, outbound_policy=OutboundPolicy(**policy))  # type: ignore[arg-type]
    action_id = state.add_outbound_message(
        "Lead",
        receiver.url,
        ["Email", "Status", "OwnerId", "IsConverted", "LastModifiedDate"],
        criteria=[Criterion("Status", "equals", "Working - Contacted")],
        evaluation=Evaluation.CREATED_AND_EDITED,
    )
    return state, action_id


def a_working_lead(state: SalesforceState, email: str = "ann@acme.example") -> str:
    return state.add_lead(
        {"LastName": "Doe", "Company": "Acme", "Email": email, "Status": "Working - Contacted"}
    )


def test_the_message_is_the_real_soap_envelope(clock: ManualClock, receiver: Receiver) -> None:
    state, action_id = an_org_with_message(clock, receiver)
    lead_id = a_working_lead(state)
    sender = OutboundSender(state)

    report = sender.deliver_due(clock())

    assert report.acknowledged == 1
    delivery = receiver.deliveries[0]
    assert delivery.headers["content-type"] == "text/xml; charset=UTF-8"
    assert delivery.headers["soapaction"] == '""'
    assert (delivery.organization_id, delivery.action_id) == (state.org_id, action_id)
    assert action_id.startswith("04k") and len(action_id) == 18
    assert delivery.session_nil
    [(notification_id, fields)] = delivery.notifications
    assert notification_id.startswith("04l") and len(notification_id) == 18
    assert fields == {
        "Id": lead_id,
        "Email": "ann@acme.example",
        "Status": "Working - Contacted",
        "OwnerId": state.integration_user_id,
        "IsConverted": "false",
        "LastModifiedDate": "2026-11-02T09:00:00.000Z",
    }


def test_unacknowledged_message_is_resent_with_backoff_until_acked_then_stops(
    clock: ManualClock, receiver: Receiver
) -> None:
    receiver.answers = [(500, "boom"), (200, '{"ok": true}'), (200, NACK), (200, ACK)]
    state, _ = an_org_with_message(clock, receiver)
    a_working_lead(state)
    sender = OutboundSender(state)

    assert sender.deliver_due(clock()).failed == 1
    assert sender.deliver_due(clock()).attempts == [], "not due again before the back-off"
    clock.advance(seconds=15)
    assert sender.deliver_due(clock()).failed == 1
    clock.advance(seconds=29)
    assert sender.deliver_due(clock()).attempts == []
    clock.advance(seconds=1)
    assert sender.deliver_due(clock()).failed == 1
    clock.advance(seconds=60)
    assert sender.deliver_due(clock()).acknowledged == 1
    for _ in range(5):
        clock.advance(hours=3)
        assert sender.deliver_due(clock()).attempts == []

    assert len(receiver.deliveries) == 4
    assert len({ids[0] for ids in receiver.sent_ids()}) == 1, "every attempt carries the same notification id"
    errors = [attempt.error for attempt in sender.log]
    assert errors[0] == "HTTP 500" and errors[1].startswith("org.xml.sax.SAXParseException")
    assert errors[2] == "no <Ack>true</Ack> in the response" and errors[3] is None


def test_a_retry_sends_the_latest_values_and_a_deleted_record_sends_nothing(
    clock: ManualClock, receiver: Receiver
) -> None:
    receiver.answers = [(503, "busy"), (200, ACK)]
    state, _ = an_org_with_message(clock, receiver)
    lead_id = a_working_lead(state)
    gone_id = a_working_lead(state, "gone@acme.example")
    sender = OutboundSender(state)
    sender.deliver_due(clock())

    state.update(lead_id, {"Email": "new@acme.example"}, run_workflow=False)
    state.delete(gone_id)
    clock.advance(seconds=15)
    sender.deliver_due(clock())

    first, retry = receiver.deliveries
    assert [fields["Email"] for _, fields in first.notifications] == ["ann@acme.example", "gone@acme.example"]
    assert [(fields["Id"], fields["Email"]) for _, fields in retry.notifications] == [
        (lead_id, "new@acme.example")
    ]


def test_delivery_gives_up_after_24_hours_with_intervals_capped_at_two_hours(
    clock: ManualClock, receiver: Receiver
) -> None:
    receiver.answers = [(500, "down")]
    state, _ = an_org_with_message(clock, receiver)
    a_working_lead(state)
    sender = OutboundSender(state)
    start = clock()
    for _ in range(24 * 60 * 4):
        sender.deliver_due(clock())
        clock.advance(seconds=15)

    times = [attempt.at for attempt in sender.log]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert gaps[:4] == [
        timedelta(seconds=15),
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]
    assert max(gaps) == timedelta(hours=2)
    assert times[-1] - start <= timedelta(hours=24)
    [message] = state.outbound_queue.messages
    assert message.status is MessageStatus.DROPPED
    clock.advance(hours=2)
    assert sender.deliver_due(clock()).attempts == []


def test_time_scale_shrinks_the_whole_schedule(clock: ManualClock, receiver: Receiver) -> None:
    receiver.answers = [(500, "down")]
    state, _ = an_org_with_message(clock, receiver, time_scale=1 / 3600)
    a_working_lead(state)
    sender = OutboundSender(state)
    for _ in range(200):
        sender.deliver_due(clock())
        clock.advance(seconds=1)
    assert state.outbound_queue.messages[0].status is MessageStatus.DROPPED
    assert sender.log[-1].at - sender.log[0].at <= timedelta(seconds=24)


def test_at_least_once_means_acknowledged_messages_can_arrive_twice(
    clock: ManualClock, receiver: Receiver
) -> None:
    state, _ = an_org_with_message(clock, receiver, duplicate_probability=1.0)
    a_working_lead(state)
    sender = OutboundSender(state)
    sender.deliver_due(clock())
    clock.advance(minutes=5)
    sender.deliver_due(clock())
    clock.advance(hours=1)
    sender.deliver_due(clock())

    assert len(receiver.deliveries) == 2
    assert receiver.sent_ids()[0] == receiver.sent_ids()[1]
    assert [attempt.duplicate for attempt in sender.log] == [False, True]


def test_a_failed_message_is_overtaken_by_a_later_one(clock: ManualClock, receiver: Receiver) -> None:
    receiver.answers = [(500, "hiccup"), (200, ACK)]
    state, _ = an_org_with_message(clock, receiver)
    first = a_working_lead(state, "first@acme.example")
    sender = OutboundSender(state)
    sender.deliver_due(clock())
    clock.advance(seconds=5)
    second = a_working_lead(state, "second@acme.example")
    sender.deliver_due(clock())
    clock.advance(seconds=15)
    sender.deliver_due(clock())

    acknowledged = [d.notifications[0][1]["Id"] for d in receiver.deliveries[1:]]
    assert acknowledged == [second, first]


def test_up_to_100_notifications_travel_in_one_message(clock: ManualClock, receiver: Receiver) -> None:
    state, _ = an_org_with_message(clock, receiver)
    for number in range(250):
        a_working_lead(state, f"lead{number}@acme.example")
    OutboundSender(state).deliver_due(clock())
    assert [len(d.notifications) for d in receiver.deliveries] == [100, 100, 50]


def test_only_saves_that_meet_the_criteria_fire(clock: ManualClock, receiver: Receiver) -> None:
    state = SalesforceState(clock=clock)
    state.add_outbound_message(
        "Lead",
        receiver.url,
        ["IsConverted"],
        criteria={"IsConverted": True},
        evaluation="created_and_edited_to_meet",
    )
    lead_id = state.add_lead({"LastName": "Doe", "Company": "Acme", "OwnerId": state.add_user("Rep")})
    state.update(lead_id, {"Title": "CTO"})
    assert state.outbound_queue.waiting == []
    state.convert_lead(lead_id)
    assert [n.record_id for n in state.outbound_queue.waiting] == [lead_id]
    OutboundSender(state).deliver_due(clock())
    assert receiver.deliveries[0].notifications[0][1]["IsConverted"] == "true"
