"""Static lists and their members (reference/marketo.md §5 "Static lists").

Adding writes 24 Add to List and removing writes 25 Remove from List (the list is the primary
attribute, §4). Per-lead outcomes: ``added`` / ``removed`` / ``memberof`` / ``notmemberof``, or
``skipped`` with 1004 (no such lead) or 1015 (lead not in list).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.marketo import activity_types as types
from sandbox.marketo.core import Core
from sandbox.marketo.envelope import MarketoError
from sandbox.marketo.schema import format_datetime

MAX_IDS = 300


@dataclass
class StaticList:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    program_name: str | None = None
    members: dict[int, datetime] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "workspaceName": "Default",
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.updated_at),
        }
        if self.program_name:
            body["programName"] = self.program_name
        return body


def _skipped(lead_id: Any, code: str, message: str) -> dict[str, Any]:
    return {"id": lead_id, "status": "skipped", "reasons": [{"code": code, "message": message}]}


class StaticLists:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._lists: dict[int, StaticList] = {}
        self._ids = itertools.count(1001)
        core.on_merge(self._merged)

    def create(
        self, name: str, *, description: str = "", program_name: str | None = None, at: datetime | None = None
    ) -> StaticList:
        with self._core.lock:
            if any(existing.name.lower() == name.lower() for existing in self._lists.values()):
                raise ValueError(f"list {name!r} already exists")
            when = self._core.now(at)
            created = StaticList(next(self._ids), name, when, when, description, program_name)
            self._lists[created.id] = created
            return created

    def get(self, list_id: int) -> StaticList | None:
        with self._core.lock:
            return self._lists.get(list_id)

    def by_name(self, name: str) -> StaticList | None:
        with self._core.lock:
            return next((s for s in self._lists.values() if s.name.lower() == name.lower()), None)

    def all(self) -> list[StaticList]:
        with self._core.lock:
            return sorted(self._lists.values(), key=lambda s: s.id)

    def require(self, list_id: int) -> StaticList:
        found = self.get(list_id)
        if found is None:
            raise MarketoError("1013", f"List '{list_id}' not found")
        return found

    def member_ids(self, list_id: int) -> list[int]:
        with self._core.lock:
            members = self.require(list_id).members
            return sorted(i for i in members if i in self._core.leads)

    def contains(self, list_id: int, lead_id: int) -> bool:
        with self._core.lock:
            found = self._lists.get(list_id)
            return found is not None and lead_id in found.members

    def add(
        self,
        list_id: int,
        lead_ids: Sequence[int],
        *,
        at: datetime | None = None,
        source: str = "Web Service API",
    ) -> list[dict[str, Any]]:
        with self._core.lock:
            target = self.require(list_id)
            _check_count(lead_ids)
            when = self._core.now(at)
            results = []
            for lead_id in lead_ids:
                if lead_id not in self._core.leads:
                    results.append(_skipped(lead_id, "1004", "Lead not found"))
                    continue
                if lead_id not in target.members:
                    target.members[lead_id] = when
                    target.updated_at = when
                    self._write(lead_id, types.ADD_TO_LIST, target, when, source)
                results.append({"id": lead_id, "status": "added"})
            return results

    def remove(
        self,
        list_id: int,
        lead_ids: Sequence[int],
        *,
        at: datetime | None = None,
        source: str = "Web Service API",
    ) -> list[dict[str, Any]]:
        with self._core.lock:
            target = self.require(list_id)
            _check_count(lead_ids)
            when = self._core.now(at)
            results = []
            for lead_id in lead_ids:
                if lead_id not in self._core.leads:
                    results.append(_skipped(lead_id, "1004", "Lead not found"))
                elif lead_id not in target.members:
                    results.append(_skipped(lead_id, "1015", "Lead not in list"))
                else:
                    del target.members[lead_id]
                    target.updated_at = when
                    self._write(lead_id, types.REMOVE_FROM_LIST, target, when, source)
                    results.append({"id": lead_id, "status": "removed"})
            return results

    def membership(self, list_id: int, lead_ids: Sequence[int]) -> list[dict[str, Any]]:
        with self._core.lock:
            target = self.require(list_id)
            _check_count(lead_ids)
            results = []
            for lead_id in lead_ids:
                if lead_id not in self._core.leads:
                    results.append(_skipped(lead_id, "1004", "Lead not found"))
                else:
                    status = "memberof" if lead_id in target.members else "notmemberof"
                    results.append({"id": lead_id, "status": status})
            return results

    def lists_of(self, lead_id: int) -> Iterable[StaticList]:
        with self._core.lock:
            return [s for s in self._lists.values() if lead_id in s.members]

    def _write(self, lead_id: int, type_id: int, target: StaticList, when: datetime, source: str) -> None:
        self._core.record(
            lead_id,
            type_id,
            when,
            primary_attribute_value_id=target.id,
            primary_attribute_value=target.name,
            attributes=[("Source", source)],
        )

    def _merged(self, winner_id: int, loser_ids: Sequence[int]) -> None:
        for static_list in self._lists.values():
            for loser in loser_ids:
                added = static_list.members.pop(loser, None)
                if added is not None:
                    static_list.members.setdefault(winner_id, added)


def _check_count(lead_ids: Sequence[int]) -> None:
    if not lead_ids:
        raise MarketoError("1003", "No lead ids given")
    if len(lead_ids) > MAX_IDS:
        raise MarketoError("1003", f"Exceeded maximum number of ids ({MAX_IDS})")
