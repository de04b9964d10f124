"""Plotly figures as plain figure documents (``{"data": [...], "layout": {...}}``), rendered by plotly.js.

Pure: query results in, JSON-ready dicts out. Every point carries the URL of the leads behind it in its
``customdata``, which the page script follows on click (and which the data table under each chart
offers as links, so that the drill-down also works from the keyboard and without JavaScript). Colours
are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from dashboard.filters import WEEKDAYS
from dashboard.metrics import DAY, HOUR, NEVER, RESPONSE_BUCKETS, SPEED_BUCKETS, cumulative_shares, share
from dashboard.queries.conversion import SegmentConversion, WindowFigures
from dashboard.queries.leakage import StageRow
from dashboard.queries.overview import DayVolume
from dashboard.queries.sla import PolicyRow, StepCount
from dashboard.queries.speed import GroupSpeed, WeekCell
from dashboard.timebuckets import days_between

Link = Callable[..., str]
Figure = dict[str, Any]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
LEAKED_COLOUR, HEALTHY_COLOUR, NEUTRAL_COLOUR = "#D55E00", "#0072B2", "#8A8F98"
MAX_LINES = 8


def _layout(**overrides: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "autosize": True,
        "height": 340,
        "margin": {"l": 56, "r": 16, "t": 36, "b": 48},
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 13,
            "color": "#1f2328",
        },
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "colorway": list(PALETTE),
        "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"gridcolor": "#e6e8eb", "automargin": True},
        "yaxis": {"gridcolor": "#e6e8eb", "automargin": True, "rangemode": "tozero"},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def daily_volume(days: Sequence[DayVolume], link: Link) -> Figure:
    x = [day.day.isoformat() for day in days]
    links = [link(day=day.day.isoformat()) for day in days]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": "MQLs",
            "x": x,
            "y": [day.mqls for day in days],
            "customdata": links,
            "marker": {"color": "#9ecae1"},
            "hovertemplate": "%{x}: %{y} MQLs<extra></extra>",
        }
    ]
    for name, attribute, metric, colour in (
        ("Routed", "routed", "routed", PALETTE[0]),
        ("Touched", "touched", "touched", PALETTE[2]),
        ("Converted", "converted", "converted", PALETTE[3]),
    ):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": x,
                "y": [getattr(day, attribute) for day in days],
                "line": {"color": colour, "width": 2},
                "marker": {"size": 5},
                "customdata": [link(day=day.day.isoformat(), metric=metric) for day in days],
                "hovertemplate": f"%{{x}}: %{{y}} {name.lower()}<extra></extra>",
            }
        )
    return {"data": traces, "layout": _layout(yaxis={"title": {"text": "leads"}}, bargap=0.15)}


def _edge_label(seconds: float | None) -> str:
    """The upper edge of a bucket as people say it ("5 min", "1 h", "2 days"); the last one is "ever"."""
    if seconds is None:
        return "ever"
    if seconds < HOUR:
        return f"{seconds / 60:g} min"
    if seconds < DAY:
        return f"{seconds / HOUR:g} h"
    return f"{seconds / DAY:g} day" + ("s" if seconds > DAY else "")


def speed_ecdf(groups: Sequence[GroupSpeed], dimension: str, clock: str, link: Link) -> Figure:
    """Share of routed leads touched by each time (the ECDF at the histogram's edges), one line per group."""
    x = [("\u2264 " if bucket.high else "") + _edge_label(bucket.high) for bucket in SPEED_BUCKETS]
    traces = []
    for group in list(groups)[:MAX_LINES]:
        counts = [group.buckets.get(bucket.key, 0) for bucket in SPEED_BUCKETS]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": group.label,
                "x": x,
                "y": cumulative_shares(counts, group.routed),
                "line": {"shape": "hv", "width": 2},
                "customdata": [
                    link(speed=bucket.key, clock=clock, **{dimension: group.key}) for bucket in SPEED_BUCKETS
                ],
                "hovertemplate": f"{_escape(group.label)}: %{{y:.0%}} touched %{{x}}<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            yaxis={"tickformat": ".0%", "range": [0, 1], "title": {"text": "share of routed leads"}}
        ),
    }


