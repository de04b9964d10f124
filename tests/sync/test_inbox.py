"""Inbound items are stored once, processed with their domain writes atomically, retried or dead-lettered."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from sync.errors import PermanentError, RetryableError
from sync.inbox import InboxHandlers, InboxProcessor, InboxWork, store
from sync.models import Cursor, DeadLetter, InboxItem

pytestmark = pytest.mark.storage


def factory(engine):
    return lambda: Session(engine, expire_on_commit=False)


def test_duplicate_natural_key_is_stored_once(session, clock):
    first = store(
        session, source="sf.om", kind="lead_converted", natural_key="04l1", payload={"a": 1}, now=clock()
    )
    again = store(
        session, source="sf.om", kind="lead_converted", natural_key="04l1", payload={"a": 2}, now=clock()
    )
    other_source = store(session, source="mkto", kind="x", natural_key="04l1", payload={}, now=clock())
    session.commit()
    assert first is not None and again is None and other_source is not None
    assert session.exec(select(InboxItem).where(InboxItem.source == "sf.om")).one().payload == {"a": 1}


async def test_handler_writes_commit_with_the_done_mark(engine, session, clock):
    store(session, source="s", kind="k", natural_key="1", payload={"v": "x"}, now=clock())
    session.commit()

    async def handler(db: Session, work: InboxWork) -> None:
        db.add(Cursor(name=f"seen:{work.natural_key}", value=work.payload["v"], updated_at=clock()))

    handlers = InboxHandlers()
    handlers.register("k", handler)
    report = await InboxProcessor(factory(engine), handlers, clock=clock).drain()
    assert report.done == 1
    session.expire_all()
    assert session.get(Cursor, "seen:1").value == "x"
    assert session.exec(select(InboxItem)).one().status == "done"


async def test_failed_handler_rolls_back_its_writes_and_retries(engine, session, clock):
    store(session, source="s", kind="k", natural_key="1", payload={}, now=clock())
    session.commit()
    attempts = []

    async def handler(db: Session, work: InboxWork) -> None:
        attempts.append(1)
        db.add(Cursor(name="half-done", value="1", updated_at=clock()))
        if len(attempts) == 1:
            raise RetryableError("Marketo 604 timeout", code="604")

    handlers = InboxHandlers()
    handlers.register("k", handler)
    processor = InboxProcessor(factory(engine), handlers, clock=clock)
    assert (await processor.run_once()).retried == 1
    session.expire_all()
    assert session.get(Cursor, "half-done") is None
    clock.advance(minutes=5)
    assert (await processor.run_once()).done == 1


async def test_permanent_failure_becomes_a_dead_letter(engine, session, clock):
    store(session, source="s", kind="k", natural_key="1", payload={"p": 1}, now=clock())
    session.commit()

    async def handler(db: Session, work: InboxWork) -> None:
        raise PermanentError("person 42 not found")

    handlers = InboxHandlers()
    handlers.register("k", handler)
    assert (await InboxProcessor(factory(engine), handlers, clock=clock).run_once()).dead == 1
    letter = session.exec(select(DeadLetter)).one()
    assert letter.origin == "inbox" and "person 42" in letter.error
