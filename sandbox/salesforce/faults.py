"""Fault injection: make a share of API requests fail the way Salesforce fails, or slow them down.

Reference §2 and the emulator checklist: transient ``503`` and ``UNABLE_TO_LOCK_ROW`` (clients retry with
jitter), added latency; sessions expiring (401) and a spent allocation (403) are driven through the
session store and the usage counter. Rates use a seeded RNG so a test run is repeatable; ``fail_next``
scripts exact failures for the next requests.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from sandbox.salesforce.errors import ApiError


class FaultKind(StrEnum):
    UNAVAILABLE = "unavailable"
    LOCK_ROW = "lock_row"
    INVALID_SESSION = "invalid_session"
    LIMIT_EXCEEDED = "limit_exceeded"


@dataclass
class FaultSettings:
    unavailable_rate: float = 0.0
    lock_row_rate: float = 0.0
    latency_ms: int = 0
    seed: int = 0
    fail_next: list[FaultKind] = field(default_factory=list)

    def validate(self) -> None:
        for name in ("unavailable_rate", "lock_row_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError("latency_ms cannot be negative")


def fault_error(kind: FaultKind, record_hint: str | None = None) -> ApiError:
    if kind is FaultKind.UNAVAILABLE:
        return ApiError(
            503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later."
        )
    if kind is FaultKind.LOCK_ROW:
        target = record_hint or "1 records"
        return ApiError(
            400,
            "UNABLE_TO_LOCK_ROW",
            f"unable to obtain exclusive access to this record or 1 records: {target}",
            [],
        )
    if kind is FaultKind.INVALID_SESSION:
        return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
    return ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        settings.validate()
        with self._lock:
            self.settings = settings
            self._random = random.Random(settings.seed)
            self._script: deque[FaultKind] = deque(FaultKind(kind) for kind in settings.fail_next)

    def snapshot(self) -> dict:
        with self._lock:
            data = asdict(self.settings)
            data["fail_next"] = [str(kind) for kind in self._script]
            return data

    @property
    def latency_seconds(self) -> float:
        return self.settings.latency_ms / 1000

    def pick(self, *, is_write: bool) -> FaultKind | None:
        """The fault this request suffers, if any: a scripted one first, then the random shares.

        ``UNABLE_TO_LOCK_ROW`` only happens to writes, as in a real org; a scripted lock-row fault waits
        for the next write.
        """
        with self._lock:
            if self._script and (is_write or self._script[0] is not FaultKind.LOCK_ROW):
                return self._script.popleft()
            roll = self._random.random()
            if roll < self.settings.unavailable_rate:
                return FaultKind.UNAVAILABLE
            if is_write and roll < self.settings.unavailable_rate + self.settings.lock_row_rate:
                return FaultKind.LOCK_ROW
            return None
