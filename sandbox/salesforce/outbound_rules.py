"""Outbound Message definitions and when a record change fires one (pure).

Reference §8: an Outbound Message is the action of a workflow rule (or Flow) on one object; it sends the
selected fields (Id always) to an endpoint URL. The rule's evaluation criteria decide which saves fire it:
on create only, on create and every edit, or on create and edits that make the record *newly* meet the
criteria (the Salesforce default). The action id is a ``04k`` id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sandbox.salesforce.assignment import Criterion, RecordPredicate


class Evaluation(StrEnum):
    CREATED = "created"
    CREATED_AND_EDITED = "created_and_edited"
    CREATED_AND_EDITED_TO_MEET = "created_and_edited_to_meet"


@dataclass
class OutboundMessageConfig:
    action_id: str
    name: str
    sobject: str
    endpoint_url: str
    fields: list[str] = field(default_factory=lambda: ["Id"])
    criteria: Sequence[Criterion] | RecordPredicate = ()
    evaluation: Evaluation = Evaluation.CREATED_AND_EDITED_TO_MEET
    active: bool = True
    send_session_id: bool = False
    user_id: str | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        if callable(self.criteria):
            return bool(self.criteria(record))
        return all(criterion.matches(record) for criterion in self.criteria)

    @property
    def serialisable(self) -> bool:
        return not callable(self.criteria)


def fires(config: OutboundMessageConfig, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> bool:
    """Whether saving ``after`` (``before`` is None on create) queues a notification for ``config``."""
    if not config.active or after.get("IsDeleted"):
        return False
    if not config.matches(after):
        return False
    if before is None:
        return True
    if config.evaluation is Evaluation.CREATED:
        return False
    if config.evaluation is Evaluation.CREATED_AND_EDITED:
        return True
    return not config.matches(before)