def speed_histogram(total: GroupSpeed, clock: str, link: Link) -> Figure:
    keys = [bucket.key for bucket in SPEED_BUCKETS] + [NEVER]
    labels = [bucket.label for bucket in SPEED_BUCKETS] + ["never touched"]
    counts = [total.buckets.get(key, 0) for key in keys[:-1]] + [total.never]
    colours = [HEALTHY_COLOUR] * len(SPEED_BUCKETS) + [LEAKED_COLOUR]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": counts,
                "marker": {"color": colours},
                "customdata": [link(speed=key, clock=clock) for key in keys],
                "hovertemplate": "%{x}: %{y} leads<extra></extra>",
            }
        ],
        "layout": _layout(yaxis={"title": {"text": "routed leads"}}, showlegend=False),
    }


def week_heatmap(cells: Sequence[WeekCell], link: Link) -> Figure:
    """Share touched within 1 hour by local weekday and hour the lead was routed."""
    grid = {(cell.weekday, cell.hour): cell for cell in cells}
    z, text, links = [], [], []
    for weekday in range(7):
        row_z, row_text, row_links = [], [], []
        for hour in range(24):
            cell = grid.get((weekday, hour))
            row_z.append(share(cell.within_1_h, cell.routed) if cell else None)
            row_text.append(f"{cell.routed} routed" if cell else "none routed")
            row_links.append(link(weekday=weekday, hour=hour))
        z.append(row_z)
        text.append(row_text)
        links.append(row_links)
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": [f"{hour:02d}h" for hour in range(24)],
                "y": list(WEEKDAYS),
                "text": text,
                "customdata": links,
                "colorscale": [[0, "#f2f7fc"], [0.5, "#6aaed6"], [1, "#08306b"]],
                "zmin": 0,
                "zmax": 1,
                "colorbar": {"tickformat": ".0%", "title": {"text": "\u2264 1 h"}},
                "hovertemplate": "%{y} %{x}: %{z:.0%} within 1 h (%{text})<extra></extra>",
                "xgap": 1,
                "ygap": 1,
            }
        ],
        "layout": _layout(
            height=320,
            yaxis={"autorange": "reversed", "gridcolor": "rgba(0,0,0,0)"},
            xaxis={"tickangle": 0, "gridcolor": "rgba(0,0,0,0)"},
        ),
    }


def compliance_over_time(
    policies: Sequence[PolicyRow], periods: Sequence[tuple[date, date]], link: Link
) -> Figure:
    """SLA compliance per policy per day (or per week for long ranges); a click lists the misses."""
    traces = []
    for policy in list(policies)[:MAX_LINES]:
        y, links = [], []
        for first, last in periods:
            met = sum(policy.days.get(day, (0, 0))[0] for day in days_between(first, last))
            missed = sum(policy.days.get(day, (0, 0))[1] for day in days_between(first, last))
            y.append(share(met, met + missed))
            links.append(
                link(
                    policy=policy.policy,
                    metric="sla_missed",
                    **{"from": first.isoformat(), "to": last.isoformat()},
                )
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": policy.policy,
                "x": [first.isoformat() for first, _ in periods],
                "y": y,
                "customdata": links,
                "connectgaps": False,
                "hovertemplate": f"{_escape(policy.policy)} %{{x}}: %{{y:.0%}} met<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout(yaxis={"tickformat": ".0%", "range": [0, 1.02], "title": {"text": "compliance"}}),
    }


def step_label(step: StepCount) -> str:
    name = step.step.replace("_", " ")
    return step.kind if name == step.kind else f"{step.kind}: {name}"


def escalation_bars(steps: Sequence[StepCount], link: Link) -> Figure:
    shown = list(reversed(steps))
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [step_label(step) for step in shown],
                "x": [step.events for step in shown],
                "text": [step.events for step in shown],
                "textposition": "auto",
                "marker": {
                    "color": [
                        LEAKED_COLOUR if step.kind in ("breached", "recycled") else PALETTE[1]
                        for step in shown
                    ]
                },
                "customdata": [link(event=step.kind) for step in shown],
                "hovertemplate": "%{y}: %{x} events<extra></extra>",
            }
        ],
        "layout": _layout(
            showlegend=False, margin={"l": 190}, xaxis={"title": {"text": "events in the period"}}
        ),
    }


