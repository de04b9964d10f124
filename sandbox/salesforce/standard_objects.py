"""The standard objects the emulator knows and their fields (the org's out-of-the-box describe).

Lead, Contact, Account, Opportunity (+ OpportunityContactRole), Task, Event, User, Group and GroupMember,
QueueSobject, LeadStatus, AssignmentRule, Organization and LeadHistory, with the fields Handoff reads or
writes (reference §2, §5, §6, §7). Reference fields carry their relationship name (``OwnerId`` →
``Owner``) and targets; polymorphic ones (``OwnerId`` on Lead, ``WhoId``, ``WhatId``) have several.
"""

from __future__ import annotations

from sandbox.salesforce.fields import FieldDef, FieldType, ObjectDef


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


STANDARD_OBJECTS = _standard_objects()
