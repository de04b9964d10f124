"""Activity routes: paging token, activities, lead changes, deleted leads, types (reference/marketo.md §4).

``activities.json`` needs ``activityTypeIds`` (at most 10) and ``nextPageToken``; ``leadIds`` (at most
30) or ``listId`` narrow it; ``assetIds`` work with a single type only. Every page carries
``nextPageToken`` and ``moreResult``, and a page can be empty while ``moreResult`` is true.
``leadchanges.json`` returns only 12 New Lead and 13 Change Data Value (the 13s for the asked fields).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo import activity_types as types
from sandbox.marketo import paging
from sandbox.marketo.activities import Activity
from sandbox.marketo.envelope import MarketoError, json_response, success_body
from sandbox.marketo.routes_common import (
    batch_size,
    csv_values,
    int_values,
    marketo,
    now,
    ok,
    param,
    required,
)
from sandbox.marketo.schema import parse_datetime
from sandbox.marketo.state import MarketoState

router = APIRouter(prefix="/rest/v1")

MAX_TYPE_IDS = 10
MAX_LEAD_IDS = 30
LIST_ID_MEMBER_CAP = 10_000
#: §4: listId with 10k+ leads fails with 1003 from 2026-09-30 (migration.md) or 2026-12-30 (activities.md);
#: the earlier date is used.
LIST_ID_CAP_FROM = datetime(2026, 9, 30, tzinfo=UTC)


@router.get("/activities/pagingtoken.json")
async def paging_token(request: Request) -> Response:
    state = marketo(request)
    raw = required(request, "sinceDatetime")
    try:
        since = parse_datetime(raw)
    except ValueError:
        raise MarketoError("1001", f"Invalid value '{raw}'. Required of type 'datetime'") from None
    with state.lock:
        position = state.core.log.start_position(since)
    return json_response(success_body(now(request), next_page_token=paging.encode(position)))


@router.get("/activities/types.json")
async def activity_types(request: Request) -> Response:
    return ok(request, [kind.to_wire() for kind in types.ACTIVITY_TYPES])


def _position(request: Request) -> paging.PagePosition:
    try:
        return paging.decode(required(request, "nextPageToken"))
    except paging.InvalidPagingToken as error:
        raise MarketoError("1003", str(error)) from None


def _lead_scope(request: Request, state: MarketoState) -> Callable[[Activity], bool]:
    """The ``leadIds`` / ``listId`` restriction, as a predicate."""
    lead_ids = set(int_values(csv_values(param(request, "leadIds")), "leadIds"))
    if len(lead_ids) > MAX_LEAD_IDS:
        raise MarketoError("1003", f"Too many lead ids; the maximum is {MAX_LEAD_IDS}")
    list_id = param(request, "listId")
    if list_id is not None:
        (numeric,) = int_values([list_id], "listId")
        members = set(state.lists.member_ids(numeric))
        if len(members) >= LIST_ID_MEMBER_CAP and now(request) >= LIST_ID_CAP_FROM:
            raise MarketoError(
                "1003", f"List has {LIST_ID_MEMBER_CAP} or more leads; use leadIds or a bulk export"
            )
        if lead_ids:
            members &= lead_ids
        return lambda a: a.lead_id in members
    if lead_ids:
        return lambda a: a.lead_id in lead_ids
    return lambda a: True


def _page(
    request: Request,
    state: MarketoState,
    matches: Callable[[Activity], bool],
    wire: Callable[[Activity], dict],
) -> Response:
    position = _position(request)
    size = batch_size(request)
    with state.lock:
        page = state.core.log.read_page(
            position, matches=matches, batch_size=size, scan_block=state.activity_scan_block
        )
        result = [wire(a) for a in page.records]
    # An empty page carries no ``result`` at all (§2: empty arrays are usually omitted).
    return ok(
        request, result or None, next_page_token=paging.encode(page.position), more_result=page.more_result
    )


@router.get("/activities.json")
async def activities(request: Request) -> Response:
    state = marketo(request)
    type_ids = set(int_values(csv_values(required(request, "activityTypeIds")), "activityTypeIds"))
    if len(type_ids) > MAX_TYPE_IDS:
        raise MarketoError("1003", f"Too many activity type ids; the maximum is {MAX_TYPE_IDS}")
    unknown = sorted(type_ids - set(types.BY_ID))
    if unknown:
        raise MarketoError("1003", f"Invalid activity type id '{unknown[0]}'")
    asset_ids = set(int_values(csv_values(param(request, "assetIds")), "assetIds"))
    if asset_ids and len(type_ids) != 1:
        raise MarketoError("1003", "assetIds can only be used with a single activity type id")
    in_scope = _lead_scope(request, state)

    def matches(activity: Activity) -> bool:
        if activity.activity_type_id not in type_ids or not in_scope(activity):
            return False
        return not asset_ids or activity.primary_attribute_value_id in asset_ids

    return _page(request, state, matches, Activity.to_wire)


@router.get("/activities/leadchanges.json")
async def lead_changes(request: Request) -> Response:
    state = marketo(request)
    fields = set(csv_values(required(request, "fields")))
    for name in fields:
        if name not in state.core.lead_schema:
            raise MarketoError("1006", f"Field '{name}' not found")
    in_scope = _lead_scope(request, state)

    def matches(activity: Activity) -> bool:
        if not in_scope(activity):
            return False
        if activity.activity_type_id == types.NEW_LEAD:
            return True
        return activity.activity_type_id == types.CHANGE_DATA_VALUE and any(
            change.name in fields for change in activity.field_changes
        )

    return _page(request, state, matches, lambda a: a.to_leadchange_wire(fields))


@router.get("/activities/deletedleads.json")
async def deleted_leads(request: Request) -> Response:
    state = marketo(request)
    return _page(request, state, lambda a: a.activity_type_id == types.DELETE_LEAD, Activity.to_wire)
