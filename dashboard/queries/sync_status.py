"""Sync health for the ops console: cursors and their lag, outbox and inbox backlogs, recent errors, quotas.

Reads the sync tables only (the sync package owns them) and the gauges the API clients and pollers publish
to Prometheus in this process (``handoff_*`` gauges about quota left or used, and poller failures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from sync.models import Cursor, DeadLetter, InboxItem, OutboxMessage

ERROR_ROWS = 10


@dataclass(frozen=True)
class CursorRow:
    name: str
    value: str
    updated_at: datetime
    lag_seconds: float


@dataclass(frozen=True)
class Backlog:
    name: str  # outbox target or inbox source
    status: str
    count: int
    oldest: datetime | None


@dataclass(frozen=True)
class SyncStatus:
    cursors: list[CursorRow]
    outbox: list[Backlog]
    inbox: list[Backlog]
    errors: list[dict[str, Any]]
    open_dead_letters: int
    quotas: list[tuple[str, str, float]]


def sync_status(connection: Connection, now: datetime) -> SyncStatus:
    cursor_table = Cursor.__table__  # type: ignore[attr-defined]
    cursors = [
        CursorRow(row.name, row.value, row.updated_at, max(0.0, (now - row.updated_at).total_seconds()))
        for row in connection.execute(select(cursor_table).order_by(cursor_table.c.name))
    ]
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    inbox = InboxItem.__table__  # type: ignore[attr-defined]
    outbox_rows = [
        Backlog(target, status, int(count), oldest)
        for target, status, count, oldest in connection.execute(
            select(outbox.c.target, outbox.c.status, func.count(), func.min(outbox.c.created_at))
            .group_by(outbox.c.target, outbox.c.status)
            .order_by(outbox.c.target, outbox.c.status)
        )
    ]
    inbox_rows = [
        Backlog(source, status, int(count), oldest)
        for source, status, count, oldest in connection.execute(
            select(inbox.c.source, inbox.c.status, func.count(), func.min(inbox.c.received_at))
            .group_by(inbox.c.source, inbox.c.status)
            .order_by(inbox.c.source, inbox.c.status)
        )
    ]
    errors = [
        {
            "where": "outbox",
            "name": f"{row.target} {row.operation}",
            "attempts": row.attempts,
            "error": row.last_error,
            "at": row.next_attempt_at,
        }
        for row in connection.execute(
            select(
                outbox.c.target,
                outbox.c.operation,
                outbox.c.attempts,
                outbox.c.last_error,
                outbox.c.next_attempt_at,
            )
            .where(outbox.c.status == "pending", outbox.c.last_error.is_not(None))
            .order_by(outbox.c.next_attempt_at.desc())
            .limit(ERROR_ROWS)
        )
    ] + [
        {
            "where": "inbox",
            "name": f"{row.source} {row.kind}",
            "attempts": row.attempts,
            "error": row.last_error,
            "at": row.next_attempt_at,
        }
        for row in connection.execute(
            select(
                inbox.c.source, inbox.c.kind, inbox.c.attempts, inbox.c.last_error, inbox.c.next_attempt_at
            )
            .where(inbox.c.status.in_(("pending", "failed")), inbox.c.last_error.is_not(None))
            .order_by(inbox.c.next_attempt_at.desc())
            .limit(ERROR_ROWS)
        )
    ]
    dead = DeadLetter.__table__  # type: ignore[attr-defined]
    open_dead = int(connection.execute(select(func.count()).where(dead.c.status == "open")).scalar() or 0)
    return SyncStatus(cursors, outbox_rows, inbox_rows, errors, open_dead, quota_gauges())


def quota_gauges() -> list[tuple[str, str, float]]:
    """(metric, labels, value) of every quota or poller gauge published in this process.

    An unlabelled gauge reads 0 before anything set it, which would look like a spent quota: a system's
    gauges are shown only once its client has made calls (its ``handoff_<system>_calls_total`` moved).
    """
    metrics = list(REGISTRY.collect())
    calls = {
        metric.name.removesuffix("_calls"): sum(sample.value for sample in metric.samples)
        for metric in metrics
        if metric.type == "counter" and metric.name.endswith("_calls")
    }
    found = []
    for metric in metrics:
        if metric.type != "gauge" or not metric.name.startswith("handoff_"):
            continue
        if not any(word in metric.name for word in ("remaining", "quota", "used", "poller")):
            continue
        system = next((prefix for prefix in calls if metric.name.startswith(prefix + "_")), None)
        if system is not None and not calls[system]:
            continue
        for sample in metric.samples:
            labels = ", ".join(f"{key}={value}" for key, value in sorted(sample.labels.items()))
            found.append((sample.name, labels, float(sample.value)))
    return found
