"""sObject Collections: ``/composite/sobjects`` create, update, upsert, delete and retrieve.

Reference §4: at most 200 records a call (2,000 ids for the POST retrieve); the answer is ``200`` with one
result per record in request order even when some fail; per-record errors use ``statusCode`` (not
``errorCode``); with ``allOrNone`` a failure rolls everything back and the records that did not fail get
``ALL_OR_NONE_OPERATION_ROLLED_BACK``; a malformed request is a plain ``400``. Retrieve answers ``null``
for ids that cannot be seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox.salesforce import errors, ids
from sandbox.salesforce.duplicates import COLLECTION_MESSAGE
from sandbox.salesforce.rest import ApiCall, ApiCallDep, check_version, json_body, json_object, json_response
from sandbox.salesforce.routes_sobjects import object_def_for, parse_fields, record_json

router = APIRouter(prefix="/services/data/v{version}/composite/sobjects")

MAX_RECORDS = 200
MAX_RETRIEVE_IDS = 2000
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}


class _RollBack(Exception):
    """Raised inside the all-or-none transaction to undo it after every record was tried."""


def _collection_error(error: errors.ApiError) -> dict[str, Any]:
    item = error.collection_item()
    if error.code == "DUPLICATES_DETECTED":
        item["message"] = COLLECTION_MESSAGE
    return item


def _records(body: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    records = body.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise errors.json_parser_error("records must be an array of sObjects")
    if len(records) > MAX_RECORDS:
        raise errors.ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    return records, bool(body.get("allOrNone", False))


def _type_of(record: dict[str, Any]) -> str:
    attributes = record.get("attributes")
    sobject = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(sobject, str) or not sobject:
        raise errors.ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    return sobject


def _apply_all(
    call: ApiCall,
    records: list[dict[str, Any]],
    all_or_none: bool,
    action: Callable[[dict[str, Any]], dict[str, Any]],
    failure: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Run ``action`` per record; collect per-record results; honour allOrNone."""
    results: list[dict[str, Any] | None] = [None] * len(records)
    failed = False

    def attempt(index: int, record: dict[str, Any]) -> None:
        nonlocal failed
        try:
            with call.state.transaction():
                results[index] = action(record)
        except errors.ApiError as error:
            failed = True
            results[index] = failure(record, {"success": False, "errors": [_collection_error(error)]})

    if not all_or_none:
        for index, record in enumerate(records):
            attempt(index, record)
        return [r for r in results if r is not None]
    try:
        with call.state.transaction():
            for index, record in enumerate(records):
                try:
                    results[index] = action(record)
                except errors.ApiError as error:
                    failed = True
                    results[index] = failure(record, {"success": False, "errors": [_collection_error(error)]})
            if failed:
                raise _RollBack
    except _RollBack:
        for index, result in enumerate(results):
            if result is not None and result.get("success"):
                results[index] = failure(
                    records[index], {"id": None, "success": False, "errors": [dict(ROLLED_BACK)]}
                )
    return [r for r in results if r is not None]


