"""The names of inbox sources and kinds, and of outbox operations, that the sync layer produces.

Receivers and pollers store items under these names; ``handoff.wiring`` (through
``sync.assembly``) registers handlers for them. Other packages subscribe by name too, e.g. the SLA
tracker to ``SALESFORCE_TASK`` and ``SALESFORCE_EVENT``.
"""

from __future__ import annotations

# Inbox sources: together with the natural key they form the dedupe key of an inbound item.
SOURCE_OUTBOUND_MESSAGE = "salesforce.outbound_message"  # natural key: Notification Id (04l…)
SOURCE_SALESFORCE_POLL = "salesforce.poll"  # natural key: "<sObject>:<Id>:<SystemModstamp>"
SOURCE_MARKETO_WEBHOOK = "marketo.webhook"  # natural key: "<leadId>:<the call's time token>"
SOURCE_MARKETO_ACTIVITY = "marketo.activity"  # natural key: marketoGUID (activities and leadchanges share it)
SOURCE_MARKETO_BACKFILL = "marketo.backfill"  # natural key: "<first id>-<last id>" of a page of people
SOURCE_FOLLOW_UP = "sync.follow_up"  # natural key: the idempotency key of the outbox message it follows

# Inbox kinds: one per Salesforce object whose changes we receive (Outbound Message or poll) …
SALESFORCE_LEAD = "salesforce.lead"
SALESFORCE_CONTACT = "salesforce.contact"
SALESFORCE_OPPORTUNITY = "salesforce.opportunity"
SALESFORCE_ACCOUNT = "salesforce.account"
SALESFORCE_TASK = "salesforce.task"
SALESFORCE_EVENT = "salesforce.event"

# … one per Marketo activity type we poll (reference/marketo.md §4: 10 Open Email, 11 Click Email) …
MARKETO_MQL_HINT = "marketo.mql_hint"  # the Call Webhook step: a hint, the person is fetched by id
MARKETO_NEW_LEAD = "marketo.new_lead"
MARKETO_DATA_VALUE_CHANGE = "marketo.data_value_change"
MARKETO_SCORE_CHANGE = "marketo.score_change"
MARKETO_FORM_FILL = "marketo.form_fill"
MARKETO_EMAIL_OPEN = "marketo.email_open"
MARKETO_EMAIL_CLICK = "marketo.email_click"
MARKETO_OTHER_ACTIVITY = "marketo.activity"
MARKETO_BACKFILL_PAGE = "marketo.backfill_page"  # up to 300 people read by id range

# … and the follow-ups that continue a flow once an outbox write has succeeded.
LEAD_ROUTED = "sync.lead_routed"

ACTIVITY_KINDS: dict[int, str] = {
    2: MARKETO_FORM_FILL,
    10: MARKETO_EMAIL_OPEN,
    11: MARKETO_EMAIL_CLICK,
    12: MARKETO_NEW_LEAD,
    13: MARKETO_DATA_VALUE_CHANGE,
    22: MARKETO_SCORE_CHANGE,
}
ENGAGEMENT_KINDS = (MARKETO_EMAIL_OPEN, MARKETO_EMAIL_CLICK, MARKETO_FORM_FILL)
MQL_SIGNAL_KINDS = (MARKETO_MQL_HINT, MARKETO_SCORE_CHANGE, MARKETO_DATA_VALUE_CHANGE, MARKETO_NEW_LEAD)

RECORD_KINDS: dict[str, str] = {
    "Lead": SALESFORCE_LEAD,
    "Contact": SALESFORCE_CONTACT,
    "Opportunity": SALESFORCE_OPPORTUNITY,
    "Account": SALESFORCE_ACCOUNT,
    "Task": SALESFORCE_TASK,
    "Event": SALESFORCE_EVENT,
}


def activity_kind(activity_type_id: int) -> str:
    return ACTIVITY_KINDS.get(activity_type_id, MARKETO_OTHER_ACTIVITY)


def record_kind(sobject: str) -> str:
    """``salesforce.<object>`` for the objects we know, the same shape for any other."""
    return RECORD_KINDS.get(sobject, f"salesforce.{sobject.lower()}")


# Outbox operations (target, operation). Payload shapes are documented in ``sync.operations``.
OP_ROUTE_LEAD = "salesforce.route_lead"
OP_CREATE_TASKS = "salesforce.create_task"
OP_BACKFILL_LEAD = "salesforce.backfill_lead"
OP_MARKETO_LEAD_UPDATE = "marketo.lead.update"  # the same name and payload as routing.writeback
OP_PROGRAM_STATUS = "marketo.program_status"
OP_PROGRAM_REMOVE = "marketo.program_remove"
OP_SYNC_COMPANY = "marketo.sync_company"
