"""A Salesforce Task on the Lead (or Contact), owned by the recipient — usually the SDR's manager.

The subject starts with the configured Handoff prefix and the Task is created by the integration user, so
the first-touch matcher never mistakes it for a touch (sla.touch); the created id is also recorded with
the notification. Task fields per reference/salesforce.md §7 (WhoId, OwnerId, Subject, Status, Priority,
ActivityDate, TaskSubtype — the last settable on create only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sla.config_channels import SalesforceTaskChannelConfig
from sla.notify.base import local_due, render_template
from sla.notify.notice import Notice, PersonRef
from sla.ports import SalesforceActions
from sync.errors import AuthError

# Task.Subject is a 255-character field; Description 32,000.
_SUBJECT_MAX = 255
_DESCRIPTION_MAX = 32_000


class SalesforceTaskChannel:
    kind = "salesforce_task"
    target = "salesforce"
    operation = "sla.salesforce.task.create"

    def __init__(
        self,
        name: str,
        config: SalesforceTaskChannelConfig,
        actions: SalesforceActions | None,
        subject_prefix: str,
    ) -> None:
        self.name = name
        self.config = config
        self.rate_limit = config.rate_limit
        self.digest = config.digest
        self._actions = actions
        self._prefix = subject_prefix

    def address(self, recipient: PersonRef, notice: Notice) -> str | None:
        # A Task needs a person to hang on (WhoId) and a user to own it; queues cannot own Tasks.
        if not notice.record_id or not recipient.id.startswith("005"):
            return None
        return recipient.id

    def _fields(
        self, who_id: str | None, owner_id: str, subject: str, description: str, notice: Notice
    ) -> dict:
        activity_date = notice.decided_at.astimezone(ZoneInfo(notice.time_zone)).date()
        return {
            "WhoId": who_id,
            "OwnerId": owner_id,
            "Subject": f"{self._prefix} {subject}"[:_SUBJECT_MAX],
            "Description": description[:_DESCRIPTION_MAX],
            "Status": self.config.status,
            "Priority": self.config.priority,
            "ActivityDate": activity_date.isoformat(),
            "TaskSubtype": "Task",
        }

    def render(self, notice: Notice) -> dict[str, Any]:
        description = render_template("notice.txt.j2", notice=notice, due_local=local_due(notice))
        fields = self._fields(notice.record_id, notice.recipient.id, notice.headline, description, notice)
        return {"channel": self.name, "fields": fields}

    def render_digest(self, recipient: PersonRef, notices: Sequence[Notice]) -> dict[str, Any]:
        description = render_template("digest.txt.j2", notices=list(notices), recipient=recipient)
        first = notices[0]
        subject = f"{len(notices)} SLA updates"
        return {
            "channel": self.name,
            "fields": self._fields(first.record_id, recipient.id, subject, description, first),
        }

    async def send(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        if self._actions is None:
            raise AuthError("no Salesforce client is configured for Task notifications", system="salesforce")
        task_id = await self._actions.create_task(payload["fields"])
        return {"id": task_id}
