"""What the gate knows about a person beyond their Marketo fields: the Salesforce context.

Plain frozen values, gathered by ``routing.lookup`` (I/O) and stored as JSON in
``PersonSnapshot.context`` so that a replay sees exactly what the live gate saw. Candidates are kept
broad on purpose: existing records found by the loosest email key, account names scoring at least
``NAME_MATCH_FLOOR``; the gate narrows them with the config in force, so a replay under different
dedupe or matching options stays faithful.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

RecordType = Literal["Lead", "Contact"]
MatchedBy = Literal["id", "email"]
AccountMethod = Literal["domain", "name"]


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """A Salesforce Lead or Contact that may be this person."""

    sobject: RecordType
    id: str
    email: str | None = None
    owner_id: str | None = None
    account_id: str | None = None
    is_converted: bool = False
    matched_by: MatchedBy = "email"


@dataclass(frozen=True, slots=True)
class AccountCandidate:
    """An Account this person may belong to, and how sure we are (0 to 100)."""

    id: str
    name: str
    owner_id: str | None
    method: AccountMethod
    score: float
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class MarketoDuplicate:
    """Another Marketo person whose address may be the same mailbox."""

    marketo_id: int
    email: str | None
    has_open_handoff: bool


@dataclass(frozen=True, slots=True)
class SalesforceContext:
    records: tuple[ExistingRecord, ...] = ()
    accounts: tuple[AccountCandidate, ...] = ()
    marketo_duplicates: tuple[MarketoDuplicate, ...] = ()
    last_routed_at: datetime | None = None
    held_since: datetime | None = None
    complete: bool = True
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "records": [
                {
                    "sobject": r.sobject,
                    "id": r.id,
                    "email": r.email,
                    "owner_id": r.owner_id,
                    "account_id": r.account_id,
                    "is_converted": r.is_converted,
                    "matched_by": r.matched_by,
                }
                for r in self.records
            ],
            "accounts": [
                {
                    "id": a.id,
                    "name": a.name,
                    "owner_id": a.owner_id,
                    "method": a.method,
                    "score": a.score,
                    "domain": a.domain,
                }
                for a in self.accounts
            ],
            "marketo_duplicates": [
                {"marketo_id": d.marketo_id, "email": d.email, "has_open_handoff": d.has_open_handoff}
                for d in self.marketo_duplicates
            ],
            "last_routed_at": _iso(self.last_routed_at),
            "held_since": _iso(self.held_since),
            "complete": self.complete,
            "problems": list(self.problems),
        }

    @classmethod
    def from_json(cls, data: Any) -> SalesforceContext:
        """Rebuild a stored context; a damaged one comes back incomplete rather than raising."""
        if not isinstance(data, dict):
            return cls(complete=False, problems=("stored context is not a mapping",))
        try:
            return cls(
                records=tuple(ExistingRecord(**r) for r in data.get("records") or ()),
                accounts=tuple(AccountCandidate(**a) for a in data.get("accounts") or ()),
                marketo_duplicates=tuple(MarketoDuplicate(**d) for d in data.get("marketo_duplicates") or ()),
                last_routed_at=_parse(data.get("last_routed_at")),
                held_since=_parse(data.get("held_since")),
                complete=bool(data.get("complete", True)),
                problems=tuple(str(p) for p in data.get("problems") or ()),
            )
        except (TypeError, ValueError) as exc:
            return cls(complete=False, problems=(f"stored context is damaged: {exc}",))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"naive time {value!r} in stored context")
    return parsed.astimezone(UTC)
