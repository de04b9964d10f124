"""Flow 2 of the integration (DESIGN.md): MQL in Marketo → gate → Salesforce assignment → write-back.

The composition root calls ``route_people`` from the inbox handler of an MQL signal, after fetching
the people from Marketo, inside one transaction per batch: if Salesforce fails, the exception
propagates, the transaction rolls back and the inbox retries the item (assignment re-checks
Salesforce for the address, so a retry never creates a second Lead).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from handoff.clock import Clock
from routing.assignment import Assigner
from routing.lookup import ContextLookup
from routing.salesforce import SalesforceRouting
from routing.service import ActiveConfig, Evaluation, Qualified, RoutingService


async def route_people(
    session: Session,
    clock: Clock,
    salesforce: SalesforceRouting,
    lookup: ContextLookup,
    active: ActiveConfig,
    people: Sequence[Qualified],
) -> list[Evaluation]:
    evaluations = RoutingService(session, clock, lookup).evaluate(people, active)
    await assign_ready(session, clock, salesforce, active, evaluations)
    return evaluations


async def assign_ready(
    session: Session,
    clock: Clock,
    salesforce: SalesforceRouting,
    active: ActiveConfig,
    evaluations: Sequence[Evaluation],
) -> None:
    assigner = Assigner(session, clock, salesforce)
    for evaluation in evaluations:
        if evaluation.decision.outcome == "route":
            await assigner.assign(evaluation, active)
