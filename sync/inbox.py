"""The inbox: every inbound item is stored under its natural key before it is acknowledged.

``store`` is the only thing a receiver or poller does before answering: one insert, ignored when the
key exists (a duplicate Outbound Message notification, an activity seen twice). The processor then
claims pending items and runs the handlers registered for their kind inside one transaction with the
item's ``done`` mark, so a crash before commit simply leaves the item pending for the next run, and any
external write a handler wants goes through the outbox in that same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlmodel import Session

from handoff.clock import Clock, utcnow
from sync.deadletters import apply_failure
from sync.leases import claim, drain
from sync.models import InboxItem
from sync.retry import RetryPolicy, judge
from sync.upsert import insert_if_absent

log = logging.getLogger(__name__)

INBOX_STORED = Counter(
    "handoff_inbox_stored_total", "Inbound items stored, by source and novelty", ["source", "novel"]
)
INBOX_RESULTS = Counter(
    "handoff_inbox_results_total", "Inbox processing outcomes by kind", ["kind", "outcome"]
)


@dataclass(frozen=True)
class InboxWork:
    id: int
    source: str
    kind: str
    natural_key: str
    payload: dict[str, Any]
    attempts: int
    received_at: datetime


InboxHandler = Callable[[Session, InboxWork], Awaitable[None]]


@dataclass
class InboxHandlers:
    """Handlers per item kind; several may subscribe to one kind and all run in the same transaction."""

    by_kind: dict[str, list[InboxHandler]] = field(default_factory=dict)

    def register(self, kind: str, handler: InboxHandler) -> None:
        self.by_kind.setdefault(kind, []).append(handler)


def store(
    session: Session,
    *,
    source: str,
    kind: str,
    natural_key: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> int | None:
    """Store an inbound item; returns its id, or None if it was already stored (a duplicate)."""
    new_id = insert_if_absent(
        session,
        InboxItem,
        {
            "source": source,
            "kind": kind,
            "natural_key": natural_key[:255],
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "received_at": now,
            "next_attempt_at": not_before or now,
        },
        ["source", "natural_key"],
    )
    INBOX_STORED.labels(source, "yes" if new_id is not None else "no").inc()
    return new_id


@dataclass
class ProcessReport:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    dead: int = 0


class InboxProcessor:
    def __init__(
        self,
        session_factory: Callable[[], Session],
        handlers: InboxHandlers,
        *,
        clock: Clock = utcnow,
        policy: RetryPolicy | None = None,
        worker: str = "inbox",
        lease: timedelta = timedelta(minutes=5),
        kinds: list[str] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.handlers = handlers
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.worker = worker
        self.lease = lease
        self.kinds = kinds

    async def run_once(self, limit: int = 200) -> ProcessReport:
        report = ProcessReport()
        with self.session_factory() as session:
            where = InboxItem.kind.in_(self.kinds) if self.kinds else None  # type: ignore[attr-defined]
            rows = claim(
                session,
                InboxItem,
                worker=self.worker,
                now=self.clock(),
                limit=limit,
                lease=self.lease,
                where=where,
            )
            works = [
                InboxWork(r.id, r.source, r.kind, r.natural_key, dict(r.payload), r.attempts, r.received_at)  # type: ignore[arg-type]
                for r in rows
            ]
        report.claimed = len(works)
        for work in works:
            await self._process(work, report)
        return report

    async def drain(self, max_rounds: int = 1000) -> ProcessReport:
        """Run until nothing is due now (tests and the CLI); never waits for future retries."""
        return await drain(self.run_once, ProcessReport(), max_rounds)

    async def _process(self, work: InboxWork, report: ProcessReport) -> None:
        handlers = self.handlers.by_kind.get(work.kind, [])
        with self.session_factory() as session:
            try:
                for handler in handlers:
                    await handler(session, work)
                row = session.get(InboxItem, work.id)
                if row is None or row.claimed_by != self.worker:
                    session.rollback()
                    return
                row.status = "done"
                row.attempts = work.attempts + 1
                row.processed_at = self.clock()
                row.lease_until = None
                row.claimed_by = None
                row.last_error = None
                session.add(row)
                session.commit()
                report.done += 1
                INBOX_RESULTS.labels(work.kind, "done" if handlers else "ignored").inc()
                return
            except Exception as exc:
                session.rollback()
                failure = exc
        self._record_failure(work, failure, report)

    def _record_failure(self, work: InboxWork, exc: BaseException, report: ProcessReport) -> None:
        now = self.clock()
        verdict = judge(exc, attempts=work.attempts + 1, key=f"inbox:{work.id}", now=now, policy=self.policy)
        with self.session_factory() as session:
            row = session.get(InboxItem, work.id)
            if row is None or row.claimed_by != self.worker:
                return
            row.lease_until = None
            row.claimed_by = None
            dead = apply_failure(
                session,
                row,
                verdict,
                attempts_before=work.attempts,
                origin="inbox",
                operation=f"inbox.{work.kind}",
                idempotency_key=f"{work.source}:{work.natural_key}",
                payload={"source": work.source, "kind": work.kind, "payload": work.payload},
                now=now,
            )
            if dead:
                report.dead += 1
                INBOX_RESULTS.labels(work.kind, "dead").inc()
                log.warning("inbox item dead-lettered", extra={"kind": work.kind, "inbox_id": work.id})
            else:
                report.retried += 1
                INBOX_RESULTS.labels(work.kind, f"retry_{verdict.error_class}").inc()
            session.commit()
