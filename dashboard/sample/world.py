"""A realistic, seeded history of handoffs and their events, for the demo's first screen, tests and benchmarks.

Teams of reps in their own time zones and working hours, each with their own speed and their own share of
leads never touched; MQLs arriving mostly on weekdays in office hours; the gate rejecting duplicates and
free-mail addresses, holding leads for missing fields; SLA ladders reminding, breaching, reassigning and
recycling; conversion falling with response time (the speed-to-lead curve). Deterministic for a seed.

Rows come out as plain dicts with explicit ids, in MQL order, so that a million of them stream into
``dashboard.sample.store.insert_sample`` (or a benchmark's bulk loader) without an ORM in the way. The
demo's real history comes from ``sandbox/``'s world through the real flows; this builder writes the same
event kinds and reason codes the services write, so the dashboard reads both alike.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboard.sample.catalogue import (
    COMPANIES,
    FIRST,
    HOLD_EXPIRES,
    HOLD_REASONS,
    LAST,
    REJECT_REASONS,
    ROUTE_REASONS,
    SEGMENTS,
    SOURCES,
    TEAMS,
    VERSION_AGES_DAYS,
    Rep,
    owner_id,
    pick,
)
from dashboard.sample.hours import BusinessHours
from dashboard.sample.story import Story, conversion_chance, handoff_row


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
                reps.setdefault(team, []).append(Rep(owner_id(number), name, team, offset, median, never))
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
            row, events = self._one(number, mql_at)
            events.sort(key=lambda event: event["at"])  # stable: same-instant events keep their order
            yield row, events

    def _one(self, number: int, mql_at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        team, _offset, segments = rng.choice(TEAMS)
        segment = segments[0] if rng.random() < 0.7 else segments[1]
        source = pick(rng, SOURCES)
        company = f"{rng.choice(COMPANIES)} {rng.choice(('GmbH', 'Inc', 'Ltd', 'SA', 'KK', 'BV'))}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{number}@{company.split()[0].lower()}.example"
        story = Story(number, self._version_at(mql_at), self.now, handoff_row(number, mql_at, email, company))
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
            reason = pick(rng, HOLD_REASONS)
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

    def _reject(self, story: Story, at: datetime) -> None:
        reason = pick(self.rng, REJECT_REASONS)
        story.decide("reject", reason, None, at, "rejected", closed_at=at)
        story.add("rejected", at, f"Not routed: {reason.replace('_', ' ')}.", reason)

    def _route(self, story: Story, team: str, segment: str, ready_at: datetime) -> None:
        rng = self.rng
        reason = pick(rng, ROUTE_REASONS)
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
                        reassign_at + timedelta(seconds=20),
                        rng.lognormvariate(0, 1) * toucher.median_business_seconds,
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
            chance = conversion_chance(story.row["touch_wall_seconds"], segment)
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
