"""Email over SMTP: plain text and HTML alternatives rendered from ``sla/templates``.

The Message-ID is derived from the outbox idempotency key, so a retry after a lost reply carries the same
id and mail systems that de-duplicate on it show the message once. SMTP replies map onto the outbox's
error classes: 4xx and dropped connections are retried, 5xx refusals are permanent, a failed login is
an auth error (RFC 5321 §4.2.1: 4yz transient, 5yz permanent).
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from sla.config_channels import EmailChannelConfig
from sla.notify.base import local_due, render_template
from sla.notify.notice import Notice, PersonRef
from sync.errors import AuthError, PermanentError, RetryableError


class EmailChannel:
    kind = "email"
    target = "email"
    operation = "sla.email.send"

    def __init__(
        self,
        name: str,
        config: EmailChannelConfig,
        password: str | None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.rate_limit = config.rate_limit
        self.digest = config.digest
        self._password = password
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        return f"EmailChannel({self.name!r}, host={self.config.host!r})"

    def address(self, recipient: PersonRef, notice: Notice) -> str | None:
        return recipient.email

    def render(self, notice: Notice) -> dict[str, Any]:
        context = {"notice": notice, "due_local": local_due(notice)}
        return {
            "channel": self.name,
            "to": notice.recipient.email,
            "subject": notice.headline,
            "text": render_template("notice.txt.j2", **context),
            "html": render_template("notice.html.j2", **context),
        }

    def render_digest(self, recipient: PersonRef, notices: Sequence[Notice]) -> dict[str, Any]:
        context = {"notices": list(notices), "recipient": recipient}
        return {
            "channel": self.name,
            "to": recipient.email,
            "subject": f"{len(notices)} SLA updates for {recipient.name}",
            "text": render_template("digest.txt.j2", **context),
            "html": render_template("digest.html.j2", **context),
        }

    def message(self, payload: dict[str, Any], idempotency_key: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.from_address
        message["To"] = payload["to"]
        message["Subject"] = payload["subject"]
        message["Date"] = formatdate(usegmt=True)
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        domain = self.config.from_address.rsplit("@", 1)[-1]
        message["Message-ID"] = f"<{digest}@{domain}>"
        if self.config.reply_to:
            message["Reply-To"] = self.config.reply_to
        message.set_content(payload["text"])
        message.add_alternative(payload["html"], subtype="html")
        return message

    async def send(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        if not payload.get("to"):
            raise PermanentError("the recipient has no email address", system="smtp")
        message = self.message(payload, idempotency_key)
        await asyncio.to_thread(self._deliver, message)
        return {"message_id": message["Message-ID"], "to": payload["to"]}

    def _deliver(self, message: EmailMessage) -> None:
        config = self.config
        context = self._ssl_context or ssl.create_default_context()
        try:
            if config.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout_seconds, context=context
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
            with smtp:
                if config.security == "starttls":
                    smtp.starttls(context=context)
                if config.username:
                    smtp.login(config.username, self._password or "")
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthError(
                f"SMTP login refused ({exc.smtp_code})", code=str(exc.smtp_code), system="smtp"
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            transient = all(400 <= code < 500 for code in codes)
            error = RetryableError if transient else PermanentError
            raise error(f"SMTP refused the recipient ({', '.join(map(str, codes))})", system="smtp") from None
        except smtplib.SMTPResponseException as exc:
            error = RetryableError if 400 <= exc.smtp_code < 500 else PermanentError
            raise error(f"SMTP error {exc.smtp_code}", code=str(exc.smtp_code), system="smtp") from None
        except smtplib.SMTPNotSupportedError:
            raise PermanentError("the SMTP server does not support STARTTLS or AUTH", system="smtp") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableError(f"SMTP server unreachable: {type(exc).__name__}", system="smtp") from None
