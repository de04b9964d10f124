"""The Salesforce records a rep's work leaves (pure): Task fields for a call, an email or a LinkedIn
message, Event fields for a meeting, and the plan of an opportunity (cycle, stages, outcome, amount).

Field names and values follow reference/salesforce.md §7: ``TaskSubtype`` (Call, Email, LinkedIn; set
on create only), ``Type``, ``Status`` Completed, ``CallType``/``CallDurationInSeconds``/
``CallDisposition`` on calls; Events carry ``Type`` Meeting, ``StartDateTime`` and ``DurationInMinutes``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.world.model import AeHabits
from sandbox.world.randomness import derive

DEAL_STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review")
_EMAIL_SUBJECTS = ("Quick question", "Following up on your demo request", "Ideas for your routing", "Intro")
_DISPOSITIONS = ("Connected", "Left voicemail", "No answer", "Left voicemail", "Wrong number")


def task_values(
    rng: random.Random, lead_id: str, owner_id: str, channel: str, at: datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "WhoId": lead_id,
        "OwnerId": owner_id,
        "Status": "Completed",
        "Priority": "Normal",
        "TaskSubtype": channel,
        "Type": channel,
        "ActivityDate": at.date(),
    }
    if channel == "Call":
        disposition = rng.choice(_DISPOSITIONS)
        values |= {
            "Subject": "Call",
            "CallType": "Outbound",
            "CallDisposition": disposition,
            "CallDurationInSeconds": rng.randint(120, 900)
            if disposition == "Connected"
            else rng.randint(5, 60),
        }
    elif channel == "Email":
        values["Subject"] = f"Email: {rng.choice(_EMAIL_SUBJECTS)}"
    else:
        values["Subject"] = "LinkedIn: connection request"
    return values


def meeting_values(
    who_id: str | None, what_id: str | None, owner_id: str, subject: str, start: datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "OwnerId": owner_id,
        "Subject": subject,
        "Type": "Meeting",
        "StartDateTime": start,
        "DurationInMinutes": 30,
    }
    if who_id:
        values["WhoId"] = who_id
    if what_id:
        values["WhatId"] = what_id
    return values


@dataclass(frozen=True)
class DealPlan:
    cycle_days: float
    steps: int
    won: bool
    amount: float

    @property
    def step_days(self) -> float:
        return self.cycle_days / self.steps


def deal_plan(seed: int, opportunity_id: str, habits: AeHabits) -> DealPlan:
    """Won deals walk every stage before closing; lost ones close after one to four steps."""
    rng = derive(seed, "deal", opportunity_id)
    cycle = rng.lognormvariate(math.log(habits.cycle_median_days), 0.45)
    won = rng.random() < habits.win_rate
    steps = len(DEAL_STAGES) if won else rng.randint(1, len(DEAL_STAGES))
    amount = round(habits.deal_size_median * rng.lognormvariate(0, 0.6), -2)
    return DealPlan(round(cycle, 2), steps, won, amount)
