"""The validated ``sla`` config turned into plain runtime values: policies with measures and resolved ladders.

Pure. Every ladder gets exactly one ``breach`` step at due (an implicit one without notifications when the
config has none), because a breach is a fact about the clock, not a message: the ``Handoff.breached``
projection and the dashboards need it whether or not anybody is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sla.calendar import BusinessCalendar
from sla.clock import BusinessTime, Measure, WallTime
from sla.config import SlaConfig
from sla.config_calendars import Holiday
from sla.config_channels import LinksConfig
from sla.durations import parse_offset
from sla.touch import TouchRules

Strategy = Literal["assignment_rule", "queue", "user", "next_in_team"]


class SlaConfigError(ValueError):
    """The section has problems that ``cross_check`` reports; each is ``(path, message)``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


@dataclass(frozen=True)
class Route:
    to: str
    via: tuple[str, ...]


@dataclass(frozen=True)
class Reassign:
    strategy: Strategy
    target: str | None = None
    fallback: str | None = None


@dataclass(frozen=True)
class Step:
    index: int
    action: str
    from_due_seconds: float
    label: str
    notify: tuple[Route, ...] = ()
    reassign: Reassign | None = None
    reason: str | None = None
    nurture_program_id: int | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    mode: Literal["business", "wall"]
    target_seconds: float
    calendar: BusinessCalendar
    time_zone_source: Literal["team", "owner", "lead"]
    steps: tuple[Step, ...]
    max_reassignments: int = 1
    out_of_office: Literal["reassign_now", "skip_owner"] = "reassign_now"

    def time_zone(self, owner_zone: str | None = None, lead_zone: str | None = None) -> str:
        """The zone the calendar's hours are read in for one clock; the team's zone when the other is unknown."""
        if self.time_zone_source == "owner" and owner_zone:
            return owner_zone
        if self.time_zone_source == "lead" and lead_zone:
            return lead_zone
        return self.calendar.time_zone

    def measure(self, time_zone: str) -> Measure:
        if self.mode == "wall":
            return WallTime()
        return BusinessTime(self.calendar.with_time_zone(time_zone))

    def fire_at(self, step: Step, measure: Measure, started_at: datetime) -> datetime:
        return measure.add(started_at, max(0.0, self.target_seconds + step.from_due_seconds))

    def due_at(self, measure: Measure, started_at: datetime) -> datetime:
        return measure.add(started_at, self.target_seconds)

    def step_named(self, action: str) -> Step | None:
        return next((step for step in self.steps if step.action == action), None)


@dataclass(frozen=True)
class AwayPeriod:
    user_id: str
    starts_at: datetime
    ends_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class SlaRules:
    policies: Mapping[str, Policy]
    touch: TouchRules
    away: tuple[AwayPeriod, ...] = ()
    links: LinksConfig = field(default_factory=LinksConfig)
    tick_batch: int = 1000


def compile_rules(config: SlaConfig) -> SlaRules:
    """Build the runtime rules; refuses a section that ``cross_check`` finds problems in."""
    problems = config.cross_check()
    if problems:
        raise SlaConfigError(problems)
    policies = {name: _policy(config, name) for name in config.policies}
    away = tuple(
        AwayPeriod(entry.user, *entry.period(), reason=entry.reason) for entry in config.out_of_office
    )
    return SlaRules(
        policies=policies,
        touch=TouchRules.from_config(config.touch),
        away=away,
        links=config.links,
        tick_batch=config.tick_batch,
    )


def _holidays(config: SlaConfig, regions: list[str]) -> frozenset[date]:
    days: set[date] = set()
    for region in regions:
        for entry in config.holidays.get(region, []):
            days.add(entry.date if isinstance(entry, Holiday) else entry)
    return frozenset(days)


def _policy(config: SlaConfig, name: str) -> Policy:
    source = config.policies[name]
    calendar_config = config.calendar(source.calendar)
    assert calendar_config is not None or source.mode == "wall"
    if calendar_config is None:
        calendar_config = config.calendar("default")
        assert calendar_config is not None
    calendar = BusinessCalendar(
        calendar_config.time_zone,
        calendar_config.weekly(),  # type: ignore[arg-type]
        _holidays(config, calendar_config.holidays),
        name=source.calendar,
    )
    day_seconds = calendar_config.business_day_seconds() if source.mode == "business" else 86_400.0
    target = source.target_seconds(day_seconds)
    steps: list[Step] = []
    for raw in source.ladder:
        from_due = parse_offset(raw.at).seconds_from_due(target, day_seconds)
        reassign = None
        if raw.reassign_to is not None:
            spec = raw.reassign_to
            strategy: Strategy
            target_id: str | None
            if spec.assignment_rule:
                strategy, target_id = "assignment_rule", None
            elif spec.queue:
                strategy, target_id = "queue", spec.queue
            elif spec.user:
                strategy, target_id = "user", spec.user
            else:
                strategy, target_id = "next_in_team", spec.next_in_team
            reassign = Reassign(strategy, target_id, spec.fallback)
        steps.append(
            Step(
                index=0,
                action=raw.action,
                from_due_seconds=from_due,
                label=raw.at,
                notify=tuple(Route(route.to, tuple(route.via)) for route in raw.notify),
                reassign=reassign,
                reason=raw.reason,
                nurture_program_id=raw.nurture_program_id,
            )
        )
    if not any(step.action == "breach" for step in steps):
        steps.append(Step(index=0, action="breach", from_due_seconds=0.0, label="due"))
    # Equal offsets cannot occur in a checked ladder except the implicit breach next to a step at due; the
    # breach goes first so that the fact is recorded before anything acts on it.
    steps.sort(key=lambda step: (step.from_due_seconds, step.action != "breach"))
    numbered = tuple(
        Step(i, s.action, s.from_due_seconds, s.label, s.notify, s.reassign, s.reason, s.nurture_program_id)
        for i, s in enumerate(steps)
    )
    return Policy(
        name=name,
        mode=source.mode,
        target_seconds=target,
        calendar=calendar,
        time_zone_source=calendar_config.time_zone_source,
        steps=numbered,
        max_reassignments=source.max_reassignments,
        out_of_office=source.out_of_office,
    )
