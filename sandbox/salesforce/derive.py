"""Fields the platform fills or computes on save: defaults, compound names, closed flags (pure).

What a real org derives and the emulator mirrors: ``Name`` from first and last name (Lead, Contact,
User); the default Lead ``Status`` from the LeadStatus marked ``IsDefault``, and a restricted picklist
for it; Task ``Status``/``Priority``/``TaskSubtype`` defaults with ``IsClosed`` and ``CompletedDateTime``
(reference §7); Event start/end/duration; Opportunity ``IsClosed``/``IsWon``/``Probability`` from its
stage; User and Group defaults. No I/O: the org's picklists and the time are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sandbox.salesforce import errors

Record = dict[str, Any]

_NAME_COMPOUND = ("Lead", "Contact", "User")
_TASK_CLOSED_STATUSES = {"completed"}


class StageInfo(Protocol):
    probability: int
    closed: bool
    won: bool


@dataclass(frozen=True)
class DeriveContext:
    now: datetime
    lead_statuses: Sequence[Mapping[str, Any]]
    stages: Mapping[str, StageInfo]
    time_zone: str


def derive(sobject: str, record: Record, before: Mapping[str, Any] | None, context: DeriveContext) -> None:
    """Fill ``record`` (the values about to be saved) in place; raises ``ApiError`` for invalid values."""
    if sobject in _NAME_COMPOUND:
        record["Name"] = (
            " ".join(part for part in (record.get("FirstName"), record.get("LastName")) if part) or None
        )
    if sobject == "Lead":
        lead_status(record, context.lead_statuses)
    elif sobject == "Task":
        _task(record, before, context.now)
    elif sobject == "Event":
        event_times(record, before)
    elif sobject == "Opportunity":
        stage = context.stages.get(str(record.get("StageName") or "").casefold())
        record["IsClosed"] = bool(stage and stage.closed)
        record["IsWon"] = bool(stage and stage.won)
        if record.get("Probability") is None and stage is not None:
            record["Probability"] = float(stage.probability)
    elif sobject == "User" and before is None:
        record["Alias"] = record.get("Alias") or _alias(record)
        record["TimeZoneSidKey"] = record.get("TimeZoneSidKey") or context.time_zone
        record["LocaleSidKey"] = record.get("LocaleSidKey") or "en_US"
        record["EmailEncodingKey"] = record.get("EmailEncodingKey") or "UTF-8"
        record["LanguageLocaleKey"] = record.get("LanguageLocaleKey") or "en_US"
        record["UserType"] = "Standard"
    elif sobject == "Group":
        record["Type"] = record.get("Type") or "Regular"
        if record.get("DeveloperName") is None and record.get("Name"):
            record["DeveloperName"] = "".join(c if c.isalnum() else "_" for c in str(record["Name"]))


def lead_status(record: Record, statuses: Sequence[Mapping[str, Any]]) -> None:
    """Default the Lead Status, or check it against the org's LeadStatus values (a restricted picklist)."""
    if record.get("Status") is None:
        default = next((s for s in statuses if s.get("IsDefault")), None)
        record["Status"] = default["ApiName"] if default else None
        return
    wanted = str(record["Status"]).casefold()
    match = next((s for s in statuses if str(s["ApiName"]).casefold() == wanted), None)
    if statuses and match is None:
        raise errors.ApiError(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Lead Status: bad value for restricted picklist field: {record['Status']}",
            ["Status"],
        )
    if match is not None:
        record["Status"] = match["ApiName"]


def _task(record: Record, before: Mapping[str, Any] | None, now: datetime) -> None:
    if record.get("Status") is None:
        record["Status"] = "Not Started"
    record["Priority"] = record.get("Priority") or "Normal"
    record["TaskSubtype"] = record.get("TaskSubtype") or "Task"
    closed = str(record["Status"]).casefold() in _TASK_CLOSED_STATUSES
    was_closed = bool(before and before.get("IsClosed"))
    record["IsClosed"] = closed
    if closed and not was_closed:
        record["CompletedDateTime"] = now
    elif not closed:
        record["CompletedDateTime"] = None


def event_times(record: Record, before: Mapping[str, Any] | None) -> None:
    """Start (``StartDateTime`` or ``ActivityDateTime``) plus an end or a duration; the other is derived."""
    start = record.get("StartDateTime") or record.get("ActivityDateTime")
    if start is None:
        raise errors.required_missing(["ActivityDateTime"])
    record["StartDateTime"] = record["ActivityDateTime"] = start
    duration_changed = before is not None and record.get("DurationInMinutes") != before.get(
        "DurationInMinutes"
    )
    end_unchanged = before is not None and record.get("EndDateTime") == before.get("EndDateTime")
    if record.get("EndDateTime") is None or (duration_changed and end_unchanged):
        if record.get("DurationInMinutes") is None:
            raise errors.required_missing(["DurationInMinutes"])
        record["EndDateTime"] = start + timedelta(minutes=int(record["DurationInMinutes"]))
    if record["EndDateTime"] < start:
        raise errors.ApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "End Date/Time: End time must be after the start time",
            ["EndDateTime"],
        )
    record["DurationInMinutes"] = int((record["EndDateTime"] - start).total_seconds() // 60)
    record["ActivityDate"] = start.date()
    record["EventSubtype"] = record.get("EventSubtype") or "Event"


def _alias(record: Mapping[str, Any]) -> str:
    first = str(record.get("FirstName") or "")[:1]
    return (first + str(record.get("LastName") or "user"))[:8].lower()
