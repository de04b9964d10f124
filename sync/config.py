"""The ``salesforce``, ``marketo`` and ``sync`` sections of handoff.yaml.

Connections hold addresses and identities only; secrets (private key, client secrets, webhook secret)
come from the environment (see ``handoff.settings``), never from this file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from sync.mapping import FieldMapping


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SalesforceConnection(_Section):
    """How Handoff reaches one Salesforce org (reference/salesforce.md §1)."""

    auth: Literal["jwt", "client_credentials"] = "jwt"
    login_url: HttpUrl = HttpUrl("https://login.salesforce.com")
    instance_url: HttpUrl | None = Field(
        default=None,
        description="My Domain URL; required for client credentials (login hosts refuse that flow).",
    )
    consumer_key: str | None = Field(default=None, description="Connected app consumer key (JWT `iss`).")
    username: str | None = Field(default=None, description="Integration user (JWT `sub`).")
    client_id: str | None = Field(default=None, description="Client id for the client-credentials flow.")
    api_version: str = Field(default="59.0", pattern=r"^\d{2}\.\d$")
    organization_id: str | None = Field(
        default=None, description="18- or 15-char org id; Outbound Messages from any other org are refused."
    )
    ca_file: str | None = Field(default=None, description="CA bundle for a sandbox or proxy with its own CA.")
    daily_reserve: int = Field(
        default=1000, ge=0, description="API calls kept back for routing; lower-priority work stops below it."
    )
    timeout_seconds: float = Field(default=30.0, gt=0)
    outbound_username: str | None = Field(
        default=None, description="Basic-auth user expected on Outbound Messages."
    )


class MarketoConnection(_Section):
    """How Handoff reaches one Marketo instance (reference/marketo.md §1, §7)."""

    base_url: HttpUrl = Field(description="https://{munchkinId}.mktorest.com")
    munchkin_id: str | None = None
    client_id: str
    daily_quota: int = Field(
        default=50_000, gt=0, description="The instance's daily REST quota, shared with others."
    )
    routing_reserve: int = Field(
        default=2_000, ge=0, description="Calls kept for routing when the day runs low."
    )
    calls_per_window: int = Field(
        default=100, gt=0, le=100, description="Calls per rolling 20 s (Marketo: 100)."
    )
    max_in_flight: int = Field(default=10, gt=0, le=10, description="Concurrent requests (Marketo: 10).")
    timeout_seconds: float = Field(default=90.0, gt=0)
    ca_file: str | None = None


class PollerSettings(_Section):
    """How often each poller runs; a failing poller backs off up to ``max_backoff_seconds``."""

    marketo_activities_seconds: float = Field(default=30.0, gt=0)
    marketo_leadchanges_seconds: float = Field(default=60.0, gt=0)
    salesforce_activities_seconds: float = Field(default=30.0, gt=0)
    salesforce_records_seconds: float = Field(default=60.0, gt=0)
    backfill_seconds: float = Field(default=5.0, gt=0, description="How often the back-fill job reads more.")
    overlap_seconds: float = Field(
        default=120.0, ge=0, description="High-water-mark overlap for late commits."
    )
    max_backoff_seconds: float = Field(default=900.0, gt=0)
    initial_lookback_minutes: float = Field(
        default=60.0, ge=0, description="How far back a poller with no saved position starts."
    )
    marketo_activity_types: list[int] = Field(
        default_factory=lambda: [2, 10, 11, 12, 13, 22],
        min_length=1,
        max_length=10,
        description="Activity types polled (2 form fill, 10 open, 11 click, 12 new, 13 change, 22 score).",
    )
    salesforce_activities: bool = Field(
        default=True, description="Poll Tasks and Events (first touches for the SLA tracker)."
    )


class HookLimits(_Section):
    """How the inbound receivers authenticate and how much they read (secrets come from the environment)."""

    webhook_secret_header: str = Field(
        default="X-Handoff-Webhook-Secret",
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        description="Custom header of the Marketo webhook holding HANDOFF_MARKETO_WEBHOOK_SECRET.",
    )
    max_outbound_message_bytes: int = Field(
        default=1_000_000, ge=10_000, le=20_000_000, description="Larger Outbound Messages are refused."
    )
    max_webhook_bytes: int = Field(default=16_384, ge=256, le=1_000_000)


class MqlTrigger(_Section):
    """When a Marketo person counts as marketing-qualified (the webhook's campaign should use the same)."""

    score_field: str | None = Field(default="leadScore", pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    threshold: float = Field(default=75, description="score_field >= threshold is an MQL")
    status_field: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    status_values: list[str] = Field(default_factory=list, description="status_field in these is an MQL")

    @model_validator(mode="after")
    def _one_rule(self) -> MqlTrigger:
        if self.score_field is None and not (self.status_field and self.status_values):
            raise ValueError("give score_field, or status_field with status_values")
        if self.status_field and not self.status_values:
            raise ValueError("status_field needs status_values")
        return self

    def watched_fields(self) -> list[str]:
        return [f for f in (self.score_field, self.status_field) if f]


class EngagementSettings(_Section):
    """Flow 4.4: Marketo email and form engagement written as Salesforce Tasks."""

    enabled: bool = True
    task_status: str = Field(default="Completed", max_length=40)
    subject_prefix: str = Field(default="Marketo: ", max_length=40)


class SyncConfig(_Section):
    """What the sync layer does beyond connecting: pollers, programs, field mapping, switches."""

    pollers: PollerSettings = PollerSettings()
    hooks: HookLimits = HookLimits()
    outbound_messages_enabled: bool = Field(
        default=True,
        description="If false, Leads/Contacts/Opportunities/Accounts are polled by SystemModstamp.",
    )
    marketo_crm_sync_enabled: bool = Field(
        default=False, description="Native Marketo↔Salesforce sync on: companies are read-only (error 1018)."
    )
    won_program_id: int | None = Field(default=None, description="Marketo program for Closed Won contacts.")
    lost_program_id: int | None = Field(default=None, description="Marketo program for Closed Lost contacts.")
    acquisition_program_ids: list[int] = Field(default_factory=list)
    won_status: str = "Member"
    lost_status: str = "Member"
    opportunity_contacts: Literal["contact_roles", "account_contacts"] = Field(
        default="contact_roles",
        description="Flow 4.3 finds an Opportunity's people by OpportunityContactRole or by its Account.",
    )
    backfill: bool = Field(
        default=False,
        description="Run the back-fill job: every Marketo person without a Salesforce record becomes a Lead.",
    )
    mql: MqlTrigger = MqlTrigger()
    engagement: EngagementSettings = EngagementSettings()
    field_map: FieldMapping = Field(
        default_factory=FieldMapping,
        description="Field mapping between the systems (defaults: sync.mapping).",
    )
