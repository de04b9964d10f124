"""Polling Marketo activities and lead changes with a persisted paging token (reference/marketo.md §4).

Each page's activities go into the inbox under their ``marketoGUID`` (``id`` can overflow or vanish
after a migration) and the page's ``nextPageToken`` becomes the cursor in the same commit, so a crash
between two pages resumes at the first unread page and a page read twice stores nothing twice. Marketo
answers every page with a token and may send empty pages with ``moreResult: true`` while it scans, so
the loop follows ``moreResult``, not the row count, up to ``max_pages`` per run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.inbox import store
from sync.outbox import PRIORITY_SYNC
from sync.pollers.cursors import read_cursor, write_cursor
from sync.pollers.report import PollReport
from sync.ports import ActivityPage, MarketoPort

log = logging.getLogger(__name__)

ACTIVITIES_CURSOR = "marketo.activities"
LEADCHANGES_CURSOR = "marketo.leadchanges"
MAX_TYPE_IDS = 10  # activities.json takes at most 10 activityTypeIds (§4)


@dataclass(frozen=True)
class MarketoPollSpec:
    """Either ``type_ids`` (activities.json) or ``fields`` (leadchanges.json, which returns 12 and 13)."""

    cursor_name: str
    type_ids: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()
    initial_lookback: timedelta = timedelta(hours=1)
    max_pages: int = 50

    def __post_init__(self) -> None:
        if bool(self.type_ids) == bool(self.fields):
            raise ValueError("a Marketo poll reads either activity types or lead-change fields")
        if len(self.type_ids) > MAX_TYPE_IDS:
            raise ValueError(f"activities.json takes at most {MAX_TYPE_IDS} activity types")


def natural_key(activity: dict[str, Any]) -> str | None:
    guid = activity.get("marketoGUID")
    if guid not in (None, ""):
        return str(guid)
    legacy = activity.get("id")
    return str(legacy) if legacy not in (None, "") else None


def store_page(session: Session, page: ActivityPage, *, cursor_name: str, now: Any) -> tuple[int, int, int]:
    """Store a page's activities and move the cursor; returns (new, duplicates, unusable)."""
    new = duplicates = 0
    unusable = page.rejected
    for activity in page.activities:
        key = natural_key(activity)
        type_id = activity.get("activityTypeId")
        if key is None or not isinstance(type_id, int):
            unusable += 1
            continue
        created = store(
            session,
            source=kinds.SOURCE_MARKETO_ACTIVITY,
            kind=kinds.activity_kind(type_id),
            natural_key=key,
            payload=activity,
            now=now,
        )
        if created is None:
            duplicates += 1
        else:
            new += 1
    write_cursor(session, cursor_name, page.next_page_token, now)
    return new, duplicates, unusable


async def poll_marketo(
    session_factory: Callable[[], Session],
    marketo: MarketoPort,
    clock: Clock,
    spec: MarketoPollSpec,
    *,
    priority: int = PRIORITY_SYNC,
) -> PollReport:
    report = PollReport(spec.cursor_name)
    with session_factory() as session:
        token = read_cursor(session, spec.cursor_name)
    if token is None:
        # Saved at once, so that a first run failing on its first page does not slide the start forward.
        token = await marketo.paging_token(clock() - spec.initial_lookback, priority=priority)
        with session_factory() as session:
            write_cursor(session, spec.cursor_name, token, clock())
            session.commit()
    for _ in range(spec.max_pages):
        if spec.type_ids:
            page = await marketo.activities(spec.type_ids, token, priority=priority)
        else:
            page = await marketo.lead_changes(spec.fields, token, priority=priority)
        with session_factory() as session:
            new, duplicates, unusable = store_page(session, page, cursor_name=spec.cursor_name, now=clock())
            session.commit()
        report.pages += 1
        report.stored += new
        report.duplicates += duplicates
        report.unusable += unusable
        token = page.next_page_token
        if not page.more_result:
            report.caught_up = True
            break
    if report.unusable:
        log.warning(
            "activities without marketoGUID or type were skipped",
            extra={"poller": spec.cursor_name, "count": report.unusable},
        )
    return report
