"""Back-fill: every Marketo person into Salesforce as a Lead, unless Salesforce already has them.

Reading: Marketo has no "list everyone" call, so the job walks lead ids in ranges of 300
(``leads.json?filterType=id``, the documented way to fetch by id; reference/marketo.md §3) and stores
each range as one inbox item (natural key ``<first>-<last>``) in the same commit as the cursor; it
stops after ``empty_ranges_to_stop`` empty ranges in a row (deleted people leave gaps in the ids).
Processing: a page becomes one ``salesforce.backfill_lead`` outbox message at background priority, so routing always goes first.
Writing, per message of up to 300 people: one SOQL for existing Leads and one for Contacts by email
(the dedupe rule: never a second Lead for a person who has one or is a Contact), one collection create
per 200 new Leads, and one Marketo Sync Leads call writing every person's Lead or Contact id back.
Every step is idempotent, so a message retried after a crash finds what it created and completes it.

Payload: ``{"people": [{"marketo_id": 1001, "email": "ann@acme.com", "lead_fields": {…}}, …]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from sync import kinds
from sync.errors import PermanentError
from sync.inbox import InboxWork, store
from sync.mapping import FieldMapping, lead_fields, normalise_email, source_fields
from sync.outbox import PRIORITY_BACKFILL, OutboxWork, enqueue
from sync.pollers.cursors import read_cursor, write_cursor
from sync.pollers.report import PollReport
from sync.ports import MarketoPort, SalesforcePort
from sync.soql import literal

BACKFILL_CURSOR = "marketo.backfill"
RANGE = 300


def backfill_fields(mapping: FieldMapping) -> list[str]:
    wanted = ["id", "email", *source_fields(mapping, "lead")]
    wanted += [f for f in (mapping.lead_id_field, mapping.contact_id_field) if f]
    return list(dict.fromkeys(wanted))


async def read_people(
    session_factory: Callable[[], Session],
    marketo: MarketoPort,
    clock: Clock,
    mapping: FieldMapping,
    *,
    max_ranges: int = 50,
    empty_ranges_to_stop: int = 5,
) -> PollReport:
    """Read the next ranges of lead ids into the inbox; ``caught_up`` once only empty ranges follow."""
    report = PollReport(BACKFILL_CURSOR)
    with session_factory() as session:
        saved = read_cursor(session, BACKFILL_CURSOR)
    last_id, empty = (int(part) for part in (saved or "0:0").split(":"))
    fields = backfill_fields(mapping)
    for _ in range(max_ranges):
        if empty >= empty_ranges_to_stop:
            report.caught_up = True
            break
        ids = list(range(last_id + 1, last_id + RANGE + 1))
        people = await marketo.get_leads("id", ids, fields, priority=PRIORITY_BACKFILL)
        empty = 0 if people else empty + 1
        with session_factory() as session:
            if people:
                created = store(
                    session,
                    source=kinds.SOURCE_MARKETO_BACKFILL,
                    kind=kinds.MARKETO_BACKFILL_PAGE,
                    natural_key=f"{ids[0]}-{ids[-1]}",
                    payload={"people": people},
                    now=clock(),
                )
                report.stored += created is not None
            last_id = ids[-1]
            write_cursor(session, BACKFILL_CURSOR, f"{last_id}:{empty}", clock())
            session.commit()
        report.pages += 1
    return report


class BackfillPage:
    """Inbox handler of ``marketo.backfill_page``: the people not yet linked to Salesforce, as one message."""

    def __init__(self, mapping: FieldMapping, clock: Clock) -> None:
        self.mapping = mapping
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        people = []
        for person in work.payload.get("people") or ():
            linked = any(
                person.get(f) for f in (self.mapping.lead_id_field, self.mapping.contact_id_field) if f
            )
            email = normalise_email(person.get("email"))
            if linked or email is None or not isinstance(person.get("id"), int):
                continue
            people.append(
                {"marketo_id": person["id"], "email": email, "lead_fields": lead_fields(self.mapping, person)}
            )
        if people:
            enqueue(
                session,
                target="salesforce",
                operation=kinds.OP_BACKFILL_LEAD,
                idempotency_key=f"backfill:{work.natural_key}",
                payload={"people": people},
                now=self.clock(),
                priority=PRIORITY_BACKFILL,
            )


class BackfillLeads:
    """Outbox handler of ``salesforce.backfill_lead``."""

    def __init__(self, salesforce: SalesforcePort, marketo: MarketoPort, mapping: FieldMapping) -> None:
        self.salesforce = salesforce
        self.marketo = marketo
        self.mapping = mapping

    async def _by_email(self, sobject: str, emails: Sequence[str], extra: str = "") -> dict[str, str]:
        soql = (
            f"SELECT Id, Email FROM {sobject} WHERE Email IN ({','.join(literal(e) for e in emails)}){extra}"
        )
        found: dict[str, str] = {}
        async for record in self.salesforce.query(soql, priority=PRIORITY_BACKFILL):
            email = normalise_email(record.get("Email"))
            if email and email not in found:
                found[email] = record["Id"]
        return found

    async def __call__(self, work: OutboxWork) -> dict[str, Any]:
        people: list[dict[str, Any]] = list(work.payload.get("people") or [])
        emails = sorted({p["email"] for p in people})
        contacts = await self._by_email("Contact", emails)
        leads = await self._by_email("Lead", emails, " AND IsConverted = false")
        new: dict[str, dict[str, Any]] = {}
        for person in people:
            if person["email"] not in contacts and person["email"] not in leads:
                new.setdefault(person["email"], person["lead_fields"])
        created = 0
        if new:
            outcomes = await self.salesforce.create_many(
                "Lead", list(new.values()), priority=PRIORITY_BACKFILL
            )
            refused = []
            for email, outcome in zip(new, outcomes, strict=True):
                if outcome.ok and outcome.id:
                    leads[email] = str(outcome.id)
                    created += 1
                elif outcome.status == "failed" and outcome.error is not None:
                    raise outcome.error
                else:
                    refused.append(f"{email}: {outcome.code} {outcome.message}")
            if refused:
                # Written ones are found by email on the retry; the refusals need a human.
                raise PermanentError(f"Salesforce refused {len(refused)} Leads: {'; '.join(refused[:5])}")
        updates = []
        for person in people:
            record: dict[str, Any] = {"id": person["marketo_id"]}
            if person["email"] in contacts and self.mapping.contact_id_field:
                record[self.mapping.contact_id_field] = contacts[person["email"]]
            elif person["email"] in leads and self.mapping.lead_id_field:
                record[self.mapping.lead_id_field] = leads[person["email"]]
            if len(record) > 1:
                updates.append(record)
        if updates:
            outcomes = await self.marketo.sync_leads(
                updates, action="updateOnly", lookup_field="id", priority=PRIORITY_BACKFILL
            )
            failed = next((o.error for o in outcomes if o.status == "failed" and o.error is not None), None)
            if failed is not None:
                raise failed
        return {
            "people": len(people),
            "created": created,
            "existing_leads": len(leads) - created,
            "contacts": len(contacts),
        }
