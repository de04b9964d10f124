"""Escalation ladder decisions, pure: when the next step fires, who is away, who gets the lead next.

No session, no clock reads: the service passes the instants and the people in, and stores what comes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sla.clock import Measure
from sla.policy import AwayPeriod, Policy, Reassign, Step
from sla.ports import Person


def away_period(user_id: str, at: datetime, periods: Iterable[AwayPeriod]) -> AwayPeriod | None:
    """The absence covering ``at`` for this user, if any (periods are half-open: start included)."""
    for period in periods:
        if period.user_id == user_id and period.starts_at <= at < period.ends_at:
            return period
    return None


def reassign_now(policy: Policy, reassignments: int) -> Step | None:
    """The step to run at once when the owner is away, if the policy says so and may still reassign."""
    if policy.out_of_office != "reassign_now" or reassignments >= policy.max_reassignments:
        return None
    return policy.step_named("reassign")


def first_step(
    policy: Policy, measure: Measure, started_at: datetime, *, owner_away: bool, reassignments: int
) -> tuple[int, datetime] | None:
    """The first step to run and when; at once when the owner is away and the lead should move on."""
    if not policy.steps:
        return None
    if owner_away and reassign_now(policy, reassignments) is not None:
        return 0, started_at
    return 0, policy.fire_at(policy.steps[0], measure, started_at)


def following_step(
    policy: Policy, measure: Measure, started_at: datetime, after_index: int
) -> tuple[int, datetime] | None:
    index = after_index + 1
    if index >= len(policy.steps):
        return None
    return index, policy.fire_at(policy.steps[index], measure, started_at)


@dataclass(frozen=True)
class OwnerChoice:
    """Who the lead goes to: a user or queue id, or ``None`` with ``use_rule`` to let Salesforce decide."""

    owner_id: str | None
    use_rule: bool = False
    fallback_id: str | None = None
    reason: str = ""


def choose_owner(
    spec: Reassign,
    *,
    current_owner_id: str,
    past_owner_ids: Sequence[str],
    team: Sequence[Person],
    at: datetime,
    away: Iterable[AwayPeriod],
) -> OwnerChoice | None:
    """Pick the next owner by the step's strategy; None when nobody is available and there is no fallback.

    A team hands out in member order starting after the current owner, skipping people who are away,
    inactive, or already had this lead (so that a lead never ping-pongs between two slow reps).
    """
    periods = tuple(away)

    def available(user_id: str) -> bool:
        return user_id != current_owner_id and away_period(user_id, at, periods) is None

    fallback = spec.fallback if spec.fallback and available(spec.fallback) else None
    if spec.strategy == "assignment_rule":
        return OwnerChoice(None, use_rule=True, fallback_id=fallback, reason="assignment_rule")
    if spec.strategy == "queue":
        return OwnerChoice(spec.target, reason="queue")
    if spec.strategy == "user":
        if spec.target and available(spec.target):
            return OwnerChoice(spec.target, reason="user")
        return OwnerChoice(fallback, reason="fallback") if fallback else None
    ids = [member.id for member in team]
    start = ids.index(current_owner_id) + 1 if current_owner_id in ids else 0
    for member in [*team[start:], *team[:start]]:
        if member.active and available(member.id) and member.id not in past_owner_ids:
            return OwnerChoice(member.id, reason="next_in_team")
    return OwnerChoice(fallback, reason="fallback") if fallback else None
