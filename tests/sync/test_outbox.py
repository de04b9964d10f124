"""The outbox writes once per idempotency key, retries by error class and dead-letters what cannot succeed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from sync.deadletters import DeadLetterError, discard, replay
from sync.errors import PermanentError, QuotaError, RetryableError
from sync.models import DeadLetter, OutboxMessage
from sync.outbox import OutboxDispatcher, OutboxHandlers, OutboxWork, enqueue
from sync.retry import RetryPolicy

pytestmark = pytest.mark.storage


def factory(engine):
    return lambda: Session(engine, expire_on_commit=False)


def put(session, key, operation="test.write", **payload):
    message_id, created = enqueue(
        session,
        target="test",
        operation=operation,
        idempotency_key=key,
        payload=payload,
        now=session.info["now"],
    )
    session.commit()
    return message_id, created


@pytest.fixture
def db(engine, clock):
    with Session(engine, expire_on_commit=False) as session:
        session.info["now"] = clock()
        yield session


def test_same_idempotency_key_is_enqueued_once(db):
    first = put(db, "lead:1", value=1)
    second = put(db, "lead:1", value=2)
    assert first[1] is True and second == (first[0], False)
    assert len(db.exec(select(OutboxMessage)).all()) == 1


async def test_sent_messages_are_marked_and_not_sent_again(engine, db, clock):
    put(db, "a", n=1)
    put(db, "b", n=2)
    seen: list[int] = []

    async def handler(work: OutboxWork):
        seen.append(work.payload["n"])
        return {"ok": work.payload["n"]}

    handlers = OutboxHandlers()
    handlers.register("test.write", handler)
    dispatcher = OutboxDispatcher(factory(engine), handlers, clock=clock)
    report = await dispatcher.drain()
    assert (report.sent, sorted(seen)) == (2, [1, 2])
    assert (await dispatcher.run_once()).claimed == 0
    rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.status for r in rows] == ["sent", "sent"] and rows[0].result == {"ok": 1}


async def test_retryable_failure_waits_then_succeeds(engine, db, clock):
    put(db, "flaky")
    calls = []

    async def handler(work: OutboxWork):
        calls.append(clock())
        if len(calls) == 1:
            raise RetryableError("503 Service Unavailable", code="503")
        return None

    handlers = OutboxHandlers()
    handlers.register("test.write", handler)
    dispatcher = OutboxDispatcher(factory(engine), handlers, clock=clock, policy=RetryPolicy(base_seconds=10))
    first = await dispatcher.run_once()
    assert first.retried == 1
    assert (await dispatcher.run_once()).claimed == 0, "not due yet"
    clock.advance(seconds=11)
    assert (await dispatcher.run_once()).sent == 1
    row = db.exec(select(OutboxMessage)).one()
    db.refresh(row)
    assert row.attempts == 2 and row.status == "sent"


async def test_permanent_failure_goes_to_dead_letters_and_can_be_replayed(engine, db, clock):
    put(db, "bad", field="Company")
    fail = True

    async def handler(work: OutboxWork):
        if fail:
            raise PermanentError("Required fields are missing: [Company]", code="REQUIRED_FIELD_MISSING")
        return {"id": "00Q000000000001AAA"}

    handlers = OutboxHandlers()
    handlers.register("test.write", handler)
    dispatcher = OutboxDispatcher(factory(engine), handlers, clock=clock)
    assert (await dispatcher.run_once()).dead == 1
    letter = db.exec(select(DeadLetter)).one()
    assert letter.error_class == "permanent" and "REQUIRED_FIELD_MISSING" in letter.error
    assert letter.payload["payload"] == {"field": "Company"}

    fail = False
    replay(db, letter.id, actor="ops@example.com", now=clock())
    db.commit()
    assert (await dispatcher.run_once()).sent == 1
    with pytest.raises(DeadLetterError):
        discard(db, letter.id, actor="ops@example.com", now=clock())


async def test_quota_error_pauses_without_spending_attempts(engine, db, clock):
    put(db, "quota")
    resume = clock() + timedelta(hours=5)

    async def handler(work: OutboxWork):
        raise QuotaError("Daily quota reached", code="607", resume_at=resume)

    handlers = OutboxHandlers()
    handlers.register("test.write", handler)
    dispatcher = OutboxDispatcher(factory(engine), handlers, clock=clock)
    await dispatcher.run_once()
    row = db.exec(select(OutboxMessage)).one()
    db.refresh(row)
    assert row.attempts == 0 and row.next_attempt_at == resume and row.status == "pending"


async def test_batch_handler_gets_chunks_and_per_record_outcomes(engine, db, clock):
    for n in range(5):
        put(db, f"task:{n}", operation="test.batch", n=n)
    chunks: list[int] = []

    async def batch(works: Sequence[OutboxWork]):
        chunks.append(len(works))
        return [PermanentError("bad") if w.payload["n"] == 3 else {"id": w.payload["n"]} for w in works]

    handlers = OutboxHandlers()
    handlers.register_batch("test.batch", batch, max_batch=2)
    report = await OutboxDispatcher(factory(engine), handlers, clock=clock).drain()
    assert chunks == [2, 2, 1]
    assert (report.sent, report.dead) == (4, 1)


async def test_unknown_operation_is_dead_lettered_not_retried_forever(engine, db, clock):
    put(db, "x", operation="nobody.handles.this")
    report = await OutboxDispatcher(factory(engine), OutboxHandlers(), clock=clock).run_once()
    assert report.dead == 1


async def test_a_lease_held_by_a_dead_worker_expires(engine, db, clock):
    put(db, "lease")
    from sync.leases import claim

    with Session(engine) as other:
        taken = claim(
            other, OutboxMessage, worker="crashed", now=clock(), limit=10, lease=timedelta(minutes=5)
        )
    assert len(taken) == 1

    async def handler(work: OutboxWork):
        return None

    handlers = OutboxHandlers()
    handlers.register("test.write", handler)
    dispatcher = OutboxDispatcher(factory(engine), handlers, clock=clock, worker="survivor")
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(minutes=6)
    assert (await dispatcher.run_once()).sent == 1
