"""Duplicate rules: which existing leads a lead duplicates, and the ``DUPLICATES_DETECTED`` error.

Reference §2 and §11: new orgs ship with the Standard Lead Duplicate Rule active (action "Allow" with an
alert), which still blocks API saves with ``400 DUPLICATES_DETECTED`` unless the request sends
``Sforce-Duplicate-Rule-Header: allowSave=true``. The match here is exact and case-insensitive on the
configured fields (Email by default); the real matching engine is fuzzy. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.salesforce.errors import ApiError

DUPLICATE_MESSAGE = "You're creating a duplicate record. We recommend you use an existing record instead."
COLLECTION_MESSAGE = "Use one of these records?"


@dataclass
class DuplicateRule:
    name: str = "Standard_Lead_Duplicate_Rule"
    match_rule: str = "Standard_Lead_Match_Rule_v1_0"
    sobject: str = "Lead"
    fields: tuple[str, ...] = ("Email",)
    active: bool = True
    on_create: bool = True
    on_edit: bool = True


def find_duplicates(
    rule: DuplicateRule, candidate: Mapping[str, Any], others: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Ids of live, unconverted records whose every rule field equals the candidate's (all non-empty)."""
    wanted = [_key(candidate.get(name)) for name in rule.fields]
    if not rule.active or any(value is None for value in wanted):
        return []
    matches = []
    for other in others:
        if other["Id"] == candidate.get("Id") or other.get("IsDeleted") or other.get("IsConverted"):
            continue
        if all(_key(other.get(name)) == value for name, value in zip(rule.fields, wanted, strict=True)):
            matches.append(other["Id"])
    return matches


def _key(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value).strip().casefold()


def parse_rule_header(value: str | None) -> bool:
    """``allowSave`` from ``Sforce-Duplicate-Rule-Header`` (``allowSave=true; …``), default false."""
    if not value:
        return False
    for part in value.split(";"):
        key, _, setting = part.partition("=")
        if key.strip().lower() == "allowsave":
            return setting.strip().lower() == "true"
    return False


def duplicates_error(rule: DuplicateRule, match_ids: list[str], api_version: str) -> ApiError:
    """The reference §2 body: ``duplicateResult`` with the matching records, then errorCode and message."""
    match_records = [
        {
            "additionalInformation": [],
            "fieldDiffs": [],
            "matchConfidence": 100.0,
            "record": {
                "attributes": {
                    "type": rule.sobject,
                    "url": f"/services/data/v{api_version}/sobjects/{rule.sobject}/{rid}",
                },
                "Id": rid,
            },
        }
        for rid in match_ids
    ]
    result = {
        "allowSave": False,
        "duplicateRule": rule.name,
        "duplicateRuleEntityType": rule.sobject,
        "errorMessage": DUPLICATE_MESSAGE,
        "matchResults": [
            {
                "entityType": rule.sobject,
                "errors": [],
                "matchEngine": "FuzzyMatchEngine",
                "matchRecords": match_records,
                "rule": rule.match_rule,
                "size": len(match_records),
                "success": True,
            }
        ],
    }
    return ApiError(400, "DUPLICATES_DETECTED", DUPLICATE_MESSAGE, None, {"duplicateResult": result})
