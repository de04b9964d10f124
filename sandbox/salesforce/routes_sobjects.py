"""REST sObject resources: describe, create, retrieve, update, delete, upsert and get by external id.

Statuses and bodies follow reference §2: create ``201 {"id","success","errors"}``; retrieve ``200`` with
``attributes`` first (``?fields=`` narrows it); update and delete ``204``; delete again
``404 ENTITY_IS_DELETED``; ``/updated`` and ``/deleted`` list changes in a window; upsert ``201 … "created":true`` or ``200 … "created":false`` (``204`` before
v46), ``300`` with the matching record URLs when the external id is not unique. A value in the id slot
that is not an id is read as an external id field name, hence "Provided external ID field does not
exist or is not accessible".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox.salesforce import errors, ids
from sandbox.salesforce.coerce import to_json
from sandbox.salesforce.formats import format_datetime, parse_datetime
from sandbox.salesforce.rest import ApiCall, ApiCallDep, check_version, json_object, json_response, no_content
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.store import Record

router = APIRouter(prefix="/services/data/v{version}")


def object_def_for(call: ApiCall, sobject: str) -> ObjectDef:
    check_version(call.version)
    definition = call.state.schema.get(sobject)
    if definition is None:
        raise errors.not_found()
    return definition


def record_json(
    call: ApiCall, definition: ObjectDef, record: Record, fields: list[str] | None = None
) -> dict[str, Any]:
    names = fields if fields is not None else list(definition.fields)
    out: dict[str, Any] = {
        "attributes": {"type": definition.name, "url": call.url(definition.name, record["Id"])}
    }
    for name in names:
        out[name] = to_json(record.get(name))
    return out


def parse_fields(definition: ObjectDef, raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = []
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        field_def = definition.get(name)
        if field_def is None:
            raise errors.invalid_field(
                f"No such column '{name}' on entity '{definition.name}'. If you are attempting to use a custom "
                "field, be sure to append the '__c' after the custom field name. Please reference your WSDL or "
                "the describe call for the appropriate names."
            )
        names.append(field_def.name)
    return names


def describe(definition: ObjectDef, call: ApiCall) -> dict[str, Any]:
    base = f"/services/data/v{call.version}/sobjects/{definition.name}"
    return {
        "name": definition.name,
        "label": definition.label or definition.name,
        "keyPrefix": ids.KEY_PREFIXES.get(definition.name),
        "createable": definition.createable,
        "updateable": definition.updateable,
        "deletable": definition.deletable,
        "queryable": True,
        "custom": False,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


@router.get("/sobjects")
def describe_global(call: ApiCallDep) -> Response:
    check_version(call.version)
    objects = [describe(definition, call) for definition in call.state.schema.objects.values()]
    return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects})


@router.get("/sobjects/{sobject}")
def object_info(sobject: str, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    return json_response({"objectDescribe": describe(definition, call), "recentItems": []})


@router.get("/sobjects/{sobject}/describe")
def object_describe(sobject: str, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    fields = [
        {
            "name": f.name,
            "label": f.display_label,
            "type": str(f.type),
            "createable": f.createable,
            "updateable": f.updateable,
            "nillable": not f.required and f.name != "Id",
            "externalId": f.external_id,
            "unique": f.unique,
            "custom": f.name.endswith("__c"),
            "referenceTo": list(f.reference_to),
            "relationshipName": f.relationship_name,
            "polymorphicForeignKey": f.polymorphic,
        }
        for f in definition.fields.values()
    ]
    return json_response({**describe(definition, call), "fields": fields})


def _window(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    try:
        if start is None or end is None:
            raise ValueError("start and end are required")
        return parse_datetime(start), parse_datetime(end)
    except ValueError as exc:
        raise errors.ApiError(400, "INVALID_REPLICATION_DATE", str(exc)) from None


@router.get("/sobjects/{sobject}/updated")
def updated(sobject: str, call: ApiCallDep, start: str | None = None, end: str | None = None) -> Response:
    """Ids of records created or changed in ``[start, end]`` (getUpdated; end rounded down to the minute)."""
    definition = object_def_for(call, sobject)
    first, last = _window(start, end)
    last = last.replace(second=0, microsecond=0)
    with call.state.lock:
        changed = [
            r["Id"]
            for r in call.state.store.records(definition.name)
            if first <= (r.get("SystemModstamp") or first) <= last
        ]
    return json_response({"ids": changed, "latestDateCovered": format_datetime(last)})


@router.get("/sobjects/{sobject}/deleted")
def deleted(sobject: str, call: ApiCallDep, start: str | None = None, end: str | None = None) -> Response:
    """Records sent to the recycle bin in ``[start, end]`` (getDeleted)."""
    definition = object_def_for(call, sobject)
    first, last = _window(start, end)
    last = last.replace(second=0, microsecond=0)
    with call.state.lock:
        rows = [
            {"id": r["Id"], "deletedDate": format_datetime(r["SystemModstamp"])}
            for r in call.state.store.records(definition.name, include_deleted=True)
            if r.get("IsDeleted") and first <= r["SystemModstamp"] <= last
        ]
        earliest = min(
            (r["SystemModstamp"] for r in call.state.store.records(definition.name, include_deleted=True)),
            default=first,
        )
    return json_response(
        {
            "deletedRecords": rows,
            "earliestDateAvailable": format_datetime(earliest),
            "latestDateCovered": format_datetime(last),
        }
    )


@router.post("/sobjects/{sobject}")
async def create(sobject: str, request: Request, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    body = await json_object(request)
    options = call.write_options()
    with call.state.transaction():
        record_id = call.state.dml.create(definition.name, body, options)
    return json_response({"id": record_id, "success": True, "errors": []}, 201)


def _record_for_path(call: ApiCall, definition: ObjectDef, record_id: str) -> Record:
    if not ids.is_id_shaped(record_id):
        raise errors.ApiError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {record_id}"
        )
    return call.state.dml.existing(definition.name, record_id)


@router.get("/sobjects/{sobject}/{record_id}")
def retrieve(sobject: str, record_id: str, call: ApiCallDep, fields: str | None = None) -> Response:
    definition = object_def_for(call, sobject)
    names = parse_fields(definition, fields)
    with call.state.lock:
        record = _record_for_path(call, definition, record_id)
        return json_response(record_json(call, definition, record, names))


@router.patch("/sobjects/{sobject}/{record_id}")
async def update(sobject: str, record_id: str, request: Request, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    body = await json_object(request)
    options = call.write_options()
    with call.state.transaction():
        record = _record_for_path(call, definition, record_id)
        call.state.dml.update(definition.name, record["Id"], body, options)
    return no_content()


@router.delete("/sobjects/{sobject}/{record_id}")
def delete(sobject: str, record_id: str, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    with call.state.transaction():
        record = _record_for_path(call, definition, record_id)
        call.state.dml.delete(definition.name, record["Id"], call.write_options())
    return no_content()


def _matches(call: ApiCall, definition: ObjectDef, field_name: str, value: str) -> list[str]:
    field_def = definition.get(field_name)
    if field_def is None or not (field_def.external_id or field_def.name == "Id"):
        raise errors.ApiError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}"
        )
    matches = call.state.dml.find_by_external_id(definition, field_def.name, value)
    if len(matches) > 1:
        raise errors.ApiError(
            300, "MULTIPLE_CHOICES", "", extra={"urls": [call.url(definition.name, m) for m in matches]}
        )
    if not matches:
        raise errors.not_found()
    return matches


@router.get("/sobjects/{sobject}/{field_name}/{value}")
def retrieve_by_external_id(
    sobject: str, field_name: str, value: str, call: ApiCallDep, fields: str | None = None
) -> Response:
    definition = object_def_for(call, sobject)
    names = parse_fields(definition, fields)
    with call.state.lock:
        record = call.state.store.get(_matches(call, definition, field_name, value)[0])
        assert record is not None
        return json_response(record_json(call, definition, record, names))


@router.patch("/sobjects/{sobject}/{field_name}/{value}")
async def upsert(
    sobject: str, field_name: str, value: str, request: Request, call: ApiCallDep, updateOnly: bool = False
) -> Response:
    definition = object_def_for(call, sobject)
    body = await json_object(request)
    options = call.write_options()
    options.extra["update_only"] = updateOnly
    with call.state.transaction():
        record_id, created = call.state.dml.upsert(definition.name, field_name, value, body, options)
    if created:
        result: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
        if _version_at_least(call.version, 46):
            result["created"] = True
        return json_response(result, 201)
    if not _version_at_least(call.version, 46):
        return no_content()
    return json_response({"id": record_id, "success": True, "errors": [], "created": False}, 200)


@router.delete("/sobjects/{sobject}/{field_name}/{value}")
def delete_by_external_id(sobject: str, field_name: str, value: str, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    with call.state.transaction():
        record_id = _matches(call, definition, field_name, value)[0]
        call.state.dml.delete(definition.name, record_id, call.write_options())
    return no_content()


def _version_at_least(version: str, major: int) -> bool:
    head = version.split(".")[0]
    return head.isdigit() and int(head) >= major
