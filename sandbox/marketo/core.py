"""What every part of the emulated instance shares: the lock, the clock, the lead records and the log.

All state of one instance is guarded by one re-entrant lock, because it is driven from several threads
at once (the HTTP server's event loop, the world generator, tests). Every activity is appended through
``Core.record`` so that smart-campaign triggers see each one exactly once, after it is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from handoff.clock import Clock
from sandbox.marketo.activities import Activity, ActivityLog, FieldChange
from sandbox.marketo.schema import (
    COMPANY_FIELDS,
    COMPANY_FIELDS_ON_LEAD,
    STANDARD_LEAD_FIELDS,
    FieldSchema,
    to_wire,
)

ActivityListener = Callable[[Activity], None]
MergeListener = Callable[[int, Sequence[int]], None]


def lookup_key(value: Any) -> Any:
    """Lookups are case-insensitive for strings (Marketo matches emails regardless of case)."""
    return value.strip().lower() if isinstance(value, str) else value


class LeadStore:
    """Lead records by integer id, with an index on email (the default lookup field)."""

    def __init__(self, first_id: int = 1) -> None:
        self._records: dict[int, dict[str, Any]] = {}
        self._by_email: dict[str, set[int]] = {}
        self._next_id = first_id

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._records

    def get(self, lead_id: int) -> dict[str, Any] | None:
        return self._records.get(lead_id)

    def ids(self) -> list[int]:
        return sorted(self._records)

    def records(self) -> Iterator[dict[str, Any]]:
        return iter(self._records.values())

    def insert(self, values: dict[str, Any]) -> int:
        lead_id = self._next_id
        self._next_id += 1
        record = {**values, "id": lead_id}
        self._records[lead_id] = record
        self._index(lead_id, None, record.get("email"))
        return lead_id

    def set(self, lead_id: int, name: str, value: Any) -> None:
        record = self._records[lead_id]
        if name == "email":
            self._index(lead_id, record.get("email"), value)
        record[name] = value

    def remove(self, lead_id: int) -> dict[str, Any]:
        record = self._records.pop(lead_id)
        self._index(lead_id, record.get("email"), None)
        return record

    def _index(self, lead_id: int, old: Any, new: Any) -> None:
        if old:
            ids = self._by_email.get(lookup_key(old), set())
            ids.discard(lead_id)
        if new:
            self._by_email.setdefault(lookup_key(new), set()).add(lead_id)

    def match(self, field: str, values: Iterable[Any]) -> dict[Any, list[int]]:
        """Ids per wanted value (keys normalised with ``lookup_key``), each list in id order."""
        wanted = {lookup_key(v) for v in values if v is not None}
        found: dict[Any, list[int]] = {key: [] for key in wanted}
        if field == "id":
            for key in wanted:
                if key in self._records:
                    found[key].append(key)
        elif field == "email":
            for key in wanted:
                found[key] = sorted(self._by_email.get(key, ()))
        else:
            for lead_id in sorted(self._records):
                key = lookup_key(self._records[lead_id].get(field))
                if key in found:
                    found[key].append(lead_id)
        return found


class Core:
    """The shared parts; components (people, programs, lists …) each hold a reference to it."""

    def __init__(self, clock: Clock, first_lead_id: int = 1) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.lead_schema = FieldSchema(STANDARD_LEAD_FIELDS)
        self.company_schema = FieldSchema(COMPANY_FIELDS)
        self.leads = LeadStore(first_lead_id)
        self.log = ActivityLog()
        self.companies: dict[int, dict[str, Any]] = {}
        self.company_ids_by_external: dict[str, int] = {}
        self.crm_sync_enabled = False
        self._activity_listeners: list[ActivityListener] = []
        self._merge_listeners: list[MergeListener] = []
        self._depth = 0

    def now(self, at: datetime | None = None) -> datetime:
        if at is not None and at.tzinfo is None:
            raise ValueError("times must be timezone-aware (UTC)")
        return at or self.clock()

    def on_activity(self, listener: ActivityListener) -> None:
        self._activity_listeners.append(listener)

    def on_merge(self, listener: MergeListener) -> None:
        self._merge_listeners.append(listener)

    def record(
        self,
        lead_id: int,
        activity_type_id: int,
        at: datetime,
        *,
        primary_attribute_value_id: int | None = None,
        primary_attribute_value: str | None = None,
        attributes: Sequence[tuple[str, Any]] = (),
        campaign_id: int | None = None,
        field_changes: Sequence[FieldChange] = (),
    ) -> Activity:
        """Append one activity, then let triggers react (nested flows are cut off at depth 10)."""
        with self.lock:
            activity = self.log.append(
                lead_id=lead_id,
                activity_type_id=activity_type_id,
                at=at,
                primary_attribute_value_id=primary_attribute_value_id,
                primary_attribute_value=primary_attribute_value,
                attributes=attributes,
                campaign_id=campaign_id,
                field_changes=field_changes,
            )
            if self._depth < 10:
                self._depth += 1
                try:
                    for listener in self._activity_listeners:
                        listener(activity)
                finally:
                    self._depth -= 1
            return activity

    def merged(self, winner_id: int, loser_ids: Sequence[int]) -> None:
        for listener in self._merge_listeners:
            listener(winner_id, loser_ids)

    def linked_company(self, lead: dict[str, Any]) -> dict[str, Any] | None:
        external = lead.get("externalCompanyId")
        if not external:
            return None
        company_id = self.company_ids_by_external.get(external)
        return self.companies.get(company_id) if company_id is not None else None

    def lead_view(self, lead: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
        """A lead as the REST API shows it: the asked fields in wire form, company fields read from the
        linked company record when ``externalCompanyId`` points at one (§3, §6)."""
        company = self.linked_company(lead)
        view: dict[str, Any] = {}
        for name in fields:
            if company is not None and name in COMPANY_FIELDS_ON_LEAD and name in company:
                view[name] = to_wire(company.get(name))
            else:
                view[name] = to_wire(lead.get(name))
        return view

    def lead_name(self, lead: dict[str, Any]) -> str:
        name = " ".join(part for part in (lead.get("firstName"), lead.get("lastName")) if part)
        return name or str(lead.get("email") or lead["id"])
