"""The in-memory org: records, configuration, sessions, API usage and the Outbound Message queue.

``SalesforceState`` is what the HTTP layer serves and what the world generator seeds directly in Python
(no HTTP): users, queues, lead statuses, the lead assignment rule and default lead owner, the duplicate
rule, outbound message definitions, the connected app (JWT) and client-credentials app. Every mutation
runs under one lock inside a transaction, so a failed write leaves nothing behind and workflow
(Outbound Messages) only sees committed changes. The Python API lives in ``seeding.SeedingApi`` (records,
people, queues) and ``setup.SetupApi`` (rules, workflow, apps).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handoff.clock import Clock, utcnow
from sandbox.salesforce import ids
from sandbox.salesforce.assignment import AssignmentRuleConfig
from sandbox.salesforce.dml import Dml, WriteOptions
from sandbox.salesforce.duplicates import DuplicateRule
from sandbox.salesforce.faults import FaultInjector
from sandbox.salesforce.limits import ApiUsage
from sandbox.salesforce.outbound_queue import Notification, OutboundPolicy, OutboundQueue
from sandbox.salesforce.outbound_rules import OutboundMessageConfig, fires
from sandbox.salesforce.schema import Schema
from sandbox.salesforce.seeding import SeedingApi
from sandbox.salesforce.sessions import SessionStore
from sandbox.salesforce.setup import SetupApi
from sandbox.salesforce.store import Record, RecordStore


@dataclass(frozen=True)
class Stage:
    """An opportunity stage: its default probability and whether it closes the deal (won or lost)."""

    name: str
    probability: int
    closed: bool = False
    won: bool = False


STANDARD_STAGES = (
    Stage("Prospecting", 10),
    Stage("Qualification", 10),
    Stage("Needs Analysis", 20),
    Stage("Value Proposition", 50),
    Stage("Id. Decision Makers", 60),
    Stage("Perception Analysis", 70),
    Stage("Proposal/Price Quote", 75),
    Stage("Negotiation/Review", 90),
    Stage("Closed Won", 100, closed=True, won=True),
    Stage("Closed Lost", 0, closed=True),
)

#: A new org's lead statuses (Setup → Lead Status values).
STANDARD_LEAD_STATUSES = (
    ("Open - Not Contacted", True, False),
    ("Working - Contacted", False, False),
    ("Closed - Converted", False, True),
    ("Closed - Not Converted", False, False),
)


@dataclass
class ConnectedApp:
    """A connected app for the JWT bearer flow: consumer key and the X.509 certificate it verifies with."""

    consumer_key: str
    certificate_pem: str
    name: str = "Handoff"
    pre_authorized_user_ids: set[str] | None = None

    def authorises(self, user_id: str) -> bool:
        return self.pre_authorized_user_ids is None or user_id in self.pre_authorized_user_ids


@dataclass
class ClientCredentialsApp:
    """A connected app with the client credentials flow enabled and its Run As user (reference §1b)."""

    client_id: str
    client_secret: str
    run_as_user_id: str
    name: str = "Handoff client credentials"


@dataclass
class RecordChange:
    sobject: str
    before: Record | None
    after: Record
    at: datetime


@dataclass
class OrgSettings:
    instance_url: str | None = None
    login_url: str | None = None
    login_hosts: set[str] = field(default_factory=set)
    api_version: str = "59.0"


class SalesforceState(SeedingApi, SetupApi):
    def __init__(
        self,
        *,
        clock: Clock = utcnow,
        org_id: str | None = None,
        org_name: str = "Handoff Sandbox",
        pod: str = "5g",
        daily_api_limit: int = 15_000,
        session_timeout: timedelta = timedelta(hours=2),
        time_zone: str = "America/New_York",
        outbound_policy: OutboundPolicy | None = None,
        standard_setup: bool = True,
    ) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.schema = Schema()
        self.ids = ids.IdFactory(pod)
        self.store = RecordStore()
        self.dml = Dml(self)
        self.sessions = SessionStore(session_timeout)
        self.usage = ApiUsage(daily_api_limit)
        self.faults = FaultInjector()
        self.settings = OrgSettings()
        self.time_zone = time_zone
        self.org_id = ids.to18(org_id) if org_id else self.ids.for_object("Organization")
        self.opportunity_stages = {stage.name.casefold(): stage for stage in STANDARD_STAGES}
        self.assignment_rules: dict[str, AssignmentRuleConfig] = {}
        self.default_lead_owner_id: str | None = None
        self.duplicate_rule: DuplicateRule | None = DuplicateRule() if standard_setup else None
        self.outbound_configs: dict[str, OutboundMessageConfig] = {}
        self.outbound_policy = outbound_policy or OutboundPolicy()
        self.outbound_queue = OutboundQueue()
        self.outbound_rng = random.Random(self.outbound_policy.seed)
        self.connected_apps: dict[str, ConnectedApp] = {}
        self.client_credentials_apps: dict[str, ClientCredentialsApp] = {}
        self.commit_listeners: list[Callable[[set[str]], None]] = []
        self.query_cursors: dict[str, Any] = {}
        self._pending: list[RecordChange] | None = None
        self._touched: set[str] | None = None
        self._bootstrap(org_name, standard_setup)

    def _bootstrap(self, org_name: str, standard_setup: bool) -> None:
        now = self.clock()
        self.store.insert(
            "Organization",
            {
                "Id": self.org_id,
                "Name": org_name,
                "OrganizationType": "Developer Edition",
                "InstanceName": "SANDBOX",
                "IsSandbox": True,
                "TimeZoneSidKey": self.time_zone,
                "LanguageLocaleKey": "en_US",
                "IsDeleted": False,
                "CreatedDate": now,
                "LastModifiedDate": now,
                "SystemModstamp": now,
                "CreatedById": None,
                "LastModifiedById": None,
            },
        )
        admin_id = self.ids.for_object("User")
        self.admin_user_id = admin_id
        self.integration_user_id = admin_id
        options = self.system_options(admin_id, now, system=True)
        with self.transaction():
            self.dml.insert_values(
                self.schema.objects["User"],
                {
                    "Id": admin_id,
                    "LastName": "Admin",
                    "FirstName": "Sandbox",
                    "Email": "admin@sandbox.example",
                }
                | {"Username": f"admin@{self.org_id[:15].lower()}.sandbox.example"},
                options,
            )
            if standard_setup:
                for order, (label, is_default, is_converted) in enumerate(STANDARD_LEAD_STATUSES, start=1):
                    self.add_lead_status(label, default=is_default, converted=is_converted, sort_order=order)

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One unit of work: all records written inside stay, or none do; workflow sees only commits."""
        with self.lock:
            if self._pending is not None:
                yield
                return
            self._pending, self._touched = [], set()
            try:
                with self.store.transaction():
                    yield
                changes, touched = self._pending, self._touched
            finally:
                self._pending, self._touched = None, None
            for change in changes:
                self._run_workflow(change)
            for listener in self.commit_listeners:
                listener(touched)

    def record_changed(self, sobject: str, before: Record | None, after: Record, at: datetime) -> None:
        if self._pending is None:
            raise RuntimeError("records change only inside a transaction")
        self._pending.append(RecordChange(sobject, before, after, at))
        self._touched.add(after["Id"])  # type: ignore[union-attr]

    def touched(self, record_id: str) -> None:
        if self._touched is not None:
            self._touched.add(record_id)

    def _run_workflow(self, change: RecordChange) -> None:
        for config in self.outbound_configs.values():
            if config.sobject == change.sobject and fires(config, change.before, change.after):
                self.outbound_queue.enqueue(
                    Notification(
                        self.ids.for_object("OutboundNotification"),
                        config.action_id,
                        change.sobject,
                        change.after["Id"],
                        change.at,
                    )
                )

    # ------------------------------------------------------------------ helpers the DML and API use
    def system_options(
        self, user_id: str | None = None, now: datetime | None = None, **flags: Any
    ) -> WriteOptions:
        return WriteOptions(user_id=user_id or self.admin_user_id, now=now or self.clock(), **flags)

    def lead_statuses(self) -> list[Record]:
        return sorted(self.store.records("LeadStatus"), key=lambda row: row.get("SortOrder") or 0)

    def active_assignment_rule(self, sobject: str) -> AssignmentRuleConfig | None:
        return next((r for r in self.assignment_rules.values() if r.active and r.sobject == sobject), None)

    def queue_accepts(self, group_id: str, sobject: str) -> bool:
        group = self.store.live(group_id)
        if group is None or group.get("Type") != "Queue":
            return False
        return any(
            row.get("QueueId") == group_id and row.get("SobjectType") == sobject
            for row in self.store.records("QueueSobject")
        )

    def display_name(self, record_id: str | None) -> str | None:
        record = self.store.get(record_id) if record_id else None
        return record.get("Name") if record else None

    def user_by_username(self, username: str) -> Record | None:
        wanted = username.casefold()
        return next(
            (u for u in self.store.records("User") if str(u.get("Username") or "").casefold() == wanted), None
        )

    def instance_url(self, fallback: str) -> str:
        return (self.settings.instance_url or fallback).rstrip("/")
