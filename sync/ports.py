"""What the flows and pollers need from the two APIs and from the routing gate, as small protocols.

The real clients (``sync.salesforce``, ``sync.marketo``) satisfy these through ``sync.adapters``;
tests may pass in-memory twins. Keeping the surface this small is what lets every flow be read without
knowing a wire format: records are plain dicts of API field names, results are typed, errors are the
four classes of ``sync.errors``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlmodel import Session

from sync.errors import SyncError


@dataclass(frozen=True)
class ActivityPage:
    """One page of ``activities.json`` or ``leadchanges.json`` (reference/marketo.md §4)."""

    activities: list[dict[str, Any]]
    next_page_token: str
    more_result: bool


@dataclass(frozen=True)
class RecordOutcome:
    """What happened to one input record of a batch call, in input order.

    ``status``: ``created`` / ``updated`` / ``deleted`` / ``added`` … on success, ``skipped`` when the
    other system refused this record (``code``, ``message`` say why), ``failed`` when the call itself
    failed (``error`` is the typed error).
    """

    status: str
    id: str | int | None = None
    code: str | None = None
    message: str | None = None
    error: SyncError | None = None

    @property
    def ok(self) -> bool:
        return self.status not in ("skipped", "failed")


class SalesforcePort(Protocol):
    async def get(
        self, sobject: str, record_id: str, fields: Sequence[str], *, priority: int
    ) -> dict[str, Any] | None:
        """The record, or None when it does not exist (deleted, or never visible to us)."""
        ...

    def query(self, soql: str, *, priority: int) -> AsyncIterator[dict[str, Any]]:
        """Every record of the query, page after page (``nextRecordsUrl``)."""
        ...

    async def create(
        self, sobject: str, fields: Mapping[str, Any], *, auto_assign: str | None, priority: int
    ) -> str:
        """Create one record; ``auto_assign`` is the ``Sforce-Auto-Assign`` value (TRUE, FALSE or a rule id)."""
        ...

    async def update(
        self, sobject: str, record_id: str, fields: Mapping[str, Any], *, auto_assign: str, priority: int
    ) -> None: ...

    async def create_many(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, priority: int
    ) -> list[RecordOutcome]:
        """sObject Collections create, 200 a call (reference/salesforce.md §4)."""
        ...


class MarketoPort(Protocol):
    async def get_leads(
        self, filter_type: str, values: Sequence[str | int], fields: Sequence[str], *, priority: int
    ) -> list[dict[str, Any]]:
        """``GET /rest/v1/leads.json`` by a searchable field, ≤300 values a call (§3)."""
        ...

    async def sync_leads(
        self, records: Sequence[Mapping[str, Any]], *, action: str, lookup_field: str, priority: int
    ) -> list[RecordOutcome]: ...

    async def paging_token(self, since: datetime, *, priority: int) -> str: ...

    async def activities(
        self, type_ids: Sequence[int], next_page_token: str, *, priority: int
    ) -> ActivityPage: ...

    async def lead_changes(
        self, fields: Sequence[str], next_page_token: str, *, priority: int
    ) -> ActivityPage: ...

    async def program_member_status(
        self, program_id: int, status_name: str, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]: ...

    async def program_member_delete(
        self, program_id: int, lead_ids: Sequence[int], *, priority: int
    ) -> list[RecordOutcome]: ...

    async def sync_companies(
        self, records: Sequence[Mapping[str, Any]], *, action: str, dedupe_by: str, priority: int
    ) -> list[RecordOutcome]: ...


# --- the routing gate ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesforceMatch:
    """What already exists in Salesforce for a person (the dedupe context the gate decides with)."""

    lead_id: str | None = None
    lead_owner_id: str | None = None
    contact_id: str | None = None
    contact_owner_id: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class MqlCandidate:
    """A Marketo person that crossed the MQL line, with how we learned it."""

    marketo_id: int
    person: dict[str, Any]
    signal: str  # inbox kind that carried it: marketo.mql_hint, marketo.score_change …
    signalled_at: datetime
    salesforce: SalesforceMatch = field(default_factory=SalesforceMatch)


@dataclass(frozen=True)
class RoutingDecision:
    """The gate's answer for one candidate.

    ``route``: write the Lead now. ``hold``/``reject``: nothing is written to Salesforce (the gate
    recorded why on the handoff). ``already``: the person is in an open handoff; nothing to do.
    Exactly one way to pick the owner when routing: ``assignment_rule`` (``TRUE`` = the active rule,
    or a ``01Q`` id, sent as ``Sforce-Auto-Assign`` on create), or ``owner_id`` (a ``005`` user or
    ``00G`` queue, written with ``Sforce-Auto-Assign: FALSE``), or neither for an existing record
    whose owner is kept.
    """

    action: Literal["route", "hold", "reject", "already"]
    handoff_id: int | None
    reason: str
    reason_code: str
    assignment_rule: str | None = None
    owner_id: str | None = None
    lead_fields: dict[str, Any] = field(default_factory=dict)
    marketo_fields: dict[str, Any] = field(default_factory=dict)


class RoutingPort(Protocol):
    """The routing gate as the MQL flow sees it; it records the handoff and its events in ``session``."""

    async def decide(
        self, session: Session, candidate: MqlCandidate, *, now: datetime
    ) -> RoutingDecision: ...
