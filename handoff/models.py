"""Every table, imported in one place so that Alembic and ``create_all`` see the whole schema."""

from dashboard.auth.models import ApiToken, User
from routing.models import (
    ConfigVersion,
    Handoff,
    HandoffEvent,
    PersonSnapshot,
    SalesforceAccount,
    SalesforceRecord,
)
from sla.models import SlaClock, SlaNotification, SlaOutOfOffice, SlaStepRun
from sync.models import Cursor, DeadLetter, InboxItem, OutboxMessage

__all__ = [
    "ApiToken",
    "ConfigVersion",
    "Cursor",
    "DeadLetter",
    "Handoff",
    "HandoffEvent",
    "InboxItem",
    "OutboxMessage",
    "PersonSnapshot",
    "SalesforceAccount",
    "SalesforceRecord",
    "SlaClock",
    "SlaNotification",
    "SlaOutOfOffice",
    "SlaStepRun",
    "User",
]
