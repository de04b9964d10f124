"""Scheduled sweeps of the routing domain, each idempotent and safe to run on one process at a time.

- ``sweep_holds``: holds older than ``hold_timeout_hours`` leak (or route, if the criteria changed).
- ``refresh_mirror``: pull changed Leads, Contacts and Accounts into the dedupe / matching mirror and
  record owners changed behind Handoff's back; returns the accounts so the caller refreshes its index.
- ``check_owners``: poll owners of recently routed records (``routing.ownership.check_owners``).
The composition root binds them to a session, clock, Salesforce adapter and the active config.
"""

from __future__ import annotations

from sqlmodel import Session

from handoff.clock import Clock
from routing import mirror
from routing.accounts import AccountIndex, IndexedAccount
from routing.flows import assign_ready
from routing.models import HandoffEvent
from routing.normalise import website_domain
from routing.ownership import OwnerSeen, check_owners, observe_owners
from routing.salesforce import SalesforceRouting
from routing.service import ActiveConfig, Evaluation, RoutingService

__all__ = ["check_owners", "refresh_mirror", "sweep_holds"]


async def sweep_holds(
    session: Session,
    clock: Clock,
    salesforce: SalesforceRouting,
    active: ActiveConfig,
    limit: int = 1000,
) -> list[Evaluation]:
    evaluations = RoutingService(session, clock).expire_holds(active, limit)
    await assign_ready(session, clock, salesforce, active, evaluations)
    return evaluations


async def refresh_mirror(
    session: Session,
    clock: Clock,
    salesforce: SalesforceRouting,
    accounts: AccountIndex | None = None,
) -> list[HandoffEvent]:
    """Mirror what changed; update ``accounts`` in place; return the ``owner_changed`` events recorded."""
    people, changed_accounts = await mirror.refresh(session, salesforce)
    if accounts is not None:
        for account in changed_accounts:
            row = mirror.account_row(account)
            accounts.add(
                IndexedAccount(row["id"], account.name, website_domain(account.website), row["owner_id"])
            )
    seen = [OwnerSeen(p.sobject, p.id, p.owner_id, p.modified_at) for p in people]
    return observe_owners(session, seen, clock())
