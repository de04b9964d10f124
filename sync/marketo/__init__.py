"""Marketo REST client: tokens, the per-instance throttle, envelope and error classes, batching helpers."""

from sync.marketo.activities import Activity, ActivityPage, FieldChange, RejectedRecord
from sync.marketo.client import MarketoClient
from sync.marketo.errors import MarketoCrmSyncEnabled, next_daily_reset
from sync.marketo.results import RecordOutcome, SkipReason
from sync.marketo.throttle import (
    InProcessBackend,
    Lane,
    Throttle,
    ThrottleBackend,
    ThrottleLimits,
    ThrottleSnapshot,
    lane_for,
)

__all__ = [
    "Activity",
    "ActivityPage",
    "FieldChange",
    "InProcessBackend",
    "Lane",
    "MarketoClient",
    "MarketoCrmSyncEnabled",
    "RecordOutcome",
    "RejectedRecord",
    "SkipReason",
    "Throttle",
    "ThrottleBackend",
    "ThrottleLimits",
    "ThrottleSnapshot",
    "lane_for",
    "next_daily_reset",
]
