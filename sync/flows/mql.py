"""Flow 4.2, Marketo side: an MQL signal → the person fetched by id → the routing gate.

Signals are the webhook hint and the polled activities (22 score change, 13 data value change, 12 new
lead). The webhook only says "look at this person"; the person is fetched through the REST API and
checked against the MQL rule before the gate sees them, so a stale or forged-looking hint decides
nothing. A person whose handoff is already routed is left alone without asking the gate (the usual
case when the webhook and the poll both report one qualification).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from prometheus_client import Counter
from sqlmodel import Session

from handoff.clock import Clock
from sync.config import MqlTrigger
from sync.flows.handoffs import POST_ROUTE_STATES, latest_open
from sync.flows.signals import is_mql, signal_of
from sync.inbox import InboxWork
from sync.mapping import FieldMapping, source_fields
from sync.outbox import PRIORITY_ROUTING
from sync.ports import MarketoPort, MqlCandidate, RoutingPort

log = logging.getLogger(__name__)

MQL_SIGNALS = Counter(
    "handoff_mql_signals_total", "MQL signals by kind and what became of them", ["kind", "result"]
)


def person_fields(mapping: FieldMapping, trigger: MqlTrigger, extra: Sequence[str] = ()) -> list[str]:
    """Everything the gate and the Lead need, asked for in one call."""
    wanted = ["email", "firstName", "lastName", "company", *source_fields(mapping, "lead")]
    wanted += trigger.watched_fields()
    wanted += [f for f in (mapping.lead_id_field, mapping.contact_id_field) if f]
    wanted += ["sfdcType", *extra]
    return list(dict.fromkeys(wanted))


class MqlSignalHandler:
    """Inbox handler for every kind in ``kinds.MQL_SIGNAL_KINDS``."""

    def __init__(
        self,
        marketo: MarketoPort,
        routing: RoutingPort,
        mapping: FieldMapping,
        trigger: MqlTrigger,
        clock: Clock,
        extra_fields: Sequence[str] = (),
    ) -> None:
        self.marketo = marketo
        self.routing = routing
        self.trigger = trigger
        self.clock = clock
        self.fields = person_fields(mapping, trigger, extra_fields)

    async def __call__(self, session: Session, work: InboxWork) -> None:
        signal = signal_of(work.kind, work.payload, self.trigger)
        if signal is None:
            MQL_SIGNALS.labels(work.kind, "not_a_signal").inc()
            return
        if latest_open(session, signal.lead_id, POST_ROUTE_STATES) is not None:
            MQL_SIGNALS.labels(work.kind, "already_routed").inc()
            return
        people = await self.marketo.get_leads("id", [signal.lead_id], self.fields, priority=PRIORITY_ROUTING)
        person = next((p for p in people if p.get("id") == signal.lead_id), None)
        if person is None:
            MQL_SIGNALS.labels(work.kind, "person_gone").inc()
            log.info("MQL signal for a person Marketo no longer has", extra={"lead_id": signal.lead_id})
            return
        if not is_mql(person, self.trigger):
            MQL_SIGNALS.labels(work.kind, "below_threshold").inc()
            return
        candidate = MqlCandidate(signal.lead_id, person, work.kind, work.received_at)
        results = await self.routing.route(session, [candidate], now=self.clock())
        for result in results:
            MQL_SIGNALS.labels(work.kind, result.outcome).inc()
