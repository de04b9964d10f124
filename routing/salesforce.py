"""What routing needs from Salesforce, as one small protocol the composition root adapts.

``routing`` never imports the Salesforce client (``sync.salesforce``): ``handoff.wiring`` adapts it to
``SalesforceRouting``. Errors are the ``sync.errors`` classes the client raises (retryable, auth,
quota, permanent); routing lets them propagate so the inbox retries or dead-letters the MQL.

Assignment facts (reference/salesforce.md §5): ``Sforce-Auto-Assign`` is TRUE when absent, so every
update must send FALSE or the active rule may overwrite ``OwnerId``; a rule id is honoured on create
only; routing to a queue or user is ``OwnerId`` with FALSE. The in-memory twin is ``routing.twin``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

AutoAssign = bool | str  # True: the active rule; False: keep OwnerId as sent; "01Q…": that rule (create only)


@dataclass(frozen=True)
class PersonRecord:
    """A Lead or Contact as routing sees it (``SELECT Id, Email, OwnerId, AccountId, IsConverted …``)."""

    sobject: Literal["Lead", "Contact"]
    id: str
    email: str | None
    owner_id: str | None
    modified_at: datetime
    account_id: str | None = None
    is_converted: bool = False


@dataclass(frozen=True)
class AccountRecord:
    """``SELECT Id, Name, Website, OwnerId, SystemModstamp FROM Account``."""

    id: str
    name: str
    website: str | None
    owner_id: str | None
    modified_at: datetime


@dataclass(frozen=True)
class RoutingCatalog:
    """The org's queues (with the objects they accept), active users and Lead assignment rules.

    Queues: ``Group WHERE Type='Queue'`` + ``QueueSobject``; rules: ``AssignmentRule WHERE
    SobjectType='Lead'`` (reference/salesforce.md §5).
    """

    queues: Mapping[str, tuple[str, frozenset[str]]] = field(
        default_factory=dict
    )  # id → (name, sobject types)
    users: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # id → (name, active)
    rules: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # id → (name, active)


class SalesforceRouting(Protocol):
    async def find_people(self, emails: Sequence[str], ids: Sequence[str]) -> list[PersonRecord]:
        """Leads and Contacts whose Email equals one of ``emails`` (SOQL compares case-insensitively)
        or whose Id is one of ``ids``; at most 200 of each per call."""
        ...

    async def create_lead(self, fields: Mapping[str, Any], auto_assign: AutoAssign) -> str:
        """``POST /sobjects/Lead`` with ``Sforce-Auto-Assign`` set to TRUE, FALSE or a rule id; returns the Id."""
        ...

    async def update_record(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        """``PATCH /sobjects/{sobject}/{id}`` with ``Sforce-Auto-Assign: FALSE``, always."""
        ...

    async def owners(self, sobject: str, ids: Sequence[str]) -> dict[str, str | None]:
        """``OwnerId`` of each record (``GET /composite/sobjects/{sobject}?ids=…&fields=Id,OwnerId``)."""
        ...

    async def changed_people(self, since: datetime | None, limit: int) -> list[PersonRecord]:
        """Leads and Contacts with ``SystemModstamp > since``, oldest first, up to ``limit``."""
        ...

    async def changed_accounts(self, since: datetime | None, limit: int) -> list[AccountRecord]:
        """Accounts with ``SystemModstamp > since``, oldest first, up to ``limit``."""
        ...

    async def routing_catalog(self) -> RoutingCatalog:
        """Queues, users and Lead assignment rules, for checking a config's references."""
        ...
