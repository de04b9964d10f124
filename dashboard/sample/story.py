"""One synthetic handoff being written: its projection row and its events, none dated after "now"."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Story:
    """One handoff being written: its projection row and its events (none dated after "now")."""

    def __init__(self, number: int, version: int, now: datetime, row: dict[str, Any]) -> None:
        self.number, self.version, self.now, self.row = number, version, now, row
        self.row["config_version_id"] = version
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        at: datetime,
        message: str,
        reason: str | None = None,
        actor: str = "handoff",
        **data: Any,
    ) -> None:
        if at > self.now:
            return
        self.events.append(
            {
                "handoff_id": self.number,
                "at": at,
                "kind": kind,
                "reason_code": reason,
                "message": message,
                "data": data,
                "config_version_id": self.version,
                "actor": actor,
            }
        )
        self.row["updated_at"] = max(self.row["updated_at"], at)

    def decide(
        self, outcome: str, reason: str, target: str | None, at: datetime, state: str, **changes: Any
    ) -> None:
        self.row.update(
            decision=outcome, reason_code=reason, target=target, decided_at=at, state=state, **changes
        )


def handoff_row(number: int, mql_at: datetime, email: str, company: str) -> dict[str, Any]:
    return {
        "id": number,
        "marketo_id": 100000 + number,
        "email": email,
        "email_key": email,
        "company": company,
        "state": "mql",
        "segment": None,
        "source": None,
        "team": None,
        "sla_policy": None,
        "owner_id": None,
        "owner_name": None,
        "sfdc_lead_id": None,
        "sfdc_contact_id": None,
        "sfdc_account_id": None,
        "config_version_id": None,
        "snapshot_id": None,
        "reason_code": None,
        "decision": None,
        "target": None,
        "decided_at": None,
        "mql_at": mql_at,
        "route_ready_at": None,
        "routed_at": None,
        "due_at": None,
        "first_touch_at": None,
        "touch_wall_seconds": None,
        "touch_business_seconds": None,
        "breached": False,
        "converted_at": None,
        "closed_at": None,
        "updated_at": mql_at,
    }


def conversion_chance(wall_seconds: float, segment: str) -> float:
    """The speed-to-lead curve the data follows: slower first touch, fewer SQLs."""
    base = (
        0.22
        if wall_seconds < 300
        else 0.15
        if wall_seconds < 3600
        else 0.09
        if wall_seconds < 86400
        else 0.04
    )
    return base * {"Tier A": 1.4, "Tier B": 1.0, "Tier C": 0.6}[segment]
