"""How long to wait before the next attempt, by error class.

Exponential back-off with deterministic jitter (derived from the message key, so tests are repeatable
and a burst of failures does not retry in lock-step), a cap, and a maximum number of attempts after
which the message becomes a dead letter.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.errors import AuthError, QuotaError, RetryableError, SyncError


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 5.0
    max_delay_seconds: float = 3600.0
    max_attempts: int = 12
    auth_max_attempts: int = 3

    def delay(self, attempts: int, key: str) -> timedelta:
        raw = min(self.max_delay_seconds, self.base_seconds * (2 ** max(0, attempts - 1)))
        jitter = 0.75 + 0.25 * ((zlib.crc32(f"{key}:{attempts}".encode()) % 1000) / 1000)
        return timedelta(seconds=raw * jitter)


@dataclass(frozen=True)
class Verdict:
    """What to do with a failed message: retry at ``retry_at`` (counting the attempt or not), or dead-letter."""

    dead: bool
    retry_at: datetime | None
    count_attempt: bool
    error_class: str
    error: str


def judge(exc: BaseException, *, attempts: int, key: str, now: datetime, policy: RetryPolicy) -> Verdict:
    """Classify a failure; ``attempts`` is the number of attempts made including this one."""
    error = str(exc) or type(exc).__name__
    if isinstance(exc, QuotaError):
        # Quota is not the message's fault: wait for the reset without spending an attempt.
        resume = exc.resume_at or now + timedelta(hours=1)
        return Verdict(False, max(resume, now), False, "quota", error)
    if isinstance(exc, AuthError):
        if attempts >= policy.auth_max_attempts:
            return Verdict(True, None, True, "auth", error)
        return Verdict(False, now + policy.delay(attempts + 3, key), True, "auth", error)
    if isinstance(exc, RetryableError):
        if attempts >= policy.max_attempts:
            return Verdict(True, None, True, "retryable", f"gave up after {attempts} attempts: {error}")
        delay = policy.delay(attempts, key)
        if exc.retry_after_seconds is not None:
            delay = max(delay, timedelta(seconds=exc.retry_after_seconds))
        return Verdict(False, now + delay, True, "retryable", error)
    if isinstance(exc, SyncError):
        return Verdict(True, None, True, exc.error_class, error)
    # An unexpected exception is a bug or an unclassified failure: retry a few times, then dead-letter it
    # with its type so that an operator sees it, never loop forever.
    error = f"{type(exc).__name__}: {error}"
    if attempts >= min(policy.max_attempts, 5):
        return Verdict(True, None, True, "unexpected", error)
    return Verdict(False, now + policy.delay(attempts, key), True, "unexpected", error)
