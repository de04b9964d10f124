"""Poller positions: reading and writing ``Cursor`` rows, and the SystemModstamp arithmetic.

A cursor is only ever written in the transaction that stores the inbox rows it covers (DESIGN.md
"Durability"): after a crash the poller resumes from the last committed page, and anything it reads
again is dropped by the inbox's unique key. The date helpers are pure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from sync.models import Cursor


def read_cursor(session: Session, name: str) -> str | None:
    row = session.get(Cursor, name)
    return row.value if row is not None else None


def write_cursor(session: Session, name: str, value: str, now: datetime) -> None:
    row = session.get(Cursor, name)
    if row is None:
        session.add(Cursor(name=name, value=value, updated_at=now))
        return
    row.value = value
    row.updated_at = now
    session.add(row)


def parse_salesforce_datetime(value: str) -> datetime:
    """REST datetimes look like ``2021-05-27T13:59:29.000+0000`` (reference/salesforce.md §2); ``Z`` too."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"Salesforce datetime without an offset: {value!r}")
    return moment.astimezone(UTC)


def soql_datetime(moment: datetime) -> str:
    """SOQL datetime literals are unquoted, ``YYYY-MM-DDThh:mm:ssZ`` (reference/salesforce.md §3)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_from(high_water_mark: datetime, overlap: timedelta) -> datetime:
    """Where the next poll starts: a window before the mark, for rows committed late with an older stamp."""
    return high_water_mark - overlap


def modstamp_query(sobject: str, fields: list[str], since: datetime, *, where: str | None = None) -> str:
    """Records changed at or after ``since``, oldest first, so that the mark can advance page by page."""
    chosen = list(dict.fromkeys(["Id", "SystemModstamp", *fields]))
    condition = f"SystemModstamp >= {soql_datetime(since)}"
    if where:
        condition = f"{condition} AND ({where})"
    return f"SELECT {', '.join(chosen)} FROM {sobject} WHERE {condition} ORDER BY SystemModstamp ASC, Id ASC"
