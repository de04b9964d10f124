"""Per-record outcomes of Marketo batch writes (reference/marketo.md §2, §3, §5, §6). Pure.

Batch endpoints answer HTTP 200 with one ``result`` entry per input record, in input order (some add a
``seq``): ``created``/``updated``/``deleted``… or ``skipped`` with ``reasons[{code, message}]``. A skip is
a failure of that record and is surfaced as a classified error on its outcome, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.errors import PermanentError, SyncError
from sync.marketo.envelope import Envelope
from sync.marketo.errors import SYSTEM, error_for_code
from sync.marketo.metrics import SKIPPED


@dataclass(frozen=True)
class SkipReason:
    code: str
    message: str


@dataclass(frozen=True)
class RecordOutcome:
    """What happened to the record at ``index`` of the caller's input.

    ``status`` is Marketo's (``created``, ``updated``, ``deleted``, ``skipped``…), or ``call_failed`` (the
    call carrying this record failed: see ``error``) or ``not_sent`` (an earlier call failed, so this
    record was not attempted; ``error`` is that failure). ``error`` is None exactly when it worked.
    """

    index: int
    status: str
    id: int | None = None
    reasons: tuple[SkipReason, ...] = ()
    error: SyncError | None = None
    request_id: str | None = None
    entry: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def failed_records(offset: int, size: int, error: SyncError, *, sent: bool) -> list[RecordOutcome]:
    status = "call_failed" if sent else "not_sent"
    return [RecordOutcome(offset + i, status, error=error, request_id=error.request_id) for i in range(size)]


def _reasons(entry: Mapping[str, Any]) -> tuple[SkipReason, ...]:
    raw = entry.get("reasons")
    if not isinstance(raw, list):
        return ()
    return tuple(
        SkipReason(code=str(r.get("code")), message=str(r.get("message") or ""))
        for r in raw
        if isinstance(r, Mapping) and r.get("code") is not None
    )


def _outcome(
    index: int, entry: Mapping[str, Any], envelope: Envelope, endpoint: str, now: datetime
) -> RecordOutcome:
    status = str(entry.get("status") or "")
    raw_id = entry.get("id")
    record_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    reasons = _reasons(entry)
    error: SyncError | None = None
    context = f"{endpoint} record {index}"
    if status == "skipped" or not status:
        if reasons:
            for reason in reasons:
                SKIPPED.labels(endpoint, reason.code).inc()
            message = "; ".join(f"{r.code} {r.message}" for r in reasons)
            error = error_for_code(
                reasons[0].code,
                message.removeprefix(f"{reasons[0].code} "),
                request_id=envelope.request_id,
                now=now,
                context=context,
                record=True,
            )
        else:
            SKIPPED.labels(endpoint, "none").inc()
            error = PermanentError(
                f"Marketo {context}: {'skipped' if status else 'no status'} without a reason",
                code="SKIPPED",
                request_id=envelope.request_id,
                system=SYSTEM,
            )
    return RecordOutcome(
        index, status or "skipped", record_id, reasons, error, envelope.request_id, dict(entry)
    )


def parse_record_results(
    envelope: Envelope, *, offset: int, expected: int, endpoint: str, now: datetime
) -> list[RecordOutcome]:
    """One outcome per input record of a chunk starting at ``offset`` in the caller's input."""
    entries = envelope.result
    if len(entries) != expected or not all(isinstance(e, Mapping) for e in entries):
        error = PermanentError(
            f"Marketo {endpoint}: expected {expected} record results, got {len(entries)}",
            code="MALFORMED_ENVELOPE",
            request_id=envelope.request_id,
            system=SYSTEM,
        )
        return failed_records(offset, expected, error, sent=True)
    seqs = [e["seq"] for e in entries if isinstance(e.get("seq"), int)]
    # ``seq`` (when present) is the position in the input; otherwise the result keeps input order (§3).
    positions = seqs if sorted(seqs) == list(range(expected)) else list(range(expected))
    outcomes = [
        _outcome(offset + p, e, envelope, endpoint, now) for p, e in zip(positions, entries, strict=True)
    ]
    return sorted(outcomes, key=lambda o: o.index)
