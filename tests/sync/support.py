"""Builders for sync tests: Outbound Message envelopes as Salesforce sends them, and a hooks-only app."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from handoff.clock import Clock
from sync.hooks.config import HookSettings
from sync.hooks.views import router as hooks_router

ORG_ID = "00Do0000000e0vQEAQ"
_counter = itertools.count(1)


def notification_id() -> str:
    """A fresh ``04l`` id of 18 characters."""
    return f"04l1N00000{next(_counter):08d}"


def a_notification(
    sobject: str = "Lead", notification: str | None = None, **fields: Any
) -> tuple[str, str, dict]:
    fields.setdefault("Id", f"00Q1N00000{next(_counter):05d}UAS")
    return notification or notification_id(), sobject, fields


def outbound_message(
    notifications: Iterable[tuple[str, str, Mapping[str, Any]]],
    organization_id: str = ORG_ID,
    session_id: str | None = None,
) -> bytes:
    """The envelope of reference/salesforce.md §8, field by field."""
    parts = []
    for note_id, sobject, fields in notifications:
        values = "".join(
            f'<sf:{name} xsi:nil="true"/>'
            if value is None
            else f"<sf:{name}>{escape(str(value))}</sf:{name}>"
            for name, value in fields.items()
        )
        parts.append(
            f"<Notification><Id>{note_id}</Id>"
            f'<sObject xsi:type="sf:{sobject}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">{values}</sObject>'
            "</Notification>"
        )
    session = f"<SessionId>{session_id}</SessionId>" if session_id else '<SessionId xsi:nil="true"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body>"
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{organization_id}</OrganizationId>"
        "<ActionId>04k1N0000008pXOQAY</ActionId>"
        f"{session}"
        f"<EnterpriseUrl>https://x.my.salesforce.com/services/Soap/c/59.0/{organization_id[:15]}</EnterpriseUrl>"
        f"<PartnerUrl>https://x.my.salesforce.com/services/Soap/u/59.0/{organization_id[:15]}</PartnerUrl>"
        f"{''.join(parts)}"
        "</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


def hooks_app(engine: Engine, clock: Clock, hooks: HookSettings | None) -> FastAPI:
    """Just the receivers, wired the way the app factory wires them (state attributes)."""
    app = FastAPI()
    app.state.session_factory = lambda: Session(engine, expire_on_commit=False)
    app.state.clock = clock
    if hooks is not None:
        app.state.sync_hooks = hooks
    app.include_router(hooks_router)
    return app
