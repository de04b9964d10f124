"""Routing: the route-ready gate, dedupe, lead-to-account matching, assignment and config replay.

Public entry points (imported from their modules, not re-exported here, so that ``handoff.config``
importing ``routing.config`` does not pull in the services and the web layer):

- ``routing.config.RoutingConfig`` — the ``routing`` section schema (``cross_check`` hook).
- ``routing.gate.Gate`` / ``decide`` — the pure gate; ``routing.decision`` its result values.
- ``routing.flows.route_people`` — MQL → gate → Salesforce assignment → events (inbox handler).
- ``routing.jobs`` — ``sweep_holds``, ``refresh_mirror``, ``check_owners`` (scheduled).
- ``routing.salesforce.SalesforceRouting`` — the protocol the Salesforce client is adapted to;
  ``routing.twin.InMemorySalesforce`` its in-memory twin.
- ``routing.versions`` — config versions and ``ActiveConfigCache``; ``routing.references`` — ids vs the org.
- ``routing.simulate.simulate`` and ``routing.simulate_report`` — replay and its JSON / text forms.
- ``routing.views.router`` — the ops API (``/api/routing``).
"""
