"""Salesforce Outbound Messages on the wire: parse the SOAP envelope, build the Ack and the faults. Pure.

Reference: salesforce.md §8. One POST carries up to 100 ``Notification`` elements, each with its ``Id``
(``04l…``, the dedupe key) and an ``sObject`` whose ``xsi:type`` names the object and whose children
are the selected fields. The parser refuses DTDs, entity declarations and external references
(defusedxml), so an XML bomb or an external-entity read never expands; the caller limits the body size
before it gets here. ``SessionId`` is never kept: it is a live Salesforce session when "Send Session
ID" is ticked, and storing it would put a credential in the database and the logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MAX_NOTIFICATIONS = 100  # WSDL: Notification maxOccurs="100"
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_SOBJECT_CHARS = _ID_CHARS | {"_"}


class OutboundMessageRejected(Exception):
    """The message is malformed, hostile or not for us; ``reason`` goes into the SOAP fault."""

    def __init__(self, reason: str, *, fault_code: str = "soapenv:Client") -> None:
        super().__init__(reason)
        self.reason = reason
        self.fault_code = fault_code


@dataclass(frozen=True)
class Notification:
    """One record change: the notification id, the sObject type and the fields Salesforce sent."""

    notification_id: str
    sobject: str
    record_id: str
    fields: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    organization_id: str
    action_id: str | None
    notifications: tuple[Notification, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _is_record_id(value: str | None) -> bool:
    return value is not None and len(value) in (15, 18) and set(value) <= _ID_CHARS


def _child(parent: Element, namespace: str, name: str) -> Element | None:
    return parent.find(f"{{{namespace}}}{name}")


def _text(parent: Element, name: str) -> str | None:
    node = _child(parent, OUTBOUND_NS, name)
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def parse(body: bytes) -> OutboundMessage:
    """Parse an Outbound Message envelope or raise ``OutboundMessageRejected`` saying what is wrong."""
    try:
        root = SafeXml.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OutboundMessageRejected(
            f"refused: the XML declares a DTD, entities or external references ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise OutboundMessageRejected(f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise OutboundMessageRejected("not a SOAP 1.1 envelope")
    soap_body = _child(root, SOAP_ENV, "Body")
    notifications = None if soap_body is None else _child(soap_body, OUTBOUND_NS, "notifications")
    if notifications is None:
        raise OutboundMessageRejected("the SOAP body holds no Outbound Message <notifications> element")
    organization_id = _text(notifications, "OrganizationId")
    if not _is_record_id(organization_id):
        raise OutboundMessageRejected("OrganizationId is missing or not a Salesforce id")
    assert organization_id is not None
    items = notifications.findall(f"{{{OUTBOUND_NS}}}Notification")
    if not items:
        raise OutboundMessageRejected("the message carries no Notification")
    if len(items) > MAX_NOTIFICATIONS:
        raise OutboundMessageRejected(
            f"{len(items)} notifications in one message; Salesforce sends at most 100"
        )
    parsed = tuple(_notification(item, index) for index, item in enumerate(items))
    return OutboundMessage(organization_id, _text(notifications, "ActionId"), parsed)


def _notification(item: Element, index: int) -> Notification:
    notification_id = _text(item, "Id")
    if not _is_record_id(notification_id):
        raise OutboundMessageRejected(f"Notification {index}: Id is missing or not a Salesforce id")
    assert notification_id is not None
    sobject = _child(item, OUTBOUND_NS, "sObject")
    if sobject is None:
        raise OutboundMessageRejected(f"Notification {notification_id}: no sObject")
    declared = sobject.get(f"{{{XSI_NS}}}type", "")
    type_name = declared.rsplit(":", 1)[-1]
    if not type_name or not set(type_name) <= _SOBJECT_CHARS:
        raise OutboundMessageRejected(f"Notification {notification_id}: sObject has no usable xsi:type")
    values: dict[str, str | None] = {}
    for child in sobject:
        name = _local(child.tag)
        if len(child):
            raise OutboundMessageRejected(
                f"Notification {notification_id}: field {name} is not a simple value"
            )
        nil = child.get(f"{{{XSI_NS}}}nil") == "true"
        values[name] = None if nil else (child.text or "")
    record_id = values.get("Id")
    if not _is_record_id(record_id):
        raise OutboundMessageRejected(f"Notification {notification_id}: the {type_name} has no valid Id")
    assert record_id is not None
    return Notification(notification_id, type_name, record_id, values)


def same_organization(received: str, expected: str) -> bool:
    """Compare org ids on their first 15 characters (case-sensitive), as Microsoft's receiver does (§8)."""
    return len(received) >= 15 and len(expected) >= 15 and received[:15] == expected[:15]


ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
    "<soapenv:Body>"
    f'<notificationsResponse xmlns="{OUTBOUND_NS}"><Ack>true</Ack></notificationsResponse>'
    "</soapenv:Body>"
    "</soapenv:Envelope>"
).encode()


def fault(reason: str, code: str = "soapenv:Client") -> bytes:
    """A SOAP 1.1 Fault: Salesforce logs ``faultstring`` in its delivery status, so it must say why."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>{escape(code)}</faultcode>"
        f"<faultstring>{escape(reason)}</faultstring>"
        "</soapenv:Fault></soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()
