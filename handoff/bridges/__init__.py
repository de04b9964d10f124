"""Adapters between the domain packages' protocols and the real API clients (composition-root code).

``routing`` and ``sla`` describe what they need from Salesforce and Marketo as small protocols
(``routing.salesforce.SalesforceRouting``, ``sla.ports``); ``sync`` owns the clients. The classes here
turn one into the other, and bind the routing gate into the sync layer's MQL flow
(``sync.ports.RoutingPort``). They hold no policy: each method is one API call (or one SOQL query)
and a change of shape.
"""
