"""What the SLA tracker needs from the outside world, as small protocols the composition root adapts.

``sla`` never imports the Salesforce or Marketo clients: ``handoff.wiring`` adapts them to these protocols
(a cached User/GroupMember query for the ``Directory``; PATCH Lead with ``Sforce-Auto-Assign`` for
``SalesforceActions``, reference/salesforce.md §5). In-memory twins for tests live in ``sla.twins``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Person:
    """A Salesforce user as the SLA tracker sees them (User.TimeZoneSidKey, User.ManagerId, …)."""

    id: str
    name: str
    email: str | None = None
    manager_id: str | None = None
    time_zone: str | None = None
    slack_user_id: str | None = None
    teams: tuple[str, ...] = ()
    active: bool = True


class Directory(Protocol):
    """People and teams; reads from a cache, never from the network inside a tick."""

    def person(self, user_id: str) -> Person | None:
        """The user with this id, or None if Handoff does not know them."""
        ...

    def team_members(self, team: str) -> Sequence[Person]:
        """Members of a team in hand-out order; a queue id (00G…) names the queue's members."""
        ...


class SalesforceActions(Protocol):
    """The two Salesforce writes an escalation makes; errors are ``sync.errors`` classes."""

    async def create_task(self, fields: Mapping[str, Any]) -> str:
        """Create a Task with these fields and return its id."""
        ...

    async def reassign_lead(self, lead_id: str, owner_id: str | None) -> str:
        """Give the Lead to ``owner_id`` (PATCH OwnerId, ``Sforce-Auto-Assign: FALSE``) or, when None,
        re-run the active assignment rule (``Sforce-Auto-Assign: TRUE``); return the OwnerId read back."""
        ...


class NurtureTarget(Protocol):
    """Where a recycled lead goes back to (Marketo nurture); errors are ``sync.errors`` classes."""

    async def recycle(self, request: Mapping[str, Any]) -> Mapping[str, Any]:
        """Recycle one person: ``marketo_id``, ``email``, ``sfdc_lead_id``, ``reason``, ``program_id``."""
        ...
