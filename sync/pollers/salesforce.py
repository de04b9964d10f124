"""Polling Salesforce records by ``SystemModstamp`` high-water mark with an overlap window.

Tasks and Events always (the SLA tracker's first touches); Leads, Contacts, Opportunities and Accounts
where Outbound Messages are not configured. Each run reads ``SystemModstamp >= mark - overlap`` oldest
first, stores every record under ``<sObject>:<Id>:<SystemModstamp>`` (so a re-read in the overlap is a
duplicate, while a later edit of the same record is new), and moves the mark in the same commit as each
chunk of inbox rows. The overlap catches rows that commit after a younger row was already read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.inbox import store
from sync.outbox import PRIORITY_SYNC
from sync.pollers.cursors import (
    modstamp_query,
    parse_salesforce_datetime,
    read_cursor,
    read_from,
    write_cursor,
)
from sync.pollers.report import PollReport
from sync.ports import SalesforcePort

TASK_FIELDS = (
    "WhoId", "WhatId", "OwnerId", "Subject", "Status", "Type", "TaskSubtype", "CreatedDate", "CreatedById",
    "CompletedDateTime", "IsClosed", "CallType",
)  # fmt: skip
EVENT_FIELDS = (
    "WhoId", "WhatId", "OwnerId", "Subject", "Type", "EventSubtype", "StartDateTime", "CreatedDate", "CreatedById",
)  # fmt: skip
LEAD_FIELDS = (
    "Email", "Status", "OwnerId", "IsConverted", "ConvertedContactId", "ConvertedAccountId",
    "ConvertedOpportunityId",
)  # fmt: skip
CONTACT_FIELDS = ("Email", "AccountId", "OwnerId")
OPPORTUNITY_FIELDS = ("AccountId", "StageName", "IsClosed", "IsWon")
ACCOUNT_FIELDS = ("Name", "CreatedDate")


@dataclass(frozen=True)
class RecordPollSpec:
    sobject: str
    fields: tuple[str, ...]
    where: str | None = None
    initial_lookback: timedelta = timedelta(hours=1)
    overlap: timedelta = timedelta(minutes=2)
    chunk: int = 200

    @property
    def cursor_name(self) -> str:
        return f"salesforce.{self.sobject}.modstamp"


def record_payload(sobject: str, record: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in record.items() if k != "attributes"}
    return {"sobject": sobject, "record_id": record["Id"], "fields": fields, "polled": True}


def _store_chunk(
    session: Session, spec: RecordPollSpec, records: list[dict[str, Any]], mark: datetime, now: datetime
) -> tuple[int, int]:
    new = 0
    for record in records:
        created = store(
            session,
            source=kinds.SOURCE_SALESFORCE_POLL,
            kind=kinds.record_kind(spec.sobject),
            natural_key=f"{spec.sobject}:{record['Id']}:{record['SystemModstamp']}",
            payload=record_payload(spec.sobject, record),
            now=now,
        )
        new += created is not None
    write_cursor(session, spec.cursor_name, mark.isoformat(), now)
    return new, len(records) - new


async def poll_records(
    session_factory: Callable[[], Session],
    salesforce: SalesforcePort,
    clock: Clock,
    spec: RecordPollSpec,
    *,
    priority: int = PRIORITY_SYNC,
) -> PollReport:
    report = PollReport(spec.cursor_name)
    with session_factory() as session:
        saved = read_cursor(session, spec.cursor_name)
    mark = datetime.fromisoformat(saved) if saved else clock() - spec.initial_lookback
    since = read_from(mark, spec.overlap) if saved else mark
    soql = modstamp_query(spec.sobject, list(spec.fields), since, where=spec.where)
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        with session_factory() as session:
            new, duplicates = _store_chunk(session, spec, pending, mark, clock())
            session.commit()
        report.pages += 1
        report.stored += new
        report.duplicates += duplicates
        pending.clear()

    async for record in salesforce.query(soql, priority=priority):
        if not record.get("Id") or not record.get("SystemModstamp"):
            report.unusable += 1
            continue
        pending.append(record)
        mark = max(mark, parse_salesforce_datetime(str(record["SystemModstamp"])))
        if len(pending) >= spec.chunk:
            flush()
    if pending or not saved:
        flush()
    report.caught_up = True
    return report
