"""What the sales team does in Salesforce: take leads from their queue, touch the leads they own, book
meetings, convert or disqualify, and move opportunities to Closed Won or Closed Lost.

New work is found by reading Salesforce, not by being told: the world registers a commit listener on
the org and notes each Lead a commit changed (owner, conversion, modstamp). A lead owned by an SDR that
the world has not touched yet gets a first touch after a delay drawn from that SDR's habits, counted
in their working minutes (``calendar.py``), so nobody touches a lead at night, at the weekend or on a
holiday. A lead in a team queue is claimed by one of the queue's SDRs. Every draw comes from a stream
derived from (seed, lead id, owner id, …), so results do not depend on how time is stepped.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.salesforce import ApiError, SalesforceState
from sandbox.world.behaviour import Behaviour
from sandbox.world.events import Claim, DealStep, Outcome, Scheduled, Touch
from sandbox.world.model import Blueprint, Rep
from sandbox.world.randomness import derive, weighted
from sandbox.world.touches import DEAL_STAGES, deal_plan, meeting_values, task_values

_LEAD_PREFIX = "00Q"
_OPEN_STATUS = "Open - Not Contacted"


@dataclass(frozen=True)
class Sighting:
    """A Lead as a commit left it."""

    lead_id: str
    owner_id: str | None
    converted: bool
    at: datetime


class Sales:
    def __init__(self, blueprint: Blueprint, salesforce: SalesforceState, behaviour: Behaviour) -> None:
        self.seed = blueprint.seed
        self.org = blueprint.org
        self.sf = salesforce
        self.behaviour = behaviour
        self.sdrs = {rep.id: rep for rep in self.org.reps if rep.role == "sdr"}
        self.team_queues = {queue.id: queue for queue in self.org.queues if queue.team is not None}
        self.accounts_by_domain = {account.domain: account for account in blueprint.accounts}
        self.planned: dict[str, str | None] = {}
        self.touched: set[str] = set()
        self.claimed: dict[str, str] = {}
        self.meetings: set[str] = set()
        self.stats: Counter[str] = Counter()
        self._sightings: deque[Sighting] = deque()
        self._sightings_lock = threading.Lock()
        self._listener: Callable[[set[str]], None] = self._on_commit
        salesforce.commit_listeners.append(self._listener)

    def close(self) -> None:
        if self._listener in self.sf.commit_listeners:
            self.sf.commit_listeners.remove(self._listener)

    # -- finding new work ------------------------------------------------------------------------

    def _on_commit(self, touched: set[str]) -> None:
        """Runs under the org lock right after each commit (any thread): note each changed Lead."""
        lead_ids = sorted(i for i in touched if i.startswith(_LEAD_PREFIX))
        if not lead_ids:
            return
        seen = []
        for lead_id in lead_ids:
            record = self.sf.get(lead_id)
            if record is None or record.get("IsDeleted"):
                continue
            seen.append(
                Sighting(
                    lead_id, record.get("OwnerId"), bool(record.get("IsConverted")), record["SystemModstamp"]
                )
            )
        with self._sightings_lock:
            self._sightings.extend(seen)

    def sightings(self, now: datetime) -> list[Scheduled]:
        """Work the noted leads call for (first touches, queue claims), scheduled no earlier than ``now``."""
        with self._sightings_lock:
            if not self._sightings:
                return []
            batch = list(self._sightings)
            self._sightings.clear()
        planned: list[Scheduled] = []
        for sighting in batch:
            planned.extend(self._react(sighting, now))
        return planned

    def _react(self, sighting: Sighting, now: datetime) -> list[Scheduled]:
        lead_id, owner_id = sighting.lead_id, sighting.owner_id
        if sighting.converted or owner_id is None or self.planned.get(lead_id, "") == owner_id:
            return []
        self.planned[lead_id] = owner_id
        rep = self.sdrs.get(owner_id)
        if rep is not None and rep.sdr is not None:
            if lead_id in self.touched:
                return []
            rng = derive(self.seed, "first-touch", lead_id, owner_id)
            claimed = self.claimed.get(lead_id) == owner_id
            if rng.random() < rep.sdr.never_touch * (0.3 if claimed else 1.0):
                self.stats["never_touched"] += 1
                return []
            if claimed:
                minutes = rng.expovariate(1 / 8)  # taken from the queue to be worked now
            else:
                minutes = rng.lognormvariate(math.log(rep.sdr.touch_median_minutes), rep.sdr.touch_spread)
            return [(self._when(rep, sighting.at, minutes, now), Touch(lead_id, rep.key, 0))]
        queue = self.team_queues.get(owner_id)
        if queue is None or not queue.member_keys:
            return []
        rng = derive(self.seed, "claim", lead_id, owner_id)
        if rng.random() < self.behaviour.unclaimed_share:
            self.stats["left_in_queue"] += 1
            return []
        rep = self.org.rep(rng.choice(queue.member_keys))
        assert rep.sdr is not None
        minutes = rng.lognormvariate(math.log(rep.sdr.claim_median_minutes), 0.9)
        return [(self._when(rep, sighting.at, minutes, now), Claim(lead_id, owner_id, rep.key))]

    @staticmethod
    def _when(rep: Rep, since: datetime, minutes: float, now: datetime) -> datetime:
        at = rep.calendar.add_working_minutes(since, minutes)
        return at if at >= now else rep.calendar.next_working(now)

    # -- events ------------------------------------------------------------------------------------

    def _lead_owned_by(self, lead_id: str, owner_id: str) -> dict[str, Any] | None:
        lead = self.sf.get(lead_id)
        if (
            lead is None
            or lead.get("IsDeleted")
            or lead.get("IsConverted")
            or lead.get("OwnerId") != owner_id
        ):
            return None
        return lead

    def _write(self, action: Callable[[], Any]) -> bool:
        """A Salesforce write; a refusal (record deleted or changed by someone else) skips the action."""
        try:
            action()
        except (ApiError, ValueError):
            self.stats["salesforce_refused"] += 1
            return False
        return True

    def claim(self, event: Claim, at: datetime) -> list[Scheduled]:
        rep = self.org.rep(event.rep_key)
        if self._lead_owned_by(event.lead_id, event.queue_id) is None:
            return []
        self.claimed[event.lead_id] = rep.id
        if (
            self._write(lambda: self.sf.update(event.lead_id, {"OwnerId": rep.id}, as_user=rep.id, at=at))
            is None
        ):
            self.stats["claims"] += 1
        return []

    def touch(self, event: Touch, at: datetime) -> list[Scheduled]:
        rep = self.org.rep(event.rep_key)
        habits = rep.sdr
        lead = self._lead_owned_by(event.lead_id, rep.id)
        if habits is None or lead is None or (event.number == 0 and event.lead_id in self.touched):
            return []
        if not rep.calendar.is_working(at):
            return [(rep.calendar.next_working(at), event)]
        rng = derive(self.seed, "touch", event.lead_id, rep.id, event.number)
        channel = weighted(rng, dict(habits.channels))
        self._write(
            lambda: self.sf.insert(
                "Task", task_values(rng, event.lead_id, rep.id, channel, at), as_user=rep.id, at=at
            )
        )
        self.stats[f"touch_{channel.lower()}"] += 1
        if event.number == 0:
            self.touched.add(event.lead_id)
            if lead.get("Status") == _OPEN_STATUS:
                self._write(
                    lambda: self.sf.update(
                        event.lead_id, {"Status": "Working - Contacted"}, as_user=rep.id, at=at
                    )
                )
        if event.lead_id not in self.meetings and rng.random() < (0.22 if channel == "Call" else 0.08):
            self.meetings.add(event.lead_id)
            start = rep.calendar.next_working(
                at + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 240))
            )
            values = meeting_values(event.lead_id, None, rep.id, "Discovery meeting", start)
            self._write(lambda: self.sf.insert("Event", values, as_user=rep.id, at=at))
            self.stats["meetings"] += 1
        cadence = derive(self.seed, "cadence", event.lead_id, rep.id).randint(*habits.follow_ups)
        if event.number < cadence:
            later = rep.calendar.add_working_minutes(at, rng.uniform(240, 1400))
            return [(later, Touch(event.lead_id, rep.key, event.number + 1))]
        return [
            (rep.calendar.add_working_minutes(at, rng.uniform(300, 2400)), Outcome(event.lead_id, rep.key))
        ]

    def outcome(self, event: Outcome, at: datetime) -> list[Scheduled]:
        rep = self.org.rep(event.rep_key)
        lead = self._lead_owned_by(event.lead_id, rep.id)
        if lead is None or rep.sdr is None:
            return []
        rng = derive(self.seed, "outcome", event.lead_id, rep.id)
        rate = rep.sdr.convert_rate * (1.8 if event.lead_id in self.meetings else 1.0)
        roll = rng.random()
        if roll < rate:
            return self._convert(lead, rep, at)
        if roll < rate + rep.sdr.disqualify_rate:
            self._write(
                lambda: self.sf.update(
                    event.lead_id, {"Status": "Closed - Not Converted"}, as_user=rep.id, at=at
                )
            )
            self.stats["disqualified"] += 1
        else:
            self.stats["left_working"] += 1
        return []

    def _convert(self, lead: dict[str, Any], rep: Rep, at: datetime) -> list[Scheduled]:
        domain = str(lead.get("Email") or "").rpartition("@")[2].lower()
        account = self.accounts_by_domain.get(domain)
        account_id = account.id if account is not None and self.sf.get(account.id) is not None else None
        result = self.sf.convert_lead(
            lead["Id"],
            account_id=account_id,
            as_user=rep.id,
            at=at,
            opportunity_name=f"{lead.get('Company')} - New Business",
        )
        if not result.success or result.opportunity_id is None:
            self.stats["conversion_refused"] += 1
            return []
        self.stats["conversions"] += 1
        team = self.org.team(rep.team or "na_east")
        owner = self.org.rep(account.owner_key) if account is not None else None
        ae = (
            owner
            if owner is not None and owner.ae is not None
            else self.org.rep(derive(self.seed, "ae", lead["Id"]).choice(team.ae_keys))
        )
        assert ae.ae is not None
        plan = deal_plan(self.seed, result.opportunity_id, ae.ae)
        values = {
            "OwnerId": ae.id,
            "Amount": plan.amount,
            "CloseDate": (at + timedelta(days=plan.cycle_days)).date(),
            "StageName": DEAL_STAGES[0],
            "Type": "New Business",
        }
        self._write(lambda: self.sf.update(result.opportunity_id, values, as_user=rep.id, at=at))
        return [
            (
                ae.calendar.next_working(at + timedelta(days=plan.step_days)),
                DealStep(result.opportunity_id, ae.key, 1),
            )
        ]

    def deal_step(self, event: DealStep, at: datetime) -> list[Scheduled]:
        ae = self.org.rep(event.ae_key)
        opportunity = self.sf.get(event.opportunity_id)
        if (
            ae.ae is None
            or opportunity is None
            or opportunity.get("IsDeleted")
            or opportunity.get("IsClosed")
        ):
            return []
        plan = deal_plan(self.seed, event.opportunity_id, ae.ae)
        if event.step == 1:
            meeting = meeting_values(
                None, event.opportunity_id, ae.id, "Discovery with AE", ae.calendar.next_working(at)
            )
            self._write(lambda: self.sf.insert("Event", meeting, as_user=ae.id, at=at))
        if event.step < plan.steps:
            stage = DEAL_STAGES[min(event.step, len(DEAL_STAGES) - 1)]
            self._write(
                lambda: self.sf.update(event.opportunity_id, {"StageName": stage}, as_user=ae.id, at=at)
            )
            next_at = ae.calendar.next_working(at + timedelta(days=plan.step_days))
            return [(next_at, DealStep(event.opportunity_id, ae.key, event.step + 1))]
        closing = {"StageName": "Closed Won" if plan.won else "Closed Lost", "CloseDate": at.date()}
        self._write(lambda: self.sf.update(event.opportunity_id, closing, as_user=ae.id, at=at))
        self.stats["won" if plan.won else "lost"] += 1
        return []
