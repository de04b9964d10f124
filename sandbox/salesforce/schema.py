"""The sObjects and fields the emulator knows, and what the API lets a caller do with each.

This is the emulator's "describe": field types drive JSON coercion, SOQL type checks and the
``INVALID_FIELD`` / ``INVALID_FIELD_FOR_INSERT_UPDATE`` / ``REQUIRED_FIELD_MISSING`` errors (reference §2);
reference fields carry their relationship name (``OwnerId`` → ``Owner``) for SOQL parent paths (§3).
Custom fields (``…__c``) are added per org with ``Schema.define_field``. Pure data, no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    ID = "id"
    REFERENCE = "reference"
    STRING = "string"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    PICKLIST = "picklist"
    BOOLEAN = "boolean"
    INT = "int"
    DOUBLE = "double"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    ANY = "anyType"


TEXT_TYPES = frozenset(
    {FieldType.ID, FieldType.REFERENCE, FieldType.STRING, FieldType.TEXTAREA, FieldType.EMAIL}
    | {FieldType.PHONE, FieldType.URL, FieldType.PICKLIST}
)
NUMBER_TYPES = frozenset({FieldType.INT, FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT})


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: FieldType
    label: str = ""
    createable: bool = True
    updateable: bool = True
    required: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    external_id: bool = False
    unique: bool = False
    default: object = None

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    @property
    def display_label(self) -> str:
        return self.label or self.name


@dataclass
class ObjectDef:
    name: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        self._by_lower = {name.lower(): definition for name, definition in self.fields.items()}

    def get(self, name: str) -> FieldDef | None:
        """Field names are case-insensitive in the API; the canonical spelling comes back."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        for definition in self.fields.values():
            if definition.relationship_name and definition.relationship_name.lower() == lowered:
                return definition
        return None

    def add(self, definition: FieldDef) -> None:
        self.fields[definition.name] = definition
        self._by_lower[definition.name.lower()] = definition


def _ref(name: str, *targets: str, relationship: str | None = None, **flags: object) -> FieldDef:
    rel = relationship if relationship is not None else (name[:-2] if name.endswith("Id") else None)
    return FieldDef(name, FieldType.REFERENCE, reference_to=targets, relationship_name=rel, **flags)  # type: ignore[arg-type]


def _ro(name: str, kind: FieldType, **flags: object) -> FieldDef:
    return FieldDef(name, kind, createable=False, updateable=False, **flags)  # type: ignore[arg-type]


def _s(*names: str, kind: FieldType = FieldType.STRING) -> list[FieldDef]:
    return [FieldDef(name, kind) for name in names]


def _system_fields(audit: bool = True) -> list[FieldDef]:
    fields = [_ro("Id", FieldType.ID), _ro("SystemModstamp", FieldType.DATETIME)]
    if audit:
        fields += [
            _ro("IsDeleted", FieldType.BOOLEAN),
            _ro("CreatedDate", FieldType.DATETIME),
            _ref("CreatedById", "User", createable=False, updateable=False),
            _ro("LastModifiedDate", FieldType.DATETIME),
            _ref("LastModifiedById", "User", createable=False, updateable=False),
        ]
    return fields


def _object(name: str, fields: list[FieldDef], *, audit: bool = True, **flags: bool) -> ObjectDef:
    all_fields = _system_fields(audit) + fields
    return ObjectDef(name, {definition.name: definition for definition in all_fields}, **flags)


_ADDRESS = ("Street", "City", "State", "PostalCode", "Country")


