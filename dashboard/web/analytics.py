"""Overview and speed-to-lead pages (viewer role): figures for the period, each with its leads one click away."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from dashboard import figures
from dashboard.filters import WEEKDAYS
from dashboard.metrics import SPEED_BUCKETS, Change, format_seconds, format_share, share, within_shares
from dashboard.queries import overview, speed
from dashboard.queries.overview import PeriodFigures
from dashboard.web.context import PageContext, page_context
from dashboard.web.render import csv_response, format_int, format_signed_points, format_signed_share, render
from dashboard.web.route import DashboardRoute
from handoff.web import SessionDep

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
Format = Annotated[Literal["html", "csv"], Query()]
Dimension = Annotated[Literal["segment", "source", "team", "owner"], Query()]
Clock = Annotated[Literal["wall", "business"], Query()]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: str
    previous: str
    change: Change
    change_text: str
    link: str
    explanation: str


def _kpis(current: PeriodFigures, previous: PeriodFigures, ctx: PageContext) -> list[Kpi]:
    def rate(figures: PeriodFigures, part: str, whole: str = "mqls") -> float | None:
        return share(getattr(figures, part), getattr(figures, whole))

    def compliance(figures: PeriodFigures) -> float | None:
        return share(figures.sla_met, figures.sla_met + figures.sla_missed)

    def count(key: str, label: str, attribute: str, metric: str, better_high: bool, explanation: str) -> Kpi:
        change = Change(getattr(current, attribute), getattr(previous, attribute), better_high)
        return Kpi(
            key,
            label,
            format_int(change.current),
            format_int(change.previous),
            change,
            format_signed_share(change.relative),
            ctx.leads(metric=metric),
            explanation,
        )

    def ratio(
        key: str, label: str, measure: Callable[[PeriodFigures], float | None], metric: str, explanation: str
    ) -> Kpi:
        change = Change(measure(current), measure(previous))
        return Kpi(
            key,
            label,
            format_share(change.current),
            format_share(change.previous),
            change,
            format_signed_points(change.delta),
            ctx.leads(metric=metric),
            explanation,
        )

    def duration(key: str, label: str, clock: str, percent: int) -> Kpi:
        change = Change(
            current.speed[clock].get(percent), previous.speed[clock].get(percent), higher_is_better=False
        )
        what = "business time (working hours only)" if clock == "business" else "wall-clock time"
        return Kpi(
            key,
            label,
            format_seconds(change.current),
            format_seconds(change.previous),
            change,
            format_signed_share(change.relative),
            ctx.leads(metric="touched"),
            f"{'Median' if percent == 50 else '90th percentile'} time from routing to first touch, in {what}.",
        )

    return [
        count("mqls", "MQLs", "mqls", "mql", True, "Leads that became marketing-qualified in the period."),
        ratio(
            "route_ready",
            "Route-ready",
            lambda f: rate(f, "route_ready"),
            "route_ready",
            "MQLs that met the route-ready criteria.",
        ),
        ratio(
            "routed",
            "Routed",
            lambda f: rate(f, "routed"),
            "routed",
            "MQLs assigned to a seller in Salesforce.",
        ),
        duration("p50_business", "Median speed (business)", "business", 50),
        duration("p90_business", "p90 speed (business)", "business", 90),
        duration("p50_wall", "Median speed (wall clock)", "wall", 50),
        duration("p90_wall", "p90 speed (wall clock)", "wall", 90),
        ratio(
            "sla",
            "SLA compliance",
            compliance,
            "sla_missed",
            "Touched by the due time, of leads whose SLA is decided (the link lists the misses).",
        ),
        count(
            "leakage",
            "Leakage",
            "leaked",
            "leaked",
            False,
            "Held too long, routed but never touched, or recycled.",
        ),
        ratio(
            "conversion",
            "MQL \u2192 SQL",
            lambda f: rate(f, "converted"),
            "converted",
            "MQLs converted to a sales-qualified lead.",
        ),
    ]


@router.get("/dashboard/")
def overview_page(request: Request, session: SessionDep, format: Format = "html") -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    found = ctx.gather(
        current=lambda c: overview.period_figures(c, ctx.filters, ctx.now, ctx.limits),
        previous=lambda c: overview.period_figures(c, ctx.filters.previous(), ctx.now, ctx.limits),
        days=lambda c: overview.daily_volume(c, ctx.filters) if format == "html" else [],
    )
    current, previous, days = found["current"], found["previous"], found["days"]
    kpis = _kpis(current, previous, ctx)
    if format == "csv":
        return csv_response(
            f"handoff-overview-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
            ("metric", "current", "previous", "change"),
            ((kpi.label, kpi.change.current, kpi.change.previous, kpi.change.delta) for kpi in kpis),
        )
    return render(
        request,
        "overview.html",
        {
            **ctx.template_values("overview"),
            "kpis": kpis,
            "previous": ctx.filters.previous(),
            "volume": figures.daily_volume(days, ctx.leads),
            "days": days,
            "empty": current.mqls == 0,
        },
        title="Overview",
    )


@router.get("/dashboard/speed")
def speed_page(
    request: Request,
    session: SessionDep,
    by: Dimension = "segment",
    clock: Clock = "wall",
    format: Format = "html",
) -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    found = ctx.gather(
        groups=lambda c: speed.speed_by(c, ctx.filters, by, clock),
        overall=lambda c: speed.overall_percentiles(c, ctx.filters, clock),
        cells=lambda c: speed.week_hours(c, ctx.filters, clock) if format == "html" else [],
    )
    groups, cells = found["groups"], found["cells"]
    total = speed.overall(groups)
    total.speed = found["overall"]
    rows = [
        (group, dict(within_shares(group.buckets, group.never, SPEED_BUCKETS))) for group in [total, *groups]
    ]
    if format == "csv":
        return csv_response(
            f"handoff-speed-by-{by}-{clock}-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
            (
                by,
                "routed",
                "median_seconds",
                "p90_seconds",
                "within_5_min",
                "within_1_h",
                "within_1_day",
                "never_touched",
            ),
            (
                (group.label, group.routed, group.speed.get(50), group.speed.get(90), *shares.values())
                for group, shares in rows
            ),
        )
    return render(
        request,
        "speed.html",
        {
            **ctx.template_values("speed"),
            "by": by,
            "clock": clock,
            "rows": rows,
            "histogram": figures.speed_histogram(total, clock, ctx.leads),
            "ecdf": figures.speed_ecdf(groups, by, clock, ctx.leads),
            "heatmap": figures.week_heatmap(cells, ctx.leads),
            "cells": cells,
            "weekdays": WEEKDAYS,
            "empty": total.routed == 0,
        },
        title="Speed to lead",
    )
