"""Dead letters for operators: list, show, replay (back into the outbox or inbox) and discard.

Replaying puts the original row back to pending with its attempts reset and the same idempotency key,
so a replay can never write twice what already succeeded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from sync.models import DeadLetter, InboxItem, OutboxMessage
from sync.retry import Verdict


class DeadLetterError(Exception):
    """An operator asked for something impossible (unknown id, already resolved)."""


def list_dead_letters(
    session: Session, status: str | None = "open", limit: int = 100, offset: int = 0
) -> list[DeadLetter]:
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).offset(offset).limit(limit)  # type: ignore[union-attr]
    if status:
        query = query.where(DeadLetter.status == status)
    return list(session.exec(query))


def get_dead_letter(session: Session, dead_letter_id: int) -> DeadLetter:
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None:
        raise DeadLetterError(f"no dead letter #{dead_letter_id}")
    return letter


def replay(session: Session, dead_letter_id: int, *, actor: str, now: datetime) -> DeadLetter:
    letter = get_dead_letter(session, dead_letter_id)
    if letter.status != "open":
        raise DeadLetterError(f"dead letter #{dead_letter_id} is already {letter.status}")
    row: OutboxMessage | InboxItem | None
    row = (
        session.get(OutboxMessage, letter.origin_id)
        if letter.origin == "outbox"
        else session.get(InboxItem, letter.origin_id)
    )
    if row is None:
        raise DeadLetterError(
            f"the {letter.origin} row #{letter.origin_id} behind dead letter #{dead_letter_id} is gone"
        )
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_until = None
    row.claimed_by = None
    session.add(row)
    letter.status = "replayed"
    letter.resolved_at = now
    letter.resolved_by = actor
    session.add(letter)
    session.flush()
    return letter


def discard(session: Session, dead_letter_id: int, *, actor: str, now: datetime) -> DeadLetter:
    letter = get_dead_letter(session, dead_letter_id)
    if letter.status != "open":
        raise DeadLetterError(f"dead letter #{dead_letter_id} is already {letter.status}")
    letter.status = "discarded"
    letter.resolved_at = now
    letter.resolved_by = actor
    session.add(letter)
    session.flush()
    return letter


def apply_failure(
    session: Session,
    row: OutboxMessage | InboxItem,
    verdict: Verdict,
    *,
    attempts_before: int,
    origin: str,
    operation: str,
    idempotency_key: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Record a failed attempt on a claimed row: schedule the retry, or dead-letter it with the full request.

    The inbox and the outbox share this so that both count attempts, keep the error and write dead letters
    the same way. Returns True when the row became a dead letter.
    """
    row.last_error = verdict.error[:4000]
    if verdict.count_attempt:
        row.attempts = attempts_before + 1
    if verdict.dead:
        row.status = "dead"
        session.add(
            DeadLetter(
                origin=origin,
                origin_id=row.id,
                operation=operation,
                idempotency_key=idempotency_key,
                payload=payload,
                error_class=verdict.error_class,
                error=verdict.error[:4000],
                attempts=row.attempts,
                created_at=now,
            )
        )
    else:
        assert verdict.retry_at is not None
        row.next_attempt_at = verdict.retry_at
    session.add(row)
    return verdict.dead
