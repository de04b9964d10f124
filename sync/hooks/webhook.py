"""The Marketo Call Webhook request: authenticate, parse the hint. Pure.

Reference: marketo-webhooks.md. The payload is whatever template the admin typed, so Handoff documents
one: ``{"leadId": {{lead.Id}}, "at": {{system.dateTime}}, "campaignId": {{campaign.id}}}`` as JSON
(or the same keys form-encoded); Marketo quotes string tokens itself, so ``{{system.dateTime}}`` is not
quoted in the template. Only ``leadId`` is required; the webhook is a hint and the person is
fetched by id through the REST API before anything is decided. The shared secret travels in a custom
header and is compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

MAX_TOKEN_LENGTH = 64


class WebhookRejected(Exception):
    """The request is not a usable hint; ``status`` is the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class MqlHint:
    lead_id: int
    called_at: str | None
    campaign_id: int | None


def secret_matches(presented: str | None, expected: str) -> bool:
    """Constant-time compare, so the time to refuse a guess says nothing about the secret."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def _positive_int(value: Any, name: str, required: bool) -> int | None:
    if isinstance(value, list):  # form-encoded values arrive as lists
        value = value[0] if value else None
    if value is None or value == "":
        if required:
            raise WebhookRejected(f"{name} is missing")
        return None
    if isinstance(value, bool):
        raise WebhookRejected(f"{name} must be a positive integer")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise WebhookRejected(f"{name} must be a positive integer, not {str(value)[:40]!r}") from None
    if number <= 0 or number > 2**53:
        raise WebhookRejected(f"{name} must be a positive integer")
    return number


def parse_hint(body: bytes, content_type: str) -> MqlHint:
    """Read ``leadId`` (required), ``at`` and ``campaignId`` from a JSON or form-encoded body."""
    media = content_type.split(";", 1)[0].strip().lower()
    data: Any
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected("the body is not UTF-8") from None
    if media == "application/x-www-form-urlencoded":
        data = parse_qs(text, keep_blank_values=True)
    else:
        try:
            data = json.loads(text)
        except ValueError:
            raise WebhookRejected("the body is not JSON (send the documented payload template)") from None
    if not isinstance(data, dict):
        raise WebhookRejected("the body must be a JSON object")
    lead_id = _positive_int(data.get("leadId"), "leadId", required=True)
    assert lead_id is not None
    campaign_id = _positive_int(data.get("campaignId"), "campaignId", required=False)
    called_at = data.get("at")
    if isinstance(called_at, list):
        called_at = called_at[0] if called_at else None
    if called_at is not None:
        called_at = str(called_at).strip()[:MAX_TOKEN_LENGTH] or None
    return MqlHint(lead_id, called_at, campaign_id)
