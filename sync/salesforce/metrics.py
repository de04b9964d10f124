"""Prometheus metrics of the Salesforce client: calls per endpoint, errors per code, allocation left.

Endpoint labels are operation names (``sobject.create``, ``query``, ``collections.create``), never raw
paths, so that record ids do not explode the label cardinality.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CALLS = Counter(
    "handoff_salesforce_calls_total", "Salesforce REST calls by endpoint and outcome", ["endpoint", "outcome"]
)
ERRORS = Counter("handoff_salesforce_errors_total", "Salesforce errors by error code", ["endpoint", "code"])
API_REMAINING = Gauge(
    "handoff_salesforce_api_remaining", "Daily API calls left, from the last Sforce-Limit-Info header"
)
TOKENS = Counter("handoff_salesforce_tokens_total", "Access tokens minted", ["flow"])
