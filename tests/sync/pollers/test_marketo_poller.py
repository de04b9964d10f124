"""Marketo activities are polled page by page; the paging token moves with the inbox rows it produced."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from sync import kinds
from sync.errors import RetryableError
from sync.models import Cursor, InboxItem
from sync.pollers.marketo import ACTIVITIES_CURSOR, MarketoPollSpec, poll_marketo
from tests.sync.twins import MarketoTwin

SPEC = MarketoPollSpec(ACTIVITIES_CURSOR, type_ids=(2, 10, 11, 12, 13, 22))


def factory(engine):
    return lambda: Session(engine, expire_on_commit=False)


def inbox(session: Session) -> list[InboxItem]:
    session.expire_all()
    return list(session.exec(select(InboxItem).order_by(InboxItem.id)))


async def test_activities_are_stored_by_guid_with_their_kind_and_the_token_saved(engine, session, clock):
    marketo = MarketoTwin(page_size=2)
    score = marketo.add_activity(7, 22, primaryAttributeValue="leadScore")
    marketo.add_activity(7, 1)  # Visit Webpage: not asked for
    opened = marketo.add_activity(8, 10, primaryAttributeValue="Spring launch")
    report = await poll_marketo(factory(engine), marketo, clock, SPEC)
    assert (report.pages, report.stored, report.caught_up) == (2, 2, True)
    rows = inbox(session)
    assert [(r.kind, r.natural_key) for r in rows] == [
        (kinds.MARKETO_SCORE_CHANGE, score["marketoGUID"]),
        (kinds.MARKETO_EMAIL_OPEN, opened["marketoGUID"]),
    ]
    assert session.get(Cursor, ACTIVITIES_CURSOR).value == "pos:3"


async def test_the_next_run_resumes_from_the_saved_token(engine, session, clock):
    marketo = MarketoTwin(page_size=10)
    marketo.add_activity(7, 22)
    await poll_marketo(factory(engine), marketo, clock, SPEC)
    marketo.add_activity(7, 2)
    marketo.calls.clear()
    report = await poll_marketo(factory(engine), marketo, clock, SPEC)
    assert marketo.calls == ["activities"]  # no new paging token: the cursor was used
    assert report.stored == 1 and len(inbox(session)) == 2


async def test_empty_pages_with_more_result_are_followed(engine, session, clock):
    marketo = MarketoTwin(page_size=1)
    for _ in range(3):
        marketo.add_activity(7, 1)  # pages with nothing we asked for, moreResult true
    marketo.add_activity(7, 11)
    report = await poll_marketo(factory(engine), marketo, clock, SPEC)
    assert report.pages == 4 and report.stored == 1


async def test_a_failure_mid_run_keeps_every_committed_page_and_loses_nothing(engine, session, clock):
    marketo = MarketoTwin(page_size=1, fail_on_call=4)  # pagingtoken, page 1, page 2, then a 604
    guids = [marketo.add_activity(7, 10)["marketoGUID"] for _ in range(4)]
    with pytest.raises(RetryableError):
        await poll_marketo(factory(engine), marketo, clock, SPEC)
    assert [r.natural_key for r in inbox(session)] == guids[:2]
    assert session.get(Cursor, ACTIVITIES_CURSOR).value == "pos:2"
    report = await poll_marketo(factory(engine), marketo, clock, SPEC)
    assert report.stored == 2
    assert [r.natural_key for r in inbox(session)] == guids


async def test_leadchanges_share_the_activity_dedupe_key(engine, session, clock):
    marketo = MarketoTwin(page_size=10)
    change = marketo.add_activity(7, 13, fields=[{"name": "leadScore", "newValue": "80", "oldValue": "40"}])
    await poll_marketo(factory(engine), marketo, clock, SPEC)
    report = await poll_marketo(
        factory(engine), marketo, clock, MarketoPollSpec("marketo.leadchanges", fields=("leadScore",))
    )
    assert report.duplicates == 1
    assert [r.natural_key for r in inbox(session)] == [change["marketoGUID"]]


def test_a_spec_reads_types_or_fields_not_both():
    with pytest.raises(ValueError):
        MarketoPollSpec("x", type_ids=(1,), fields=("a",))
    with pytest.raises(ValueError):
        MarketoPollSpec("x", type_ids=tuple(range(11)))
