"""The outbox: every outbound write (Salesforce, Marketo, Slack, email) is a row before it is a request.

``enqueue`` is idempotent on the idempotency key, so a flow that runs twice (after a crash, or on a
duplicate inbound message) never writes twice. The dispatcher claims due rows, hands them to the
handler registered for their operation (single or batched, e.g. 200 Tasks per collection call), and
records the outcome: sent, retry later by error class, or dead letter with the full request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter
from sqlmodel import Session, select

from handoff.clock import Clock, utcnow
from sync.deadletters import apply_failure
from sync.errors import PermanentError
from sync.leases import claim, drain
from sync.models import OutboxMessage
from sync.retry import RetryPolicy, judge
from sync.upsert import insert_if_absent

log = logging.getLogger(__name__)

OUTBOX_RESULTS = Counter(
    "handoff_outbox_results_total", "Outbox attempts by operation and outcome", ["operation", "outcome"]
)

PRIORITY_ROUTING = 10
PRIORITY_NOTIFY = 20
PRIORITY_SYNC = 50
PRIORITY_BACKFILL = 90


@dataclass(frozen=True)
class OutboxWork:
    """What a handler sees: the message, never the ORM row (handlers run outside the claiming session)."""

    id: int
    target: str
    operation: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int


Outcome = dict[str, Any] | None | BaseException
Handler = Callable[[OutboxWork], Awaitable[dict[str, Any] | None]]
BatchHandler = Callable[[Sequence[OutboxWork]], Awaitable[Sequence[Outcome]]]


@dataclass
class OutboxHandlers:
    single: dict[str, Handler] = field(default_factory=dict)
    batch: dict[str, tuple[BatchHandler, int]] = field(default_factory=dict)

    def register(self, operation: str, handler: Handler) -> None:
        self.single[operation] = handler

    def register_batch(self, operation: str, handler: BatchHandler, max_batch: int) -> None:
        self.batch[operation] = (handler, max_batch)

    def knows(self, operation: str) -> bool:
        return operation in self.single or operation in self.batch


def enqueue(
    session: Session,
    *,
    target: str,
    operation: str,
    idempotency_key: str,
    payload: dict[str, Any],
    now: datetime,
    priority: int = PRIORITY_SYNC,
    handoff_id: int | None = None,
    not_before: datetime | None = None,
) -> tuple[int, bool]:
    """Add a message unless one with the same key exists; returns (message id, created)."""
    values = {
        "target": target,
        "operation": operation,
        "idempotency_key": idempotency_key,
        "payload": payload,
        "priority": priority,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": max(not_before, now) if not_before else now,
        "handoff_id": handoff_id,
    }
    new_id = insert_if_absent(session, OutboxMessage, values, ["idempotency_key"])
    if new_id is not None:
        return new_id, True
    existing = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key)
    ).one()
    return int(existing), False


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0


class OutboxDispatcher:
    def __init__(
        self,
        session_factory: Callable[[], Session],
        handlers: OutboxHandlers,
        *,
        clock: Clock = utcnow,
        policy: RetryPolicy | None = None,
        worker: str = "outbox",
        lease: timedelta = timedelta(minutes=5),
        targets: Sequence[str] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.handlers = handlers
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.worker = worker
        self.lease = lease
        self.targets = tuple(targets) if targets else None

    async def run_once(self, limit: int = 500) -> DispatchReport:
        report = DispatchReport()
        with self.session_factory() as session:
            where = OutboxMessage.target.in_(self.targets) if self.targets else None  # type: ignore[attr-defined]
            rows = claim(
                session,
                OutboxMessage,
                worker=self.worker,
                now=self.clock(),
                limit=limit,
                lease=self.lease,
                order_by=(OutboxMessage.priority,),
                where=where,
            )
            works = [
                OutboxWork(r.id, r.target, r.operation, r.idempotency_key, dict(r.payload), r.attempts)  # type: ignore[arg-type]
                for r in rows
            ]
        report.claimed = len(works)
        outcomes = await self._execute(works)
        with self.session_factory() as session:
            for work, outcome in zip(works, outcomes, strict=True):
                self._record(session, work, outcome, report)
            session.commit()
        return report

    async def drain(self, max_rounds: int = 1000) -> DispatchReport:
        """Run until nothing is due now (tests and the CLI); never waits for future retries."""
        return await drain(self.run_once, DispatchReport(), max_rounds)

    async def _execute(self, works: list[OutboxWork]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        by_operation: dict[str, list[OutboxWork]] = {}
        for work in works:
            by_operation.setdefault(work.operation, []).append(work)
        for operation, group in by_operation.items():
            if operation in self.handlers.batch:
                handler, size = self.handlers.batch[operation]
                for start in range(0, len(group), size):
                    chunk = group[start : start + size]
                    try:
                        results = list(await handler(chunk))
                        if len(results) != len(chunk):
                            raise RuntimeError(
                                f"batch handler for {operation} returned {len(results)} of {len(chunk)}"
                            )
                    except Exception as exc:
                        results = [exc] * len(chunk)
                    outcomes.update({w.id: r for w, r in zip(chunk, results, strict=True)})
            elif operation in self.handlers.single:
                single = self.handlers.single[operation]
                for work in group:
                    try:
                        outcomes[work.id] = await single(work)
                    except Exception as exc:
                        outcomes[work.id] = exc
            else:
                for work in group:
                    outcomes[work.id] = PermanentError(
                        f"no handler is registered for operation {operation!r}"
                    )
        return [outcomes[w.id] for w in works]

    def _record(self, session: Session, work: OutboxWork, outcome: Outcome, report: DispatchReport) -> None:
        row = session.get(OutboxMessage, work.id)
        if row is None or row.claimed_by != self.worker:
            return
        now = self.clock()
        row.lease_until = None
        row.claimed_by = None
        if not isinstance(outcome, BaseException):
            row.status = "sent"
            row.attempts = work.attempts + 1
            row.sent_at = now
            row.result = outcome
            row.last_error = None
            report.sent += 1
            OUTBOX_RESULTS.labels(work.operation, "sent").inc()
            session.add(row)
            return
        verdict = judge(
            outcome, attempts=work.attempts + 1, key=work.idempotency_key, now=now, policy=self.policy
        )
        dead = apply_failure(
            session,
            row,
            verdict,
            attempts_before=work.attempts,
            origin="outbox",
            operation=work.operation,
            idempotency_key=work.idempotency_key,
            payload={"target": work.target, "operation": work.operation, "payload": work.payload},
            now=now,
        )
        if dead:
            report.dead += 1
            OUTBOX_RESULTS.labels(work.operation, "dead").inc()
            log.warning(
                "outbox message dead-lettered",
                extra={"operation": work.operation, "outbox_id": work.id, "error_class": verdict.error_class},
            )
        else:
            report.retried += 1
            OUTBOX_RESULTS.labels(work.operation, f"retry_{verdict.error_class}").inc()
