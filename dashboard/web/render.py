"""Turning a template and its context into a response: the Jinja environment, formats, error pages, CSV.

Templates get the signed-in principal, the session's CSRF token, the navigation and number formats, so
that each page's template only lays out its own figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, StreamingResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dashboard.auth.csrf import FIELD, session_token
from dashboard.metrics import format_seconds, format_share
from dashboard.settings import dashboard_settings
from dashboard.web.static import asset_url

NAVIGATION = (
    ("overview", "Overview", "/dashboard/"),
    ("speed", "Speed to lead", "/dashboard/speed"),
    ("sla", "SLA", "/dashboard/sla"),
    ("leakage", "Leakage", "/dashboard/leakage"),
    ("conversion", "Conversion", "/dashboard/conversion"),
    ("leads", "Leads", "/dashboard/leads"),
)
OPS_NAVIGATION = (
    ("ops_config", "Routing & SLA config", "/dashboard/ops/config"),
    ("ops_dead_letters", "Dead letters", "/dashboard/ops/dead-letters"),
    ("ops_sync", "Sync status", "/dashboard/ops/sync"),
)

environment = Environment(
    loader=PackageLoader("dashboard", "templates"),
    autoescape=select_autoescape(("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def format_int(value: int | float | None) -> str:
    return "\u2013" if value is None else f"{value:,.0f}".replace(",", "\u202f")


def format_signed_share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.1f} %"


def format_signed_points(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.1f} pts"


environment.filters.update(
    seconds=format_seconds,
    share=format_share,
    int=format_int,
    signed_share=format_signed_share,
    signed_points=format_signed_points,
)
environment.globals.update(
    asset_url=asset_url, csrf_field=FIELD, navigation=NAVIGATION, ops_navigation=OPS_NAVIGATION
)


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200, title: str = ""
) -> HTMLResponse:
    settings = dashboard_settings(request)
    tz = settings.time_zone

    def local_time(value: datetime | None, with_seconds: bool = False) -> str:
        if value is None:
            return "\u2013"
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")

    values = {
        "request": request,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": session_token(request),
        "title": title,
        "time_zone": str(tz),
        "local_time": local_time,
        "current": "",
        "charts": False,
        "notice": None,
        **context,
    }
    return HTMLResponse(environment.get_template(template).render(values), status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str, hint: str = "") -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status": status_code, "message": message, "hint": hint},
        status_code=status_code,
        title=title,
    )


def forbidden_page(request: Request, role: str) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    who = f"You are signed in as {principal.username} ({principal.role})." if principal else ""
    return error_page(
        request,
        403,
        "Not allowed",
        f"This page needs the {role} role. {who}",
        "Ask an admin for an account with that role, or go back to the dashboard.",
    )


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingResponse:
    """A CSV download, streamed row by row (a long lead list never sits in memory as one string)."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Spreadsheets run cells that start like a formula: keep exported names and reasons inert.
        return "'" + value
    return value
