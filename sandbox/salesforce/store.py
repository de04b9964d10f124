"""The org's records, by id and by sObject, with an undo journal for all-or-none transactions.

Records are plain dicts keyed by canonical field names, holding stored values (aware UTC datetimes,
dates, numbers, 18-character ids). Deleted records stay (``IsDeleted=true``) because ``queryAll`` and
``ENTITY_IS_DELETED`` need the recycle bin (reference §2, §3). The store knows nothing about the API: the
DML layer validates before it writes here. Callers hold the state lock.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Record = dict[str, Any]


class RecordStore:
    def __init__(self) -> None:
        self._by_id: dict[str, Record] = {}
        self._by_object: dict[str, dict[str, Record]] = {}
        self._journal: list[Callable[[], None]] | None = None

    def get(self, record_id: str) -> Record | None:
        return self._by_id.get(record_id)

    def live(self, record_id: str) -> Record | None:
        record = self._by_id.get(record_id)
        return record if record is not None and not record.get("IsDeleted") else None

    def records(self, sobject: str, *, include_deleted: bool = False) -> Iterator[Record]:
        for record in self._by_object.get(sobject, {}).values():
            if include_deleted or not record.get("IsDeleted"):
                yield record

    def count(self, sobject: str) -> int:
        return sum(1 for _ in self.records(sobject))

    def insert(self, sobject: str, record: Record) -> None:
        record_id = record["Id"]
        if record_id in self._by_id:
            raise KeyError(f"duplicate id {record_id}")
        self._by_id[record_id] = record
        self._by_object.setdefault(sobject, {})[record_id] = record
        if self._journal is not None:
            self._journal.append(lambda: self._forget(sobject, record_id))

    def replace(self, record_id: str, changes: Record) -> None:
        """Apply ``changes`` to a record in place (other references to the dict see the new values)."""
        record = self._by_id[record_id]
        if self._journal is not None:
            before = copy.copy(record)
            self._journal.append(lambda: _restore(record, before))
        record.update(changes)

    def _forget(self, sobject: str, record_id: str) -> None:
        self._by_id.pop(record_id, None)
        self._by_object.get(sobject, {}).pop(record_id, None)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside either all stay or are all undone (nested blocks join the outer one)."""
        if self._journal is not None:
            yield
            return
        self._journal = []
        try:
            yield
        except BaseException:
            for undo in reversed(self._journal):
                undo()
            raise
        finally:
            self._journal = None

    def dump(self) -> dict[str, list[Record]]:
        return {sobject: list(records.values()) for sobject, records in self._by_object.items()}

    def load(self, data: dict[str, list[Record]]) -> None:
        self._by_id.clear()
        self._by_object.clear()
        for sobject, records in data.items():
            for record in records:
                self.insert(sobject, record)


def _restore(record: Record, before: Record) -> None:
    record.clear()
    record.update(before)
