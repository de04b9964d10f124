"""The routing gate as the sync layer's ``RoutingPort``: MQL candidates → ``routing.flows.route_people``.

The MQL flow (``sync.flows.mql``) has already fetched each person from Marketo, with the fields the gate
reads (``gate_fields``), so this port fetches nothing new: it hands the people to the gate with the
active config version, lets routing assign in Salesforce (re-checking the address right before a create),
and starts the SLA clock of every handoff that came out ``routed`` — all in the inbox item's transaction,
so the routed state, its events, the Marketo write-back and the clock commit together or not at all.
``sla.start_missing_clocks`` still sweeps up any routed handoff without a clock (e.g. routed by a hold sweep).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from handoff.bridges.active import ActiveSettings
from handoff.clock import Clock
from routing.config import RoutingConfig
from routing.fields import STANDARD_FIELDS
from routing.flows import route_people
from routing.lookup import ContextLookup
from routing.salesforce import SalesforceRouting
from routing.service import Evaluation, Qualified
from sla.service import start_clock
from sync.flows.assignment import enqueue_routed_writeback
from sync.mapping import FieldMapping
from sync.ports import MqlCandidate, RouteResult

# Known to the gate's schema but read by no check; not every instance has it, and Marketo answers a
# request naming a field the instance lacks with error 1006 for the whole call (reference/marketo.md).
_UNREAD_FIELDS = frozenset({"marketingSuspended"})


def gate_fields(config: RoutingConfig) -> list[str]:
    """Every Marketo field the gate may read: the standard ones and the config's custom fields."""
    return list(
        dict.fromkeys([*(f for f in STANDARD_FIELDS if f not in _UNREAD_FIELDS), *config.custom_fields])
    )


def _result(evaluation: Evaluation) -> RouteResult:
    handoff = evaluation.handoff
    outcome = {"routed": "route", "route_ready": "route", "held": "hold"}.get(handoff.state, "reject")
    return RouteResult(int(handoff.marketo_id or 0), handoff.id, outcome, evaluation.decision.message)


class GateRouting:
    def __init__(
        self,
        clock: Clock,
        salesforce: SalesforceRouting,
        lookup: ContextLookup,
        active: ActiveSettings,
        mapping: FieldMapping,
    ) -> None:
        self.clock = clock
        self.salesforce = salesforce
        self.lookup = lookup
        self.active = active
        self.mapping = mapping

    async def route(
        self, session: Session, candidates: Sequence[MqlCandidate], *, now: datetime
    ) -> list[RouteResult]:
        people = [Qualified(fields=c.person, marketo_id=c.marketo_id, actor="marketo") for c in candidates]
        config = self.active.routing(session)
        evaluations = await route_people(session, self.clock, self.salesforce, self.lookup, config, people)
        start_clocks(session, self.active, evaluations, now)
        for evaluation in evaluations:
            write_back_ids(session, self.mapping, evaluation, now)
        return [_result(evaluation) for evaluation in evaluations]


def write_back_ids(session: Session, mapping: FieldMapping, evaluation: Evaluation, now: datetime) -> None:
    """Tell Marketo the Lead (or Contact) id and the routed lifecycle, as the sync flow does after routing:
    the conversion flow finds the person again by that id (``sync.flows.converted``)."""
    handoff = evaluation.handoff
    if handoff.state != "routed" or handoff.marketo_id is None:
        return
    sobject, record_id = (
        ("Lead", handoff.sfdc_lead_id) if handoff.sfdc_lead_id else ("Contact", handoff.sfdc_contact_id)
    )
    if record_id is None:
        return
    result = {
        "handoff_id": handoff.id,
        "marketo_id": handoff.marketo_id,
        "sobject": sobject,
        "record_id": record_id,
    }
    enqueue_routed_writeback(session, mapping, result, now)


def start_clocks(
    session: Session, active: ActiveSettings, evaluations: Sequence[Evaluation], now: datetime
) -> int:
    """Start the first-touch clock of each handoff these evaluations routed; returns how many started."""
    routed = [e.handoff for e in evaluations if e.handoff.state == "routed"]
    if not routed:
        return 0
    ctx = active.sla_context(session)
    return sum(start_clock(session, ctx, handoff, now=now) is not None for handoff in routed)
