"""Slack incoming webhook: a Block Kit message with the lead, time left, owner and buttons to both systems.

Wire facts (Slack changelog 2016-05-17 "Improving error conditions for Incoming Webhooks"): success is
HTTP 200 with body ``ok``; 400 ``invalid_payload``/``user_not_found``, 403 ``action_prohibited``, 404
``channel_not_found`` (or ``no_service`` for a revoked webhook), 410 ``channel_is_archived``, 500
``rollup_error``; 429 when posting faster than about one message a second, with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from sla.config_channels import SlackChannelConfig
from sla.notify.notice import Notice, PersonRef
from sync.errors import AuthError, PermanentError, RetryableError

# Block Kit limits: header text 150 characters, section field text 2000, button text 75, ten fields.
_HEADER_MAX = 150
_BUTTON_MAX = 75


def _escape(text: str) -> str:
    """mrkdwn control characters (Slack "Formatting text": escape &, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SlackChannel:
    kind = "slack"
    target = "slack"
    operation = "sla.slack.post"

    def __init__(self, name: str, config: SlackChannelConfig, webhook_url: str | None) -> None:
        self.name = name
        self.config = config
        self.rate_limit = config.rate_limit
        self.digest = config.digest
        self._webhook_url = webhook_url

    def __repr__(self) -> str:  # the webhook URL is a secret: never in a repr, a log or an error
        return f"SlackChannel({self.name!r})"

    def address(self, recipient: PersonRef, notice: Notice) -> str | None:
        return recipient.slack_user_id or recipient.id

    def _who(self, person: PersonRef | None) -> str:
        if person is None:
            return "-"
        if self.config.mention_users and person.slack_user_id:
            return f"<@{person.slack_user_id}>"
        return _escape(person.name)

    def _buttons(self, notice: Notice) -> list[dict[str, Any]]:
        buttons = []
        if notice.salesforce_url:
            buttons.append(("Open in Salesforce", notice.salesforce_url, "open_salesforce"))
        if notice.lead_page_url:
            buttons.append(("Open in Handoff", notice.lead_page_url, "open_handoff"))
        return [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": _clip(label, _BUTTON_MAX)},
                "url": url,
                "action_id": f"{action}_{notice.handoff_id}",
            }
            for label, url, action in buttons
        ]

    def render(self, notice: Notice) -> dict[str, Any]:
        fields = [
            ("Lead", _escape(notice.lead_label)),
            ("Company", _escape(notice.company or "-")),
            ("Segment", _escape(notice.segment or "-")),
            ("Owner", self._who(notice.owner)),
            ("Overdue" if notice.seconds_left < 0 else "Time left", notice.time_left),
        ]
        if notice.new_owner is not None:
            fields.append(("New owner", self._who(notice.new_owner)))
        if notice.previous_owner is not None:
            fields.append(("Previous owner", self._who(notice.previous_owner)))
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(notice.headline, _HEADER_MAX)}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"{self._who(notice.recipient)}: {notice.time_left}"},
                "fields": [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in fields[:10]],
            },
        ]
        buttons = self._buttons(notice)
        if buttons:
            blocks.append({"type": "actions", "elements": buttons})
        return {"channel": self.name, "message": {"text": notice.headline, "blocks": blocks}}

    def render_digest(self, recipient: PersonRef, notices: Sequence[Notice]) -> dict[str, Any]:
        lines = []
        for notice in notices:
            link = f" <{notice.salesforce_url}|Salesforce>" if notice.salesforce_url else ""
            lines.append(f"• {_escape(notice.headline)}: {notice.time_left}{link}")
        title = f"{len(notices)} SLA updates for {recipient.name}"
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(title, _HEADER_MAX)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip("\n".join(lines), 3000)}},
        ]
        return {"channel": self.name, "message": {"text": title, "blocks": blocks}}

    async def send(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        if not self._webhook_url:
            raise AuthError("HANDOFF_SLACK_WEBHOOK_URL is not set", system="slack")
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout_seconds) as client:
                response = await client.post(self._webhook_url, json=payload["message"])
        except httpx.TimeoutException as exc:
            raise RetryableError(f"Slack webhook timed out: {type(exc).__name__}", system="slack") from None
        except httpx.TransportError as exc:
            raise RetryableError(f"Slack webhook unreachable: {type(exc).__name__}", system="slack") from None
        body = response.text.strip()[:200]
        status = response.status_code
        if status == 200:
            return {"status": status, "body": body}
        if status == 429:
            retry_after = response.headers.get("Retry-After")
            raise RetryableError(
                "Slack rate limit",
                code="429",
                retry_after_seconds=float(retry_after) if retry_after and retry_after.isdigit() else None,
                system="slack",
            )
        if status >= 500:
            raise RetryableError(f"Slack webhook failed: {body or status}", code=str(status), system="slack")
        if status == 403 or (status == 404 and body == "no_service"):
            raise AuthError(f"Slack webhook refused: {body or status}", code=str(status), system="slack")
        raise PermanentError(
            f"Slack webhook rejected the message: {body or status}", code=str(status), system="slack"
        )
