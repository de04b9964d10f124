"""The interface every notification channel implements, and the templates they share.

A channel is a small plugin (Netflix Dispatch style): it knows how to reach a person (``address``), how to
turn a ``Notice`` into its payload (``render``, pure, so the payload can sit in the outbox without any
secret), and how to send that payload (``send``, the outbox handler, raising ``sync.errors`` classes so
that the outbox retries or dead-letters by class).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sla.config_channels import RateLimit
from sla.notify.notice import Notice, PersonRef

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_template(name: str, **context: Any) -> str:
    return _templates.get_template(name).render(**context)


def local_due(notice: Notice) -> str:
    """The due time as the recipient's calendar reads it, e.g. "Mon 2 Nov 2026 09:05"."""
    moment = notice.due_at.astimezone(ZoneInfo(notice.time_zone))
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


class Channel(Protocol):
    name: str
    kind: str
    target: str
    operation: str
    rate_limit: RateLimit | None
    digest: bool

    def address(self, recipient: PersonRef, notice: Notice) -> str | None:
        """How this channel reaches the recipient, or None when it cannot (no email, no record)."""
        ...

    def render(self, notice: Notice) -> dict[str, Any]:
        """The outbox payload for one notice; never contains a secret."""
        ...

    def render_digest(self, recipient: PersonRef, notices: Sequence[Notice]) -> dict[str, Any]:
        """One payload summing up several notices for one recipient."""
        ...

    async def send(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """Deliver a payload; raise RetryableError / AuthError / PermanentError on failure."""
        ...
