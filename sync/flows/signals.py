"""Which inbound items say "this person may have become an MQL", and whether a person is one. Pure.

A webhook is a hint (marketo-webhooks.md): always worth a look. A Change Score (22) whose new value is
below the threshold, or a Change Data Value (13) on a field the MQL rule does not watch, is not, and
skipping it saves a Marketo call per activity. New Lead (12) counts only when lead changes report a
watched field's value with it; a person created already qualified otherwise shows up as 22 or 13.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync import kinds
from sync.config import MqlTrigger


@dataclass(frozen=True)
class Signal:
    lead_id: int
    kind: str


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def is_mql(person: Mapping[str, Any], trigger: MqlTrigger) -> bool:
    if trigger.score_field:
        score = _number(person.get(trigger.score_field))
        if score is not None and score >= trigger.threshold:
            return True
    if trigger.status_field:
        status = person.get(trigger.status_field)
        return isinstance(status, str) and status.strip() in trigger.status_values
    return False


def _squash(name: str) -> str:
    return "".join(name.split()).lower()


def _attributes(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(a.get("name")): a.get("value")
        for a in payload.get("attributes") or ()
        if isinstance(a, Mapping) and "name" in a
    }


def _changed_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Field → new value from leadchanges ``fields`` and from activities' primary attribute + New Value."""
    changed: dict[str, Any] = {}
    for entry in payload.get("fields") or ():
        if isinstance(entry, Mapping) and entry.get("name"):
            changed[_squash(str(entry["name"]))] = entry.get("newValue")
    primary = payload.get("primaryAttributeValue")
    if isinstance(primary, str) and primary:
        changed.setdefault(_squash(primary), _attributes(payload).get("New Value"))
    return changed


def signal_of(kind: str, payload: Mapping[str, Any], trigger: MqlTrigger) -> Signal | None:
    if kind == kinds.MARKETO_MQL_HINT:
        lead_id = payload.get("lead_id")
        return Signal(lead_id, kind) if isinstance(lead_id, int) else None
    lead_id = payload.get("leadId")
    if not isinstance(lead_id, int) or isinstance(lead_id, bool):
        return None
    if kind == kinds.MARKETO_SCORE_CHANGE:
        new_value = _number(_attributes(payload).get("New Value"))
        if trigger.score_field and trigger.status_field is None and new_value is not None:
            return Signal(lead_id, kind) if new_value >= trigger.threshold else None
        return Signal(lead_id, kind)
    watched = {_squash(name) for name in trigger.watched_fields()}
    changed = _changed_fields(payload)
    relevant = {name: value for name, value in changed.items() if name in watched}
    if kind == kinds.MARKETO_DATA_VALUE_CHANGE:
        return Signal(lead_id, kind) if relevant else None
    if kind == kinds.MARKETO_NEW_LEAD and relevant:
        values = {name: value for name, value in relevant.items()}
        squashed = trigger.model_copy(
            update={
                "score_field": _squash(trigger.score_field) if trigger.score_field else None,
                "status_field": _squash(trigger.status_field) if trigger.status_field else None,
            }
        )
        return Signal(lead_id, kind) if is_mql(values, squashed) else None
    return None
