"""The four error classes every client turns wire errors into (STYLE.md "Errors are values at the edges").

Domain code and the outbox decide what to do from the class alone: retry with back-off, re-authenticate,
wait for the quota to come back, or stop and dead-letter. Each error keeps the request id and the
external code so that an operator can find it in the other system's logs.
"""

from __future__ import annotations

from datetime import datetime


class SyncError(Exception):
    """Base class: a call to Salesforce, Marketo or a notification channel did not succeed."""

    error_class = "permanent"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        system: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.system = system

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code={self.code}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts) if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"


class RetryableError(SyncError):
    """Transient: timeouts, 503, UNABLE_TO_LOCK_ROW, Marketo 604/606/608/611/615/713. Retry with back-off."""

    error_class = "retryable"

    def __init__(self, message: str, *, retry_after_seconds: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after_seconds = retry_after_seconds


class AuthError(SyncError):
    """Credentials or permissions are wrong; retrying will not help until somebody fixes the configuration."""

    error_class = "auth"


class QuotaError(SyncError):
    """A daily allocation is spent (Marketo 607, Salesforce REQUEST_LIMIT_EXCEEDED): wait until ``resume_at``."""

    error_class = "quota"

    def __init__(self, message: str, *, resume_at: datetime | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.resume_at = resume_at


class PermanentError(SyncError):
    """The request itself is wrong (validation, unknown field, not found): dead-letter it, do not retry."""

    error_class = "permanent"
