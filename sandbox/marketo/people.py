"""People (leads): creating, changing, deleting and merging them, each change writing its activities.

The checklist of reference/marketo.md asks for 12 New Lead on create, 13 Change Data Value (with
``fields[]``) for each changed field and 37 Delete Lead on delete; a change of a score field writes
22 Change Score instead (§4 "Primary attribute: 13/22 the lead field"). Merge writes 32 Merge Leads on
the winner and, with CRM-synced records, picks the winner the way §3 says: a contact beats a lead and an
SFDC record beats a Marketo-only one, whatever winner was named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sandbox.marketo import activity_types as types
from sandbox.marketo.activities import FieldChange
from sandbox.marketo.core import Core
from sandbox.marketo.schema import SCORE_FIELDS, format_datetime

API_SOURCE = "Web service API"


class UnknownLead(KeyError):
    """No lead with this id (Marketo answers 1004 Lead not found)."""


class People:
    def __init__(self, core: Core) -> None:
        self._core = core

    # -- reading -----------------------------------------------------------------------------------

    def get(self, lead_id: int) -> dict[str, Any] | None:
        """A copy of the stored lead (every field it has a value for), or None."""
        with self._core.lock:
            lead = self._core.leads.get(lead_id)
            return dict(lead) if lead is not None else None

    def all(self) -> list[dict[str, Any]]:
        with self._core.lock:
            return [dict(lead) for lead in self._core.leads.records()]

    def count(self) -> int:
        with self._core.lock:
            return len(self._core.leads)

    def find(self, field: str, value: Any) -> list[dict[str, Any]]:
        """Leads whose ``field`` equals ``value`` (strings compared case-insensitively)."""
        with self._core.lock:
            ids = next(iter(self._core.leads.match(field, [value]).values()), [])
            return [dict(self._core.leads.get(i) or {}) for i in ids]

    # -- writing -----------------------------------------------------------------------------------

    def coerce(self, values: Mapping[str, Any], *, allow_read_only: bool = False) -> dict[str, Any]:
        """Values checked against the schema; raises ValueError (unknown field, bad value)."""
        schema = self._core.lead_schema
        clean: dict[str, Any] = {}
        for name, value in values.items():
            spec = schema.get(name)
            if spec is None:
                raise ValueError(f"Field '{name}' not found")
            if not spec.updateable and not allow_read_only:
                raise ValueError(f"Field '{name}' is not updateable")
            clean[name] = schema.coerce(name, value)
        return clean

    def create(
        self,
        values: Mapping[str, Any],
        *,
        at: datetime | None = None,
        source_type: str = API_SOURCE,
        form_name: str | None = None,
    ) -> int:
        """Create a lead and write 12 New Lead; returns its id."""
        with self._core.lock:
            when = self._core.now(at)
            clean = self.coerce({k: v for k, v in values.items() if k != "id"}, allow_read_only=True)
            clean.setdefault("createdAt", when)
            clean["updatedAt"] = when
            clean.setdefault("originalSourceType", source_type)
            clean.setdefault("leadPartitionId", 1)
            lead_id = self._core.leads.insert(clean)
            attributes: list[tuple[str, Any]] = [("Source Type", source_type)]
            if form_name:
                attributes.append(("Form Name", form_name))
            if clean.get("leadSource"):
                attributes.append(("Lead Source", clean["leadSource"]))
            attributes.append(("Created Date", when.date()))
            self._core.record(lead_id, types.NEW_LEAD, when, attributes=attributes)
            return lead_id

    def update(
        self,
        lead_id: int,
        changes: Mapping[str, Any],
        *,
        at: datetime | None = None,
        reason: str = API_SOURCE,
        source: str = API_SOURCE,
        campaign_id: int | None = None,
    ) -> list[FieldChange]:
        """Apply changes; each changed field writes 13 (or 22 for a score field). Returns what changed."""
        with self._core.lock:
            lead = self._core.leads.get(lead_id)
            if lead is None:
                raise UnknownLead(lead_id)
            when = self._core.now(at)
            clean = self.coerce({k: v for k, v in changes.items() if k != "id"})
            changed: list[FieldChange] = []
            for name, new in clean.items():
                old = lead.get(name)
                if old == new:
                    continue
                spec = self._core.lead_schema.get(name)
                assert spec is not None
                change = FieldChange(spec.id, name, new, old)
                changed.append(change)
                self._core.leads.set(lead_id, name, new)
                self._core.leads.set(lead_id, "updatedAt", when)
                if name in SCORE_FIELDS:
                    self._write_score_change(
                        lead_id, spec.display_name, spec.id, old, new, when, reason, campaign_id
                    )
                else:
                    self._core.record(
                        lead_id,
                        types.CHANGE_DATA_VALUE,
                        when,
                        primary_attribute_value_id=spec.id,
                        primary_attribute_value=spec.display_name,
                        attributes=[
                            ("New Value", _attribute_text(new)),
                            ("Old Value", _attribute_text(old)),
                            ("Reason", reason),
                            ("Source", source),
                        ],
                        campaign_id=campaign_id,
                        field_changes=[change],
                    )
            return changed

    def _write_score_change(
        self,
        lead_id: int,
        display_name: str,
        field_id: int,
        old: Any,
        new: Any,
        when: datetime,
        reason: str,
        campaign_id: int | None,
    ) -> None:
        delta = (new or 0) - (old or 0)
        self._core.record(
            lead_id,
            types.CHANGE_SCORE,
            when,
            primary_attribute_value_id=field_id,
            primary_attribute_value=display_name,
            attributes=[
                ("Change Value", f"{delta:+d}"),
                ("Old Value", old or 0),
                ("New Value", new),
                ("Reason", reason),
            ],
            campaign_id=campaign_id,
        )

    def change_score(
        self,
        lead_id: int,
        delta: int,
        *,
        at: datetime | None = None,
        reason: str = "Change Score",
        field: str = "leadScore",
        campaign_id: int | None = None,
    ) -> int:
        """Add ``delta`` to a score field (writes 22 Change Score); returns the new score."""
        if field not in SCORE_FIELDS:
            raise ValueError(f"'{field}' is not a score field")
        with self._core.lock:
            lead = self._core.leads.get(lead_id)
            if lead is None:
                raise UnknownLead(lead_id)
            new_score = int(lead.get(field) or 0) + int(delta)
            self.update(lead_id, {field: new_score}, at=at, reason=reason, campaign_id=campaign_id)
            return new_score

    def delete(self, lead_id: int, *, at: datetime | None = None, remove_from_crm: bool = False) -> None:
        """Delete a lead and write 37 Delete Lead (its earlier activities stay in the log)."""
        with self._core.lock:
            lead = self._core.leads.get(lead_id)
            if lead is None:
                raise UnknownLead(lead_id)
            when = self._core.now(at)
            name = self._core.lead_name(lead)
            self._core.leads.remove(lead_id)
            self._core.record(
                lead_id,
                types.DELETE_LEAD,
                when,
                primary_attribute_value_id=lead_id,
                primary_attribute_value=name,
                attributes=[("Remove from CRM", remove_from_crm)],
            )

    def merge(
        self,
        winner_id: int,
        loser_ids: Sequence[int],
        *,
        merge_in_crm: bool = False,
        at: datetime | None = None,
    ) -> int:
        """Merge leads into one and return the id that survived (see the module docstring)."""
        with self._core.lock:
            ids = [winner_id, *[i for i in loser_ids if i != winner_id]]
            missing = [i for i in ids if i not in self._core.leads]
            if missing:
                raise UnknownLead(missing[0])
            survivor = max(ids, key=lambda i: (_crm_rank(self._core.leads.get(i) or {}), i == winner_id))
            losers = [i for i in ids if i != survivor]
            when = self._core.now(at)
            survivor_record = self._core.leads.get(survivor) or {}
            fill: dict[str, Any] = {}
            for loser in losers:
                for name, value in (self._core.leads.get(loser) or {}).items():
                    if name in ("id", "createdAt", "updatedAt") or value in (None, ""):
                        continue
                    if survivor_record.get(name) in (None, "") and name not in fill:
                        fill[name] = value
            for loser in losers:
                self._core.leads.remove(loser)
            for name, value in fill.items():
                self._core.leads.set(survivor, name, value)
            self._core.leads.set(survivor, "updatedAt", when)
            self._core.merged(survivor, losers)
            self._core.record(
                survivor,
                types.MERGE_LEADS,
                when,
                primary_attribute_value_id=survivor,
                primary_attribute_value=self._core.lead_name(
                    self._core.leads.get(survivor) or {"id": survivor}
                ),
                attributes=[
                    ("Merge IDs", ",".join(str(i) for i in losers)),
                    ("Merged in Sales", merge_in_crm),
                    ("Master Updated", bool(fill)),
                ],
            )
            return survivor


def _crm_rank(lead: Mapping[str, Any]) -> int:
    kind = (lead.get("sfdcType") or "").lower()
    return 2 if kind == "contact" else 1 if kind == "lead" or lead.get("sfdcLeadId") else 0


def _attribute_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    return value
