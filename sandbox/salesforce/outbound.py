"""The Outbound Message sender: SOAP envelopes POSTed to receivers until they acknowledge.

Reference §8: one SOAP 1.1 envelope per message (``Content-Type: text/xml; charset=UTF-8``,
``SOAPAction: ""``) with ``OrganizationId``, ``ActionId`` (``04k``), ``SessionId`` (nil unless "Send
Session ID" is ticked and the endpoint is https), ``EnterpriseUrl``/``PartnerUrl`` (15-character org id),
and up to 100 ``Notification`` elements, each an ``Id`` (``04l``) and the sObject with the selected fields
(``Id`` always) **as they are when sending** (a deleted record sends nothing). Only an HTTP 2xx whose body
is the SOAP ``<Ack>true</Ack>`` counts; anything else (non-2xx, timeout, non-SOAP body, ``Ack`` false) is
retried on the schedule of ``outbound_queue``. ``deliver_due(now)`` does one pass and is what tests call
after moving a ``ManualClock``; the server runs it in a loop.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from sandbox.salesforce.outbound_queue import MessageStatus, OutboundMessage
from sandbox.salesforce.state import SalesforceState

log = logging.getLogger(__name__)

OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
MAX_ACK_BYTES = 64 * 1024


@dataclass
class DeliveryAttempt:
    message_id: int
    action_id: str
    notification_ids: list[str]
    endpoint_url: str
    at: datetime
    acknowledged: bool
    status_code: int | None
    error: str | None
    duplicate: bool


@dataclass
class DeliveryReport:
    attempts: list[DeliveryAttempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return sum(1 for attempt in self.attempts if attempt.acknowledged)

    @property
    def failed(self) -> int:
        return sum(1 for attempt in self.attempts if not attempt.acknowledged)


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    return escape(str(value))


def build_envelope(
    state: SalesforceState, message: OutboundMessage, session_id: str | None
) -> tuple[str, list[str]]:
    """The SOAP body for ``message`` with each record's current values; returns it and the ids sent."""
    config = state.outbound_configs[message.action_id]
    org15 = state.org_id[:15]
    instance = state.instance_url("https://localhost")
    version = state.settings.api_version
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        " <soapenv:Body>",
        f'  <notifications xmlns="{OUTBOUND_NS}">',
        f"   <OrganizationId>{state.org_id}</OrganizationId>",
        f"   <ActionId>{message.action_id}</ActionId>",
        f"   <SessionId>{escape(session_id)}</SessionId>" if session_id else '   <SessionId xsi:nil="true"/>',
        f"   <EnterpriseUrl>{escape(instance)}/services/Soap/c/{version}/{org15}</EnterpriseUrl>",
        f"   <PartnerUrl>{escape(instance)}/services/Soap/u/{version}/{org15}</PartnerUrl>",
    ]
    sent = []
    with state.lock:
        for notification in message.notifications:
            record = state.store.live(notification.record_id)
            if record is None:
                continue
            sent.append(notification.notification_id)
            parts.append("   <Notification>")
            parts.append(f"    <Id>{notification.notification_id}</Id>")
            parts.append(
                f'    <sObject xsi:type="sf:{config.sobject}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
            )
            for name in config.fields:
                value = record.get(name)
                if value is not None:
                    parts.append(f"     <sf:{name}>{_xml_value(value)}</sf:{name}>")
            parts.append("    </sObject>")
            parts.append("   </Notification>")
    parts += ["  </notifications>", " </soapenv:Body>", "</soapenv:Envelope>"]
    return "\n".join(parts), sent


def is_ack(status_code: int, body: bytes) -> tuple[bool, str | None]:
    """A delivery counts only as HTTP 2xx with the SOAP ``notificationsResponse`` holding ``Ack`` true."""
    if not 200 <= status_code < 300:
        return False, f"HTTP {status_code}"
    if len(body) > MAX_ACK_BYTES:
        return False, "acknowledgement too large"
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        return False, f"org.xml.sax.SAXParseException: {exc}"
    ack = root.find(f".//{{{OUTBOUND_NS}}}notificationsResponse/{{{OUTBOUND_NS}}}Ack")
    if ack is None or (ack.text or "").strip().lower() != "true":
        return False, "no <Ack>true</Ack> in the response"
    return True, None


class OutboundSender:
    """Delivers due Outbound Messages of one org; ``deliver_due`` is synchronous and does one pass."""

    def __init__(
        self,
        state: SalesforceState,
        *,
        transport: httpx.BaseTransport | None = None,
        verify: bool | str | ssl.SSLContext = True,
        on_attempt: Callable[[DeliveryAttempt], None] | None = None,
    ) -> None:
        self.state = state
        self.log: list[DeliveryAttempt] = []
        self.on_attempt = on_attempt
        timeout = state.outbound_policy.attempt_timeout_seconds
        if isinstance(verify, str):
            verify = ssl.create_default_context(cafile=verify)
        self._client = httpx.Client(
            timeout=timeout, transport=transport, verify=verify, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        state = self.state
        now = now or state.clock()
        policy = state.outbound_policy
        with state.lock:
            state.outbound_queue.batch(now, policy, state.outbound_rng)
            due = state.outbound_queue.due(now)
        report = DeliveryReport()
        for message in due:
            attempt = self._deliver(message, now)
            if attempt is not None:
                report.attempts.append(attempt)
        with state.lock:
            state.outbound_queue.prune()
        return report

    def _deliver(self, message: OutboundMessage, now: datetime) -> DeliveryAttempt | None:
        state = self.state
        config = state.outbound_configs.get(message.action_id)
        if config is None or not config.active:
            with state.lock:
                state.outbound_queue.drop(message, "outbound message deactivated")
            return None
        session_id = None
        if config.send_session_id and config.endpoint_url.lower().startswith("https://"):
            session_id = state.sessions.issue(
                state.org_id, config.user_id or state.integration_user_id, "outbound", now, "outbound"
            )
        envelope, sent = build_envelope(state, message, session_id)
        if not sent:
            with state.lock:
                state.outbound_queue.drop(message, "every record was deleted before sending")
            return None
        status_code: int | None = None
        try:
            response = self._client.post(
                config.endpoint_url,
                content=envelope.encode(),
                headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
            )
            status_code = response.status_code
            acknowledged, error = is_ack(response.status_code, response.content)
        except httpx.HTTPError as exc:
            acknowledged, error = False, f"{type(exc).__name__}: {exc}"
        with state.lock:
            if acknowledged:
                state.outbound_queue.acknowledged(message, now, state.outbound_policy, state.outbound_rng)
            else:
                state.outbound_queue.failed(message, now, state.outbound_policy, error or "failed")
        if message.status is MessageStatus.DROPPED:
            log.warning(
                "outbound message %s dropped after %s attempts: %s",
                message.message_id,
                message.attempts,
                error,
            )
        attempt = DeliveryAttempt(
            message.message_id,
            message.action_id,
            sent,
            config.endpoint_url,
            now,
            acknowledged,
            status_code,
            error,
            message.duplicate_of is not None,
        )
        self.log.append(attempt)
        del self.log[:-1000]
        if self.on_attempt is not None:
            self.on_attempt(attempt)
        return attempt
