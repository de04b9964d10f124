"""Assignment: turn a ``route`` decision into a Salesforce owner, read it back, record it.

Creates the Lead with ``Sforce-Auto-Assign`` TRUE (active rule) or a rule id, or with an explicit
``OwnerId`` and FALSE for owner / queue / account-owner targets; every update sends FALSE so that
ownership is never silently overwritten (reference/salesforce.md §5, §11). Right before creating, it
asks Salesforce for the address again: the mirror may be minutes old, and after a crash between the
create and the commit the retried MQL must find its Lead instead of creating a second one.
Then it reads ``OwnerId`` back, appends a ``routed`` event and queues the Marketo write-back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from handoff.clock import Clock
from routing import repository
from routing.decision import Decision, Reason, RouteTarget
from routing.ids import to_18
from routing.salesforce import AutoAssign, PersonRecord, SalesforceRouting
from routing.service import ActiveConfig, Evaluation, record_decision
from routing.writeback import enqueue_marketo_update


@dataclass(frozen=True)
class Assignment:
    sobject: str
    record_id: str
    owner_id: str | None
    auto_assign: str
    created: bool


def _header(auto_assign: AutoAssign) -> str:
    return "TRUE" if auto_assign is True else "FALSE" if auto_assign is False else str(auto_assign)


class Assigner:
    def __init__(self, session: Session, clock: Clock, salesforce: SalesforceRouting) -> None:
        self.session = session
        self.clock = clock
        self.salesforce = salesforce

    async def assign(self, evaluation: Evaluation, active: ActiveConfig) -> Assignment | None:
        """Assign one route-ready handoff; None when a late duplicate check turned it into a rejection."""
        decision = evaluation.decision
        assert decision.outcome == "route" and decision.target is not None, (
            "only route decisions are assigned"
        )
        target = decision.target
        fields = dict(decision.salesforce_fields)
        recheck: dict[str, Any] = {}
        if target.lead_action == "create" and fields.get("Email"):
            found = await self.salesforce.find_people([str(fields["Email"])], [])
            existing = _pick(found)
            if existing is not None:
                recheck = {"found_at_assignment": existing.sobject, "record_id": existing.id}
                rejected = self._late_duplicate(evaluation, existing, active)
                if rejected:
                    return None
                action = "none" if existing.sobject == "Contact" else "update"
                target = RouteTarget("record_owner", existing.owner_id, action, to_18(existing.id))  # type: ignore[arg-type]
        reason_field = active.config.writeback.salesforce_reason_field
        if target.lead_action == "create":
            auto_assign: AutoAssign
            if target.kind == "assignment_rule":
                auto_assign = target.id or True
            else:
                auto_assign = False
                fields["OwnerId"] = target.id
            record_id = await self.salesforce.create_lead(fields, auto_assign)
            sobject, created, header = "Lead", True, _header(auto_assign)
        else:
            assert target.record_id is not None
            record_id, created, header = target.record_id, False, "FALSE"
            sobject = "Contact" if target.lead_action == "none" else "Lead"
            if sobject == "Lead" and reason_field:
                await self.salesforce.update_record("Lead", record_id, {reason_field: decision.summary})
        record_id = to_18(record_id)
        owner_id = (await self.salesforce.owners(sobject, [record_id])).get(record_id)
        assignment = Assignment(sobject, record_id, to_18(owner_id) if owner_id else None, header, created)
        self._record(evaluation, decision, target, assignment, active, recheck)
        return assignment

    def _late_duplicate(self, evaluation: Evaluation, existing: PersonRecord, active: ActiveConfig) -> bool:
        """Honour the dedupe policy for a record the mirror did not know yet; True when rejected."""
        policy = active.config.dedupe
        if existing.sobject == "Contact" and policy.existing_contact == "reject":
            code = "existing_contact"
        elif existing.sobject == "Lead" and policy.existing_lead == "reject":
            code = "existing_lead"
        else:
            return False
        reason = Reason(
            code,
            f"Already a Salesforce {existing.sobject} ({existing.id}), found when assigning.",
            {"record_id": existing.id, "owner_id": existing.owner_id, "matched_by": "email"},
            blocks="reject",
        )
        before = evaluation.decision
        decision = Decision(
            "reject", before.segment, None, (*before.reasons, reason), before.attributes, reason.message
        )
        record_decision(self.session, evaluation.handoff, decision, active, self.clock())
        return True

    def _record(
        self,
        evaluation: Evaluation,
        decision: Decision,
        target: RouteTarget,
        assignment: Assignment,
        active: ActiveConfig,
        recheck: dict[str, Any],
    ) -> None:
        now = self.clock()
        handoff = evaluation.handoff
        data = {
            "sobject": assignment.sobject,
            "record_id": assignment.record_id,
            "owner_id": assignment.owner_id,
            "auto_assign": assignment.auto_assign,
            "created": assignment.created,
            "target": target.to_json(),
            "rule_id": target.id if target.kind == "assignment_rule" else None,
            "summary": decision.summary,
            **recheck,
        }
        event = repository.add_event(
            self.session,
            handoff,
            "routed",
            now,
            reason_code=decision.reason_code,
            message=decision.summary,
            data=data,
            config_version_id=active.version_id,
        )
        handoff.state = "routed"
        handoff.routed_at = now
        handoff.owner_id = assignment.owner_id
        handoff.target = target.label[:64]
        if assignment.sobject == "Lead":
            handoff.sfdc_lead_id = assignment.record_id
        else:
            handoff.sfdc_contact_id = assignment.record_id
        handoff.updated_at = now
        self.session.add(handoff)
        self.session.flush()
        enqueue_marketo_update(
            self.session, handoff, event.id, active.config.writeback, "route", decision.summary, now
        )


def _pick(found: list[PersonRecord]) -> PersonRecord | None:
    """A Contact beats a Lead (the person was converted); converted Leads are history, not people."""
    contacts = [r for r in found if r.sobject == "Contact"]
    if contacts:
        return contacts[0]
    return next((r for r in found if r.sobject == "Lead" and not r.is_converted), None)
