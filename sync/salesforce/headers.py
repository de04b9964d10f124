"""Salesforce request headers as typed options (reference/salesforce.md §3, §5, §11).

``Sforce-Auto-Assign`` is the one that matters most: when it is absent Salesforce runs the active
assignment rule on **every** update and can silently overwrite ``OwnerId``, so the client sends
``FALSE`` on updates unless the caller explicitly asks for something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

_RULE_ID = re.compile(r"^01Q[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$")


@dataclass(frozen=True)
class AutoAssign:
    """``TRUE`` (run the active rule), ``FALSE`` (leave the owner alone) or a specific AssignmentRule id."""

    TRUE: ClassVar[AutoAssign]
    FALSE: ClassVar[AutoAssign]

    value: str

    def __post_init__(self) -> None:
        # The header is case-insensitive (§5); TRUE/FALSE are normalised so that equality means something.
        if self.value.upper() in ("TRUE", "FALSE"):
            object.__setattr__(self, "value", self.value.upper())
        if self.value not in ("TRUE", "FALSE") and not _RULE_ID.match(self.value):
            raise ValueError(
                f"Sforce-Auto-Assign must be TRUE, FALSE or an AssignmentRule id, not {self.value!r}"
            )

    @classmethod
    def rule(cls, rule_id: str) -> AutoAssign:
        """A specific rule; Salesforce applies it on create only (§5)."""
        if not _RULE_ID.match(rule_id):
            raise ValueError(f"not an AssignmentRule id (15 or 18 chars starting with 01Q): {rule_id!r}")
        return cls(rule_id)

    def header(self) -> dict[str, str]:
        return {"Sforce-Auto-Assign": self.value}


AutoAssign.TRUE = AutoAssign("TRUE")
AutoAssign.FALSE = AutoAssign("FALSE")


@dataclass(frozen=True)
class DuplicateRuleHeader:
    """Lets a save through duplicate rules whose action is "Allow + alert" (Block rules still block, §11)."""

    allow_save: bool = True
    include_record_details: bool = False
    run_as_current_user: bool = False

    def header(self) -> dict[str, str]:
        def flag(value: bool) -> str:
            return "true" if value else "false"

        return {
            "Sforce-Duplicate-Rule-Header": (
                f"allowSave={flag(self.allow_save)}; "
                f"includeRecordDetails={flag(self.include_record_details)}; "
                f"runAsCurrentUser={flag(self.run_as_current_user)}"
            )
        }


def query_options(batch_size: int | None) -> dict[str, str]:
    """``Sforce-Query-Options: batchSize=N``; Salesforce accepts 200..2000 and treats it as a hint (§3)."""
    if batch_size is None:
        return {}
    if not 200 <= batch_size <= 2000:
        raise ValueError(f"query batch size must be between 200 and 2000, not {batch_size}")
    return {"Sforce-Query-Options": f"batchSize={batch_size}"}


def request_headers(
    auto_assign: AutoAssign | None, duplicate_rule: DuplicateRuleHeader | None
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if auto_assign is not None:
        headers.update(auto_assign.header())
    if duplicate_rule is not None:
        headers.update(duplicate_rule.header())
    return headers
