"""The SLA tracker's ports (``sla.ports``) over the real clients: a cached directory, two Salesforce
writes, and the Marketo recycle.

``SalesforceDirectory`` answers from memory (the SLA tick must never wait on the network, per
``sla.ports.Directory``); ``refresh`` re-reads ``User``, ``Group`` and ``GroupMember`` and swaps the
whole cache at once, and the ``sla.refresh_directory`` job calls it. A team is a Salesforce group or
queue, named by its id (00G…), its DeveloperName or its Name, so a ladder's ``next_in_team`` and a
queue owner both resolve to the people in it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sla.ports import Person
from sync.errors import PermanentError
from sync.marketo import MarketoClient
from sync.outbox import PRIORITY_NOTIFY, PRIORITY_ROUTING, PRIORITY_SYNC
from sync.salesforce import AutoAssign, SalesforceClient

log = logging.getLogger(__name__)

# The status a recycled person gets in the nurture program: every Marketo channel has "Member".
NURTURE_STATUS = "Member"


@dataclass(frozen=True)
class _Snapshot:
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # queue / group id -> its name


class SalesforceDirectory:
    """People and teams read from Salesforce, served from a cache replaced whole by ``refresh``."""

    def __init__(self, client: SalesforceClient | None) -> None:
        self.client = client
        self._snapshot = _Snapshot()
        self.loaded = False

    def person(self, user_id: str) -> Person | None:
        snapshot = self._snapshot
        return snapshot.people.get(user_id) or (
            snapshot.people.get(user_id[:15]) if len(user_id) == 18 else None
        )

    def team_members(self, team: str) -> Sequence[Person]:
        snapshot = self._snapshot
        return [snapshot.people[i] for i in snapshot.teams.get(team, []) if i in snapshot.people]

    def label(self, owner_id: str) -> tuple[str, str | None] | None:
        """(name, team) of a Lead owner as people read it: a user and their queue, or a queue itself."""
        person = self.person(owner_id)
        if person is not None:
            return person.name, (person.teams[0] if person.teams else None)
        group = self._snapshot.groups.get(owner_id)
        return (group, group) if group is not None else None

    async def _all(self, soql: str) -> list[dict[str, Any]]:
        assert self.client is not None
        return [record async for record in self.client.query(soql, priority=PRIORITY_SYNC)]

    async def refresh(self) -> int:
        """Re-read users and group memberships; returns the number of people known."""
        if self.client is None:
            return 0
        users = await self._all("SELECT Id, Name, Email, ManagerId, TimeZoneSidKey, IsActive FROM User")
        groups = await self._all("SELECT Id, Name, DeveloperName, Type FROM Group")
        members = await self._all("SELECT GroupId, UserOrGroupId FROM GroupMember")
        names: dict[str, list[str]] = {}
        for group in groups:
            keys = [str(group["Id"])]
            keys += [str(group[k]) for k in ("DeveloperName", "Name") if group.get(k)]
            names[str(group["Id"])] = list(dict.fromkeys(keys))
        teams: dict[str, list[str]] = {}
        teams_of: dict[str, list[str]] = {}
        for member in members:
            group_id, user_id = str(member.get("GroupId")), str(member.get("UserOrGroupId"))
            if not user_id.startswith("005") or group_id not in names:
                continue
            for key in names[group_id]:
                teams.setdefault(key, []).append(user_id)
            teams_of.setdefault(user_id, []).append(names[group_id][-1])
        people = {
            str(u["Id"]): Person(
                id=str(u["Id"]),
                name=str(u.get("Name") or u["Id"]),
                email=u.get("Email"),
                manager_id=u.get("ManagerId"),
                time_zone=u.get("TimeZoneSidKey"),
                teams=tuple(teams_of.get(str(u["Id"]), ())),
                active=bool(u.get("IsActive", True)),
            )
            for u in users
        }
        groups = {str(g["Id"]): str(g.get("Name") or g["Id"]) for g in groups}
        self._snapshot = _Snapshot(people, teams, groups)
        self.loaded = True
        return len(people)


class SalesforceSlaActions:
    """``sla.ports.SalesforceActions``: the Task a notification creates and the Lead reassignment."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    async def create_task(self, fields: Mapping[str, Any]) -> str:
        return await self.client.create("Task", dict(fields), priority=PRIORITY_NOTIFY)

    async def reassign_lead(self, lead_id: str, owner_id: str | None) -> str:
        if owner_id is not None:
            await self.client.update(
                "Lead",
                lead_id,
                {"OwnerId": owner_id},
                auto_assign=AutoAssign.FALSE,
                priority=PRIORITY_ROUTING,
            )
        else:
            # A PATCH needs a field; re-sending the current owner with TRUE lets the active rule decide (§5).
            current = await self.client.get("Lead", lead_id, ["OwnerId"], priority=PRIORITY_ROUTING)
            await self.client.update(
                "Lead",
                lead_id,
                {"OwnerId": current["OwnerId"]},
                auto_assign=AutoAssign.TRUE,
                priority=PRIORITY_ROUTING,
            )
        record = await self.client.get("Lead", lead_id, ["OwnerId"], priority=PRIORITY_ROUTING)
        return str(record["OwnerId"])


ALREADY_IN_STATUS = "1037"


class MarketoNurture:
    """``sla.ports.NurtureTarget``: a recycled person becomes a member of the ladder's nurture program
    (``POST /rest/v1/programs/{id}/members/status.json``, reference/marketo.md)."""

    def __init__(self, client: MarketoClient) -> None:
        self.client = client

    async def recycle(self, request: Mapping[str, Any]) -> Mapping[str, Any]:
        marketo_id, program_id = request.get("marketo_id"), request.get("program_id")
        if marketo_id is None:
            raise PermanentError("a recycled handoff without a Marketo person cannot be put into nurture")
        if program_id is None:
            return {"status": "no_program", "marketo_id": marketo_id}
        [outcome] = await self.client.set_program_member_status(
            int(program_id), NURTURE_STATUS, [int(marketo_id)], priority=PRIORITY_SYNC
        )
        if not outcome.ok and any(reason.code == ALREADY_IN_STATUS for reason in outcome.reasons):
            # 1037: the person is already in the program at or past this status, which is what recycling
            # wants; a replayed or repeated recycle must not become a dead letter (reference/marketo.md §5).
            return {"status": "already_member", "marketo_id": marketo_id, "program_id": program_id}
        if not outcome.ok:
            if outcome.error is not None:
                raise outcome.error
            raise PermanentError(f"Marketo refused the nurture membership of {marketo_id}: {outcome.status}")
        return {"status": outcome.status, "marketo_id": marketo_id, "program_id": program_id}
