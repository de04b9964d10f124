"""Smart-campaign triggers and flow steps: plain values, and pure predicates over one activity.

A trigger campaign listens to activities as they are logged (reference/marketo-webhooks.md: e.g.
"Score is Changed" with "new score >= 75", or "Fills Out Form" with a form name). ``ScoreChanged`` has
Marketo's own semantics (fires on every change that leaves the score at or above the bar; a campaign's
"run once" qualification rule makes it effectively fire once); ``ScoreCrosses`` fires only on the change
that crosses the threshold. ``CampaignRequested`` never fires from the log: it marks a campaign as one
``campaigns/{id}/trigger.json`` may request (§5 "Campaign is Requested", source Web Service API).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.marketo import activity_types as types
from sandbox.marketo.activities import Activity


class Trigger(Protocol):
    def fires(self, activity: Activity) -> bool: ...


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ScoreChanged:
    """Score is Changed, optionally constrained to "new score >= min_new_score"."""

    min_new_score: int | None = None

    def fires(self, activity: Activity) -> bool:
        if activity.activity_type_id != types.CHANGE_SCORE:
            return False
        new = _number(activity.attribute("New Value"))
        return self.min_new_score is None or (new is not None and new >= self.min_new_score)


@dataclass(frozen=True)
class ScoreCrosses:
    """The score went from below ``threshold`` to at least ``threshold`` in one change."""

    threshold: int

    def fires(self, activity: Activity) -> bool:
        if activity.activity_type_id != types.CHANGE_SCORE:
            return False
        old = _number(activity.attribute("Old Value")) or 0
        new = _number(activity.attribute("New Value"))
        return new is not None and old < self.threshold <= new


@dataclass(frozen=True)
class FormFilled:
    """Fills Out Form, optionally for one form (matched by name, case-insensitively)."""

    form_name: str | None = None

    def fires(self, activity: Activity) -> bool:
        if activity.activity_type_id != types.FILL_OUT_FORM:
            return False
        value = (activity.primary_attribute_value or "").lower()
        return self.form_name is None or value == self.form_name.lower()


_ANY = object()


@dataclass(frozen=True)
class DataValueChanged:
    """Data Value Changes on ``field`` (a REST name), optionally to one new value."""

    field: str
    new_value: Any = _ANY

    def fires(self, activity: Activity) -> bool:
        if activity.activity_type_id != types.CHANGE_DATA_VALUE:
            return False
        return any(
            change.name == self.field and (self.new_value is _ANY or change.new_value == self.new_value)
            for change in activity.field_changes
        )


@dataclass(frozen=True)
class LeadCreated:
    def fires(self, activity: Activity) -> bool:
        return activity.activity_type_id == types.NEW_LEAD


@dataclass(frozen=True)
class ActivityOccurs:
    """Any activity of one type, optionally with one primary attribute value (e.g. an email name)."""

    activity_type_id: int
    primary_attribute_value: str | None = None

    def fires(self, activity: Activity) -> bool:
        if activity.activity_type_id != self.activity_type_id:
            return False
        wanted = self.primary_attribute_value
        return wanted is None or (activity.primary_attribute_value or "").lower() == wanted.lower()


@dataclass(frozen=True)
class CampaignRequested:
    def fires(self, activity: Activity) -> bool:
        return False


# -- flow steps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallWebhook:
    webhook_id: int


@dataclass(frozen=True)
class ChangeDataValue:
    field: str
    value: Any


@dataclass(frozen=True)
class ChangeScore:
    delta: int


@dataclass(frozen=True)
class ChangeProgramStatus:
    program_id: int
    status: str


@dataclass(frozen=True)
class FlowContext:
    """What a ``RunCallback`` step receives: the campaign, the person and the tokens of this run."""

    campaign_id: int
    campaign_name: str
    lead_id: int
    tokens: Mapping[str, Any]
    trigger: Activity | None


@dataclass(frozen=True)
class RunCallback:
    """A step implemented in Python (e.g. the world's "Sync Person to SFDC"); runs under the state lock."""

    name: str
    callback: Callable[[FlowContext], None]


FlowStep = CallWebhook | ChangeDataValue | ChangeScore | ChangeProgramStatus | RunCallback
