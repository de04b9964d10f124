"""Canonical dumps of both emulators, and their digest: how tests and benchmarks prove that the same
seed (and the same sequence of ``advance`` calls) gives the same world, byte for byte.

Only what the world determines is dumped: records, activities, memberships, campaigns, webhooks and the
assignment rule; credentials, tokens, limits and webhook secrets are left out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def salesforce_dump(state: SalesforceState) -> dict[str, Any]:
    with state.lock:
        records = {
            sobject: sorted(state.records(sobject, include_deleted=True), key=lambda r: r["Id"])
            for sobject in sorted(state.schema.objects)
        }
        rules = [
            {
                "id": rule.id,
                "name": rule.name,
                "active": rule.active,
                "entries": [
                    {"assign_to": e.assign_to, "criteria": [c.to_json() for c in e.criteria]}
                    for e in rule.entries
                    if e.serialisable
                ],
            }
            for rule in sorted(state.assignment_rules.values(), key=lambda r: r.id)
        ]
        return {"records": records, "rules": rules, "default_owner": state.default_lead_owner_id}


def marketo_dump(state: MarketoState) -> dict[str, Any]:
    with state.lock:
        people = sorted(state.people.all(), key=lambda p: p["id"])
        activities = [
            {
                **a.to_wire(),
                "fields": [[c.name, _plain(c.new_value), _plain(c.old_value)] for c in a.field_changes],
            }
            for a in state.activities()
        ]
        programs = [
            {
                "id": p.id,
                "name": p.name,
                "channel": p.channel.name,
                "members": [
                    [m.lead_id, m.status.name, m.membership_date, m.reached_success_date]
                    for m in state.programs.members(p.id)
                ],
            }
            for p in state.programs.all()
        ]
        campaigns = [[c.id, c.name, c.active, c.qualification] for c in state.campaigns.all()]
        hooks = [[h.id, h.name, h.url, h.template, sorted(h.headers)] for h in state.webhooks.all()]
        return {
            "people": people,
            "activities": activities,
            "programs": programs,
            "campaigns": campaigns,
            "webhooks": hooks,
        }


def digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, default=_plain, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_digest(salesforce: SalesforceState | None = None, marketo: MarketoState | None = None) -> str:
    """One SHA-256 over the canonical dumps of the given emulators."""
    return digest(
        {
            "salesforce": salesforce_dump(salesforce) if salesforce is not None else None,
            "marketo": marketo_dump(marketo) if marketo is not None else None,
        }
    )
