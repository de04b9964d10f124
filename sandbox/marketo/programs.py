"""Programs, their channels' progression statuses and their members (reference/marketo.md §5).

A program belongs to a channel; the channel's statuses have ordered ``step`` values and those steps
drive the 1037 skip: a member is only moved forward (``members/status.json`` "skips leads already at a
higher step"), and a status must exist in the program's channel (1025). Setting a status on a lead
that is not a member adds it (``created``). Every status change writes 104 Change Status in
Progression with the Old/New Status, Success, Acquired By and Program Member ID attributes (§4).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.marketo import activity_types as types
from sandbox.marketo.core import Core
from sandbox.marketo.envelope import MarketoError, RecordError
from sandbox.marketo.schema import format_datetime


@dataclass(frozen=True)
class ProgressionStatus:
    name: str
    step: int
    success: bool = False
    hidden: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {"name": self.name, "step": self.step, "success": self.success, "hidden": self.hidden}


@dataclass(frozen=True)
class Channel:
    id: int
    name: str
    statuses: tuple[ProgressionStatus, ...]
    program_type: str = "program"

    def status(self, name: str) -> ProgressionStatus | None:
        wanted = name.strip().lower()
        return next((s for s in self.statuses if s.name.lower() == wanted), None)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "applicableProgramType": self.program_type,
            "progressionStatuses": [s.to_wire() for s in self.statuses],
        }


def _statuses(*rows: tuple[str, int, bool]) -> tuple[ProgressionStatus, ...]:
    listed = tuple(ProgressionStatus(name, step, success) for name, step, success in rows)
    return (ProgressionStatus("Not in Program", 0, hidden=True), *listed)


DEFAULT_CHANNELS: tuple[Channel, ...] = (
    Channel(
        1,
        "Webinar",
        _statuses(
            ("Invited", 10, False),
            ("Registered", 20, False),
            ("No Show", 30, False),
            ("Attended", 40, True),
            ("Attended On-demand", 50, True),
        ),
        "event",
    ),
    Channel(2, "Online Advertising", _statuses(("Member", 10, False), ("Engaged", 20, True))),
    Channel(3, "Content", _statuses(("Member", 10, False), ("Engaged", 20, True))),
    Channel(
        4,
        "Tradeshow",
        _statuses(("Invited", 10, False), ("Visited Booth", 20, True), ("Engaged", 30, True)),
        "event",
    ),
    Channel(5, "Email Send", _statuses(("Sent", 10, False), ("Opened", 20, False), ("Clicked", 30, True))),
    Channel(6, "Nurture", _statuses(("Member", 10, False), ("Engaged", 20, True))),
    Channel(7, "Operational", _statuses(("Member", 10, False))),
    Channel(8, "Sales Outcome", _statuses(("Member", 10, False), ("Influenced", 20, True))),
)

#: Program member fields (``programs/members/describe.json``); the last two are custom and updateable.
MEMBER_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("leadId", "Lead Id", "integer", False),
    ("programId", "Program Id", "integer", False),
    ("acquiredBy", "Acquired By", "boolean", False),
    ("membershipDate", "Membership Date", "datetime", False),
    ("reachedSuccess", "Success", "boolean", False),
    ("reachedSuccessDate", "Success Date", "datetime", False),
    ("statusName", "Status", "string", False),
    ("updatedAt", "Updated At", "datetime", False),
    ("registrationCode", "Registration Code", "string", True),
    ("webinarUrl", "Webinar URL", "string", True),
)
MEMBER_SEARCHABLE = ("leadId", "statusName", "reachedSuccess", "updatedAt", "registrationCode", "webinarUrl")
MEMBER_DEFAULT_FIELDS = ("acquiredBy", "leadId", "membershipDate", "programId", "reachedSuccess")


@dataclass
class Membership:
    id: int
    program_id: int
    lead_id: int
    status: ProgressionStatus
    membership_date: datetime
    updated_at: datetime
    acquired_by: bool = False
    reached_success_date: datetime | None = None
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def reached_success(self) -> bool:
        return self.reached_success_date is not None

    def value(self, name: str) -> Any:
        builtin = {
            "leadId": self.lead_id,
            "programId": self.program_id,
            "acquiredBy": self.acquired_by,
            "membershipDate": self.membership_date,
            "reachedSuccess": self.reached_success,
            "reachedSuccessDate": self.reached_success_date,
            "statusName": self.status.name,
            "updatedAt": self.updated_at,
        }
        return builtin[name] if name in builtin else self.custom.get(name)


@dataclass
class Program:
    id: int
    name: str
    channel: Channel
    created_at: datetime
    program_type: str = "Default"
    description: str = ""
    members: dict[int, Membership] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": self.program_type,
            "channel": self.channel.name,
            "status": "",
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.created_at),
        }


class Programs:
    def __init__(self, core: Core) -> None:
        self._core = core
        self._programs: dict[int, Program] = {}
        self._channels: dict[str, Channel] = {c.name.lower(): c for c in DEFAULT_CHANNELS}
        self._program_ids = itertools.count(1001)
        self._member_ids = itertools.count(1)
        core.on_merge(self._merged)

    # -- channels and programs ---------------------------------------------------------------------

    def channels(self) -> list[Channel]:
        with self._core.lock:
            return list(self._channels.values())

    def channel(self, name: str) -> Channel | None:
        with self._core.lock:
            return self._channels.get(name.strip().lower())

    def add_channel(self, name: str, statuses: Sequence[tuple[str, int, bool]]) -> Channel:
        """A custom channel; ``statuses`` are (name, step, success); "Not in Program" is added at step 0."""
        steps = [step for _, step, _ in statuses]
        if not statuses or len(set(steps)) != len(steps) or min(steps) <= 0:
            raise ValueError("statuses need distinct positive steps")
        with self._core.lock:
            if name.lower() in self._channels:
                raise ValueError(f"channel {name!r} already exists")
            channel = Channel(len(self._channels) + 1, name, _statuses(*statuses))
            self._channels[name.lower()] = channel
            return channel

    def create(
        self,
        name: str,
        *,
        channel: str = "Online Advertising",
        program_type: str = "Default",
        description: str = "",
        at: datetime | None = None,
    ) -> Program:
        with self._core.lock:
            found = self._channels.get(channel.lower())
            if found is None:
                raise ValueError(f"unknown channel {channel!r}")
            if any(p.name.lower() == name.lower() for p in self._programs.values()):
                raise ValueError(f"program {name!r} already exists")
            program = Program(
                next(self._program_ids), name, found, self._core.now(at), program_type, description
            )
            self._programs[program.id] = program
            return program

    def get(self, program_id: int) -> Program | None:
        with self._core.lock:
            return self._programs.get(program_id)

    def by_name(self, name: str) -> Program | None:
        with self._core.lock:
            return next((p for p in self._programs.values() if p.name.lower() == name.lower()), None)

    def all(self) -> list[Program]:
        with self._core.lock:
            return list(self._programs.values())

    def require(self, program_id: int) -> Program:
        program = self.get(program_id)
        if program is None:
            raise MarketoError("1013", f"Program '{program_id}' not found")
        return program

    def members(self, program_id: int) -> list[Membership]:
        """Current members of live leads, in lead id order."""
        with self._core.lock:
            program = self.require(program_id)
            return [m for _, m in sorted(program.members.items()) if m.lead_id in self._core.leads]

    # -- status changes ------------------------------------------------------------------------------

    def change_status(
        self,
        program_id: int,
        lead_id: int,
        status_name: str,
        *,
        at: datetime | None = None,
        reason: str = "Changed by Web Service API",
        members_only: bool = False,
        acquired_by: bool = False,
    ) -> str:
        """Move one lead to ``status_name``: returns ``created`` or ``updated``; raises RecordError
        1004 (unknown lead), 1013 (not a member, with ``members_only``) or 1037 (already in or past)."""
        with self._core.lock:
            program = self.require(program_id)
            status = program.channel.status(status_name)
            if status is None or status.step == 0:
                raise MarketoError("1025", f"Program status '{status_name}' not found")
            if lead_id not in self._core.leads:
                raise RecordError("1004", "Lead not found")
            when = self._core.now(at)
            member = program.members.get(lead_id)
            if member is None and members_only:
                raise RecordError("1013", "Membership not found")
            if member is not None and member.status.step >= status.step:
                raise RecordError("1037", "Lead skipped because it is already in or past this status")
            outcome = "updated" if member is not None else "created"
            old = member.status if member is not None else program.channel.statuses[0]
            if member is None:
                member = Membership(
                    next(self._member_ids), program_id, lead_id, status, when, when, acquired_by
                )
                program.members[lead_id] = member
            member.status = status
            member.updated_at = when
            if status.success and member.reached_success_date is None:
                member.reached_success_date = when
            self._write_change(program, member, old, status, when, reason)
            return outcome

    def _write_change(
        self,
        program: Program,
        member: Membership,
        old: ProgressionStatus,
        new: ProgressionStatus,
        when: datetime,
        reason: str,
    ) -> None:
        self._core.record(
            member.lead_id,
            types.CHANGE_STATUS_IN_PROGRESSION,
            when,
            primary_attribute_value_id=program.id,
            primary_attribute_value=program.name,
            attributes=[
                ("Old Status ID", old.step),
                ("New Status ID", new.step),
                ("Old Status", old.name),
                ("New Status", new.name),
                ("Success", new.success),
                ("Acquired By", member.acquired_by),
                ("Program Member ID", member.id),
                ("Reason", reason),
            ],
        )

    def remove(self, program_id: int, lead_id: int, *, at: datetime | None = None) -> None:
        """Remove a member (raises RecordError 1037 "Lead not in program"); writes 104 to Not in Program."""
        with self._core.lock:
            program = self.require(program_id)
            member = program.members.get(lead_id)
            if member is None or lead_id not in self._core.leads:
                raise RecordError("1037", "Lead not in program")
            del program.members[lead_id]
            self._write_change(
                program,
                member,
                member.status,
                program.channel.statuses[0],
                self._core.now(at),
                "Removed by Web Service API",
            )

    def update_member_fields(
        self, program_id: int, lead_id: int, values: dict[str, Any], *, at: datetime | None = None
    ) -> None:
        updateable = {name for name, _, _, writable in MEMBER_FIELDS if writable}
        with self._core.lock:
            program = self.require(program_id)
            member = program.members.get(lead_id)
            if member is None:
                raise RecordError("1013", "Membership not found")
            unknown = sorted(set(values) - updateable)
            if unknown:
                raise RecordError("1006", f"Field '{unknown[0]}' not found")
            bad = [k for k, v in values.items() if v is not None and not isinstance(v, str)]
            if bad:
                raise RecordError("1001", f"Invalid value for field '{bad[0]}'. Required of type 'string'")
            member.custom.update(values)
            member.updated_at = self._core.now(at)

    def _merged(self, winner_id: int, loser_ids: Sequence[int]) -> None:
        for program in self._programs.values():
            for loser in loser_ids:
                member = program.members.pop(loser, None)
                if member is not None and winner_id not in program.members:
                    member.lead_id = winner_id
                    program.members[winner_id] = member
