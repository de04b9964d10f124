"""What the gate returns: an outcome, a segment, a target and the reasons, each a code, a sentence and data.

Plain frozen values with a JSON form (stored in ``HandoffEvent.data`` and compared by the simulator).
The ``summary`` is the short line written to Salesforce and Marketo
("Routed by Handoff: Tier A / EMEA / account owner match 0.93").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["route", "hold", "reject"]
TargetKind = Literal["assignment_rule", "owner", "queue", "account_owner", "record_owner"]
LeadAction = Literal["create", "update", "none"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact behind a decision. ``blocks`` says whether it stops routing (``hold`` / ``reject``)."""

    code: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    blocks: Outcome | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data, "blocks": self.blocks}


@dataclass(frozen=True, slots=True)
class RouteTarget:
    """Where a routed person goes, and what happens to the Salesforce record.

    ``id`` is the rule, user or queue id; ``None`` with ``assignment_rule`` means the active rule, and
    ``None`` with ``record_owner`` means "whoever owns the record now" (read back from Salesforce).
    """

    kind: TargetKind
    id: str | None
    lead_action: LeadAction
    record_id: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "assignment_rule":
            return f"rule:{self.id or 'active'}"
        if self.kind == "record_owner":
            return f"record_owner:{self.id or self.record_id or 'unknown'}"
        return f"{self.kind}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "lead_action": self.lead_action,
            "record_id": self.record_id,
            "label": self.label,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    segment: str | None
    target: RouteTarget | None
    reasons: tuple[Reason, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    salesforce_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def reason_code(self) -> str:
        """The main reason: the first one that blocked this outcome, else the one that chose the target."""
        for reason in self.reasons:
            if reason.blocks == self.outcome:
                return reason.code
        for reason in reversed(self.reasons):
            if reason.code.startswith("target_"):
                return reason.code
        return self.outcome

    @property
    def message(self) -> str:
        for reason in self.reasons:
            if reason.code == self.reason_code:
                return reason.message
        return self.summary

    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "segment": self.segment,
            "target": self.target.to_json() if self.target else None,
            "reason_code": self.reason_code,
            "reasons": [reason.to_json() for reason in self.reasons],
            "attributes": self.attributes,
            "summary": self.summary,
        }
