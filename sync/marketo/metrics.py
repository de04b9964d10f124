"""Prometheus metrics of the Marketo client: calls per endpoint, errors per code, quota left, throttle waits.

Endpoint labels are operation names (``leads.sync``, ``activities``), never raw paths with ids in them.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CALLS = Counter(
    "handoff_marketo_calls_total", "Marketo REST calls by endpoint and outcome", ["endpoint", "outcome"]
)
ERRORS = Counter("handoff_marketo_errors_total", "Marketo errors by endpoint and code", ["endpoint", "code"])
SKIPPED = Counter(
    "handoff_marketo_skipped_records_total", "Records Marketo skipped, by reason code", ["endpoint", "code"]
)
QUOTA_REMAINING = Gauge("handoff_marketo_quota_remaining", "Daily REST calls left as counted by the throttle")
THROTTLE_WAIT = Histogram(
    "handoff_marketo_throttle_wait_seconds",
    "Time a call waited for the Marketo throttle, by lane",
    ["lane"],
    buckets=(0.0, 0.05, 0.25, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0),
)
TOKENS = Counter("handoff_marketo_tokens_total", "Access tokens fetched", ["kind"])
