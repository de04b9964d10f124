"""Flow 4.4: Marketo email opens, clicks and form fills → Salesforce Tasks on the Lead or Contact.

Activity types are 10 Open Email, 11 Click Email and 2 Fill Out Form (reference/marketo.md §4), not
1, 2, 3 as the specification says. The inbox handler only queues ``salesforce.create_task`` under
``task:<marketoGUID>``; the batch handler then, per 200 activities: finds each person's Contact or Lead
id (handoffs we routed first, then one Marketo read for the rest), skips activities whose Task already
exists, and creates the rest in one ``/composite/sobjects`` call (§4). Salesforce has no idempotency key,
so every Task carries its activity's marker in its description and the batch first asks Salesforce
for Tasks with those markers: a retry after a crash between the create and the sent mark finds them.
A person who is in no Salesforce record is skipped (``not_in_salesforce``), unless their handoff is
``mql`` or ``route_ready`` (their Lead is being created), or the activity is younger than
``FRESH_ACTIVITY``: activities and the MQL signal arrive as separate inbox items, so an open can be
processed a moment before the score change that creates the handoff (seen in the kill -9 test); such a
Task waits a little for the Lead instead of being lost.

Payload: ``{"marketo_guid": "102988", "lead_id": 1001, "activity_type_id": 10,
"activity_date": "2026-11-02T09:00:00Z", "primary": "Spring launch", "attributes": {"Link": "…"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from handoff.clock import Clock
from routing.models import Handoff
from sync import kinds
from sync.config import EngagementSettings
from sync.errors import PermanentError, RetryableError
from sync.inbox import InboxWork
from sync.mapping import FieldMapping
from sync.outbox import PRIORITY_SYNC, OutboxWork, Outcome, enqueue
from sync.pollers.cursors import soql_datetime
from sync.ports import MarketoPort, SalesforcePort
from sync.soql import id_list, is_record_id, like_prefix

TASK_BATCH = 200
MARKER = re.compile(r"\(Marketo activity ([^)\s]{1,64})\)")
GUARD_WINDOW = timedelta(days=7)
WAIT_FOR_LEAD_SECONDS = 15.0
# Long enough for the person's own MQL signal to be processed, short enough to stay far inside the
# outbox's retry budget (a message that is still retryable after its last attempt is dead-lettered).
FRESH_ACTIVITY = timedelta(minutes=10)
WAITING_STATES = ("mql", "route_ready")
VERBS = {10: "Opened email", 11: "Clicked a link in email", 2: "Filled out form"}


def _attributes(activity: dict[str, Any]) -> dict[str, Any]:
    return {
        str(a["name"]): a.get("value")
        for a in activity.get("attributes") or ()
        if isinstance(a, dict) and "name" in a
    }


def task_payload(activity: dict[str, Any]) -> dict[str, Any]:
    return {
        "marketo_guid": str(activity["marketoGUID"]),
        "lead_id": activity["leadId"],
        "activity_type_id": activity["activityTypeId"],
        "activity_date": activity.get("activityDate"),
        "primary": activity.get("primaryAttributeValue"),
        "attributes": _attributes(activity),
    }


def describe(payload: dict[str, Any], prefix: str) -> tuple[str, str]:
    """Pure: a subject and a description a seller understands, ending with the dedupe marker."""
    type_id = payload["activity_type_id"]
    asset = payload.get("primary") or "(unnamed)"
    subject = f"{prefix}{VERBS.get(type_id, 'Marketing activity')} \u201c{asset}\u201d"[:255]
    when = payload.get("activity_date") or "an unknown time"
    attributes = payload.get("attributes") or {}
    lines = {
        10: f"The person opened the marketing email \u201c{asset}\u201d on {when}.",
        11: f"The person clicked a link in the marketing email \u201c{asset}\u201d on {when}.",
        2: f"The person filled out the form \u201c{asset}\u201d on {when}.",
    }
    details = [lines.get(type_id, f"Marketing activity {type_id} on {when}.")]
    for name in ("Link", "Webpage URL", "Referrer URL", "Client IP Address", "Device"):
        if attributes.get(name):
            details.append(f"{name}: {attributes[name]}")
    details.append("Logged by Handoff from Marketo so sales can see marketing touches.")
    details.append(f"(Marketo activity {payload['marketo_guid']})")
    return subject, "\n".join(details)


class EngagementActivity:
    """Inbox handler of ``marketo.email_open``, ``marketo.email_click`` and ``marketo.form_fill``."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def __call__(self, session: Session, work: InboxWork) -> None:
        payload = task_payload(work.payload)
        enqueue(
            session,
            target="salesforce",
            operation=kinds.OP_CREATE_TASKS,
            idempotency_key=f"task:{payload['marketo_guid']}",
            payload=payload,
            now=self.clock(),
        )


