"""Claiming work rows (inbox items, outbox messages) so that several workers never take the same row.

A row is claimable when it is pending, due, and not leased (or its lease ran out because a worker died).
On PostgreSQL candidates are read with ``FOR UPDATE SKIP LOCKED`` so concurrent workers skip each
other's rows; everywhere a conditional ``UPDATE`` then takes the lease, and only rows whose lease carries
this worker's name are returned (the Polar pattern: timers and jobs as claimable rows).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

Row = TypeVar("Row")


def _claimable(model: Any, now: datetime) -> Any:
    return and_(
        model.status == "pending",
        model.next_attempt_at <= now,
        or_(model.lease_until.is_(None), model.lease_until < now),
    )


def claim(
    session: Session,
    model: type[Row],
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    order_by: tuple[Any, ...] = (),
    where: Any = None,
) -> list[Row]:
    """Lease up to ``limit`` due rows of ``model`` for ``worker`` and commit the lease."""
    m: Any = model
    condition = _claimable(m, now)
    if where is not None:
        condition = and_(condition, where)
    candidates = select(m.id).where(condition).order_by(*order_by, m.next_attempt_at, m.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.execute(candidates).scalars())
    if not ids:
        session.rollback()
        return []
    lease_until = now + lease
    session.execute(
        update(m)
        .where(m.id.in_(ids), condition)
        .values(lease_until=lease_until, claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    rows = session.execute(
        select(m)
        .where(m.id.in_(ids), m.claimed_by == worker, m.lease_until == lease_until)
        .order_by(*order_by, m.id)
    ).scalars()
    return list(rows)


Report = TypeVar("Report")


async def drain(run_once: Callable[[], Awaitable[Report]], total: Report, max_rounds: int) -> Report:
    """Run passes until one claims nothing, summing their counters into ``total`` (a dataclass of ints).

    Never waits for future retries: it empties what is due now (tests, the CLI, the demo's back-fill).
    """
    for _ in range(max_rounds):
        report = await run_once()
        if getattr(report, "claimed", 0) == 0:
            break
        for counter in fields(total):  # type: ignore[arg-type]
            setattr(total, counter.name, getattr(total, counter.name) + getattr(report, counter.name))
    return total
