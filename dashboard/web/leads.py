"""The leads behind a figure (a filtered, paged, exportable list) and one lead's page (viewer role)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from dashboard.filters import FilterError, parse_drill
from dashboard.metrics import STAGES, sla_outcome, stage_of
from dashboard.queries.lead import lead_story
from dashboard.queries.leads import UnknownVersion, drill_conditions, iter_leads, lead_page
from dashboard.web.context import PageContext, page_context
from dashboard.web.render import csv_response, error_page, render
from dashboard.web.route import DashboardRoute
from handoff.web import SessionDep

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
Format = Annotated[Literal["html", "csv"], Query()]
STAGE_LABELS = {stage.key: stage.label for stage in STAGES}
EVENT_LABELS = {
    "mql": "MQL",
    "route_ready": "Route-ready",
    "owner_changed": "Owner changed in Salesforce",
    "leaked": "Leaked (hold expired)",
}
CSV_COLUMNS = (
    "id",
    "mql_at",
    "email",
    "company",
    "segment",
    "source",
    "team",
    "owner_name",
    "state",
    "stage",
    "sla_policy",
    "routed_at",
    "first_touch_at",
    "touch_wall_seconds",
    "touch_business_seconds",
    "due_at",
    "breached",
    "converted_at",
    "reason_code",
)


@router.get("/dashboard/leads")
def leads_page(
    request: Request,
    session: SessionDep,
    after: Annotated[str | None, Query(max_length=80)] = None,
    format: Format = "html",
) -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    try:
        drill = parse_drill(dict(request.query_params))
        conditions = drill_conditions(ctx.connection, ctx.filters, drill, ctx.now, ctx.limits)
        if format == "csv":
            rows = _stream(ctx, conditions)
            return csv_response(
                f"handoff-leads-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
                CSV_COLUMNS,
                ([row[name] for name in CSV_COLUMNS] for row in rows),
            )
        page = lead_page(ctx.connection, conditions, ctx.now, ctx.limits, cursor=after)
    except (FilterError, UnknownVersion, ValueError) as exc:
        return error_page(
            request, 400, "Selection not understood", str(exc), "Go back and pick the figure again."
        )
    query = {key: value for key, value in request.query_params.items() if key != "after"}
    first_url = f"{request.url.path}?{urlencode(query)}" if after else None
    next_url = (
        f"{request.url.path}?{urlencode({**query, 'after': page.next_cursor})}" if page.next_cursor else None
    )
    return render(
        request,
        "leads.html",
        {
            **ctx.template_values("leads"),
            "charts": False,
            "page": page,
            "drill": drill.describe(),
            "stage_labels": STAGE_LABELS,
            "next_url": next_url,
            "first_url": first_url,
        },
        title="Leads",
    )


@router.get("/dashboard/leads/{handoff_id}")
def lead_page_view(request: Request, session: SessionDep, handoff_id: int) -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    story = lead_story(ctx.connection, handoff_id)
    if story is None:
        return error_page(
            request, 404, "No such lead", f"There is no handoff #{handoff_id}.", "It may have been purged."
        )
    record = story.handoff
    stage = stage_of(
        state=record["state"],
        mql_at=record["mql_at"],
        routed_at=record["routed_at"],
        due_at=record["due_at"],
        first_touch_at=record["first_touch_at"],
        breached=bool(record["breached"]),
        converted_at=record["converted_at"],
        closed_at=record["closed_at"],
        now=ctx.now,
        limits=ctx.limits,
    )
    outcome = sla_outcome(
        due_at=record["due_at"],
        first_touch_at=record["first_touch_at"],
        breached=bool(record["breached"]),
        now=ctx.now,
    )
    routed = [event for event in story.events if event["kind"] == "routed"]
    return render(
        request,
        "lead.html",
        {
            "current": "leads",
            "record": record,
            "events": story.events,
            "messages": story.messages,
            "versions": story.versions,
            "stage": STAGE_LABELS[stage],
            "event_labels": EVENT_LABELS,
            "stage_key": stage,
            "outcome": outcome.replace("_", " "),
            "routed": routed[-1] if routed else None,
            "pretty": lambda data: json.dumps(data, indent=2, sort_keys=True, default=str),
            "back": request.headers.get("referer") if _same_site(request) else None,
        },
        title=f"Lead #{handoff_id}",
    )


def _stream(ctx: PageContext, conditions: list[Any]) -> Iterator[dict[str, Any]]:
    """The export's rows, read on a connection of its own: a streamed body outlives the request's session."""
    with ctx.engine.connect() as connection:
        try:
            yield from iter_leads(connection, conditions, ctx.now, ctx.limits)
        finally:
            connection.rollback()


def _same_site(request: Request) -> bool:
    referer = request.headers.get("referer", "")
    return referer.startswith(str(request.base_url).rstrip("/") + "/dashboard/")
