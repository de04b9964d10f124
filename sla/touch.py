"""First-touch matching: which Salesforce Tasks and Events stop which open clocks. Pure.

An activity counts as a first touch (reference/salesforce.md §7) when it is on the Lead or its converted
Contact (``WhoId``), of a configured type or subtype, created at or after the clock started, by a person
Handoff knows who is the owner (or, as configured, a member of the owner's team). It never counts when
it was created by an integration user, is a mass or automated send (``TaskSubtype`` ListEmail), or is a
Task Handoff wrote itself (its subject prefix, or an id Handoff recorded when it created the Task).

The matcher returns every decision with a reason code, so that the service logs why an activity was
ignored and the tests can say which rule fired.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

# Reasons worth a log line: the rest (an activity on a record without an open clock) is the normal case.
NOTABLE = frozenset(
    {"malformed", "no_who_id", "before_routing", "unknown_user", "written_by_handoff", "integration_user"}
)


@dataclass(frozen=True)
class TouchRules:
    task_subtypes: frozenset[str]
    task_types: frozenset[str]
    event_subtypes: frozenset[str]
    event_types: frozenset[str]
    automated_task_subtypes: frozenset[str]
    integration_user_ids: frozenset[str]
    subject_prefix: str = "[Handoff]"
    accept_from: Literal["owner", "owner_or_team", "any_known_user"] = "owner_or_team"

    @classmethod
    def from_config(cls, config: Any) -> TouchRules:
        return cls(
            task_subtypes=frozenset(config.task_subtypes),
            task_types=frozenset(config.task_types),
            event_subtypes=frozenset(config.event_subtypes),
            event_types=frozenset(config.event_types),
            automated_task_subtypes=frozenset(config.automated_task_subtypes),
            integration_user_ids=frozenset(config.integration_user_ids),
            subject_prefix=config.handoff_subject_prefix,
            accept_from=config.accept_from,
        )


@dataclass(frozen=True)
class OpenClock:
    """What the matcher needs to know about one open clock."""

    clock_id: int
    owner_id: str
    started_at: datetime
    team_member_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Activity:
    id: str
    kind: Literal["Task", "Event"]
    who_id: str | None
    owner_id: str | None
    created_by_id: str | None
    created_at: datetime
    type: str | None
    subtype: str | None
    subject: str

    @property
    def actor_id(self) -> str | None:
        return self.created_by_id or self.owner_id


@dataclass(frozen=True)
class Touch:
    clock_id: int
    activity: Activity


@dataclass(frozen=True)
class Ignored:
    activity_id: str
    reason: str
    detail: str = ""


@dataclass
class MatchResult:
    touches: dict[int, Touch] = field(default_factory=dict)
    ignored: list[Ignored] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def ignore(self, activity_id: str, reason: str, detail: str = "") -> None:
        self.counts[reason] += 1
        if reason in NOTABLE:
            self.ignored.append(Ignored(activity_id, reason, detail))


class MalformedActivity(ValueError):
    pass


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise MalformedActivity(f"CreatedDate {value!r} is not a date-time") from None
    if not isinstance(value, datetime):
        raise MalformedActivity("CreatedDate is missing")
    if value.tzinfo is None:
        raise MalformedActivity("CreatedDate has no time zone")
    return value


def parse_activity(record: Mapping[str, Any]) -> Activity:
    """A Task or Event record (REST field names) as an ``Activity``; raises ``MalformedActivity``."""
    activity_id = record.get("Id")
    if not activity_id:
        raise MalformedActivity("no Id")
    declared = (record.get("attributes") or {}).get("type")
    # reference/salesforce.md §2: Task ids start 00T, Event ids 00U.
    kind = declared or ("Event" if str(activity_id).startswith("00U") else "Task")
    if kind not in ("Task", "Event"):
        raise MalformedActivity(f"a {kind} is not an activity")
    subtype = record.get("TaskSubtype") if kind == "Task" else record.get("EventSubtype")
    return Activity(
        id=str(activity_id),
        kind=kind,
        who_id=record.get("WhoId") or None,
        owner_id=record.get("OwnerId") or None,
        created_by_id=record.get("CreatedById") or None,
        created_at=_instant(record.get("CreatedDate")),
        type=record.get("Type") or None,
        subtype=subtype or None,
        subject=str(record.get("Subject") or ""),
    )


def _kind_reason(activity: Activity, rules: TouchRules, handoff_task_ids: Container[str]) -> str | None:
    """Why an activity can never be a touch whatever clock it meets, or None."""
    if activity.id in handoff_task_ids or activity.subject.startswith(rules.subject_prefix):
        return "written_by_handoff"
    if activity.created_by_id in rules.integration_user_ids:
        return "integration_user"
    if activity.kind == "Task":
        if activity.subtype in rules.automated_task_subtypes:
            return "automated"
        if activity.subtype in rules.task_subtypes or activity.type in rules.task_types:
            return None
        return "not_a_touch_type"
    if activity.subtype in rules.event_subtypes or activity.type in rules.event_types:
        return None
    return "not_a_touch_type"


def _allowed(actor: str, clock: OpenClock, rules: TouchRules) -> bool:
    if rules.accept_from == "any_known_user" or actor == clock.owner_id:
        return True
    return rules.accept_from == "owner_or_team" and actor in clock.team_member_ids


def match_touches(
    records: Iterable[Mapping[str, Any]],
    clocks_by_who: Mapping[str, Sequence[OpenClock]],
    rules: TouchRules,
    is_known_user: Callable[[str], bool],
    handoff_task_ids: Container[str] = frozenset(),
) -> MatchResult:
    """Decide every record; per clock keep the earliest qualifying activity (ties: the smaller id)."""
    result = MatchResult()
    for record in records:
        try:
            activity = parse_activity(record)
        except MalformedActivity as exc:
            result.ignore(str(record.get("Id") or "?"), "malformed", str(exc))
            continue
        if not activity.who_id:
            result.ignore(activity.id, "no_who_id", "the activity is not on a Lead or Contact")
            continue
        clocks = clocks_by_who.get(activity.who_id)
        if not clocks:
            result.ignore(activity.id, "no_open_clock")
            continue
        reason = _kind_reason(activity, rules, handoff_task_ids)
        if reason is not None:
            result.ignore(
                activity.id, reason, f"{activity.kind} {activity.subtype or activity.type or ''}".strip()
            )
            continue
        actor = activity.actor_id
        if actor is None or not is_known_user(actor):
            result.ignore(activity.id, "unknown_user", f"created by {actor or 'nobody'}")
            continue
        matched = False
        for clock in clocks:
            if activity.created_at < clock.started_at:
                result.ignore(
                    activity.id,
                    "before_routing",
                    f"created {activity.created_at.isoformat()}, clock started {clock.started_at.isoformat()}",
                )
                continue
            if not _allowed(actor, clock, rules):
                result.ignore(
                    activity.id, "not_owner_or_team", f"{actor} is not {clock.owner_id} or their team"
                )
                continue
            matched = True
            best = result.touches.get(clock.clock_id)
            if best is None or (activity.created_at, activity.id) < (
                best.activity.created_at,
                best.activity.id,
            ):
                result.touches[clock.clock_id] = Touch(clock.clock_id, activity)
        if matched:
            result.counts["touch"] += 1
    return result