def _standard_objects() -> dict[str, ObjectDef]:
    lead = _object(
        "Lead",
        [
            *_s("FirstName", "Salutation", "Title", "MobilePhone", "LeadSource", "Industry", "Rating"),
            FieldDef("LastName", FieldType.STRING, label="Last Name", required=True),
            FieldDef("Company", FieldType.STRING, label="Company", required=True),
            _ro("Name", FieldType.STRING),
            FieldDef("Email", FieldType.EMAIL),
            FieldDef("Phone", FieldType.PHONE),
            FieldDef("Website", FieldType.URL),
            *_s(*_ADDRESS),
            FieldDef("Status", FieldType.PICKLIST, label="Lead Status"),
            FieldDef("AnnualRevenue", FieldType.CURRENCY),
            FieldDef("NumberOfEmployees", FieldType.INT),
            _ref("OwnerId", "User", "Group", label="Owner ID"),
            _ro("IsConverted", FieldType.BOOLEAN),
            _ro("ConvertedDate", FieldType.DATE),
            _ref("ConvertedAccountId", "Account", createable=False, updateable=False),
            _ref("ConvertedContactId", "Contact", createable=False, updateable=False),
            _ref("ConvertedOpportunityId", "Opportunity", createable=False, updateable=False),
            FieldDef("IsUnreadByOwner", FieldType.BOOLEAN),
            FieldDef("HasOptedOutOfEmail", FieldType.BOOLEAN),
            FieldDef("DoNotCall", FieldType.BOOLEAN),
            FieldDef("Description", FieldType.TEXTAREA),
            _ro("LastActivityDate", FieldType.DATE),
        ],
    )
    contact = _object(
        "Contact",
        [
            _ref("AccountId", "Account", label="Account ID"),
            *_s("FirstName", "Salutation", "Title", "MobilePhone", "LeadSource", "Department"),
            FieldDef("LastName", FieldType.STRING, label="Last Name", required=True),
            _ro("Name", FieldType.STRING),
            FieldDef("Email", FieldType.EMAIL),
            FieldDef("Phone", FieldType.PHONE),
            *_s(*(f"Mailing{part}" for part in _ADDRESS)),
            _ref("OwnerId", "User", label="Owner ID"),
            _ref("ReportsToId", "Contact"),
            FieldDef("HasOptedOutOfEmail", FieldType.BOOLEAN),
            FieldDef("Description", FieldType.TEXTAREA),
        ],
    )
    account = _object(
        "Account",
        [
            FieldDef("Name", FieldType.STRING, label="Account Name", required=True),
            *_s("Type", "Industry", "AccountSource", "Rating", "Sic"),
            FieldDef("AnnualRevenue", FieldType.CURRENCY),
            FieldDef("NumberOfEmployees", FieldType.INT),
            FieldDef("Website", FieldType.URL),
            FieldDef("Phone", FieldType.PHONE),
            *_s(*(f"Billing{part}" for part in _ADDRESS)),
            *_s(*(f"Shipping{part}" for part in _ADDRESS)),
            _ref("OwnerId", "User", label="Owner ID"),
            _ref("ParentId", "Account"),
            FieldDef("Description", FieldType.TEXTAREA),
        ],
    )
    opportunity = _object(
        "Opportunity",
        [
            FieldDef("Name", FieldType.STRING, label="Name", required=True),
            _ref("AccountId", "Account", label="Account ID"),
            FieldDef("StageName", FieldType.PICKLIST, label="Stage", required=True),
            FieldDef("CloseDate", FieldType.DATE, label="Close Date", required=True),
            FieldDef("Amount", FieldType.CURRENCY),
            FieldDef("Probability", FieldType.PERCENT),
            *_s("Type", "LeadSource", "NextStep"),
            _ref("OwnerId", "User", label="Owner ID"),
            _ro("IsClosed", FieldType.BOOLEAN),
            _ro("IsWon", FieldType.BOOLEAN),
            FieldDef("Description", FieldType.TEXTAREA),
        ],
    )
    contact_role = _object(
        "OpportunityContactRole",
        [
            _ref("OpportunityId", "Opportunity", label="Opportunity ID", required=True),
            _ref("ContactId", "Contact", label="Contact ID", required=True),
            FieldDef("Role", FieldType.PICKLIST),
            FieldDef("IsPrimary", FieldType.BOOLEAN),
        ],
    )
    activity = [
        _ref("WhoId", "Lead", "Contact", label="Name ID"),
        _ref("WhatId", "Account", "Opportunity", "Case", "Campaign", label="Related To ID"),
        _ref("OwnerId", "User", label="Assigned To ID"),
        *_s("Subject", "Type"),
        FieldDef("Description", FieldType.TEXTAREA),
        FieldDef("ActivityDate", FieldType.DATE),
    ]
    task = _object(
        "Task",
        [
            *activity,
            FieldDef("Status", FieldType.PICKLIST, label="Status"),
            FieldDef("Priority", FieldType.PICKLIST, label="Priority"),
            FieldDef("TaskSubtype", FieldType.PICKLIST, updateable=False),
            _ro("IsClosed", FieldType.BOOLEAN),
            _ro("CompletedDateTime", FieldType.DATETIME),
            FieldDef("CallType", FieldType.PICKLIST),
            FieldDef("CallDurationInSeconds", FieldType.INT),
            *_s("CallDisposition", "CallObject"),
            FieldDef("ReminderDateTime", FieldType.DATETIME),
        ],
    )
    event = _object(
        "Event",
        [
            *activity,
            FieldDef("StartDateTime", FieldType.DATETIME),
            FieldDef("EndDateTime", FieldType.DATETIME),
            FieldDef("ActivityDateTime", FieldType.DATETIME),
            FieldDef("DurationInMinutes", FieldType.INT),
            FieldDef("EventSubtype", FieldType.PICKLIST, updateable=False),
            FieldDef("IsAllDayEvent", FieldType.BOOLEAN),
            FieldDef("Location", FieldType.STRING),
        ],
    )
    user = _object(
        "User",
        [
            FieldDef("Username", FieldType.STRING, label="Username", required=True, unique=True),
            FieldDef("FirstName", FieldType.STRING),
            FieldDef("LastName", FieldType.STRING, label="Last Name", required=True),
            _ro("Name", FieldType.STRING),
            FieldDef("Email", FieldType.EMAIL, label="Email", required=True),
            *_s("Alias", "Title", "Department", "Division", "CompanyName", "FederationIdentifier"),
            FieldDef("Phone", FieldType.PHONE),
            FieldDef("IsActive", FieldType.BOOLEAN),
            FieldDef("TimeZoneSidKey", FieldType.PICKLIST),
            FieldDef("LocaleSidKey", FieldType.PICKLIST),
            FieldDef("EmailEncodingKey", FieldType.PICKLIST),
            FieldDef("LanguageLocaleKey", FieldType.PICKLIST),
            _ref("ManagerId", "User"),
            _ro("UserType", FieldType.PICKLIST),
        ],
        deletable=False,
    )
    group = _object(
        "Group",
        [
            FieldDef("Name", FieldType.STRING, label="Label", required=True),
            FieldDef("DeveloperName", FieldType.STRING),
            FieldDef("Type", FieldType.PICKLIST, updateable=False),
            FieldDef("Email", FieldType.EMAIL),
            FieldDef("DoesSendEmailToMembers", FieldType.BOOLEAN),
        ],
    )
    member = _object(
        "GroupMember",
        [
            _ref("GroupId", "Group", label="Group ID", required=True, updateable=False),
            _ref("UserOrGroupId", "User", "Group", label="User/Group ID", required=True, updateable=False),
        ],
        audit=False,
        updateable=False,
    )
    queue_sobject = _object(
        "QueueSobject",
        [
            _ref("QueueId", "Group", label="Group ID", required=True, updateable=False),
            FieldDef("SobjectType", FieldType.PICKLIST, required=True, updateable=False),
        ],
        audit=False,
        updateable=False,
    )
    lead_status = _object(
        "LeadStatus",
        [
            FieldDef("MasterLabel", FieldType.STRING),
            FieldDef("ApiName", FieldType.STRING),
            FieldDef("SortOrder", FieldType.INT),
            FieldDef("IsDefault", FieldType.BOOLEAN),
            FieldDef("IsConverted", FieldType.BOOLEAN),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )
    assignment_rule = _object(
        "AssignmentRule",
        [
            FieldDef("Name", FieldType.STRING),
            FieldDef("Active", FieldType.BOOLEAN),
            FieldDef("SobjectType", FieldType.PICKLIST),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )
    organization = _object(
        "Organization",
        [
            *_s("Name", "OrganizationType", "InstanceName", "TimeZoneSidKey", "LanguageLocaleKey"),
            FieldDef("IsSandbox", FieldType.BOOLEAN),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )
    lead_history = _object(
        "LeadHistory",
        [
            _ref("LeadId", "Lead", label="Lead ID"),
            FieldDef("Field", FieldType.PICKLIST),
            FieldDef("DataType", FieldType.PICKLIST),
            FieldDef("OldValue", FieldType.ANY),
            FieldDef("NewValue", FieldType.ANY),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )
    # LeadHistory rows are never modified, so they carry no LastModified* fields.
    for name in ("LastModifiedDate", "LastModifiedById", "SystemModstamp"):
        lead_history.fields.pop(name)
    lead_history.__post_init__()
    objects = [lead, contact, account, opportunity, contact_role, task, event, user, group, member]
    objects += [queue_sobject, lead_status, assignment_rule, organization, lead_history]
    return {definition.name: definition for definition in objects}


#: Fields the polymorphic "Name" pseudo-object offers through a polymorphic relationship (reference §3).
NAME_OBJECT_FIELDS: dict[str, FieldType] = {
    "Id": FieldType.ID,
    "Name": FieldType.STRING,
    "Type": FieldType.PICKLIST,
    "Email": FieldType.EMAIL,
    "FirstName": FieldType.STRING,
    "LastName": FieldType.STRING,
    "Alias": FieldType.STRING,
    "IsActive": FieldType.BOOLEAN,
    "Username": FieldType.STRING,
    "Title": FieldType.STRING,
    "Phone": FieldType.PHONE,
}

_STANDARD = _standard_objects()


class Schema:
    """One org's describe: the standard objects plus that org's custom fields."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectDef] = copy.deepcopy(_STANDARD)
        for definition in self.objects.values():
            definition.__post_init__()
        self._by_lower = {name.lower(): definition for name, definition in self.objects.items()}

    def get(self, name: str) -> ObjectDef | None:
        """sObject names are case-insensitive in the API."""
        return self._by_lower.get(name.lower())

    def define_field(
        self,
        sobject: str,
        name: str,
        kind: FieldType | str = FieldType.STRING,
        *,
        external_id: bool = False,
        unique: bool = False,
        reference_to: tuple[str, ...] = (),
        label: str = "",
        required: bool = False,
    ) -> FieldDef:
        """Add a custom field; names must end in ``__c`` as in a real org."""
        definition = self.get(sobject)
        if definition is None:
            raise ValueError(f"unknown sObject {sobject!r}")
        if not name.endswith("__c") or not name[:-3].replace("_", "").isalnum():
            raise ValueError(f"custom field names end in __c: {name!r}")
        if definition.get(name) is not None:
            raise ValueError(f"{sobject}.{name} already exists")
        kind = FieldType(kind)
        relationship = name[:-3] + "__r" if kind is FieldType.REFERENCE else None
        new_field = FieldDef(
            name,
            kind,
            label=label,
            required=required,
            reference_to=reference_to,
            relationship_name=relationship,
            external_id=external_id,
            unique=unique,
        )
        definition.add(new_field)
        return new_field

    def custom_fields(self) -> list[tuple[str, FieldDef]]:
        return [
            (object_name, definition)
            for object_name, object_def in self.objects.items()
            for definition in object_def.fields.values()
            if definition.name.endswith("__c")
        ]