class CreateTasks:
    """Batch handler of ``salesforce.create_task`` (at most 200 per call)."""

    def __init__(
        self,
        salesforce: SalesforcePort,
        marketo: MarketoPort,
        session_factory: Callable[[], Session],
        mapping: FieldMapping,
        settings: EngagementSettings,
        clock: Clock,
    ) -> None:
        self.salesforce = salesforce
        self.marketo = marketo
        self.session_factory = session_factory
        self.mapping = mapping
        self.settings = settings
        self.clock = clock

    async def __call__(self, works: Sequence[OutboxWork]) -> list[Outcome]:
        who, being_routed = await self._who_ids({int(w.payload["lead_id"]) for w in works})
        existing = await self._existing_tasks({who[m] for m in who})
        results: list[Outcome] = [None] * len(works)
        to_create: list[tuple[int, dict[str, Any]]] = []
        for index, work in enumerate(works):
            payload = work.payload
            marketo_id = int(payload["lead_id"])
            who_id = who.get(marketo_id)
            if who_id is None and marketo_id in being_routed:
                # The person's Lead is being created right now: try again once it exists.
                results[index] = RetryableError(
                    f"Marketo person {marketo_id} is being routed; the Task waits for the Lead",
                    code="WAITING_FOR_LEAD",
                    retry_after_seconds=WAIT_FOR_LEAD_SECONDS,
                )
            elif who_id is None and self._is_fresh(payload):
                results[index] = RetryableError(
                    f"Marketo person {marketo_id} is not in Salesforce yet; a fresh activity waits a little",
                    code="WAITING_FOR_RECORD",
                    retry_after_seconds=WAIT_FOR_LEAD_SECONDS * 4,
                )
            elif who_id is None:
                results[index] = {"status": "skipped", "reason": "not_in_salesforce"}
            elif payload["marketo_guid"] in existing:
                results[index] = {"status": "exists", "task_id": existing[payload["marketo_guid"]]}
            else:
                subject, description = describe(payload, self.settings.subject_prefix)
                task = {
                    "WhoId": who_id,
                    "Subject": subject,
                    "Description": description,
                    "Status": self.settings.task_status,
                    "Priority": "Normal",
                }
                if isinstance(payload.get("activity_date"), str) and len(payload["activity_date"]) >= 10:
                    task["ActivityDate"] = payload["activity_date"][:10]
                to_create.append((index, task))
        if to_create:
            outcomes = await self.salesforce.create_many(
                "Task", [task for _, task in to_create], priority=PRIORITY_SYNC
            )
            for (index, _), outcome in zip(to_create, outcomes, strict=True):
                if outcome.ok:
                    results[index] = {"status": "created", "task_id": outcome.id}
                else:
                    results[index] = outcome.error or PermanentError(
                        f"Salesforce refused the Task: {outcome.code} {outcome.message}", code=outcome.code
                    )
        return results

    def _is_fresh(self, payload: dict[str, Any]) -> bool:
        text = payload.get("activity_date")
        if not isinstance(text, str):
            return False
        try:
            happened = datetime.fromisoformat(text.replace("+0000", "+00:00"))
        except ValueError:
            return False
        if happened.tzinfo is None:
            return False
        return self.clock() - happened < FRESH_ACTIVITY

    async def _who_ids(self, marketo_ids: set[int]) -> tuple[dict[int, str], set[int]]:
        """Contact id if there is one, else the Lead id: from our handoffs, then from Marketo.

        Also returns the people whose handoff is about to be routed (their Lead does not exist yet).
        """
        who: dict[int, str] = {}
        being_routed: set[int] = set()
        with self.session_factory() as session:
            rows = session.exec(
                select(Handoff)
                .where(Handoff.marketo_id.in_(marketo_ids))  # type: ignore[union-attr]
                .order_by(Handoff.mql_at)
            )
            for handoff in rows:
                chosen = handoff.sfdc_contact_id or handoff.sfdc_lead_id
                if handoff.marketo_id is not None and chosen:
                    who[handoff.marketo_id] = chosen
                elif handoff.marketo_id is not None and handoff.state in WAITING_STATES:
                    being_routed.add(handoff.marketo_id)
        missing = sorted(marketo_ids - set(who))
        fields = [f for f in (self.mapping.contact_id_field, self.mapping.lead_id_field) if f]
        if missing and fields:
            people = await self.marketo.get_leads("id", missing, ["id", *fields], priority=PRIORITY_SYNC)
            for person in people:
                chosen = next((person.get(f) for f in fields if is_record_id(person.get(f))), None)
                if chosen:
                    who[int(person["id"])] = chosen
        return who, being_routed - set(who)

    async def _existing_tasks(self, who_ids: set[str]) -> dict[str, str]:
        if not who_ids:
            return {}
        since = soql_datetime(self.clock() - GUARD_WINDOW)
        soql = (
            f"SELECT Id, Description FROM Task WHERE WhoId IN {id_list(sorted(who_ids))} "
            f"AND Subject LIKE {like_prefix(self.settings.subject_prefix)} AND CreatedDate >= {since}"
        )
        found: dict[str, str] = {}
        async for task in self.salesforce.query(soql, priority=PRIORITY_SYNC):
            match = MARKER.search(task.get("Description") or "")
            if match:
                found[match.group(1)] = task["Id"]
        return found
