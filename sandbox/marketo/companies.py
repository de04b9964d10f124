"""Company records and Sync Companies (reference/marketo.md §6).

``POST /rest/v1/companies.json`` dedupes by ``externalCompanyId`` (``dedupeFields``, default) or by
``id`` (``idField``); ``createDuplicate`` does not exist here; a key repeated in one call is skipped with
1036. With the instance's native CRM sync on, company writes are refused with 1018 "CRM Enabled" — at
request level here, since §6 leaves response-vs-record level unverified. The Python seeding API
(``create``) bypasses that flag, because the world may need companies on a CRM-synced instance too.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sandbox.marketo.core import Core, lookup_key
from sandbox.marketo.envelope import MarketoError, RecordError
from sandbox.marketo.schema import InvalidValue, to_wire

ACTIONS = ("createOnly", "updateOnly", "createOrUpdate")
DEDUPE = ("dedupeFields", "idField")
FILTER_TYPES = ("externalCompanyId", "id", "company")
DEFAULT_FIELDS = ("id", "externalCompanyId", "company", "createdAt", "updatedAt")
MAX_RECORDS = 300


class Companies:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._ids = itertools.count(1)

    # -- Python API --------------------------------------------------------------------------------

    def create(self, values: Mapping[str, Any], *, at: datetime | None = None) -> int:
        """Seed a company (ignores the CRM flag); ``externalCompanyId`` must be new. Returns its id."""
        with self._core.lock:
            clean = self._coerce(values)
            external = clean.get("externalCompanyId")
            if external and external in self._core.company_ids_by_external:
                raise ValueError(f"company {external!r} already exists")
            return self._insert(clean, self._core.now(at))

    def get(self, company_id: int) -> dict[str, Any] | None:
        with self._core.lock:
            found = self._core.companies.get(company_id)
            return dict(found) if found is not None else None

    def by_external_id(self, external_id: str) -> dict[str, Any] | None:
        with self._core.lock:
            company_id = self._core.company_ids_by_external.get(external_id)
            return self.get(company_id) if company_id is not None else None

    def all(self) -> list[dict[str, Any]]:
        with self._core.lock:
            return [dict(c) for c in self._core.companies.values()]

    # -- REST semantics ----------------------------------------------------------------------------

    def sync(
        self,
        records: Any,
        *,
        action: str | None = None,
        dedupe_by: str | None = None,
        at: datetime | None = None,
    ) -> list[dict[str, Any]]:
        action = action or "createOrUpdate"
        dedupe_by = dedupe_by or "dedupeFields"
        if action not in ACTIONS:
            raise MarketoError("1003", f"Invalid action '{action}'")
        if dedupe_by not in DEDUPE:
            raise MarketoError("1003", f"Invalid dedupeBy '{dedupe_by}'")
        _check_records(records)
        with self._core.lock:
            if self._core.crm_sync_enabled:
                raise MarketoError("1018", "CRM Enabled")
            when = self._core.now(at)
            key_field = "externalCompanyId" if dedupe_by == "dedupeFields" else "id"
            seen: set[Any] = set()
            results = []
            for seq, record in enumerate(records):
                try:
                    company_id, status = self._sync_one(record, action, key_field, seen, when)
                except RecordError as error:
                    results.append({"seq": seq, "status": "skipped", "reasons": [error.reason()]})
                else:
                    results.append({"seq": seq, "status": status, "id": company_id})
            return results

    def _sync_one(
        self, record: Any, action: str, key_field: str, seen: set[Any], when: datetime
    ) -> tuple[int, str]:
        if not isinstance(record, Mapping):
            raise RecordError("1003", "Invalid data: a record must be a JSON object")
        key = record.get(key_field)
        if key in (None, ""):
            raise RecordError("1003", f"Value for required field '{key_field}' not specified")
        if lookup_key(key) in seen:
            raise RecordError("1036", f"Duplicate {key_field} '{key}' in input")
        seen.add(lookup_key(key))
        values = {name: value for name, value in record.items() if name != "id"}
        for name in values:
            spec = self._core.company_schema.get(name)
            if spec is None:
                raise RecordError("1006", f"Field '{name}' not found")
            if not spec.updateable:
                raise RecordError("1003", f"Field '{name}' is not updateable")
        try:
            clean = self._coerce(values)
        except InvalidValue as error:
            raise RecordError("1001", str(error)) from None
        existing_id = self._find_one(key_field, key)
        if existing_id is None:
            if action == "updateOnly" or key_field == "id":
                raise RecordError("1013", "Company not found")
            return self._insert(clean, when), "created"
        if action == "createOnly":
            raise RecordError("1005", "Company already exists")
        company = self._core.companies[existing_id]
        new_external = clean.get("externalCompanyId")
        if new_external and new_external != company.get("externalCompanyId"):
            if new_external in self._core.company_ids_by_external:
                raise RecordError("1005", f"Company '{new_external}' already exists")
            self._core.company_ids_by_external.pop(company.get("externalCompanyId"), None)
            self._core.company_ids_by_external[new_external] = existing_id
        company.update(clean)
        company["updatedAt"] = when
        return existing_id, "updated"

    def _find_one(self, key_field: str, key: Any) -> int | None:
        if key_field == "id":
            try:
                company_id = int(key)
            except (TypeError, ValueError):
                raise RecordError("1001", f"Invalid value '{key}'. Required of type 'integer'") from None
            return company_id if company_id in self._core.companies else None
        return self._core.company_ids_by_external.get(str(key))

    def find(self, filter_type: str, values: Sequence[str]) -> list[dict[str, Any]]:
        if filter_type not in FILTER_TYPES:
            raise MarketoError("1011", f"Filter type '{filter_type}' not supported")
        wanted = {lookup_key(v) for v in values}
        if filter_type == "id":
            wanted = {int(v) for v in values if str(v).strip().isdigit()}
        with self._core.lock:
            return [
                dict(c)
                for _, c in sorted(self._core.companies.items())
                if lookup_key(c.get(filter_type)) in wanted
            ]

    def delete(self, records: Any, *, delete_by: str | None = None) -> list[dict[str, Any]]:
        delete_by = delete_by or "dedupeFields"
        if delete_by not in DEDUPE:
            raise MarketoError("1003", f"Invalid deleteBy '{delete_by}'")
        _check_records(records)
        key_field = "externalCompanyId" if delete_by == "dedupeFields" else "id"
        with self._core.lock:
            if self._core.crm_sync_enabled:
                raise MarketoError("1018", "CRM Enabled")
            results = []
            for seq, record in enumerate(records):
                try:
                    key = record.get(key_field) if isinstance(record, Mapping) else None
                    company_id = self._find_one(key_field, key) if key not in (None, "") else None
                    if company_id is None:
                        raise RecordError("1013", "Company not found")
                except RecordError as error:
                    results.append({"seq": seq, "status": "skipped", "reasons": [error.reason()]})
                    continue
                company = self._core.companies.pop(company_id)
                self._core.company_ids_by_external.pop(company.get("externalCompanyId"), None)
                results.append({"seq": seq, "id": company_id, "status": "deleted"})
            return results

    @staticmethod
    def view(company: Mapping[str, Any], fields: Sequence[str], seq: int) -> dict[str, Any]:
        return {"seq": seq, **{name: to_wire(company.get(name)) for name in fields}}

    # -- internals ---------------------------------------------------------------------------------

    def _coerce(self, values: Mapping[str, Any]) -> dict[str, Any]:
        schema = self._core.company_schema
        clean: dict[str, Any] = {}
        for name, value in values.items():
            spec = schema.get(name)
            if spec is None:
                raise ValueError(f"Field '{name}' not found")
            if not spec.updateable:
                raise ValueError(f"Field '{name}' is not updateable")
            clean[name] = schema.coerce(name, value)
        return clean

    def _insert(self, clean: dict[str, Any], when: datetime) -> int:
        company_id = next(self._ids)
        self._core.companies[company_id] = {**clean, "id": company_id, "createdAt": when, "updatedAt": when}
        if clean.get("externalCompanyId"):
            self._core.company_ids_by_external[clean["externalCompanyId"]] = company_id
        return company_id


def _check_records(records: Any) -> None:
    if not isinstance(records, list) or not records:
        raise MarketoError("1003", "Input must be a non-empty list of records")
    if len(records) > MAX_RECORDS:
        raise MarketoError("1003", f"Exceeded maximum number of records ({MAX_RECORDS})")
