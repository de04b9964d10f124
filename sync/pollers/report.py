"""What one poller run did, for logs, metrics and tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PollReport:
    poller: str
    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    unusable: int = 0
    caught_up: bool = False
