"""What every analytics page starts from: the parsed filters, the clock, the link builder, the options."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from dashboard.filters import DIMENSIONS, NONE_VALUE, PRESETS, FilterError, Filters, parse_filters
from dashboard.metrics import StageLimits
from dashboard.queries.options import FilterOptions, filter_options, has_handoffs
from dashboard.queries.parallel import Query, gather
from dashboard.settings import dashboard_settings, now_of
from dashboard.web.render import error_page

LEADS_PATH = "/dashboard/leads"


@dataclass
class PageContext:
    request: Request
    connection: Connection
    filters: Filters
    now: datetime
    limits: StageLimits
    engine: Engine

    def gather(self, **queries: Query) -> dict[str, Any]:
        """The page's independent queries, run side by side (see ``dashboard.queries.parallel``)."""
        return gather(self.engine, queries)

    def link(self, path: str = LEADS_PATH, **overrides: Any) -> str:
        """A URL with the page's filters plus ``overrides``; a dimension set to None means "(none)"."""
        values: dict[str, str] = dict(self.filters.params())
        for key, value in overrides.items():
            key = key.rstrip("_")
            if key in DIMENSIONS and value is None:
                values[key] = NONE_VALUE
            elif value is not None:
                values[key] = str(value)
        return f"{path}?{urlencode(values)}"

    def leads(self, **drill: Any) -> str:
        return self.link(LEADS_PATH, **drill)

    def export(self) -> str:
        query = dict(self.request.query_params)
        query["format"] = "csv"
        return f"{self.request.url.path}?{urlencode(query)}"

    def preset(self, days: int) -> str:
        """The same page over the last ``days`` days, keeping every other parameter."""
        query = {
            k: v for k, v in self.request.query_params.items() if k not in ("from", "to", "days", "after")
        }
        query["days"] = str(days)
        return f"{self.request.url.path}?{urlencode(query)}"

    def template_values(self, current: str) -> dict[str, Any]:
        options = filter_options(self.connection)
        return {
            "current": current,
            "filters": self.filters,
            "options": options,
            "presets": PRESETS,
            "preset_url": self.preset,
            "extra_params": {k: v for k, v in self.request.query_params.items() if k not in _FILTER_KEYS},
            "export_url": self.export(),
            "has_data": has_handoffs(self.connection) if _empty_options(options) else True,
            "link": self.link,
            "leads": self.leads,
            "charts": True,
        }


_FILTER_KEYS = {"from", "to", "days", "format", "after", *DIMENSIONS}


def _empty_options(options: FilterOptions) -> bool:
    return not (options.segment or options.team or options.source or options.owner)


def page_context(request: Request, session: Session) -> PageContext | HTMLResponse:
    settings = dashboard_settings(request)
    now = now_of(request)
    today = now.astimezone(settings.time_zone).date()
    try:
        filters = parse_filters(dict(request.query_params), today=today, tz=settings.time_zone)
    except FilterError as exc:
        return error_page(
            request, 400, "Filter not understood", str(exc), "Fix the address or reset the filters."
        )
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return PageContext(request, session.connection(), filters, now, settings.limits, engine)
