"""Build the configured channels with their secrets, refusing a missing or broken secret with its path.

Called by the composition root with values from ``handoff.settings`` (``settings.secret("slack_webhook_url")``,
``settings.secret("smtp_password")``) and an adapter of the Salesforce client. Error messages name the
environment variable, never its value.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from sla.config import SlaConfig
from sla.config_channels import EmailChannelConfig, SalesforceTaskChannelConfig, SlackChannelConfig
from sla.notify.base import Channel
from sla.notify.email import EmailChannel
from sla.notify.salesforce_task import SalesforceTaskChannel
from sla.notify.slack import SlackChannel
from sla.policy import SlaConfigError
from sla.ports import SalesforceActions


def _webhook_problem(url: str | None) -> str | None:
    if not url:
        return "HANDOFF_SLACK_WEBHOOK_URL (or HANDOFF_SLACK_WEBHOOK_URL_FILE) is not set"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host or " " in url:
        return "HANDOFF_SLACK_WEBHOOK_URL is not an http(s) URL"
    return None


def build_channels(
    config: SlaConfig,
    *,
    slack_webhook_url: str | None = None,
    smtp_password: str | None = None,
    salesforce: SalesforceActions | None = None,
    smtp_ssl_context: ssl.SSLContext | None = None,
) -> dict[str, Channel]:
    """One channel object per ``sla.channels`` entry; raises ``SlaConfigError`` listing every problem."""
    channels: dict[str, Channel] = {}
    problems: list[tuple[str, str]] = []
    for name, channel in config.channels.items():
        path = f"sla.channels.{name}"
        if isinstance(channel, SlackChannelConfig):
            problem = _webhook_problem(slack_webhook_url)
            if problem:
                problems.append((f"{path}.webhook_url_secret", problem))
            channels[name] = SlackChannel(name, channel, slack_webhook_url)
        elif isinstance(channel, EmailChannelConfig):
            if channel.username and not smtp_password:
                problems.append(
                    (f"{path}.password_secret", "a username is set but HANDOFF_SMTP_PASSWORD is not")
                )
            channels[name] = EmailChannel(name, channel, smtp_password, smtp_ssl_context)
        elif isinstance(channel, SalesforceTaskChannelConfig):
            if salesforce is None:
                problems.append((path, "a Salesforce connection is needed to create Tasks"))
            channels[name] = SalesforceTaskChannel(
                name, channel, salesforce, config.touch.handoff_subject_prefix
            )
    if problems:
        raise SlaConfigError(problems)
    return channels
