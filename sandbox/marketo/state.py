"""One emulated Marketo instance, usable without HTTP: the world generator seeds and drives it here.

``MarketoState`` holds the parts (people, engagement, programs, lists, companies, webhooks, campaigns)
plus what the REST gateway needs (credentials, tokens, limits, faults, the CRM-sync flag). Every part
shares one clock and one re-entrant lock (see ``core``), so the world can drive the instance from its
own thread while the HTTP server answers requests.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from handoff.clock import Clock, utcnow
from sandbox.marketo.activities import Activity
from sandbox.marketo.auth import TokenStore
from sandbox.marketo.campaigns import Campaigns
from sandbox.marketo.companies import Companies
from sandbox.marketo.core import Core
from sandbox.marketo.engagement import Engagement
from sandbox.marketo.faults import Faults
from sandbox.marketo.limits import ApiLimits, LimitSettings
from sandbox.marketo.lists import StaticLists
from sandbox.marketo.people import People
from sandbox.marketo.programs import Programs
from sandbox.marketo.schema import FieldSpec
from sandbox.marketo.webhooks import Webhooks

DEFAULT_MUNCHKIN_ID = "284-RPR-133"


class MarketoState:
    def __init__(
        self,
        *,
        clock: Clock = utcnow,
        munchkin_id: str = DEFAULT_MUNCHKIN_ID,
        client_id: str | None = None,
        client_secret: str | None = None,
        daily_quota: int = 50_000,
        limits_enabled: bool = True,
        strict_tokens: bool = False,
        crm_sync_enabled: bool = False,
        activity_scan_block: int = 5_000,
        webhook_timeout_seconds: float = 30.0,
        fault_seed: int = 0,
    ) -> None:
        self.core = Core(clock)
        self.core.crm_sync_enabled = crm_sync_enabled
        self.people = People(self.core)
        self.engagement = Engagement(self.core, self.people)
        self.programs = Programs(self.core)
        self.lists = StaticLists(self.core)
        self.companies = Companies(self.core)
        self.webhooks = Webhooks(self.core, self.people, timeout_seconds=webhook_timeout_seconds)
        self.campaigns = Campaigns(self.core, self.people, self.programs, self.webhooks)
        self.tokens = TokenStore()
        self.limits = ApiLimits(LimitSettings(daily_quota=daily_quota, enabled=limits_enabled))
        self.faults = Faults(fault_seed)
        self.munchkin_id = munchkin_id
        self.strict_tokens = strict_tokens
        if activity_scan_block < 1:
            raise ValueError("activity_scan_block must be positive")
        self.activity_scan_block = activity_scan_block
        self.client_id = ""
        self._client_secret = ""
        self.set_credentials(
            client_id or f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-sandbox",
            client_secret or secrets.token_urlsafe(24),
        )

    # -- clock, lock, flags ------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self.core.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.core.clock = clock

    @property
    def lock(self) -> AbstractContextManager[bool]:
        """The instance lock (re-entrant): hold it to read several parts consistently."""
        return self.core.lock

    @property
    def crm_sync_enabled(self) -> bool:
        return self.core.crm_sync_enabled

    def set_crm_sync(self, enabled: bool) -> None:
        """With native CRM sync on, Sync Companies answers 1018 (reference §6)."""
        with self.core.lock:
            self.core.crm_sync_enabled = bool(enabled)

    # -- credentials -------------------------------------------------------------------------------

    def set_credentials(self, client_id: str, client_secret: str) -> None:
        if not client_id or not client_secret:
            raise ValueError("client id and secret must not be empty")
        self.client_id = client_id
        self._client_secret = client_secret

    @property
    def client_secret(self) -> str:
        return self._client_secret

    def credentials_match(self, client_id: str | None, client_secret: str | None) -> bool:
        same_id = hmac.compare_digest((client_id or "").encode(), self.client_id.encode())
        same_secret = hmac.compare_digest((client_secret or "").encode(), self._client_secret.encode())
        return same_id and same_secret

    def credentials_document(self, base_url: str) -> dict[str, str]:
        """What ``--credentials-out`` writes: ``{base_url, munchkin_id, client_id, client_secret}``."""
        return {
            "base_url": base_url,
            "munchkin_id": self.munchkin_id,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }

    # -- schema and reads --------------------------------------------------------------------------

    def add_lead_field(
        self, name: str, data_type: str, *, display_name: str | None = None, length: int | None = None
    ) -> FieldSpec:
        """A custom lead field; custom string/email/integer fields are searchable (reference §3)."""
        with self.core.lock:
            return self.core.lead_schema.add_custom(name, data_type, display_name, length)

    def activities(
        self,
        *,
        lead_id: int | None = None,
        activity_type_ids: Iterable[int] | None = None,
        since: datetime | None = None,
    ) -> list[Activity]:
        """The log, filtered: for tests and the world, not through the paging API."""
        wanted = set(activity_type_ids) if activity_type_ids is not None else None
        with self.core.lock:
            return [
                a
                for a in self.core.log.records()
                if (lead_id is None or a.lead_id == lead_id)
                and (wanted is None or a.activity_type_id in wanted)
                and (since is None or a.activity_date >= since)
            ]

    def summary(self) -> dict[str, Any]:
        with self.core.lock:
            return {
                "munchkinId": self.munchkin_id,
                "leads": len(self.core.leads),
                "activities": len(self.core.log),
                "programs": len(self.programs.all()),
                "lists": len(self.lists.all()),
                "companies": len(self.core.companies),
                "campaigns": len(self.campaigns.all()),
                "webhooks": len(self.webhooks.all()),
                "webhookCallsPending": self.webhooks.pending_count,
                "webhookCallsDelivered": len(self.webhooks.deliveries),
                "crmSyncEnabled": self.core.crm_sync_enabled,
                "limitsEnabled": self.limits.settings.enabled,
                "strictTokens": self.strict_tokens,
                "inFlight": self.limits.in_flight,
            }
