"""Config shapes for notifications: channels (Slack, email, Salesforce Task), rate limits, digests and links.

Secrets never appear here: a channel names the setting that holds its secret (``slack_webhook_url`` is
``HANDOFF_SLACK_WEBHOOK_URL`` or ``HANDOFF_SLACK_WEBHOOK_URL_FILE``; ``smtp_password`` likewise) and the
composition root passes the value in when it builds the channel (``sla.notify.build_channels``), where a
broken webhook URL is refused with the channel's path.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from sla.config_calendars import DurationText, invalid

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_IPV4 = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def _hostname(value: str) -> str:
    if not (_HOSTNAME.match(value) or _IPV4.match(value)):
        raise invalid(f'"{value}" is not a host name or IPv4 address')
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise invalid(f'"{value}" is not an email address')
    return value


def _lead_page(value: str) -> str:
    if "{handoff_id}" not in value:
        raise invalid('the lead page address must contain "{handoff_id}"')
    try:
        HttpUrl(value.replace("{handoff_id}", "1"))
    except ValueError:
        raise invalid(f'"{value}" is not an http(s) URL') from None
    return value


Hostname = Annotated[str, AfterValidator(_hostname)]
EmailAddress = Annotated[str, AfterValidator(_email)]
LeadPageUrl = Annotated[str, AfterValidator(_lead_page)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateLimit(_Strict):
    """At most ``max`` messages to one recipient on one channel within ``per``."""

    max: int = Field(ge=1)
    per: DurationText


class _ChannelBase(_Strict):
    rate_limit: RateLimit | None = None
    digest: bool = Field(
        default=False,
        description="Over the rate limit, hold messages and send one digest when the window allows; "
        "otherwise they are suppressed (and recorded as such).",
    )


class SlackChannelConfig(_ChannelBase):
    """A Slack incoming webhook; Block Kit message with buttons to Salesforce and to Handoff."""

    type: Literal["slack"]
    webhook_url_secret: Literal["slack_webhook_url"] = Field(
        default="slack_webhook_url",
        description="The setting holding the webhook URL (HANDOFF_SLACK_WEBHOOK_URL).",
    )
    mention_users: bool = Field(
        default=True, description="Mention the recipient by Slack user id when known."
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class EmailChannelConfig(_ChannelBase):
    """SMTP with plain and HTML bodies rendered from ``sla/templates``."""

    type: Literal["email"]
    host: Hostname
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_secret: Literal["smtp_password"] | None = Field(
        default=None, description="The setting holding the SMTP password (HANDOFF_SMTP_PASSWORD)."
    )
    from_address: EmailAddress
    reply_to: EmailAddress | None = None
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)


class SalesforceTaskChannelConfig(_ChannelBase):
    """A Task on the Lead, owned by the recipient (typically the manager), due today."""

    type: Literal["salesforce_task"]
    priority: str = Field(default="High", min_length=1, max_length=40)
    status: str = Field(default="Not Started", min_length=1, max_length=40)


ChannelConfig = Annotated[
    SlackChannelConfig | EmailChannelConfig | SalesforceTaskChannelConfig, Field(discriminator="type")
]


class LinksConfig(_Strict):
    """Where the buttons and links in a notification point."""

    salesforce_url: HttpUrl | None = Field(
        default=None,
        description="The org's My Domain URL, for links to the Lead (…/lightning/r/Lead/{id}/view).",
    )
    lead_page: LeadPageUrl | None = Field(
        default=None,
        description='Handoff\'s lead page, e.g. "https://handoff.acme.example/leads/{handoff_id}".',
    )
