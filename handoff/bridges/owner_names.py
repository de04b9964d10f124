"""Owner names and teams on the handoff projection, so that dashboards show people, not Salesforce ids.

Routing, the SLA ladder and owner-change detection write ``Handoff.owner_id``; none of them knows names.
This sweep fills ``owner_name`` and ``team`` from the cached Salesforce directory (users, their queue,
or the queue itself) wherever they are missing or stale, one UPDATE per owner, over recent handoffs
(the ``mql_at`` index bounds the scan).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session

from handoff.bridges.sla_ports import SalesforceDirectory
from routing.models import Handoff

RECENT = timedelta(days=120)


def fill_owner_names(
    session_factory: Callable[[], Session], directory: SalesforceDirectory, now: datetime
) -> int:
    """Set missing or stale owner names and teams; returns how many handoffs changed."""
    changed = 0
    with session_factory() as session:
        seen = session.execute(
            select(Handoff.owner_id, Handoff.owner_name, Handoff.team)
            .where(Handoff.owner_id.is_not(None), Handoff.mql_at >= now - RECENT)  # type: ignore[union-attr]
            .distinct()
        ).all()
        for owner_id, owner_name, team in seen:
            label = directory.label(owner_id)
            if label is None or (owner_name, team) == label:
                continue
            name, new_team = label
            result = session.execute(
                update(Handoff)
                .where(
                    Handoff.owner_id == owner_id,  # type: ignore[arg-type]
                    Handoff.mql_at >= now - RECENT,  # type: ignore[arg-type]
                    or_(Handoff.owner_name.is_distinct_from(name), Handoff.team.is_distinct_from(new_team)),  # type: ignore[union-attr]
                )
                .values(owner_name=name, team=new_team)
            )
            changed += result.rowcount or 0
        session.commit()
    return changed
