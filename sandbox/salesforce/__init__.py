"""Salesforce sandbox: an emulator of the Sales Cloud APIs Handoff uses, speaking the real wire format.

Specification: ``shared/reference/salesforce.md``. The public API:

* ``SalesforceState`` — the in-memory org, with a seeding API usable without HTTP (``add_user``,
  ``add_queue``, ``insert``/``add_lead``/…, ``update``, ``delete``, ``convert_lead``,
  ``set_lead_assignment_rule``, ``add_outbound_message``, ``add_connected_app``, ``query``, ``get``…).
* ``create_app(state, clock=None, …)`` — the FastAPI app, served at the root path.
* ``OutboundSender`` — delivers Outbound Messages; ``deliver_due(now)`` does one pass.
* ``connected_app_key_pair()`` / ``tls_material()`` — generated key material.
* ``run(host, port, *, tls, credentials_out, persist, seed, …)`` — the server process behind
  ``handoff sandbox salesforce``.
"""

from sandbox.salesforce.app import create_app
from sandbox.salesforce.assignment import Criterion, Operator, RuleEntry
from sandbox.salesforce.conversion import ConvertResult, LeadConvert
from sandbox.salesforce.duplicates import DuplicateRule
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.keys import KeyPair, TlsMaterial, connected_app_key_pair, tls_material
from sandbox.salesforce.outbound import DeliveryAttempt, DeliveryReport, OutboundSender
from sandbox.salesforce.outbound_queue import OutboundPolicy
from sandbox.salesforce.outbound_rules import Evaluation
from sandbox.salesforce.schema import FieldType
from sandbox.salesforce.server import Credentials, run
from sandbox.salesforce.state import ClientCredentialsApp, ConnectedApp, SalesforceState

__all__ = [
    "ApiError",
    "ClientCredentialsApp",
    "ConnectedApp",
    "ConvertResult",
    "Credentials",
    "Criterion",
    "DeliveryAttempt",
    "DeliveryReport",
    "DuplicateRule",
    "Evaluation",
    "FieldType",
    "KeyPair",
    "LeadConvert",
    "Operator",
    "OutboundPolicy",
    "OutboundSender",
    "RuleEntry",
    "SalesforceState",
    "TlsMaterial",
    "connected_app_key_pair",
    "create_app",
    "run",
    "tls_material",
]
