"""A realistic, seeded history of handoffs and their events, for the demo's first screen, tests and benchmarks.

Teams of reps in their own time zones and working hours, each with their own speed and their own share of
leads never touched; MQLs arriving mostly on weekdays in office hours; the gate rejecting duplicates and
free-mail addresses, holding leads for missing fields; SLA ladders reminding, breaching, reassigning and
recycling; conversion falling with response time (the speed-to-lead curve). Deterministic for a seed.

Rows come out as plain dicts with explicit ids, in MQL order, so that a million of them stream into
``insert_sample`` (or a benchmark's bulk loader) without an ORM in the way. The real world of the demo is
``sandbox/``'s simulation running through the real flows; this builder only fills the charts until then,
and it writes the same event kinds and reason codes the services write.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from routing.models import ConfigVersion, Handoff, HandoffEvent, PersonSnapshot

SEGMENTS = {"Tier A": ("tier_a", 15 * 60), "Tier B": ("tier_b", 60 * 60), "Tier C": ("tier_c", 8 * 3600)}
SOURCES = (
    ("Demo request", 18),
    ("Contact sales", 8),
    ("Trial signup", 14),
    ("Webinar", 20),
    ("Content download", 30),
    ("Event", 10),
)
TEAMS = (
    ("EMEA Enterprise", 1, ("Tier A", "Tier B")),
    ("NA Mid-Market", -5, ("Tier B", "Tier A")),
    ("NA SMB", -6, ("Tier C", "Tier B")),
    ("APAC", 8, ("Tier B", "Tier C")),
)
REJECT_REASONS = (
    ("existing_lead", 30),
    ("duplicate_in_marketo", 15),
    ("free_mail", 25),
    ("competitor", 10),
    ("test_record", 10),
    ("excluded_country", 5),
    ("unsubscribed", 5),
)
HOLD_REASONS = (("missing_field", 70), ("invalid_field", 10), ("context_unavailable", 20))
ROUTE_REASONS = (
    ("target_account_owner", 35),
    ("target_rule", 50),
    ("target_queue", 10),
    ("target_fallback_queue", 5),
)
HOLD_EXPIRES = timedelta(hours=24)
FIRST = (
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoë",
)
LAST = (
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Walsh",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Nakatomi",
    "Oscorp",
    "Massive Dynamic",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Monarch",
    "Pied Piper",
)
VERSION_AGES_DAYS = (400, 120, 45, 12)  # four config versions activated this long before "now"


@dataclass(frozen=True)
class Rep:
    owner_id: str
    name: str
    team: str
    utc_offset: int
    median_business_seconds: float
    never_touch: float


def _owner_id(number: int) -> str:
    return f"0055g{number:010d}AAA"


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in weighted], [weight for _, weight in weighted])[0]


class BusinessHours:
    """Monday-Friday 09:00-17:00 at a fixed UTC offset: enough for synthetic data (the SLA package owns
    real calendars with DST and holidays)."""

    OPEN, CLOSE = 9 * 3600, 17 * 3600

    def __init__(self, utc_offset_hours: int) -> None:
        self.offset = timedelta(hours=utc_offset_hours)

    def _next_open(self, moment: datetime) -> datetime:
        local = moment + self.offset
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        if local.weekday() < 5 and self.OPEN <= seconds < self.CLOSE:
            return moment
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local.weekday() < 5 and seconds < self.OPEN:
            return day + timedelta(seconds=self.OPEN) - self.offset
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day + timedelta(seconds=self.OPEN) - self.offset

    def add(self, start: datetime, business_seconds: float) -> datetime:
        moment = self._next_open(start)
        remaining = business_seconds
        while True:
            local = moment + self.offset
            closing = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=self.CLOSE)
            available = (closing - local).total_seconds()
            if remaining <= available:
                return moment + timedelta(seconds=remaining)
            remaining -= available
            moment = self._next_open(closing - self.offset)

    def between(self, start: datetime, end: datetime) -> float:
        total, moment = 0.0, self._next_open(start)
        while moment < end:
            local = moment + self.offset
            closing = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=self.CLOSE)
            stop = min(end, closing - self.offset)
            total += (stop - moment).total_seconds()
            moment = self._next_open(closing - self.offset)
        return total


class SampleWorld:
    """``handoffs`` MQLs spread over the ``days`` before ``now``, with reps, config versions and events."""

    def __init__(self, *, seed: int = 7, now: datetime, days: int = 90, handoffs: int = 5000) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be an aware UTC datetime")
        self.rng = random.Random(seed)
        self.now = now.astimezone(UTC)
        self.days = days
        self.count = handoffs
        self.reps = self._reps()
        self.hours = {team: BusinessHours(offset) for team, offset, _ in TEAMS}
        self.versions = [
            {
                "id": index + 1,
                "created_at": self.now - timedelta(days=age, hours=2),
                "author": ("ops.maria", "ops.li")[index % 2],
                "comment": (
                    "initial criteria",
                    "Tier A: 15 min SLA",
                    "exclude competitors",
                    "EMEA account match",
                )[index],
                "document": f"routing:\n  segments: []\n# sample version {index + 1}\n",
                "checksum": f"{index + 1:064d}",
                "status": "active" if index == len(VERSION_AGES_DAYS) - 1 else "retired",
                "activated_at": self.now - timedelta(days=age),
                "parent_id": index or None,
            }
            for index, age in enumerate(VERSION_AGES_DAYS)
        ]

    def _reps(self) -> dict[str, list[Rep]]:
        reps: dict[str, list[Rep]] = {}
        number = 1
        for team, offset, _ in TEAMS:
            for _ in range(self.rng.randint(8, 14)):
                name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
                median = self.rng.choice((3, 6, 12, 25, 45, 90, 240)) * 60.0
                never = self.rng.choice((0.01, 0.02, 0.04, 0.08, 0.15))
                reps.setdefault(team, []).append(Rep(_owner_id(number), name, team, offset, median, never))
                number += 1
        return reps

    def _version_at(self, moment: datetime) -> int:
        current = 1
        for version in self.versions:
            if version["activated_at"] <= moment:
                current = version["id"]
        return current

    def _mql_times(self) -> Iterator[datetime]:
        """MQL instants in order: a weekday weighs 4 weekend days, an office hour (UTC 7-19) 3 night hours."""
        start = self.now - timedelta(days=self.days)
        day_weights = [4 if (start + timedelta(days=d)).weekday() < 5 else 1 for d in range(self.days)]
        per_day = [0] * self.days
        for day in self.rng.choices(range(self.days), day_weights, k=self.count):
            per_day[day] += 1
        hour_weights = [3 if 7 <= hour < 19 else 1 for hour in range(24)]
        for day, count in enumerate(per_day):
            base = start + timedelta(days=day)
            seconds = sorted(
                hour * 3600 + self.rng.random() * 3600
                for hour in self.rng.choices(range(24), hour_weights, k=count)
            )
            for offset in seconds:
                moment = base + timedelta(seconds=offset)
                if moment < self.now:
                    yield moment

    def handoffs(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        for number, mql_at in enumerate(self._mql_times(), start=1):
            yield self._one(number, mql_at)

    def _one(self, number: int, mql_at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        team, _offset, segments = rng.choice(TEAMS)
        segment = segments[0] if rng.random() < 0.7 else segments[1]
        source = _pick(rng, SOURCES)
        company = f"{rng.choice(COMPANIES)} {rng.choice(('GmbH', 'Inc', 'Ltd', 'SA', 'KK', 'BV'))}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{number}@{company.split()[0].lower()}.example"
        story = _Story(
            number, self._version_at(mql_at), self.now, _handoff_row(number, mql_at, email, company)
        )
        story.row.update(segment=segment, source=source, team=team)
        story.add(
            "mql",
            mql_at,
            f"{first} {last} crossed the MQL threshold ({source}).",
            "score_threshold",
            "marketo",
        )
        roll = rng.random()
        if roll < 0.08:
            self._reject(story, mql_at + timedelta(seconds=rng.uniform(1, 20)))
            return story.row, story.events
        ready_at = mql_at + timedelta(seconds=rng.uniform(1, 15))
        if roll < 0.16:
            reason = _pick(rng, HOLD_REASONS)
            story.decide("hold", reason, None, mql_at + timedelta(seconds=2), "held")
            story.add(
                "held", mql_at + timedelta(seconds=2), f"Held: {reason.replace('_', ' ')} (Country).", reason
            )
            if rng.random() < 0.4:
                expired = mql_at + HOLD_EXPIRES
                if expired <= self.now:
                    story.decide("hold", "hold_expired", None, expired, "held", closed_at=expired)
                    story.add(
                        "leaked", expired, "Held for 24 h waiting for data (Country); leaked.", "hold_expired"
                    )
                return story.row, story.events
            ready_at = mql_at + timedelta(hours=rng.uniform(0.2, 20))
        if ready_at > self.now:
            return story.row, story.events
        self._route(story, team, segment, ready_at)
        return story.row, story.events

    def _reject(self, story: _Story, at: datetime) -> None:
        reason = _pick(self.rng, REJECT_REASONS)
        story.decide("reject", reason, None, at, "rejected", closed_at=at)
        story.add("rejected", at, f"Not routed: {reason.replace('_', ' ')}.", reason)

    def _route(self, story: _Story, team: str, segment: str, ready_at: datetime) -> None:
        rng = self.rng
        reason = _pick(rng, ROUTE_REASONS)
        target = {"target_rule": "rule:active", "target_queue": "queue:00G5g0000000001AAA"}.get(
            reason, "owner"
        )
        story.decide("route", reason, target, ready_at, "route_ready", route_ready_at=ready_at)
        story.add("route_ready", ready_at, "All route-ready criteria met.", reason)
        routed_at = ready_at + timedelta(seconds=rng.uniform(0.5, 8))
        if rng.random() < 0.01 or routed_at > self.now:
            return  # Salesforce unreachable: stays route-ready (held too long once past the hold limit)
        rep = rng.choice(self.reps[team])
        hours = self.hours[team]
        policy, target_seconds = SEGMENTS[segment]
        due_at = hours.add(routed_at, target_seconds)
        story.row.update(
            state="routed",
            routed_at=routed_at,
            due_at=due_at,
            sla_policy=policy,
            owner_id=rep.owner_id,
            owner_name=rep.name,
            sfdc_lead_id=f"00Q5g{story.number:010d}AAA",
        )
        how = reason.removeprefix("target_").replace("_", " ")
        story.add(
            "routed",
            routed_at,
            f"Routed by Handoff: {segment} / {team} / {how}.",
            reason,
            owner_id=rep.owner_id,
            owner_name=rep.name,
            rule_id="01Q5g0000000001AAA",
        )
        story.add(
            "notified",
            routed_at + timedelta(seconds=3),
            f"Slack message to {rep.name}: new {segment} lead.",
            "new_lead",
            channel="slack",
        )
        touch_at = (
            None
            if rng.random() < rep.never_touch
            else hours.add(routed_at, rng.lognormvariate(0, 1.1) * rep.median_business_seconds)
        )
        remind_at = hours.add(routed_at, target_seconds / 2)
        if touch_at is None or touch_at > remind_at:
            story.add(
                "reminded",
                remind_at,
                f"{rep.name} reminded before the due time (1 message(s))",
                "first_touch_due_soon",
                step_index=0,
            )
        toucher = rep
        if (touch_at is None or touch_at > due_at) and due_at <= self.now:
            story.row.update(breached=True, state="breached")
            story.add(
                "breached",
                due_at,
                f"No first touch by {rep.owner_id} before the due time (policy {policy})",
                "first_touch_overdue",
                owner_id=rep.owner_id,
            )
            reassign_at = due_at + timedelta(minutes=30)
            if (
                (touch_at is None or touch_at > reassign_at)
                and reassign_at <= self.now
                and rng.random() < 0.5
            ):
                toucher = rng.choice(self.reps[team])
                story.add(
                    "escalated",
                    reassign_at,
                    f"Reassignment requested from {rep.owner_id} to {toucher.owner_id}",
                    "sla_breach",
                    step_index=1,
                    owner_id=toucher.owner_id,
                )
                story.add(
                    "reassigned",
                    reassign_at + timedelta(seconds=20),
                    f"Reassigned from {rep.name} to {toucher.name}; a new first-touch clock started",
                    "sla_breach",
                    from_owner_id=rep.owner_id,
                    to_owner_id=toucher.owner_id,
                )
                story.row.update(owner_id=toucher.owner_id, owner_name=toucher.name, state="reassigned")
                if touch_at is None and rng.random() < 0.6:
                    touch_at = hours.add(
                        reassign_at, rng.lognormvariate(0, 1) * toucher.median_business_seconds
                    )
        if touch_at is not None and touch_at <= self.now:
            late = touch_at > due_at
            story.row.update(
                state="touched",
                first_touch_at=touch_at,
                touch_wall_seconds=(touch_at - routed_at).total_seconds(),
                touch_business_seconds=hours.between(routed_at, touch_at),
            )
            story.add(
                "touched",
                touch_at,
                f"First touch: {rng.choice(('Call', 'Email', 'LinkedIn'))} by {toucher.name}.",
                "first_touch_late" if late else "first_touch",
                toucher.name,
                task_id=f"00T5g{story.number:010d}AAA",
            )
            converted_at = touch_at + timedelta(days=rng.uniform(0.5, 20))
            chance = _conversion_chance(story.row["touch_wall_seconds"], segment)
            if rng.random() < chance and converted_at <= self.now:
                story.row.update(
                    state="converted",
                    converted_at=converted_at,
                    sfdc_contact_id=f"0035g{story.number:010d}AAA",
                )
                story.add(
                    "converted",
                    converted_at,
                    "Lead converted in Salesforce: opportunity created.",
                    "lead_converted",
                    "salesforce",
                )
        elif touch_at is None:
            recycle_at = hours.add(due_at, 2 * 8 * 3600)
            if recycle_at <= self.now and rng.random() < 0.7:
                story.row.update(state="recycled", closed_at=recycle_at)
                story.add(
                    "recycled",
                    recycle_at,
                    "Never touched: recycled to nurture (sla_no_first_touch); counted as leakage",
                    "sla_no_first_touch",
                    leakage=True,
                )


class _Story:
    """One handoff being written: its projection row and its events (none dated after "now")."""

    def __init__(self, number: int, version: int, now: datetime, row: dict[str, Any]) -> None:
        self.number, self.version, self.now, self.row = number, version, now, row
        self.row["config_version_id"] = version
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        at: datetime,
        message: str,
        reason: str | None = None,
        actor: str = "handoff",
        **data: Any,
    ) -> None:
        if at > self.now:
            return
        self.events.append(
            {
                "handoff_id": self.number,
                "at": at,
                "kind": kind,
                "reason_code": reason,
                "message": message,
                "data": data,
                "config_version_id": self.version,
                "actor": actor,
            }
        )
        self.row["updated_at"] = max(self.row["updated_at"], at)

    def decide(
        self, outcome: str, reason: str, target: str | None, at: datetime, state: str, **changes: Any
    ) -> None:
        self.row.update(
            decision=outcome, reason_code=reason, target=target, decided_at=at, state=state, **changes
        )


def _handoff_row(number: int, mql_at: datetime, email: str, company: str) -> dict[str, Any]:
    return {
        "id": number,
        "marketo_id": 100000 + number,
        "email": email,
        "email_key": email,
        "company": company,
        "state": "mql",
        "segment": None,
        "source": None,
        "team": None,
        "sla_policy": None,
        "owner_id": None,
        "owner_name": None,
        "sfdc_lead_id": None,
        "sfdc_contact_id": None,
        "sfdc_account_id": None,
        "config_version_id": None,
        "snapshot_id": None,
        "reason_code": None,
        "decision": None,
        "target": None,
        "decided_at": None,
        "mql_at": mql_at,
        "route_ready_at": None,
        "routed_at": None,
        "due_at": None,
        "first_touch_at": None,
        "touch_wall_seconds": None,
        "touch_business_seconds": None,
        "breached": False,
        "converted_at": None,
        "closed_at": None,
        "updated_at": mql_at,
    }


def _conversion_chance(wall_seconds: float, segment: str) -> float:
    """The speed-to-lead curve the data follows: slower first touch, fewer SQLs."""
    base = (
        0.22
        if wall_seconds < 300
        else 0.15
        if wall_seconds < 3600
        else 0.09
        if wall_seconds < 86400
        else 0.04
    )
    return base * {"Tier A": 1.4, "Tier B": 1.0, "Tier C": 0.6}[segment]


COUNTRIES = ("DE", "FR", "GB", "US", "CA", "JP", "AU", "NL", "SE", "ES")


def snapshot_for(row: dict[str, Any]) -> dict[str, Any]:
    """What the gate saw for a decided handoff (Marketo field names), so the ops preview can replay it."""
    first, last = row["email"].split("@")[0].rstrip("0123456789").split(".")
    return {
        "id": row["id"],
        "marketo_id": row["marketo_id"],
        "email": row["email"],
        "captured_at": row["decided_at"],
        "fields": {
            "email": row["email"],
            "firstName": first.capitalize(),
            "lastName": last.capitalize(),
            "company": row["company"],
            "country": COUNTRIES[row["id"] % len(COUNTRIES)],
            "leadSource": row["source"],
            "leadScore": 60 + row["id"] % 40,
            "title": "Head of Operations",
            "phone": "+49 30 1234567",
        },
        "context": {
            "records": [],
            "accounts": [],
            "marketo_duplicates": [],
            "complete": True,
            "problems": [],
        },
    }


def insert_sample(
    connection: Connection, world: SampleWorld, *, batch: int = 5000, snapshots: bool = False
) -> tuple[int, int]:
    """Insert the world's versions, handoffs and events with explicit ids; returns (handoffs, events).

    With ``snapshots`` every decided handoff also gets its ``PersonSnapshot`` (for replay previews).
    """
    connection.execute(insert(ConfigVersion.__table__), world.versions)  # type: ignore[attr-defined]
    handoffs: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    count = total_events = 0
    for row, row_events in world.handoffs():
        if snapshots and row["decided_at"] is not None:
            people.append(snapshot_for(row))
            row["snapshot_id"] = row["id"]
        handoffs.append(row)
        events.extend(row_events)
        count += 1
        if len(handoffs) >= batch:
            total_events += _flush(connection, people, handoffs, events)
            handoffs, events, people = [], [], []
    total_events += _flush(connection, people, handoffs, events)
    if connection.dialect.name == "postgresql":
        for table in ("config_version", "person_snapshot", "handoff", "handoff_event"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    return count, total_events


def _flush(
    connection: Connection,
    people: list[dict[str, Any]],
    handoffs: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> int:
    if people:
        connection.execute(insert(PersonSnapshot.__table__), people)  # type: ignore[attr-defined]
    if handoffs:
        connection.execute(insert(Handoff.__table__), handoffs)  # type: ignore[attr-defined]
    if events:
        connection.execute(insert(HandoffEvent.__table__), events)  # type: ignore[attr-defined]
    return len(events)
