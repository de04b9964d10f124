"""The append-only activity log and how it is read page by page (reference/marketo.md §4, checklist).

Each activity gets the next integer id and a ``marketoGUID`` (its id as a string, as in §4's sample).
Nothing is ever rewritten. Reading walks the log in id order from a paging position and stops after
``batch_size`` matches or after scanning ``scan_block`` entries, whichever comes first: like Marketo,
which scans activity blocks, a sparse query can therefore get empty pages with ``moreResult: true``
(§4, marketorestpython #42). Dates are not assumed monotonic, because history can be back-filled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.marketo.paging import PagePosition
from sandbox.marketo.schema import format_datetime, to_wire


@dataclass(frozen=True)
class FieldChange:
    """One field of a Change Data Value (13) activity, as ``leadchanges.json`` shows it."""

    field_id: int
    name: str
    new_value: Any
    old_value: Any


@dataclass(frozen=True)
class Activity:
    id: int
    lead_id: int
    activity_date: datetime
    activity_type_id: int
    primary_attribute_value_id: int | None = None
    primary_attribute_value: str | None = None
    attributes: tuple[tuple[str, Any], ...] = ()
    campaign_id: int | None = None
    field_changes: tuple[FieldChange, ...] = ()

    @property
    def marketo_guid(self) -> str:
        return str(self.id)

    def attribute(self, name: str, default: Any = None) -> Any:
        return next((value for key, value in self.attributes if key == name), default)

    def _head(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "marketoGUID": self.marketo_guid,
            "leadId": self.lead_id,
            "activityDate": format_datetime(self.activity_date),
            "activityTypeId": self.activity_type_id,
        }
        if self.campaign_id is not None:
            body["campaignId"] = self.campaign_id
        return body

    def to_wire(self) -> dict[str, Any]:
        """The ``activities.json`` record; empty attributes are omitted (§4)."""
        body = self._head()
        if self.primary_attribute_value_id is not None:
            body["primaryAttributeValueId"] = self.primary_attribute_value_id
        if self.primary_attribute_value is not None:
            body["primaryAttributeValue"] = self.primary_attribute_value
        if self.attributes:
            body["attributes"] = [{"name": k, "value": to_wire(v)} for k, v in self.attributes]
        return body

    def to_leadchange_wire(self, fields: set[str] | None = None) -> dict[str, Any]:
        """The ``leadchanges.json`` record: ``fields[{id,name,newValue,oldValue}]`` plus attributes."""
        body = self._head()
        changes = [c for c in self.field_changes if fields is None or c.name in fields]
        if changes:
            body["fields"] = [
                {
                    "id": c.field_id,
                    "name": c.name,
                    "newValue": to_wire(c.new_value),
                    "oldValue": to_wire(c.old_value),
                }
                for c in changes
            ]
        kept = [(k, v) for k, v in self.attributes if k not in ("New Value", "Old Value")]
        if kept:
            body["attributes"] = [{"name": k, "value": to_wire(v)} for k, v in kept]
        return body


@dataclass(frozen=True)
class ActivityPage:
    records: list[Activity]
    position: PagePosition
    more_result: bool


class ActivityLog:
    """Append-only; ids are dense from 1, so the record with id ``n`` sits at index ``n - 1``."""

    def __init__(self) -> None:
        self._records: list[Activity] = []

    def __len__(self) -> int:
        return len(self._records)

    @property
    def last_id(self) -> int:
        return len(self._records)

    def records(self) -> Sequence[Activity]:
        return tuple(self._records)

    def get(self, activity_id: int) -> Activity | None:
        if 1 <= activity_id <= len(self._records):
            return self._records[activity_id - 1]
        return None

    def append(
        self,
        *,
        lead_id: int,
        activity_type_id: int,
        at: datetime,
        primary_attribute_value_id: int | None = None,
        primary_attribute_value: str | None = None,
        attributes: Sequence[tuple[str, Any]] = (),
        campaign_id: int | None = None,
        field_changes: Sequence[FieldChange] = (),
    ) -> Activity:
        if at.tzinfo is None:
            raise ValueError("activity dates must be timezone-aware")
        activity = Activity(
            id=len(self._records) + 1,
            lead_id=lead_id,
            activity_date=at,
            activity_type_id=activity_type_id,
            primary_attribute_value_id=primary_attribute_value_id,
            primary_attribute_value=primary_attribute_value,
            attributes=tuple(attributes),
            campaign_id=campaign_id,
            field_changes=tuple(field_changes),
        )
        self._records.append(activity)
        return activity

    def start_position(self, since: datetime) -> PagePosition:
        """The position a ``pagingtoken.json?sinceDatetime=`` call hands out: just before the first
        activity dated at or after ``since`` (or at the end of the log if there is none yet)."""
        first = next((a.id for a in self._records if a.activity_date >= since), None)
        return PagePosition(since, (first - 1) if first is not None else self.last_id)

    def read_page(
        self,
        position: PagePosition,
        *,
        matches: Callable[[Activity], bool],
        batch_size: int,
        scan_block: int,
    ) -> ActivityPage:
        found: list[Activity] = []
        index = min(position.after_id, len(self._records))
        stop = min(len(self._records), index + scan_block)
        while index < stop and len(found) < batch_size:
            activity = self._records[index]
            index += 1
            if activity.activity_date >= position.since and matches(activity):
                found.append(activity)
        return ActivityPage(found, PagePosition(position.since, index), index < len(self._records))
