"""Gathering the Salesforce context of many people at once: two queries per batch, then the account index.

Existing Leads and Contacts come from the local mirror by loosest email key and by the Salesforce ids
Marketo stored on the person (``sfdcLeadId``, ``sfdcContactId``); Marketo duplicates and the last
routing time come from past handoffs; accounts from the in-memory ``AccountIndex``. Batches keep the
number of round trips independent of the number of people, which is what lets the gate run far
above Marketo's 1,500 records a second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from routing.accounts import AccountIndex
from routing.context import ExistingRecord, MarketoDuplicate, SalesforceContext
from routing.ids import InvalidSalesforceId, to_18
from routing.models import Handoff, SalesforceRecord
from routing.normalise import clean_text, email_domain, email_key, website_domain
from routing.person import clean_number

# A handoff in one of these states is "being handed off": a Marketo twin of it must not route again.
OPEN_STATES = frozenset(
    {"mql", "held", "route_ready", "routed", "touched", "breached", "escalated", "reassigned"}
)
# A handoff in one of these states has not been routed yet: a new MQL re-evaluates it.
PRE_ROUTE_STATES = frozenset({"mql", "held", "route_ready"})
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """What is needed to look a person up, read defensively from their raw fields."""

    marketo_id: int | None
    email: str | None
    email_key: str | None
    domains: tuple[str | None, str | None]
    company: str | None
    record_ids: tuple[str, ...]


def person_keys(fields: Any, marketo_id: int | None = None) -> PersonKeys:
    if not isinstance(fields, Mapping):
        return PersonKeys(marketo_id, None, None, (None, None), None, ())
    email, _ = clean_text(fields.get("email"), 80)
    website, _ = clean_text(fields.get("website"), 255)
    company, _ = clean_text(fields.get("company"), 255)
    if marketo_id is None:
        number, _ = clean_number(fields.get("id"))
        marketo_id = (
            int(number) if number is not None and number.is_integer() and 0 < number < 2**63 else None
        )
    ids = []
    for name in ("sfdcLeadId", "sfdcContactId"):
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            try:
                ids.append(to_18(value))
            except InvalidSalesforceId:
                continue
    return PersonKeys(
        marketo_id,
        email,
        email_key(email),
        (email_domain(email), website_domain(website)),
        company,
        tuple(ids),
    )


@dataclass(frozen=True, slots=True)
class PastHandoff:
    id: int
    marketo_id: int | None
    email: str | None
    email_key: str | None
    state: str
    closed: bool
    routed_at: datetime | None


class ContextLookup:
    def __init__(self, accounts: AccountIndex) -> None:
        self.accounts = accounts

    def contexts(
        self,
        session: Session,
        people: Sequence[PersonKeys],
        current: Sequence[Handoff | None] | None = None,
    ) -> list[SalesforceContext]:
        """One context per person; ``current`` is each person's open pre-route handoff, if any."""
        current = current if current is not None else [None] * len(people)
        records = self._records(session, people)
        records_by_key: dict[str, list[SalesforceRecord]] = defaultdict(list)
        for record in records.values():
            if record.email_key:
                records_by_key[record.email_key].append(record)
        past = self._handoffs(session, people)
        by_key: dict[str, list[PastHandoff]] = defaultdict(list)
        by_marketo: dict[int, list[PastHandoff]] = defaultdict(list)
        for handoff in past:
            if handoff.email_key:
                by_key[handoff.email_key].append(handoff)
            if handoff.marketo_id is not None:
                by_marketo[handoff.marketo_id].append(handoff)
        contexts = []
        for keys, handoff in zip(people, current, strict=True):
            found = [
                ExistingRecord(r.sobject, r.id, r.email, r.owner_id, r.account_id, r.is_converted, "id")  # type: ignore[arg-type]
                for r in (records.get(record_id) for record_id in keys.record_ids)
                if r is not None
            ]
            seen = {record.id for record in found}
            if keys.email_key:
                found.extend(
                    ExistingRecord(
                        r.sobject, r.id, r.email, r.owner_id, r.account_id, r.is_converted, "email"
                    )  # type: ignore[arg-type]
                    for r in records_by_key.get(keys.email_key, [])
                    if r.id not in seen
                )
            twins: dict[int, MarketoDuplicate] = {}
            for other in by_key.get(keys.email_key or "", []):
                if other.marketo_id is None or other.marketo_id == keys.marketo_id:
                    continue
                is_open = other.state in OPEN_STATES and not other.closed
                if other.marketo_id not in twins or is_open:
                    twins[other.marketo_id] = MarketoDuplicate(other.marketo_id, other.email, is_open)
            mine = by_marketo.get(keys.marketo_id, []) if keys.marketo_id is not None else []
            routed = [
                h.routed_at
                for h in mine
                if h.routed_at is not None and (handoff is None or h.id != handoff.id)
            ]
            contexts.append(
                SalesforceContext(
                    records=tuple(found),
                    accounts=self.accounts.candidates(keys.domains, keys.company),
                    marketo_duplicates=tuple(twins.values()),
                    last_routed_at=max(routed) if routed else None,
                    held_since=handoff.mql_at if handoff is not None and handoff.state == "held" else None,
                )
            )
        return contexts

    def _records(self, session: Session, people: Sequence[PersonKeys]) -> dict[str, SalesforceRecord]:
        keys = sorted({p.email_key for p in people if p.email_key})
        ids = sorted({record_id for p in people for record_id in p.record_ids})
        found: dict[str, SalesforceRecord] = {}
        for start in range(0, max(len(keys), len(ids)), _CHUNK):
            key_chunk, id_chunk = keys[start : start + _CHUNK], ids[start : start + _CHUNK]
            rows = session.execute(
                select(SalesforceRecord).where(
                    or_(SalesforceRecord.email_key.in_(key_chunk), SalesforceRecord.id.in_(id_chunk))  # type: ignore[union-attr,attr-defined]
                )
            ).scalars()
            found.update((row.id, row) for row in rows)
        return found

    def _handoffs(self, session: Session, people: Sequence[PersonKeys]) -> list[PastHandoff]:
        keys = sorted({p.email_key for p in people if p.email_key})
        marketo_ids = sorted({p.marketo_id for p in people if p.marketo_id is not None})
        h = Handoff
        columns = (h.id, h.marketo_id, h.email, h.email_key, h.state, h.closed_at, h.routed_at)
        found: dict[int, PastHandoff] = {}
        for start in range(0, max(len(keys), len(marketo_ids)), _CHUNK):
            key_chunk, id_chunk = keys[start : start + _CHUNK], marketo_ids[start : start + _CHUNK]
            rows = session.execute(
                select(*columns).where(or_(h.email_key.in_(key_chunk), h.marketo_id.in_(id_chunk)))  # type: ignore[union-attr,attr-defined]
            )
            for row in rows:
                found[row[0]] = PastHandoff(
                    row[0], row[1], row[2], row[3], row[4], row[5] is not None, row[6]
                )
        return list(found.values())