def funnel(stages: Sequence[StageRow], link: Link) -> Figure:
    shown = list(reversed(stages))
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [stage.label for stage in shown],
                "x": [stage.count for stage in shown],
                "marker": {
                    "color": [
                        LEAKED_COLOUR
                        if stage.leaked
                        else HEALTHY_COLOUR
                        if stage.key in ("converted", "touched")
                        else NEUTRAL_COLOUR
                        for stage in shown
                    ]
                },
                "customdata": [link(stage=stage.key) for stage in shown],
                "text": [stage.count for stage in shown],
                "textposition": "auto",
                "hovertemplate": "%{y}: %{x} leads<extra></extra>",
            }
        ],
        "layout": _layout(
            height=380, showlegend=False, margin={"l": 170}, xaxis={"title": {"text": "leads"}}
        ),
    }


def speed_to_lead_curve(segments: Sequence[SegmentConversion], clock: str, link: Link) -> Figure:
    """Conversion rate by response-time bucket: the speed-to-lead curve of this customer's own data."""
    keys = [bucket.key for bucket in RESPONSE_BUCKETS] + [NEVER]
    labels = [bucket.label for bucket in RESPONSE_BUCKETS] + ["never"]
    rows: list[tuple[str, str | None, dict[str, tuple[int, int]]]] = []
    total: dict[str, tuple[int, int]] = {}
    for segment in segments:
        for key, (routed, converted) in segment.by_response.items():
            before = total.get(key, (0, 0))
            total[key] = (before[0] + routed, before[1] + converted)
    rows.append(("All segments", None, total))
    rows += [
        (segment.segment, segment.segment, segment.by_response) for segment in list(segments)[: MAX_LINES - 1]
    ]
    traces = []
    for index, (name, segment, values) in enumerate(rows):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": labels,
                "y": [share(values.get(key, (0, 0))[1], values.get(key, (0, 0))[0]) for key in keys],
                "text": [f"{values.get(key, (0, 0))[1]} of {values.get(key, (0, 0))[0]}" for key in keys],
                "line": {
                    "width": 4 if index == 0 else 2,
                    "color": "#1f2328" if index == 0 else PALETTE[(index - 1) % len(PALETTE)],
                },
                "customdata": [
                    link(
                        response=key,
                        clock=clock,
                        metric="converted",
                        **({} if segment is None else {"segment": segment}),
                    )
                    for key in keys
                ],
                "hovertemplate": f"{_escape(name)}, first touch %{{x}}: %{{y:.1%}} converted (%{{text}})<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            yaxis={"tickformat": ".0%", "title": {"text": "MQL \u2192 SQL"}},
            xaxis={"title": {"text": "time to first touch"}},
        ),
    }


def conversion_by_segment(segments: Sequence[SegmentConversion], link: Link) -> Figure:
    return {
        "data": [
            {
                "type": "bar",
                "x": [segment.segment for segment in segments],
                "y": [share(segment.converted, segment.mqls) for segment in segments],
                "text": [f"{segment.converted} of {segment.mqls}" for segment in segments],
                "customdata": [link(segment=segment.segment, metric="converted") for segment in segments],
                "marker": {"color": PALETTE[2]},
                "hovertemplate": "%{x}: %{y:.1%} (%{text})<extra></extra>",
            }
        ],
        "layout": _layout(
            showlegend=False, height=300, yaxis={"tickformat": ".0%", "title": {"text": "MQL \u2192 SQL"}}
        ),
    }


def before_after(windows: Sequence[WindowFigures], version: int, link: Link) -> Figure:
    measures = (
        ("Routed", "routed", lambda w: share(w.routed, w.mqls)),
        ("Converted", "converted", lambda w: share(w.converted, w.mqls)),
        ("SLA met", "sla_missed", lambda w: share(w.sla_met, w.sla_met + w.sla_missed)),
    )
    traces = []
    for index, window in enumerate(windows):
        traces.append(
            {
                "type": "bar",
                "name": f"{window.window} #{version}",
                "x": [label for label, _, _ in measures],
                "y": [measure(window) for _, _, measure in measures],
                "marker": {"color": (NEUTRAL_COLOUR, PALETTE[0])[index % 2]},
                "customdata": [
                    link(version=version, window=window.window, metric=metric) for _, metric, _ in measures
                ],
                "hovertemplate": f"{window.window}: %{{x}} %{{y:.1%}}<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": _layout(barmode="group", height=300, yaxis={"tickformat": ".0%", "range": [0, 1]}),
    }


def _escape(text: str) -> str:
    """Plotly hover templates treat ``%{`` and ``<`` specially: names are user data, keep them literal."""
    return (
        text.replace("%", "%%").replace("<", "&lt;").replace(">", "&gt;").replace("{", "(").replace("}", ")")
    )
