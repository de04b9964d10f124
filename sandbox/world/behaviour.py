"""The knobs of the behaviour model (rates and switches), separate from the seeded world's size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    """How the world lives after its anchor.

    ``arrivals_per_day``: new people on an average weekday (weekends are quieter).
    ``wakeups_per_day``: known people who come back (a re-engagement email click, a return visit).
    ``native_sync``: when True the world itself creates the Salesforce Lead of a new MQL with the
    active assignment rule, as Marketo's native CRM sync would; leave it False when Handoff routes.
    ``unclaimed_share``: leads that sit in a team queue and nobody ever takes.
    """

    arrivals_per_day: float = 80.0
    wakeups_per_day: float = 40.0
    native_sync: bool = False
    unclaimed_share: float = 0.1

    def __post_init__(self) -> None:
        if self.arrivals_per_day < 0 or self.wakeups_per_day < 0:
            raise ValueError("rates cannot be negative")
        if not 0 <= self.unclaimed_share <= 1:
            raise ValueError("unclaimed_share is a share (0..1)")
