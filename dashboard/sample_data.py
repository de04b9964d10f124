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

from routing.models import ConfigVersion, Handoff, HandoffEvent

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
    ("duplicate_lead", 40),
    ("existing_contact", 20),
    ("free_mail_domain", 20),
    ("competitor", 8),
    ("test_record", 7),
    ("excluded_country", 5),
)
HOLD_REASONS = (("missing_field", 70), ("waiting_enrichment", 30))
ROUTE_REASONS = (("target_account_owner", 35), ("target_assignment_rule", 55), ("target_queue", 10))
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
        policy, target_seconds = SEGMENTS[segment]
        source = _pick(rng, SOURCES)
        company = f"{rng.choice(COMPANIES)} {rng.choice(('GmbH', 'Inc', 'Ltd', 'SA', 'KK', 'BV'))}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        version = self._version_at(mql_at)
        row: dict[str, Any] = {
            "id": number,
            "marketo_id": 100000 + number,
            "email": f"{first.lower()}.{last.lower()}{number}@{company.split()[0].lower()}.example",
            "company": company,
            "state": "mql",
            "segment": segment,
            "source": source,
            "team": team,
            "sla_policy": None,
            "owner_id": None,
            "owner_name": None,
            "sfdc_lead_id": None,
            "sfdc_contact_id": None,
            "sfdc_account_id": None,
            "config_version_id": version,
            "snapshot_id": None,
            "reason_code": None,
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
        events: list[dict[str, Any]] = []

        def add(
            kind: str,
            at: datetime,
            message: str,
            reason: str | None = None,
            actor: str = "handoff",
            **data: Any,
        ) -> None:
            if at <= self.now:
                events.append(
                    {
                        "handoff_id": number,
                        "at": at,
                        "kind": kind,
                        "reason_code": reason,
                        "message": message,
                        "data": data,
                        "config_version_id": version,
                        "actor": actor,
                    }
                )
                row["updated_at"] = max(row["updated_at"], at)

        add(
            "mql",
            mql_at,
            f"{first} {last} crossed the MQL threshold ({source}).",
            "score_threshold",
            actor="marketo",
        )
        roll = rng.random()
        if roll < 0.08:
            reason = _pick(rng, REJECT_REASONS)
            at = mql_at + timedelta(seconds=rng.uniform(1, 20))
            row.update(state="rejected", reason_code=reason, closed_at=at)
            add("rejected", at, f"Not routed: {reason.replace('_', ' ')}.", reason)
            return row, events
        ready_at = mql_at + timedelta(seconds=rng.uniform(1, 15))
        if roll < 0.16:
            reason = _pick(rng, HOLD_REASONS)
            row.update(state="held", reason_code=reason)
            add("held", mql_at + timedelta(seconds=2), f"Held: {reason.replace('_', ' ')} (Country).", reason)
            if rng.random() < 0.4:
                return row, events
            ready_at = mql_at + timedelta(hours=rng.uniform(0.2, 20))
        row.update(state="route_ready", route_ready_at=ready_at)
        add("route_ready", ready_at, "All route-ready criteria met.", "criteria_met")
        if rng.random() < 0.01:
            return row, events
        routed_at = ready_at + timedelta(seconds=rng.uniform(0.5, 8))
        rep = rng.choice(self.reps[team])
        hours = self.hours[team]
        due_at = hours.add(routed_at, target_seconds)
        reason = _pick(rng, ROUTE_REASONS)
        row.update(
            state="routed",
            routed_at=routed_at,
            due_at=due_at,
            sla_policy=policy,
            owner_id=rep.owner_id,
            owner_name=rep.name,
            reason_code=reason,
            sfdc_lead_id=f"00Q5g{number:010d}AAA",
        )
        add(
            "routed",
            routed_at,
            f"Routed by Handoff: {segment} / {team} / {reason.removeprefix('target_').replace('_', ' ')}.",
            reason,
            owner_id=rep.owner_id,
            owner_name=rep.name,
            rule="01Q5g0000000001AAA",
        )
        add(
            "notified",
            routed_at + timedelta(seconds=3),
            f"Slack message to {rep.name}: new {segment} lead.",
            "new_lead",
            channel="slack",
        )
        touch_rep = rep
        never = rng.random() < rep.never_touch
        delay = rng.lognormvariate(0, 1.1) * rep.median_business_seconds
        touch_at = None if never else hours.add(routed_at, delay)
        remind_at = hours.add(routed_at, target_seconds / 2)
        if touch_at is None or touch_at > remind_at:
            add(
                "reminded",
                remind_at,
                f"Reminder to {rep.name}: half the SLA used.",
                "remind_50pct",
                channel="slack",
            )
        if touch_at is None or touch_at > due_at:
            row.update(breached=True, state="breached")
            add(
                "breached",
                due_at,
                f"SLA {policy} breached: not touched within {target_seconds // 60:.0f} business minutes.",
                "sla_breach",
                manager_notified=True,
            )
            reassign_at = due_at + timedelta(minutes=30)
            if (touch_at is None or touch_at > reassign_at) and rng.random() < 0.5:
                touch_rep = rng.choice(self.reps[team])
                add(
                    "reassigned",
                    reassign_at,
                    f"Reassigned from {rep.name} to {touch_rep.name}.",
                    "sla_reassign",
                    from_owner_id=rep.owner_id,
                    to_owner_id=touch_rep.owner_id,
                )
                row.update(owner_id=touch_rep.owner_id, owner_name=touch_rep.name, state="reassigned")
                if touch_at is None and rng.random() < 0.6:
                    touch_at = hours.add(
                        reassign_at, rng.lognormvariate(0, 1) * touch_rep.median_business_seconds
                    )
        if touch_at is not None and touch_at <= self.now:
            row.update(
                state="touched",
                first_touch_at=touch_at,
                touch_wall_seconds=(touch_at - routed_at).total_seconds(),
                touch_business_seconds=hours.between(routed_at, touch_at),
            )
            add(
                "touched",
                touch_at,
                f"First touch: {rng.choice(('Call', 'Email', 'LinkedIn'))} by {touch_rep.name}.",
                "first_touch",
                actor=touch_rep.name,
                task_id=f"00T5g{number:010d}AAA",
            )
            if rng.random() < _conversion_chance(row["touch_wall_seconds"], segment):
                converted_at = touch_at + timedelta(days=rng.uniform(0.5, 20))
                if converted_at <= self.now:
                    row.update(
                        state="converted", converted_at=converted_at, sfdc_contact_id=f"0035g{number:010d}AAA"
                    )
                    add(
                        "converted",
                        converted_at,
                        "Lead converted in Salesforce: opportunity created.",
                        "lead_converted",
                        actor="salesforce",
                    )
        elif touch_at is None:
            recycle_at = hours.add(due_at, 2 * 8 * 3600)
            if recycle_at <= self.now and rng.random() < 0.7:
                row.update(state="recycled", closed_at=recycle_at, reason_code="sla_recycle")
                add(
                    "recycled",
                    recycle_at,
                    "Recycled to nurture: untouched two business days after breach.",
                    "sla_recycle",
                )
        return row, events


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


def insert_sample(connection: Connection, world: SampleWorld, batch: int = 5000) -> tuple[int, int]:
    """Insert the world's versions, handoffs and events with explicit ids; returns (handoffs, events)."""
    connection.execute(insert(ConfigVersion.__table__), world.versions)  # type: ignore[attr-defined]
    handoffs, events, total_events = [], [], 0
    count = 0
    for row, row_events in world.handoffs():
        handoffs.append(row)
        events.extend(row_events)
        count += 1
        if len(handoffs) >= batch:
            total_events += _flush(connection, handoffs, events)
            handoffs, events = [], []
    total_events += _flush(connection, handoffs, events)
    if connection.dialect.name == "postgresql":
        for table in ("config_version", "handoff", "handoff_event"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    return count, total_events


def _flush(connection: Connection, handoffs: list[dict[str, Any]], events: list[dict[str, Any]]) -> int:
    if handoffs:
        connection.execute(insert(Handoff.__table__), handoffs)  # type: ignore[attr-defined]
    if events:
        connection.execute(insert(HandoffEvent.__table__), events)  # type: ignore[attr-defined]
    return len(events)
