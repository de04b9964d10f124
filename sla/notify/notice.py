"""What a notification says, independent of the channel that carries it. Pure.

A ``Notice`` is built once when a ladder step decides to tell somebody something, stored as JSON with the
notification (so a digest can be rendered later from what was true at decision time), and rendered by each
channel into its own payload.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sla.ports import Person

HEADLINES = {
    "remind": "First touch due soon",
    "breach": "SLA breached",
    "notify": "Lead still untouched",
    "reassigned_from": "Lead reassigned away from you",
    "reassigned_to": "Lead reassigned to you",
    "recycle": "Lead recycled to nurture",
}


@dataclass(frozen=True)
class PersonRef:
    id: str
    name: str
    email: str | None = None
    slack_user_id: str | None = None

    @classmethod
    def of(cls, person: Person | None, user_id: str) -> PersonRef:
        if person is None:
            return cls(id=user_id, name=user_id)
        return cls(person.id, person.name, person.email, person.slack_user_id)


@dataclass(frozen=True)
class Notice:
    kind: str
    handoff_id: int
    lead_label: str
    company: str | None
    segment: str | None
    policy: str
    record_type: str | None
    record_id: str | None
    owner: PersonRef
    recipient: PersonRef
    recipient_role: str
    due_at: datetime
    decided_at: datetime
    seconds_left: float
    measure: str
    time_zone: str
    salesforce_url: str | None = None
    lead_page_url: str | None = None
    previous_owner: PersonRef | None = None
    new_owner: PersonRef | None = None
    reason: str | None = None

    @property
    def headline(self) -> str:
        title = HEADLINES.get(self.kind, "Lead update")
        company = f" ({self.company})" if self.company else ""
        return f"{title}: {self.lead_label}{company}"

    @property
    def time_left(self) -> str:
        """ "4 min left" or "12 min overdue", in the policy's measure (business time says so)."""
        suffix = " (business time)" if self.measure == "business" else ""
        if self.seconds_left >= 0:
            return f"{describe_seconds(self.seconds_left)} left{suffix}"
        return f"{describe_seconds(-self.seconds_left)} overdue{suffix}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due_at"] = self.due_at.isoformat()
        data["decided_at"] = self.decided_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        values = dict(data)
        for key in ("owner", "recipient", "previous_owner", "new_owner"):
            if values.get(key) is not None:
                values[key] = PersonRef(**values[key])
        values["due_at"] = datetime.fromisoformat(values["due_at"])
        values["decided_at"] = datetime.fromisoformat(values["decided_at"])
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


def describe_seconds(seconds: float) -> str:
    """A short human duration: "45 s", "12 min", "2 h 5 min", "3 d 4 h"."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def record_link(salesforce_url: str | None, record_type: str | None, record_id: str | None) -> str | None:
    """The Lightning record page, ``{My Domain}/lightning/r/{object}/{id}/view``."""
    if not (salesforce_url and record_type and record_id):
        return None
    return f"{salesforce_url.rstrip('/')}/lightning/r/{record_type}/{record_id}/view"


def lead_page_link(template: str | None, handoff_id: int) -> str | None:
    return template.replace("{handoff_id}", str(handoff_id)) if template else None
