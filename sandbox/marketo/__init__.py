"""A Marketo Engage REST emulator: real paths, envelopes, error codes, limits and activity ids.

Build an instance with ``MarketoState`` (seed and drive it from Python, no HTTP needed), serve it with
``create_app(state)`` or ``run(host, port, …)``. Reference: ``reference/marketo.md`` and
``reference/marketo-webhooks.md``.
"""

from sandbox.marketo.activities import Activity, FieldChange
from sandbox.marketo.campaigns import SmartCampaign
from sandbox.marketo.programs import Channel, Membership, Program, ProgressionStatus
from sandbox.marketo.server import create_app, run, write_credentials
from sandbox.marketo.state import DEFAULT_MUNCHKIN_ID, MarketoState
from sandbox.marketo.triggers import (
    ActivityOccurs,
    CallWebhook,
    CampaignRequested,
    ChangeDataValue,
    ChangeProgramStatus,
    ChangeScore,
    DataValueChanged,
    FlowContext,
    FormFilled,
    LeadCreated,
    RunCallback,
    ScoreChanged,
    ScoreCrosses,
)
from sandbox.marketo.webhooks import Delivery, Webhook, WebhookCall

__all__ = [
    "DEFAULT_MUNCHKIN_ID",
    "Activity",
    "ActivityOccurs",
    "CallWebhook",
    "CampaignRequested",
    "ChangeDataValue",
    "ChangeProgramStatus",
    "ChangeScore",
    "Channel",
    "DataValueChanged",
    "Delivery",
    "FieldChange",
    "FlowContext",
    "FormFilled",
    "LeadCreated",
    "MarketoState",
    "Membership",
    "Program",
    "ProgressionStatus",
    "RunCallback",
    "ScoreChanged",
    "ScoreCrosses",
    "SmartCampaign",
    "Webhook",
    "WebhookCall",
    "create_app",
    "run",
    "write_credentials",
]
