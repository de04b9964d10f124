"""Scheduled SLA jobs, each idempotent; ``handoff.wiring`` runs them under the scheduler's advisory lock.

``tick`` asks the database for the clocks whose next step is due (``ix_sla_clock_next_step``), runs those
steps, records what the outbox has delivered and sends due digests. Each batch commits on its own, so a
crash loses at most one batch, and a replayed batch runs no step twice (unique step runs).
``start_missing_clocks`` catches routed handoffs whose clock was not started by the routing flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from handoff.clock import Clock
from sla import repository
from sla.delivery import record_deliveries
from sla.escalation import run_due_steps
from sla.service import SlaContext, all_away, start_clock

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    due_clocks: int = 0
    steps: int = 0
    notified: int = 0
    reassigned: int = 0
    digests: int = 0


def tick(
    session_factory: Callable[[], Session],
    clock: Clock,
    ctx: SlaContext,
    *,
    batch: int | None = None,
    max_batches: int = 20,
) -> TickReport:
    """Run due ladder steps, settle deliveries, send due digests. Safe to run at any rate."""
    report = TickReport()
    size = batch or ctx.rules.tick_batch
    now = clock()
    for _ in range(max_batches):
        with session_factory() as session:
            clock_ids = repository.due_clock_ids(session, now, size)
            if not clock_ids:
                break
            away = all_away(ctx, repository.away_periods_at(session, now))
            # The steps write through explicit inserts and read nothing the ORM holds dirty, so clock and
            # handoff updates can wait for one flush at commit (batched) instead of one round trip per step.
            with session.no_autoflush:
                for sla_clock, handoff in repository.clocks_with_handoffs(session, clock_ids):
                    report.steps += run_due_steps(session, ctx, sla_clock, handoff, now=now, away=away)
            report.due_clocks += len(clock_ids)
            session.commit()
        if len(clock_ids) < size:
            break
    with session_factory() as session:
        away = all_away(ctx, repository.away_periods_at(session, now))
        delivered = record_deliveries(session, ctx, now=now, away=away)
        report.notified += delivered.notified
        report.reassigned += delivered.reassigned
        report.digests += delivered.digests
        session.commit()
    if report.steps or report.notified or report.digests:
        log.info("sla tick", extra=report.__dict__)
    return report


def start_missing_clocks(
    session_factory: Callable[[], Session], clock: Clock, ctx: SlaContext, *, limit: int = 1000
) -> int:
    """Start clocks for routed handoffs that have none (idempotent sweep)."""
    now = clock()
    with session_factory() as session:
        started = 0
        for handoff in repository.routed_without_clock(session, limit):
            if start_clock(session, ctx, handoff, now=now) is not None:
                started += 1
        session.commit()
    return started
