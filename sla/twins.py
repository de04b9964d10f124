"""In-memory twins of the SLA ports, for tests, the demo and benchmarks (Netflix Dispatch: doubles beside
the plugin base). They behave like the real thing where the SLA depends on it: the Salesforce twin runs an
"assignment rule" and reads the owner back, creates Tasks with real-looking ids, and can be made to fail
with the same error classes the real client raises.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sla.ports import Person
from sync.errors import SyncError


class InMemoryDirectory:
    def __init__(
        self, people: Iterable[Person] = (), teams: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self.people = {person.id: person for person in people}
        self.teams = {name: list(ids) for name, ids in (teams or {}).items()}

    def add(self, person: Person) -> Person:
        self.people[person.id] = person
        for team in person.teams:
            members = self.teams.setdefault(team, [])
            if person.id not in members:
                members.append(person.id)
        return person

    def person(self, user_id: str) -> Person | None:
        return self.people.get(user_id)

    def team_members(self, team: str) -> Sequence[Person]:
        return [self.people[i] for i in self.teams.get(team, []) if i in self.people]


def _ids(prefix: str) -> Iterator[str]:
    for n in itertools.count(1):
        yield f"{prefix}{n:012d}AAA"


@dataclass
class InMemorySalesforce:
    """Leads with owners, an assignment rule (a function of the lead id), Tasks; optional failures."""

    owners: dict[str, str] = field(default_factory=dict)
    rule: Callable[[str], str] | None = None
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: SyncError | None = None
    calls: list[tuple[str, Any]] = field(default_factory=list)
    _task_ids: Iterator[str] = field(default_factory=lambda: _ids("00T"))

    async def create_task(self, fields: Mapping[str, Any]) -> str:
        self.calls.append(("create_task", dict(fields)))
        if self.fail_with is not None:
            raise self.fail_with
        task_id = next(self._task_ids)
        self.tasks[task_id] = dict(fields)
        return task_id

    async def reassign_lead(self, lead_id: str, owner_id: str | None) -> str:
        self.calls.append(("reassign_lead", (lead_id, owner_id)))
        if self.fail_with is not None:
            raise self.fail_with
        if owner_id is None:
            if self.rule is None:
                raise RuntimeError("no assignment rule in this twin")
            owner_id = self.rule(lead_id)
        self.owners[lead_id] = owner_id
        return owner_id


@dataclass
class InMemoryNurture:
    recycled: list[dict[str, Any]] = field(default_factory=list)
    fail_with: SyncError | None = None

    async def recycle(self, request: Mapping[str, Any]) -> Mapping[str, Any]:
        if self.fail_with is not None:
            raise self.fail_with
        self.recycled.append(dict(request))
        return {"status": "recycled", "marketo_id": request.get("marketo_id")}


def directory_from_description(described: Mapping[str, Any]) -> InMemoryDirectory:
    """A directory from a plain description of an org (``users``, ``teams`` with ``sdr_ids``, ``queues`` with
    ``member_ids``) — the shape ``sandbox.world.describe`` produces, so demos and end-to-end runs use the
    world's SDRs; a queue id names the queue's members, as ``Directory.team_members`` promises."""
    people = [
        Person(
            id=user["id"],
            name=user["name"],
            email=user.get("email"),
            manager_id=user.get("manager_id"),
            time_zone=user.get("time_zone"),
            slack_user_id=user.get("slack_user_id"),
            teams=(user["team"],) if user.get("team") else (),
            active=user.get("active", True),
        )
        for user in described.get("users", [])
    ]
    teams = {team["key"]: list(team.get("sdr_ids", [])) for team in described.get("teams", [])}
    teams |= {queue["id"]: list(queue.get("member_ids", [])) for queue in described.get("queues", [])}
    return InMemoryDirectory(people, teams)
