"""What the receivers need to authenticate callers, built once at start-up and put on ``app.state``.

The composition root builds it from handoff.yaml and the environment secrets
(``HookSettings.from_config``) and sets ``app.state.sync_hooks``; without it both receivers refuse
everything (fail closed), so a half-configured deployment never accepts unauthenticated input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sync.config import SalesforceConnection, SyncConfig

STATE_ATTRIBUTE = "sync_hooks"


@dataclass(frozen=True)
class HookSettings:
    organization_id: str | None = None
    outbound_username: str | None = None
    outbound_password: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_secret_header: str = "X-Handoff-Webhook-Secret"
    max_outbound_bytes: int = 1_000_000
    max_webhook_bytes: int = 16_384

    @classmethod
    def from_config(
        cls,
        salesforce: SalesforceConnection | None,
        sync: SyncConfig,
        secret: Callable[[str], str | None],
    ) -> HookSettings:
        """``secret`` is ``Settings.secret`` (names ``salesforce_outbound_password``, ``marketo_webhook_secret``)."""
        return cls(
            organization_id=salesforce.organization_id if salesforce else None,
            outbound_username=salesforce.outbound_username if salesforce else None,
            outbound_password=secret("salesforce_outbound_password"),
            webhook_secret=secret("marketo_webhook_secret"),
            webhook_secret_header=sync.hooks.webhook_secret_header,
            max_outbound_bytes=sync.hooks.max_outbound_message_bytes,
            max_webhook_bytes=sync.hooks.max_webhook_bytes,
        )

    def problems(self) -> list[str]:
        """Configuration mistakes to report at start-up (the receivers also refuse to run with them)."""
        found = []
        if self.outbound_username and not self.outbound_password:
            found.append(
                "salesforce.outbound_username is set but HANDOFF_SALESFORCE_OUTBOUND_PASSWORD is not: "
                "Outbound Messages would all be refused"
            )
        if self.outbound_password and not self.outbound_username:
            found.append(
                "HANDOFF_SALESFORCE_OUTBOUND_PASSWORD is set but salesforce.outbound_username is not"
            )
        return found
