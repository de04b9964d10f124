"""What the flows and pollers need from the two APIs and from the routing gate, as small protocols.

The real clients (``sync.salesforce``, ``sync.marketo``) satisfy these through ``sync.adapters``;
tests may pass in-memory twins. Keeping the surface this small is what lets every flow be read without
knowing a wire format: records are plain dicts of API field names, results are typed, errors are the
four classes of ``sync.errors``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from sync.errors import SyncError


@dataclass(frozen=True)
class ActivityPage:
    """One page of ``activities.json`` or ``leadchanges.json`` (reference/marketo.md §4)."""

    activities: list[dict[str, Any]]
    next_page_token: str
    more_result: bool
    rejected: int = 0  # records the client could not read (no marketoGUID …), counted, never stored


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


@dataclass(frozen=True)
class MqlCandidate:
    """A Marketo person that crossed the MQL line, as fetched by id, with how we learned it."""

    marketo_id: int
    person: dict[str, Any]
    signal: str  # the inbox kind that carried it: marketo.mql_hint, marketo.score_change …
    signalled_at: datetime


@dataclass(frozen=True)
class RouteResult:
    """What the gate did with one candidate: ``route`` (assignment queued or done), ``hold``, ``reject``,
    or ``already`` (the person is in a handoff that was routed already)."""

    marketo_id: int
    handoff_id: int | None
    outcome: str
    message: str


class RoutingPort(Protocol):
    """The routing gate as the MQL flow sees it.

    It opens or re-opens the person's handoff, decides, records events and starts the assignment (in
    Salesforce directly with a re-check, or through the outbox) in ``session``, without committing:
    the inbox commits it together with the item's done mark. Dedupe against existing Leads and
    Contacts is its job (the pass-through does it in the ``salesforce.route_lead`` operation).
    """

    async def route(
        self, session: Session, candidates: Sequence[MqlCandidate], *, now: datetime
    ) -> list[RouteResult]: ...
