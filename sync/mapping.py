"""Which field of one system feeds which field of the other: the schema, its defaults, the pure mappers.

Defaults follow the integration specification's field table with the reference's corrections: Marketo
REST names (``email``, ``mobilePhone``, ``sfdcAccountId`` …); no ``sfdcOpptyStage`` (no source has it,
reference/marketo.md §9); custom Salesforce fields such as ``Lead_Score__c`` are not in every org, so
they are opt-in (``lead: {leadScore: Lead_Score__c}``) instead of a default that would fail every
create with ``INVALID_FIELD``; "Task.Subject ↔ activityTypeId" is not a field mapping (flow 4.4 writes
a sentence). The whole mapping is validated at start-up, each error with its path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SALESFORCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
MARKETO_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")

DEFAULT_LEAD = {  # Marketo person → Salesforce Lead (flow 4.2)
    "email": "Email",
    "firstName": "FirstName",
    "lastName": "LastName",
    "company": "Company",
    "title": "Title",
    "phone": "Phone",
    "mobilePhone": "MobilePhone",
    "country": "Country",
    "state": "State",
    "city": "City",
    "industry": "Industry",
    "numberOfEmployees": "NumberOfEmployees",
    "annualRevenue": "AnnualRevenue",
    "leadSource": "LeadSource",
}
DEFAULT_CONTACT = {  # Salesforce Contact → Marketo person (flow 4.1)
    "Id": "sfdcContactId",
    "AccountId": "sfdcAccountId",
    "MobilePhone": "mobilePhone",
}
DEFAULT_COMPANY = {  # Salesforce Account → Marketo company (flow 4.5)
    "Id": "externalCompanyId",
    "Name": "company",
    "AnnualRevenue": "annualRevenue",
    "NumberOfEmployees": "numberOfEmployees",
    "Industry": "industry",
    "Website": "website",
    "BillingCity": "billingCity",
    "BillingState": "billingState",
    "BillingCountry": "billingCountry",
    "BillingPostalCode": "billingPostalCode",
}
LEAD_REQUIRED = ("LastName", "Company")  # reference/salesforce.md §2: Lead create requires both


class FieldMapping(BaseModel):
    """``sync.field_map``: each section maps a source field to a target field; entries override defaults.

    Map a default away with ``null``: ``lead: {title: null}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    lead: dict[str, str | None] = Field(
        default_factory=dict, description="Marketo person field -> Salesforce Lead field (flow 4.2)"
    )
    contact: dict[str, str | None] = Field(
        default_factory=dict, description="Salesforce Contact field -> Marketo person field (flow 4.1)"
    )
    company: dict[str, str | None] = Field(
        default_factory=dict, description="Salesforce Account field -> Marketo company field (flow 4.5)"
    )
    lifecycle_field: str | None = Field(
        default="leadStatus", description="Marketo field holding the lifecycle stage (null: not written)"
    )
    routed_status: str = Field(default="MQL", max_length=255, description="lifecycle once the Lead is routed")
    converted_status: str = Field(default="SQL", max_length=255, description="lifecycle once converted")
    lead_id_field: str | None = Field(default="sfdcLeadId", description="Marketo field keeping the Lead id")
    contact_id_field: str | None = Field(
        default="sfdcContactId", description="Marketo field keeping the Contact id"
    )

    @model_validator(mode="after")
    def _names(self) -> FieldMapping:
        problems: list[str] = []
        for section, source_pattern, target_pattern in (
            ("lead", MARKETO_NAME, SALESFORCE_NAME),
            ("contact", SALESFORCE_NAME, MARKETO_NAME),
            ("company", SALESFORCE_NAME, MARKETO_NAME),
        ):
            for source, target in getattr(self, section).items():
                if not source_pattern.match(source):
                    problems.append(f"{section}.{source}: not a field name")
                if target is not None and not target_pattern.match(target):
                    problems.append(f"{section}.{source}: {target!r} is not a field name")
        for name in ("lifecycle_field", "lead_id_field", "contact_id_field"):
            value = getattr(self, name)
            if value is not None and not MARKETO_NAME.match(value):
                problems.append(f"{name}: {value!r} is not a Marketo field name")
        if problems:
            raise ValueError("; ".join(problems))
        for section, required in (
            ("lead", LEAD_REQUIRED),
            ("company", ("externalCompanyId",)),
        ):
            targets = self.merged(section).values()
            missing = [field for field in required if field not in targets]
            if missing:
                raise ValueError(
                    f"{section}: nothing maps to {', '.join(missing)}, which the target requires"
                )
        for section in ("lead", "contact", "company"):
            seen: dict[str, str] = {}
            for source, target in self.merged(section).items():
                if target in seen:
                    raise ValueError(f"{section}: {seen[target]} and {source} both map to {target}")
                seen[target] = source
        return self

    def merged(self, section: str) -> dict[str, str]:
        defaults = {"lead": DEFAULT_LEAD, "contact": DEFAULT_CONTACT, "company": DEFAULT_COMPANY}[section]
        combined: dict[str, str | None] = {**defaults, **getattr(self, section)}
        return {source: target for source, target in combined.items() if target is not None}


def _present(value: Any) -> bool:
    return value is not None and value != ""


def apply(mapping: Mapping[str, str], record: Mapping[str, Any]) -> dict[str, Any]:
    """Pure: the target fields for the source values present in ``record`` (absent and empty are skipped)."""
    return {target: record[source] for source, target in mapping.items() if _present(record.get(source))}


def normalise_email(value: Any) -> str | None:
    """Emails compare case-insensitively and without surrounding blanks; anything else is no email."""
    if not isinstance(value, str):
        return None
    cleaned = value.strip().lower()
    return cleaned if "@" in cleaned and " " not in cleaned else None


def lead_fields(mapping: FieldMapping, person: Mapping[str, Any]) -> dict[str, Any]:
    """Salesforce Lead fields for a Marketo person, with an email normalised and the required ones filled.

    Salesforce refuses a Lead without LastName or Company; Marketo people often lack them, so the gaps
    get explicit placeholders that a seller recognises ("[not provided]") instead of a rejected create.
    """
    fields = apply(mapping.merged("lead"), person)
    email_target = mapping.merged("lead").get("email")
    if email_target and email_target in fields:
        email = normalise_email(fields[email_target])
        if email is None:
            fields.pop(email_target)
        else:
            fields[email_target] = email
    for required in LEAD_REQUIRED:
        if not _present(fields.get(required)):
            fields[required] = "[not provided]"
    return fields


def person_fields_from_contact(mapping: FieldMapping, contact: Mapping[str, Any]) -> dict[str, Any]:
    fields = apply(mapping.merged("contact"), contact)
    if mapping.contact_id_field and _present(contact.get("Id")):
        fields[mapping.contact_id_field] = contact["Id"]
    if mapping.lifecycle_field:
        fields[mapping.lifecycle_field] = mapping.converted_status
    return fields


def company_fields(mapping: FieldMapping, account: Mapping[str, Any]) -> dict[str, Any]:
    return apply(mapping.merged("company"), account)


def source_fields(mapping: FieldMapping, section: str) -> list[str]:
    """The fields to ask the source system for."""
    return list(mapping.merged(section))
