"""The leakage funnel: every handoff of the cohort in exactly one stage, with the reason codes behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from dashboard.filters import Filters
from dashboard.metrics import STAGES, StageLimits
from dashboard.queries.common import cohort, h, stage_case

NO_REASON = "(no reason recorded)"


@dataclass
class StageRow:
    key: str
    label: str
    leaked: bool
    explanation: str
    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def funnel(connection: Connection, filters: Filters, now: datetime, limits: StageLimits) -> list[StageRow]:
    stage = stage_case(now, limits)
    rows = connection.execute(
        select(stage, h.reason_code, func.count()).where(*cohort(filters)).group_by(stage, h.reason_code)
    ).all()
    result = {item.key: StageRow(item.key, item.label, item.leaked, item.explanation) for item in STAGES}
    for key, reason, count in rows:
        row = result[key]
        row.count += int(count)
        row.reasons[reason or NO_REASON] = row.reasons.get(reason or NO_REASON, 0) + int(count)
    for row in result.values():
        row.reasons = dict(sorted(row.reasons.items(), key=lambda item: (-item[1], item[0])))
    return list(result.values())
