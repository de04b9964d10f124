"""Sync Leads (``POST /rest/v1/leads.json``): actions, lookup and per-record outcomes (reference §3).

Every record is checked completely before anything is written, so a bad record is ``skipped`` with its
reason and never half-applied; results keep the input order and a skipped record carries no id. The
whole call runs under the instance lock, which serializes upserts on the same key (§3 "Parallel upserts
on one key can duplicate: serialize per key").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.marketo.core import Core
from sandbox.marketo.envelope import MarketoError, RecordError
from sandbox.marketo.people import People
from sandbox.marketo.schema import COMPANY_FIELDS_ON_LEAD, InvalidValue

ACTIONS = ("createOnly", "updateOnly", "createOrUpdate", "createDuplicate")
MAX_RECORDS = 300
PARTITIONS = ({"id": 1, "name": "Default", "description": "Initial system lead partition"},)


def check_lookup_field(core: Core, name: str) -> None:
    spec = core.lead_schema.get(name)
    if spec is None or not spec.searchable:
        raise MarketoError("1011", f"Lookup field '{name}' not supported")


def sync_leads(
    core: Core,
    people: People,
    *,
    records: Any,
    action: str | None = None,
    lookup_field: str | None = None,
    partition_name: str | None = None,
) -> list[dict[str, Any]]:
    action = action or "createOrUpdate"
    lookup_field = lookup_field or "email"
    if action not in ACTIONS:
        raise MarketoError("1003", f"Invalid action '{action}'")
    if not isinstance(records, list) or not records:
        raise MarketoError("1003", "Input must be a non-empty list of records")
    if len(records) > MAX_RECORDS:
        raise MarketoError("1003", f"Exceeded maximum number of records ({MAX_RECORDS})")
    check_lookup_field(core, lookup_field)
    if partition_name is not None:
        if action == "updateOnly":
            raise MarketoError("1003", "partitionName is only allowed with createOnly or createOrUpdate")
        if partition_name not in {p["name"] for p in PARTITIONS}:
            raise MarketoError("1003", f"Partition '{partition_name}' not found")
    with core.lock:
        return [_sync_one(core, people, record, action, lookup_field) for record in records]


def _sync_one(core: Core, people: People, record: Any, action: str, lookup_field: str) -> dict[str, Any]:
    try:
        lead_id, status = _apply(core, people, record, action, lookup_field)
    except RecordError as error:
        return {"status": "skipped", "reasons": [error.reason()]}
    return {"id": lead_id, "status": status}


def _apply(core: Core, people: People, record: Any, action: str, lookup_field: str) -> tuple[int, str]:
    if not isinstance(record, Mapping):
        raise RecordError("1003", "Invalid data: a record must be a JSON object")
    if "id" in record and action != "updateOnly":
        raise RecordError("1003", f"Field 'id' is not allowed with action '{action}'")
    values = _checked_values(core, people, record)
    if action == "createDuplicate":
        return people.create(values), "created"
    lookup_value = record.get(lookup_field)
    if lookup_value in (None, ""):
        raise RecordError("1003", f"Value for lookup field '{lookup_field}' not specified")
    try:
        key = core.lead_schema.coerce(lookup_field, lookup_value)
    except InvalidValue as error:
        raise RecordError("1001", str(error)) from None
    matches = next(iter(core.leads.match(lookup_field, [key]).values()), [])
    if len(matches) > 1 and action != "createOnly":
        raise RecordError("1007", "Multiple lead match lookup criteria")
    if matches:
        if action == "createOnly":
            raise RecordError("1005", "Lead already exists")
        lead_id = matches[0]
        _refuse_company_fields(values, core.leads.get(lead_id) or {})
        people.update(lead_id, values)
        return lead_id, "updated"
    if action == "updateOnly":
        raise RecordError("1004", "Lead not found")
    return people.create(values), "created"


def _checked_values(core: Core, people: People, record: Mapping[str, Any]) -> dict[str, Any]:
    schema = core.lead_schema
    values = {name: value for name, value in record.items() if name != "id"}
    for name in values:
        spec = schema.get(name)
        if spec is None:
            raise RecordError("1006", f"Field '{name}' not found")
        if not spec.updateable:
            raise RecordError("1003", f"Field '{name}' is not updateable")
    try:
        clean = people.coerce(values)
    except InvalidValue as error:
        raise RecordError("1001", str(error)) from None
    _refuse_company_fields(clean, {})
    return clean


def _refuse_company_fields(values: Mapping[str, Any], existing: Mapping[str, Any]) -> None:
    """Company fields cannot be set through Sync Leads on a lead linked to a company (1021, §3)."""
    linked = values.get("externalCompanyId") or existing.get("externalCompanyId")
    if not linked:
        return
    touched = sorted(name for name in values if name in COMPANY_FIELDS_ON_LEAD)
    if touched:
        raise RecordError("1021", f"Company update not allowed in syncLead: {', '.join(touched)}")


def delete_leads(core: Core, people: People, ids: Sequence[Any]) -> list[dict[str, Any]]:
    """``leads/delete.json`` (max 300): ``deleted``, or ``skipped`` with 1004 when the lead is unknown."""
    if not ids:
        raise MarketoError("1003", "Input must be a non-empty list of ids")
    if len(ids) > MAX_RECORDS:
        raise MarketoError("1003", f"Exceeded maximum number of records ({MAX_RECORDS})")
    results: list[dict[str, Any]] = []
    with core.lock:
        for raw in ids:
            try:
                lead_id = int(raw)
            except (TypeError, ValueError):
                results.append(
                    {"status": "skipped", "reasons": [{"code": "1003", "message": f"Invalid id '{raw}'"}]}
                )
                continue
            if lead_id not in core.leads:
                results.append(
                    {
                        "id": lead_id,
                        "status": "skipped",
                        "reasons": [{"code": "1004", "message": "Lead not found"}],
                    }
                )
                continue
            people.delete(lead_id)
            results.append({"id": lead_id, "status": "deleted"})
    return results
