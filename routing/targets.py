"""The gate's choice of account and target, the routing summary and the Salesforce fields to write.

A mixin of ``routing.gate.Gate``. Precedence: an existing Contact keeps its owner (Contacts cannot sit
in lead queues), an existing Lead keeps its owner (it is updated with assignment off), a matched account
with an owner wins over any segment target (its owner, or the account team's rule), then the segment's
target, the fallback queue, and Salesforce's active assignment rule.
"""

from __future__ import annotations

from typing import Any

from routing.config import RoutingConfig, Segment
from routing.context import AccountCandidate, ExistingRecord
from routing.decision import Reason, RouteTarget
from routing.fields import FieldSpec
from routing.normalise import domain_in
from routing.person import PersonValues


class TargetChoice:
    config: RoutingConfig
    free_mail: frozenset[str]
    specs: tuple[FieldSpec, ...]

    def _account(
        self, candidates: tuple[AccountCandidate, ...], domain: str | None, values: PersonValues
    ) -> AccountCandidate | None:
        accounts = self.config.accounts
        eligible = [
            c
            for c in candidates
            if (c.method == "domain" and accounts.by_domain and not domain_in(c.domain, self.free_mail))
            or (c.method == "name" and accounts.by_name and c.score >= accounts.name_threshold)
        ]
        # A domain match beats any fuzzy name match, then the higher score, then the lowest id (so the
        # choice never depends on the order the candidates came in).
        return min(eligible, key=lambda c: (c.method != "domain", -c.score, c.id), default=None)

    def _target(
        self,
        segment: Segment | None,
        contact: ExistingRecord | None,
        lead: ExistingRecord | None,
        account: AccountCandidate | None,
    ) -> tuple[RouteTarget, Reason]:
        if contact is not None:
            return (
                RouteTarget("record_owner", contact.owner_id, "none", contact.id),
                Reason(
                    "target_contact_owner",
                    "Existing Contact: stays with its owner (Contacts cannot sit in lead queues).",
                    {"contact_id": contact.id, "owner_id": contact.owner_id},
                ),
            )
        if lead is not None:
            return (
                RouteTarget("record_owner", lead.owner_id, "update", lead.id),
                Reason(
                    "target_lead_owner",
                    "Existing Lead: updated without re-running assignment, so its owner is kept.",
                    {"lead_id": lead.id, "owner_id": lead.owner_id},
                ),
            )
        if account is not None and account.owner_id:
            data = {
                "account_id": account.id,
                "account": account.name,
                "method": account.method,
                "score": round(account.score / 100, 2),
                "owner_id": account.owner_id,
            }
            team_rule = self.config.accounts.team_rule
            if team_rule:
                return (
                    RouteTarget("assignment_rule", team_rule, "create"),
                    Reason(
                        "target_account_rule",
                        f"Matched account {account.name}: the account team's rule.",
                        data,
                    ),
                )
            return (
                RouteTarget("account_owner", account.owner_id, "create"),
                Reason(
                    "target_account_owner",
                    f"Matched account {account.name} by {account.method} ({data['score']:.2f}): its owner.",
                    data,
                ),
            )
        chosen = segment.target if segment else None
        if chosen is not None and not chosen.account_owner:
            name = segment.name if segment else None
            if chosen.owner:
                return RouteTarget("owner", chosen.owner, "create"), Reason(
                    "target_owner", f"Segment {name}: direct owner.", {"owner_id": chosen.owner}
                )
            if chosen.queue:
                return RouteTarget("queue", chosen.queue, "create"), Reason(
                    "target_queue", f"Segment {name}: queue.", {"queue_id": chosen.queue}
                )
            rule = None if chosen.assignment_rule == "active" else chosen.assignment_rule
            return RouteTarget("assignment_rule", rule, "create"), Reason(
                "target_rule",
                f"Segment {name}: Salesforce assignment rule {rule or '(active)'}.",
                {"rule_id": rule},
            )
        if self.config.fallback_queue:
            return RouteTarget("queue", self.config.fallback_queue, "create"), Reason(
                "target_fallback_queue",
                "No segment target applies: the fallback queue.",
                {"queue_id": self.config.fallback_queue},
            )
        return RouteTarget("assignment_rule", None, "create"), Reason(
            "target_rule",
            "No segment target applies: Salesforce's active assignment rule.",
            {"rule_id": None},
        )

    def _summary(self, segment: Segment | None, attributes: dict[str, Any], target_reason: Reason) -> str:
        parts = [segment.label or segment.name] if segment else []
        if attributes.get("region"):
            parts.append(str(attributes["region"]))
        code = target_reason.code
        if code == "target_account_owner":
            parts.append(f"account owner match {target_reason.data['score']:.2f}")
        elif code == "target_account_rule":
            parts.append(f"account team rule, match {target_reason.data['score']:.2f}")
        else:
            parts.append(
                {
                    "target_contact_owner": "existing contact owner",
                    "target_lead_owner": "existing lead owner",
                    "target_owner": "direct owner",
                    "target_queue": "queue",
                    "target_fallback_queue": "fallback queue",
                    "target_rule": "assignment rule",
                }[code]
            )
        text = "Routed by Handoff: " + " / ".join(parts)
        limit = self.config.writeback.reason_max_length
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _salesforce_fields(self, values: PersonValues, summary: str) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for spec in self.specs:
            value = values.values.get(spec.name)
            if spec.salesforce and value is not None and spec.name not in values.problems:
                fields[spec.salesforce] = (
                    int(value) if spec.kind == "number" and value.is_integer() else value
                )
        if self.config.writeback.salesforce_reason_field:
            fields[self.config.writeback.salesforce_reason_field] = summary
        return fields
