"""The Outbound Message queue and its retry schedule (pure: times come in, decisions come out).

Reference §8: notifications are queued; one message carries up to 100 notifications of one action;
an unacknowledged message is retried at exponentially growing intervals capped at 2 hours, for up to
24 hours, then dropped; retries ignore order (so deliveries arrive out of order) and delivery is
at-least-once (sometimes duplicated). The exact schedule is unpublished: here the first retry waits
``first_retry`` and each next one doubles. ``time_scale`` shrinks every interval for tests and demos.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass
class OutboundPolicy:
    time_scale: float = 1.0
    first_retry: timedelta = timedelta(seconds=15)
    max_interval: timedelta = timedelta(hours=2)
    max_age: timedelta = timedelta(hours=24)
    attempt_timeout_seconds: float = 60.0
    batch_size: int = 100
    duplicate_probability: float = 0.0
    reorder_probability: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if not 1 <= self.batch_size <= 100:
            raise ValueError("a message carries 1 to 100 notifications (reference §8)")
        for name in ("duplicate_probability", "reorder_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    def retry_interval(self, failed_attempts: int) -> timedelta:
        """Wait after the ``failed_attempts``-th failure: first_retry · 2^(n-1), capped, then scaled."""
        exponent = min(failed_attempts - 1, 30)
        interval = min(self.first_retry * (2**exponent), self.max_interval)
        return interval * self.time_scale

    @property
    def scaled_max_age(self) -> timedelta:
        return self.max_age * self.time_scale


class MessageStatus(StrEnum):
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    DROPPED = "dropped"


@dataclass
class Notification:
    notification_id: str
    action_id: str
    sobject: str
    record_id: str
    queued_at: datetime


@dataclass
class OutboundMessage:
    message_id: int
    action_id: str
    notifications: list[Notification]
    first_queued_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    status: MessageStatus = MessageStatus.PENDING
    last_error: str | None = None
    duplicate_of: int | None = None
    delivered_at: datetime | None = None


@dataclass
class OutboundQueue:
    waiting: list[Notification] = field(default_factory=list)
    messages: list[OutboundMessage] = field(default_factory=list)
    next_message_id: int = 1

    def enqueue(self, notification: Notification) -> None:
        self.waiting.append(notification)

    def batch(self, now: datetime, policy: OutboundPolicy, rng: random.Random) -> None:
        """Group waiting notifications into messages of one action each, at most ``batch_size`` apiece."""
        by_action: dict[str, list[Notification]] = {}
        for notification in self.waiting:
            by_action.setdefault(notification.action_id, []).append(notification)
        self.waiting = []
        for action_id, notifications in by_action.items():
            for start in range(0, len(notifications), policy.batch_size):
                chunk = notifications[start : start + policy.batch_size]
                first_attempt = now
                if rng.random() < policy.reorder_probability:
                    # Held back for a while, so notifications queued later overtake it (reference §8).
                    first_attempt = now + policy.retry_interval(1) * rng.random()
                self._add(action_id, chunk, min(n.queued_at for n in chunk), first_attempt)

    def _add(
        self,
        action_id: str,
        chunk: list[Notification],
        first_queued: datetime,
        due: datetime,
        duplicate_of: int | None = None,
    ) -> OutboundMessage:
        message = OutboundMessage(
            self.next_message_id, action_id, list(chunk), first_queued, due, duplicate_of=duplicate_of
        )
        self.next_message_id += 1
        self.messages.append(message)
        return message

    def due(self, now: datetime) -> list[OutboundMessage]:
        return sorted(
            (m for m in self.messages if m.status is MessageStatus.PENDING and m.next_attempt_at <= now),
            key=lambda m: (m.next_attempt_at, m.message_id),
        )

    def acknowledged(
        self, message: OutboundMessage, now: datetime, policy: OutboundPolicy, rng: random.Random
    ) -> None:
        message.attempts += 1
        message.status = MessageStatus.ACKNOWLEDGED
        message.delivered_at = now
        message.last_error = None
        if message.duplicate_of is None and rng.random() < policy.duplicate_probability:
            # At-least-once: the same notification ids are delivered again later.
            due = now + policy.retry_interval(1) * (0.5 + rng.random())
            self._add(
                message.action_id,
                message.notifications,
                message.first_queued_at,
                due,
                duplicate_of=message.message_id,
            )

    def failed(self, message: OutboundMessage, now: datetime, policy: OutboundPolicy, error: str) -> None:
        message.attempts += 1
        message.last_error = error
        next_attempt = now + policy.retry_interval(message.attempts)
        if next_attempt - message.first_queued_at > policy.scaled_max_age:
            message.status = MessageStatus.DROPPED
        else:
            message.next_attempt_at = next_attempt

    def drop(self, message: OutboundMessage, reason: str) -> None:
        message.status = MessageStatus.DROPPED
        message.last_error = reason

    def prune(self, keep: int = 10_000) -> None:
        """Forget the oldest finished messages beyond ``keep`` so a long demo does not grow without bound."""
        finished = [m for m in self.messages if m.status is not MessageStatus.PENDING]
        if len(finished) > keep:
            stale = {id(m) for m in finished[: len(finished) - keep]}
            self.messages = [m for m in self.messages if id(m) not in stale]
