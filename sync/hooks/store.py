"""Putting what a receiver accepted into the inbox, in the caller's transaction.

The receiver commits and only then acknowledges (DESIGN.md "Durability"): a crash before the commit
means no Ack, so Salesforce re-delivers; a notification already stored is acknowledged again and
dropped here by the inbox's unique key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from sync import kinds
from sync.hooks.soap import OutboundMessage
from sync.hooks.webhook import MqlHint
from sync.inbox import store


@dataclass(frozen=True)
class Stored:
    new: int
    duplicates: int


def store_outbound_message(session: Session, message: OutboundMessage, now: datetime) -> Stored:
    new = 0
    for notification in message.notifications:
        created = store(
            session,
            source=kinds.SOURCE_OUTBOUND_MESSAGE,
            kind=kinds.record_kind(notification.sobject),
            natural_key=notification.notification_id,
            payload={
                "sobject": notification.sobject,
                "record_id": notification.record_id,
                "fields": notification.fields,
                "action_id": message.action_id,
                "organization_id": message.organization_id,
            },
            now=now,
        )
        new += created is not None
    return Stored(new, len(message.notifications) - new)


def store_mql_hint(session: Session, hint: MqlHint, now: datetime) -> bool:
    """True when the hint is new; a call repeated with the same time token is a duplicate."""
    token = hint.called_at or now.isoformat()
    created = store(
        session,
        source=kinds.SOURCE_MARKETO_WEBHOOK,
        kind=kinds.MARKETO_MQL_HINT,
        natural_key=f"{hint.lead_id}:{token}",
        payload={"lead_id": hint.lead_id, "called_at": hint.called_at, "campaign_id": hint.campaign_id},
        now=now,
    )
    return created is not None
