"""The values offered in the filter bar: segments, teams, sources and owners seen in the period."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection

from dashboard.filters import NONE_VALUE, Filters
from dashboard.queries.common import h, handoff


@dataclass
class FilterOptions:
    segment: list[tuple[str, str]] = field(default_factory=list)
    team: list[tuple[str, str]] = field(default_factory=list)
    source: list[tuple[str, str]] = field(default_factory=list)
    owner: list[tuple[str, str]] = field(default_factory=list)


def filter_options(connection: Connection, filters: Filters) -> FilterOptions:
    """(value, label) pairs per dimension, from one grouped scan of the period (dimension filters ignored,
    so that choosing a team never hides the other teams from the list)."""
    rows = connection.execute(
        select(h.segment, h.team, h.source, h.owner_id, func.max(h.owner_name))
        .where(h.mql_at >= filters.start, h.mql_at < filters.end)
        .group_by(h.segment, h.team, h.source, h.owner_id)
    ).all()
    found: dict[str, dict[str, str]] = {"segment": {}, "team": {}, "source": {}, "owner": {}}
    for segment, team, source, owner_id, owner_name in rows:
        for name, value, label in (
            ("segment", segment, segment),
            ("team", team, team),
            ("source", source, source),
            ("owner", owner_id, owner_name or owner_id),
        ):
            found[name][value if value is not None else NONE_VALUE] = label or NONE_VALUE
    return FilterOptions(
        **{name: sorted(values.items(), key=lambda item: item[1].lower()) for name, values in found.items()}
    )


def has_handoffs(connection: Connection) -> bool:
    return bool(connection.execute(select(exists().select_from(handoff))).scalar())
