"""Metric definitions: percentiles, rates, period comparison, speed buckets, funnel stages, SLA outcomes.

Pure: plain values in, plain values out; no SQL, no clock reads. The queries in ``dashboard.queries``
compute the same definitions inside the database (for speed on a million handoffs) and the tests check
that both agree on the same data, so a number on a page always means what this module says it means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Percentiles use the nearest-rank definition: the value at rank ceil(p/100 * n). It is always one of the
# observed values (a rep can click "p90" and find the lead that sits there), and it needs no interpolation,
# so the database can compute it with integer arithmetic on a row number.
PERCENTILES = (50, 90)


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``count`` sorted values."""
    if not 0 < percent <= 100:
        raise ValueError(f"a percentile is in (0, 100], not {percent}")
    if count <= 0:
        raise ValueError("no values: a percentile needs at least one")
    return max(1, (percent * count + 99) // 100)


def percentile(sorted_values: Sequence[float], percent: int) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[nearest_rank(percent, len(sorted_values)) - 1]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` or None when there is nothing to divide (shown as a dash, never as 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Change:
    """A figure for the selected period next to the same figure for the period just before it."""

    current: float | None
    previous: float | None
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative(self) -> float | None:
        if self.delta is None or not self.previous:
            return None
        return self.delta / abs(self.previous)

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``same``: colour and wording come from this, never from the sign alone."""
        delta = self.delta
        if delta is None or math.isclose(delta, 0.0, abs_tol=1e-9):
            return "same"
        return "better" if (delta > 0) == self.higher_is_better else "worse"


@dataclass(frozen=True)
class Bucket:
    """A half-open range of seconds ``[low, high)``; ``high`` None means "and above"."""

    key: str
    label: str
    low: float
    high: float | None

    def holds(self, seconds: float) -> bool:
        return seconds >= self.low and (self.high is None or seconds < self.high)


def _buckets(edges: Sequence[tuple[float, str]], last_label: str) -> tuple[Bucket, ...]:
    result = []
    for index, (low, label) in enumerate(edges):
        high = edges[index + 1][0] if index + 1 < len(edges) else None
        key = f"{int(low)}-{int(high)}" if high is not None else f"{int(low)}-"
        result.append(Bucket(key, label if high is not None else last_label, low, high))
    return tuple(result)


MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0

# The histogram of speed-to-first-touch: fine where speed matters (the first hour), coarse after a day.
SPEED_BUCKETS = _buckets(
    [
        (0, "< 1 min"),
        (MINUTE, "1\u20135 min"),
        (5 * MINUTE, "5\u201315 min"),
        (15 * MINUTE, "15\u201330 min"),
        (30 * MINUTE, "30\u201360 min"),
        (HOUR, "1\u20132 h"),
        (2 * HOUR, "2\u20134 h"),
        (4 * HOUR, "4\u20138 h"),
        (8 * HOUR, "8\u201324 h"),
        (DAY, "1\u20132 days"),
        (2 * DAY, "2\u20137 days"),
        (7 * DAY, ""),
    ],
    "> 7 days",
)

# The response-time buckets of the speed-to-lead curve (conversion by how fast the first touch came).
RESPONSE_BUCKETS = _buckets(
    [(0, "< 5 min"), (5 * MINUTE, "5\u201360 min"), (HOUR, "1\u201324 h"), (DAY, "")],
    "> 24 h",
)
NEVER = "never"

# "Touched within" thresholds shown as shares of routed leads.
WITHIN_THRESHOLDS = ((5 * MINUTE, "within 5 min"), (HOUR, "within 1 h"), (DAY, "within 1 day"))


def bucket_for(seconds: float | None, buckets: Sequence[Bucket]) -> str:
    if seconds is None:
        return NEVER
    for bucket in buckets:
        if bucket.holds(max(0.0, seconds)):
            return bucket.key
    return buckets[-1].key


def cumulative_shares(counts: Sequence[int], total: int) -> list[float | None]:
    """The ECDF at each bucket's upper edge: the share of ``total`` touched at or before it."""
    running, result = 0, []
    for count in counts:
        running += count
        result.append(share(running, total))
    return result


def within_shares(
    bucket_counts: dict[str, int], never: int, buckets: Sequence[Bucket]
) -> list[tuple[str, float | None]]:
    """Shares of routed leads touched within 5 min / 1 h / 1 day, and never (from histogram counts)."""
    touched = sum(bucket_counts.values())
    routed = touched + never
    result = []
    for threshold, label in WITHIN_THRESHOLDS:
        inside = sum(
            count
            for key, count in bucket_counts.items()
            if (bucket := _by_key(buckets, key)).high is not None and bucket.high <= threshold
        )
        result.append((label, share(inside, routed)))
    result.append(("never touched", share(never, routed)))
    return result


def _by_key(buckets: Sequence[Bucket], key: str) -> Bucket:
    for bucket in buckets:
        if bucket.key == key:
            return bucket
    raise KeyError(f"unknown bucket {key!r}")


# ---- funnel stages (the Leakage page) -------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    leaked: bool
    explanation: str


# Mutually exclusive, in the order a handoff is tested against them (first match wins).
STAGES = (
    Stage("converted", "Converted (SQL)", False, "became a sales-qualified lead / opportunity"),
    Stage("recycled", "Recycled", True, "sent back to nurture without a conversion"),
    Stage(
        "rejected", "Rejected", False, "not for sales: duplicate, excluded or disqualified (with a reason)"
    ),
    Stage(
        "held_too_long",
        "Held too long",
        True,
        "never became route-ready or never routed within the hold limit",
    ),
    Stage("waiting", "Waiting to route", False, "still held or queued, within the hold limit"),
    Stage("untouched", "Routed, untouched", True, "routed, past its due time (or a day) and never touched"),
    Stage("awaiting_touch", "Awaiting first touch", False, "routed, not touched yet, still within its SLA"),
    Stage("late", "Touched after breach", False, "touched, but after the SLA was breached"),
    Stage("touched", "Touched in time", False, "touched within the SLA (or with no SLA)"),
)
STAGE_KEYS = tuple(stage.key for stage in STAGES)
LEAKED_STAGES = tuple(stage.key for stage in STAGES if stage.leaked)


@dataclass(frozen=True)
class StageLimits:
    """How long before waiting counts as leakage: the hold limit and, for leads with no due time, a day."""

    hold: timedelta = timedelta(hours=24)
    untouched_without_due: timedelta = timedelta(hours=24)


def stage_of(
    *,
    state: str,
    mql_at: datetime,
    routed_at: datetime | None,
    due_at: datetime | None,
    first_touch_at: datetime | None,
    breached: bool,
    converted_at: datetime | None,
    now: datetime,
    closed_at: datetime | None = None,
    limits: StageLimits = StageLimits(),
) -> str:
    """The funnel stage of one handoff at ``now`` (see ``STAGES``).

    A handoff closed before routing (routing's hold expiry) has leaked even inside the dashboard's own
    hold limit: the routing config's shorter limit already decided so.
    """
    if converted_at is not None:
        return "converted"
    if state == "recycled":
        return "recycled"
    if state == "rejected":
        return "rejected"
    if routed_at is None:
        expired = closed_at is not None or mql_at < now - limits.hold
        return "held_too_long" if expired else "waiting"
    if first_touch_at is None:
        deadline = due_at if due_at is not None else routed_at + limits.untouched_without_due
        return "untouched" if deadline <= now else "awaiting_touch"
    if breached or (due_at is not None and first_touch_at > due_at):
        return "late"
    return "touched"


# ---- SLA outcome --------------------------------------------------------------------------------

SLA_OUTCOMES = ("met", "missed", "pending", "no_sla")


def sla_outcome(
    *, due_at: datetime | None, first_touch_at: datetime | None, breached: bool, now: datetime
) -> str:
    """``met`` (touched by the due time), ``missed`` (breached, late, or overdue), ``pending`` or ``no_sla``.

    Compliance is ``met / (met + missed)``: leads still inside their SLA are not counted either way.
    """
    if due_at is None:
        return "no_sla"
    if breached or (first_touch_at is not None and first_touch_at > due_at):
        return "missed"
    if first_touch_at is not None:
        return "met"
    return "missed" if due_at <= now else "pending"


def format_seconds(seconds: float | None) -> str:
    """A duration as people say it: 45 s, 4 min 12 s, 3 h 05 min, 2 d 4 h."""
    if seconds is None:
        return "\u2013"
    seconds = max(0.0, seconds)
    if seconds < MINUTE:
        return f"{seconds:.0f} s"
    if seconds < HOUR:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"
    if seconds < DAY:
        hours, rest = divmod(round(seconds / 60), 60)
        return f"{hours} h {rest:02d} min"
    days, rest = divmod(round(seconds / 3600), 24)
    return f"{days} d {rest} h"


def format_share(value: float | None) -> str:
    return "\u2013" if value is None else f"{value * 100:.1f} %"