@router.post("")
async def create(request: Request, call: ApiCallDep) -> Response:
    check_version(call.version)
    records, all_or_none = _records(await json_object(request))
    for record in records:
        _type_of(record)
    options = call.write_options()

    def action(record: dict[str, Any]) -> dict[str, Any]:
        sobject = _type_of(record)
        if call.state.schema.get(sobject) is None:
            raise errors.ApiError(400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
        if record.get("id") or record.get("Id"):
            raise errors.ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        fields = {k: v for k, v in record.items() if k != "attributes"}
        return {"id": call.state.dml.create(sobject, fields, options), "success": True, "errors": []}

    return json_response(_apply_all(call, records, all_or_none, action, lambda _r, result: result))


@router.patch("")
async def update(request: Request, call: ApiCallDep) -> Response:
    check_version(call.version)
    records, all_or_none = _records(await json_object(request))
    for record in records:
        _type_of(record)
    options = call.write_options()

    def record_id(record: dict[str, Any]) -> str | None:
        value = record.get("id") or record.get("Id")
        return value if isinstance(value, str) else None

    def action(record: dict[str, Any]) -> dict[str, Any]:
        target = record_id(record)
        if target is None:
            raise errors.ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", [])
        if not ids.is_id_shaped(target):
            raise errors.ApiError(400, "MALFORMED_ID", f"malformed id {target}", [])
        fields = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
        existing = call.state.dml.existing(_type_of(record), target)
        call.state.dml.update(_type_of(record), existing["Id"], fields, options)
        return {"id": existing["Id"], "success": True, "errors": []}

    def failure(record: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        target = record_id(record)
        return {
            "id": ids.normalise(target) if target else None,
            **{k: v for k, v in result.items() if k != "id"},
        }

    return json_response(_apply_all(call, records, all_or_none, action, failure))


@router.patch("/{sobject}/{field_name}")
async def upsert(sobject: str, field_name: str, request: Request, call: ApiCallDep) -> Response:
    definition = object_def_for(call, sobject)
    records, all_or_none = _records(await json_object(request))
    options = call.write_options()
    key_field = definition.get(field_name)

    def action(record: dict[str, Any]) -> dict[str, Any]:
        if key_field is None:
            raise errors.ApiError(
                400, "INVALID_FIELD", f"Field name provided, {field_name} is not an External ID"
            )
        value = next((v for k, v in record.items() if k.lower() == key_field.name.lower()), None)
        if value in (None, ""):
            raise errors.ApiError(400, "MISSING_ARGUMENT", f"{key_field.name} not specified", [])
        fields = {
            k: v for k, v in record.items() if k != "attributes" and k.lower() != key_field.name.lower()
        }
        record_id, created = call.state.dml.upsert(
            definition.name, key_field.name, str(value), fields, options
        )
        return {"id": record_id, "success": True, "errors": [], "created": created}

    return json_response(_apply_all(call, records, all_or_none, action, lambda _r, result: result))


@router.delete("")
def delete(call: ApiCallDep, allOrNone: bool = False) -> Response:
    check_version(call.version)
    raw = call.request.query_params.get("ids", "")
    targets = [part.strip() for part in raw.split(",") if part.strip()]
    if not targets:
        raise errors.ApiError(400, "MISSING_ARGUMENT", "ids parameter is required")
    if len(targets) > MAX_RECORDS:
        raise errors.ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    options = call.write_options()

    def action(record: dict[str, Any]) -> dict[str, Any]:
        existing = call.state.dml.existing(None, record["id"])
        call.state.dml.delete(None, existing["Id"], options)
        return {"id": existing["Id"], "success": True, "errors": []}

    def failure(record: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        return {"id": ids.normalise(record["id"]), **{k: v for k, v in result.items() if k != "id"}}

    return json_response(_apply_all(call, [{"id": t} for t in targets], allOrNone, action, failure))


def _retrieve(call: ApiCall, sobject: str, id_list: list[str], fields_text: str | None) -> Response:
    definition = object_def_for(call, sobject)
    if not fields_text:
        raise errors.ApiError(400, "MISSING_ARGUMENT", "fields is required")
    names = parse_fields(definition, fields_text)
    out: list[dict[str, Any] | None] = []
    with call.state.lock:
        for raw_id in id_list:
            normalised = ids.normalise(raw_id)
            record = call.state.store.live(normalised) if normalised else None
            if record is None or ids.object_of(record["Id"]) != definition.name:
                out.append(None)
            else:
                out.append(record_json(call, definition, record, names))
    return json_response(out)


@router.get("/{sobject}")
def retrieve(sobject: str, call: ApiCallDep, fields: str | None = None) -> Response:
    raw = call.request.query_params.get("ids", "")
    id_list = [part.strip() for part in raw.split(",") if part.strip()]
    return _retrieve(call, sobject, id_list, fields)


@router.post("/{sobject}")
async def retrieve_post(sobject: str, request: Request, call: ApiCallDep) -> Response:
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("ids"), list)
        or not isinstance(body.get("fields"), list)
    ):
        raise errors.json_parser_error("ids and fields must be arrays")
    if len(body["ids"]) > MAX_RETRIEVE_IDS:
        raise errors.ApiError(
            400, "EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 records in one request"
        )
    return _retrieve(call, sobject, [str(i) for i in body["ids"]], ",".join(str(f) for f in body["fields"]))
