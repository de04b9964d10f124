"""SLA, leakage and conversion pages (viewer role): what happened to the leads, and why."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from dashboard import figures
from dashboard.metrics import NEVER, RESPONSE_BUCKETS, share
from dashboard.queries import conversion, leakage, sla
from dashboard.timebuckets import days_between, weeks_of
from dashboard.web.context import PageContext, page_context
from dashboard.web.render import csv_response, render
from dashboard.web.route import DashboardRoute
from handoff.web import SessionDep

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
Format = Annotated[Literal["html", "csv"], Query()]
Clock = Annotated[Literal["wall", "business"], Query()]
DAILY_UP_TO_DAYS = 92


def chart_periods(first: date, last: date) -> list[tuple[date, date]]:
    """Days for ranges up to a quarter, weeks (Monday to Sunday, clipped to the range) beyond."""
    days = days_between(first, last)
    if len(days) <= DAILY_UP_TO_DAYS:
        return [(day, day) for day in days]
    weeks: dict[date, list[date]] = {}
    for day, monday in weeks_of(days).items():
        weeks.setdefault(monday, []).append(day)
    return [(members[0], members[-1]) for members in weeks.values()]


@router.get("/dashboard/sla")
def sla_page(request: Request, session: SessionDep, format: Format = "html") -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    html = format == "html"
    found = ctx.gather(
        away=lambda c: sla.reassigned_away(c, ctx.filters),
        reps=lambda c: sla.by_rep(c, ctx.filters, ctx.now),
        policies=lambda c: sla.by_policy(c, ctx.filters, ctx.now) if html else [],
        policy_speed=lambda c: sla.policy_speed(c, ctx.filters) if html else {},
        steps=lambda c: sla.escalations(c, ctx.filters) if html else [],
    )
    away, reps, policies, steps = found["away"], found["reps"], found["policies"], found["steps"]
    for policy in policies:
        policy.speed = found["policy_speed"].get(
            None if policy.policy == sla.NO_POLICY else policy.policy, {}
        )
    for rep in reps:
        rep.reassigned_away = away.get(rep.owner_id, 0)
    if format == "csv":
        return csv_response(
            f"handoff-sla-reps-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
            (
                "owner",
                "owner_id",
                "routed",
                "touched",
                "sla_met",
                "sla_missed",
                "compliance",
                "median_business_seconds",
                "p90_business_seconds",
                "reassigned_away",
            ),
            (
                (
                    rep.owner_name,
                    rep.owner_id,
                    rep.routed,
                    rep.touched,
                    rep.met,
                    rep.missed,
                    share(rep.met, rep.met + rep.missed),
                    rep.speed.get(50),
                    rep.speed.get(90),
                    rep.reassigned_away,
                )
                for rep in reps
            ),
        )
    periods = chart_periods(ctx.filters.first_day, ctx.filters.last_day)
    return render(
        request,
        "sla.html",
        {
            **ctx.template_values("sla"),
            "policies": policies,
            "reps": reps,
            "steps": steps,
            "reassignments": sum(away.values()),
            "weekly": len(periods) < ctx.filters.days,
            "compliance": figures.compliance_over_time(policies, periods, ctx.link),
            "escalations": figures.escalation_bars(steps, ctx.leads),
            "empty": not policies,
        },
        title="SLA",
    )


@router.get("/dashboard/leakage")
def leakage_page(request: Request, session: SessionDep, format: Format = "html") -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    stages = leakage.funnel(ctx.connection, ctx.filters, ctx.now, ctx.limits)
    if format == "csv":
        return csv_response(
            f"handoff-leakage-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
            ("stage", "leaked", "reason_code", "leads"),
            (
                (stage.key, stage.leaked, reason, count)
                for stage in stages
                for reason, count in stage.reasons.items()
            ),
        )
    total = sum(stage.count for stage in stages)
    leaked = sum(stage.count for stage in stages if stage.leaked)
    return render(
        request,
        "leakage.html",
        {
            **ctx.template_values("leakage"),
            "stages": stages,
            "total": total,
            "leaked": leaked,
            "leaked_share": share(leaked, total),
            "funnel": figures.funnel(stages, ctx.leads),
            "hold_hours": ctx.limits.hold / timedelta(hours=1),
            "empty": total == 0,
        },
        title="Leakage",
    )


@router.get("/dashboard/conversion")
def conversion_page(
    request: Request,
    session: SessionDep,
    clock: Clock = "wall",
    version: Annotated[int | None, Query(ge=1)] = None,
    format: Format = "html",
) -> Response:
    ctx = page_context(request, session)
    if not isinstance(ctx, PageContext):
        return ctx
    versions = conversion.activated_versions(ctx.connection)
    chosen = next((choice for choice in versions if choice.id == version), versions[0] if versions else None)
    found = ctx.gather(
        segments=lambda c: conversion.by_segment_and_response(c, ctx.filters, clock),
        windows=lambda c: conversion.before_after(c, ctx.filters, chosen, ctx.now) if chosen else [],
    )
    segments, windows = found["segments"], found["windows"]
    keys = [bucket.key for bucket in RESPONSE_BUCKETS] + [NEVER]
    labels = dict(zip(keys, [bucket.label for bucket in RESPONSE_BUCKETS] + ["never touched"], strict=True))
    if format == "csv":
        return csv_response(
            f"handoff-conversion-{clock}-{ctx.filters.first_day}-{ctx.filters.last_day}.csv",
            ("segment", "first_touch", "routed", "converted", "conversion"),
            (
                (
                    segment.segment,
                    labels[key],
                    *segment.by_response.get(key, (0, 0)),
                    share(segment.by_response.get(key, (0, 0))[1], segment.by_response.get(key, (0, 0))[0]),
                )
                for segment in segments
                for key in keys
            ),
        )
    return render(
        request,
        "conversion.html",
        {
            **ctx.template_values("conversion"),
            "clock": clock,
            "segments": segments,
            "keys": keys,
            "labels": labels,
            "curve": figures.speed_to_lead_curve(segments, clock, ctx.leads),
            "by_segment": figures.conversion_by_segment(segments, ctx.leads),
            "versions": versions,
            "chosen": chosen,
            "windows": windows,
            "comparison": figures.before_after(windows, chosen.id, ctx.leads) if chosen else None,
            "empty": not segments,
        },
        title="Conversion",
    )
