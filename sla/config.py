"""The ``sla`` section of handoff.yaml: policies with their escalation ladders, calendars, touches, channels.

``SlaConfig.policies`` maps a policy name to its policy because routing segments name their policy
(``routing.segments[i].sla``) and ``handoff.config`` checks those names against it. Checks that involve more
than one value (a ladder's order needs the target and the calendar's business day) are made by
``cross_check``, which returns ``(path, message)`` pairs such as
``("sla.policies.tier_a.ladder[2].at", "steps out of order: …")``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sla.config_calendars import (
    CalendarConfig,
    DurationText,
    HolidayEntry,
    OffsetText,
    OutOfOfficeConfig,
    OwnerId,
    QueueId,
    ReasonCode,
    TouchConfig,
    UserId,
    invalid,
)
from sla.config_channels import ChannelConfig, LinksConfig
from sla.durations import parse_duration, parse_offset

DEFAULT_CALENDAR = "default"
Recipient = Literal["owner", "manager", "previous_owner", "new_owner"]
Action = Literal["remind", "breach", "reassign", "recycle", "notify"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NotifyRoute(_Strict):
    """Who hears about a step, and through which channels (names of ``sla.channels``)."""

    to: Recipient
    via: list[str] = Field(min_length=1)


class ReassignTarget(_Strict):
    """Exactly one way to pick the next owner, and an optional owner to fall back on."""

    assignment_rule: bool = Field(default=False, description="Re-run the active Lead assignment rule.")
    queue: QueueId | None = None
    user: UserId | None = None
    next_in_team: str | None = Field(default=None, description="Hand to the next available rep of a team.")
    fallback: OwnerId | None = Field(
        default=None, description="Used when the strategy yields the same owner or nobody available."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ReassignTarget:
        chosen = [
            name
            for name, value in (
                ("assignment_rule", self.assignment_rule),
                ("queue", self.queue),
                ("user", self.user),
                ("next_in_team", self.next_in_team),
            )
            if value
        ]
        if len(chosen) != 1:
            raise invalid("choose exactly one of assignment_rule, queue, user, next_in_team")
        return self


class LadderStep(_Strict):
    """One rung: when it fires (relative to due) and what it does."""

    at: OffsetText = Field(description='"50%" of the target, "due", "+30m" after due, "-10m" before due.')
    action: Action
    notify: list[NotifyRoute] = Field(default_factory=list)
    reassign_to: ReassignTarget | None = None
    reason: ReasonCode | None = Field(default=None, description="Reason code written on recycle or reassign.")
    nurture_program_id: int | None = Field(default=None, gt=0, description="Marketo program to recycle into.")

    @model_validator(mode="after")
    def _action_fields(self) -> LadderStep:
        if self.action == "reassign" and self.reassign_to is None:
            raise invalid("a reassign step needs reassign_to")
        if self.action != "reassign" and self.reassign_to is not None:
            raise invalid(f"reassign_to belongs on a reassign step, not on {self.action}")
        if self.nurture_program_id is not None and self.action != "recycle":
            raise invalid("nurture_program_id belongs on a recycle step")
        if self.action in ("remind", "notify") and not self.notify:
            raise invalid(f"a {self.action} step needs at least one notify entry")
        return self


class SlaPolicy(_Strict):
    """A first-touch target measured in business or wall-clock time, and the ladder that enforces it."""

    first_touch: DurationText | None = Field(default=None, description='e.g. "5m", "4h", "1d".')
    first_touch_minutes: float | None = Field(default=None, gt=0, description="Shorthand for first_touch.")
    mode: Literal["business", "wall"] = "business"
    calendar: str = DEFAULT_CALENDAR
    ladder: list[LadderStep] = Field(default_factory=list)
    max_reassignments: int = Field(default=1, ge=0, le=20)
    out_of_office: Literal["reassign_now", "skip_owner"] = Field(
        default="reassign_now",
        description="When the owner is away: run the reassign step at once, or only skip the owner's messages.",
    )

    @model_validator(mode="after")
    def _one_target(self) -> SlaPolicy:
        if (self.first_touch is None) == (self.first_touch_minutes is None):
            raise invalid("give exactly one of first_touch and first_touch_minutes")
        return self

    def target_seconds(self, day_seconds: float) -> float:
        if self.first_touch_minutes is not None:
            return self.first_touch_minutes * 60.0
        assert self.first_touch is not None
        return parse_duration(self.first_touch).total_seconds(day_seconds)


class SlaConfig(_Strict):
    """The whole ``sla`` section."""

    policies: dict[str, SlaPolicy] = Field(default_factory=dict)
    calendars: dict[str, CalendarConfig] = Field(default_factory=dict)
    holidays: dict[str, list[HolidayEntry]] = Field(
        default_factory=dict, description="Holiday dates by region (e.g. DE, US-CA)."
    )
    out_of_office: list[OutOfOfficeConfig] = Field(default_factory=list)
    touch: TouchConfig = Field(default_factory=TouchConfig)
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    links: LinksConfig = Field(default_factory=LinksConfig)
    tick_batch: int = Field(default=1000, ge=1, le=100_000, description="Clocks handled per tick.")

    def calendar(self, name: str) -> CalendarConfig | None:
        if name in self.calendars:
            return self.calendars[name]
        return CalendarConfig() if name == DEFAULT_CALENDAR else None

    def cross_check(self, root: Any = None) -> list[tuple[str, str]]:
        """References and orderings no single value can check; paths start with ``sla.``."""
        problems: list[tuple[str, str]] = []
        for name, calendar in self.calendars.items():
            for index, region in enumerate(calendar.holidays):
                if region not in self.holidays:
                    problems.append(
                        (f"sla.calendars.{name}.holidays[{index}]", f'unknown holiday region "{region}"')
                    )
        for name, policy in self.policies.items():
            problems.extend(self._check_policy(f"sla.policies.{name}", policy))
        return problems

    def _check_policy(self, path: str, policy: SlaPolicy) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        calendar = self.calendar(policy.calendar)
        if calendar is None and policy.mode == "business":
            problems.append((f"{path}.calendar", f'unknown calendar "{policy.calendar}"'))
        day_seconds = calendar.business_day_seconds() if calendar and policy.mode == "business" else 86_400.0
        target = policy.target_seconds(day_seconds)
        previous: tuple[float, str] | None = None
        breaches = 0
        for index, step in enumerate(policy.ladder):
            step_path = f"{path}.ladder[{index}]"
            offset = parse_offset(step.at)
            from_due = offset.seconds_from_due(target, day_seconds)
            if target + from_due < 0:
                problems.append((f"{step_path}.at", f'"{step.at}" fires before the clock starts'))
            if previous is not None and from_due <= previous[0]:
                problems.append(
                    (f"{step_path}.at", f'steps out of order: "{step.at}" must come after "{previous[1]}"')
                )
            previous = (from_due, step.at)
            if step.action == "breach":
                breaches += 1
                if abs(from_due) > 1e-9:
                    problems.append((f"{step_path}.at", "a breach step fires at due"))
                if breaches > 1:
                    problems.append((f"{step_path}.action", "a ladder has at most one breach step"))
            if step.action in ("reassign", "recycle") and from_due < 0:
                problems.append((f"{step_path}.at", f"a {step.action} step fires at or after due"))
            if step.action == "recycle" and index != len(policy.ladder) - 1:
                problems.append(
                    (f"{step_path}.action", "recycle ends the clock, so it must be the last step")
                )
            for route_index, route in enumerate(step.notify):
                route_path = f"{step_path}.notify[{route_index}]"
                if route.to in ("previous_owner", "new_owner") and step.action != "reassign":
                    problems.append((f"{route_path}.to", f"{route.to} is only known on a reassign step"))
                for via_index, channel in enumerate(route.via):
                    if channel not in self.channels:
                        problems.append((f"{route_path}.via[{via_index}]", f'unknown channel "{channel}"'))
        return problems
