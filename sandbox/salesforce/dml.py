"""Create, update, delete and upsert of records, with the platform behaviour that runs on every save.

One place applies what a real org does on save, in Salesforce's order: coerce and check the fields
(``INVALID_FIELD``, ``INVALID_FIELD_FOR_INSERT_UPDATE``, ``JSON_PARSER_ERROR``, ``MALFORMED_ID``), fill
defaults and derived fields, check required fields, references, owners and unique values, run the lead
assignment rule as ``Sforce-Auto-Assign`` says (§5), run the duplicate rule (§2), write, track lead history
(§7) and queue the record change for workflow (Outbound Messages, §8). Callers hold the org lock and a
transaction; every error is an ``ApiError`` raised before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.salesforce import errors, ids
from sandbox.salesforce.assignment import AUTO_ASSIGN_FALSE, AutoAssign, choose_owner
from sandbox.salesforce.coerce import coerce_fields
from sandbox.salesforce.derive import DeriveContext, derive
from sandbox.salesforce.duplicates import duplicates_error, find_duplicates
from sandbox.salesforce.schema import FieldType, ObjectDef
from sandbox.salesforce.store import Record

if TYPE_CHECKING:
    from sandbox.salesforce.state import SalesforceState

_TRUE_BY_DEFAULT = {("User", "IsActive")}


@dataclass
class WriteOptions:
    """Who writes, when, and which request headers apply (§5 auto-assign, §2 duplicate-rule header)."""

    user_id: str
    now: datetime
    api_version: str = "59.0"
    auto_assign: AutoAssign = AUTO_ASSIGN_FALSE
    allow_duplicates: bool = True
    run_workflow: bool = True
    system: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Dml:
    def __init__(self, state: SalesforceState) -> None:
        self.state = state

    # ------------------------------------------------------------------ entry points
    def object_def(self, sobject: str) -> ObjectDef:
        definition = self.state.schema.get(sobject)
        if definition is None:
            raise errors.ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return definition

    def create(self, sobject: str, body: Mapping[str, Any], options: WriteOptions) -> str:
        definition = self.object_def(sobject)
        if not definition.createable and not options.system:
            raise _refused(definition, "inserted")
        values = coerce_fields(definition, body, creating=True) if not options.system else dict(body)
        return self.insert_values(definition, values, options)

    def update(
        self, sobject: str | None, record_id: str, body: Mapping[str, Any], options: WriteOptions
    ) -> None:
        record = self.existing(sobject, record_id)
        definition = self.object_def(ids.object_of(record["Id"]) or "")
        if not definition.updateable and not options.system:
            raise _refused(definition, "updated")
        changes = coerce_fields(definition, body, creating=False) if not options.system else dict(body)
        self.update_values(definition, record, changes, options)

    def delete(self, sobject: str | None, record_id: str, options: WriteOptions) -> None:
        record = self.existing(sobject, record_id)
        definition = self.object_def(ids.object_of(record["Id"]) or "")
        if not definition.deletable and not options.system:
            raise _refused(definition, "deleted")
        self._delete(definition, record, options)

    def upsert(
        self, sobject: str, field_name: str, value: str, body: Mapping[str, Any], options: WriteOptions
    ) -> tuple[str, bool]:
        """Upsert by external id (§2): (id, created). More than one match raises the 300 error."""
        definition = self.object_def(sobject)
        key_field = definition.get(field_name)
        if key_field is None or not (key_field.external_id or key_field.name == "Id"):
            raise errors.ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        matches = self.find_by_external_id(definition, key_field.name, value)
        if len(matches) > 1:
            urls = [f"/services/data/v{options.api_version}/sobjects/{definition.name}/{m}" for m in matches]
            raise errors.ApiError(300, "MULTIPLE_CHOICES", "", extra={"urls": urls})
        if matches:
            self.update(definition.name, matches[0], body, options)
            return matches[0], False
        if key_field.name == "Id" or options.extra.get("update_only"):
            raise errors.not_found()
        values = dict(body)
        values.pop("attributes", None)
        for name in list(values):
            if name.lower() == key_field.name.lower():
                values.pop(name)
        values[key_field.name] = value
        return self.create(definition.name, values, options), True

    # ------------------------------------------------------------------ lookups
    def existing(self, sobject: str | None, record_id: str) -> Record:
        """The record behind a path id: 404 NOT_FOUND when absent or of another type, ENTITY_IS_DELETED when binned."""
        normalised = ids.normalise(record_id)
        record = self.state.store.get(normalised) if normalised else None
        if record is None:
            raise errors.not_found()
        if sobject is not None and ids.object_of(record["Id"]) != self.object_def(sobject).name:
            raise errors.not_found()
        if record.get("IsDeleted"):
            raise errors.entity_deleted()
        return record

    def find_by_external_id(self, definition: ObjectDef, field_name: str, value: str) -> list[str]:
        if field_name == "Id":
            normalised = ids.normalise(value)
            record = self.state.store.live(normalised) if normalised else None
            return [record["Id"]] if record and ids.object_of(record["Id"]) == definition.name else []
        wanted = value.casefold()
        return [
            record["Id"]
            for record in self.state.store.records(definition.name)
            if record.get(field_name) is not None and str(record[field_name]).casefold() == wanted
        ]

    # ------------------------------------------------------------------ insert
    def insert_values(self, definition: ObjectDef, values: dict[str, Any], options: WriteOptions) -> str:
        record: Record = {name: None for name in definition.fields}
        record.update(values)
        for name, field_def in definition.fields.items():
            if field_def.type is FieldType.BOOLEAN and record[name] is None:
                record[name] = (definition.name, name) in _TRUE_BY_DEFAULT
        preset = values.get("Id") if options.system else None
        record["Id"] = ids.to18(preset) if preset else self.state.ids.for_object(definition.name)
        self._system_fields(definition, record, options, creating=True)
        if "OwnerId" in definition.fields and record.get("OwnerId") is None:
            record["OwnerId"] = options.user_id
        self._derive(definition, record, None, options)
        missing = [
            name
            for name, field_def in definition.fields.items()
            if field_def.required and record.get(name) in (None, "")
        ]
        if missing:
            raise errors.required_missing(missing)
        self._check_references(definition, record, values)
        self._check_unique(definition, record)
        if definition.name == "Lead":
            self._assign(record, options, creating=True)
            self._check_duplicates(record, options, creating=True)
        self.state.store.insert(definition.name, record)
        if definition.name == "Lead":
            self._history(record["Id"], "created", None, None, options)
        self._queue_workflow(definition.name, None, record, options)
        return record["Id"]

    # ------------------------------------------------------------------ update
    def update_values(
        self, definition: ObjectDef, record: Record, changes: dict[str, Any], options: WriteOptions
    ) -> None:
        if definition.name == "Lead" and record.get("IsConverted") and not options.system:
            raise errors.ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", [])
        before = dict(record)
        after = dict(record)
        after.update(changes)
        self._system_fields(definition, after, options, creating=False)
        self._derive(definition, after, before, options)
        missing = [
            name
            for name, field_def in definition.fields.items()
            if field_def.required and name in changes and after.get(name) in (None, "")
        ]
        if missing:
            raise errors.required_missing(missing)
        self._check_references(definition, after, changes)
        self._check_unique(definition, after)
        if definition.name == "Lead":
            self._assign(after, options, creating=False)
            self._check_duplicates(after, options, creating=False)
        self.state.store.replace(record["Id"], after)
        if definition.name == "Lead":
            self._track_lead_changes(before, after, options)
        self._queue_workflow(definition.name, before, record, options)

    # ------------------------------------------------------------------ delete
    def _delete(self, definition: ObjectDef, record: Record, options: WriteOptions) -> None:
        stamp: dict[str, Any] = {"IsDeleted": True, "SystemModstamp": options.now}
        if "LastModifiedDate" in definition.fields:
            stamp.update(LastModifiedDate=options.now, LastModifiedById=options.user_id)
        self.state.store.replace(record["Id"], stamp)
        for child_object, parent_field in _CASCADES.get(definition.name, ()):
            for child in list(self.state.store.records(child_object)):
                if child.get(parent_field) == record["Id"]:
                    self._delete(self.object_def(child_object), child, options)

    # ------------------------------------------------------------------ platform behaviour
    def _system_fields(
        self, definition: ObjectDef, record: Record, options: WriteOptions, *, creating: bool
    ) -> None:
        fields = definition.fields
        if creating and "CreatedDate" in fields:
            record["CreatedDate"] = options.now
            record["CreatedById"] = options.user_id
            record["IsDeleted"] = False
        if "LastModifiedDate" in fields:
            record["LastModifiedDate"] = options.now
            record["LastModifiedById"] = options.user_id
        if "SystemModstamp" in fields:
            record["SystemModstamp"] = options.now

    def _derive(
        self, definition: ObjectDef, record: Record, before: Record | None, options: WriteOptions
    ) -> None:
        state = self.state
        context = DeriveContext(options.now, state.lead_statuses(), state.opportunity_stages, state.time_zone)
        derive(definition.name, record, before, context)

    def _check_references(self, definition: ObjectDef, record: Record, written: Mapping[str, Any]) -> None:
        for name in written:
            field_def = definition.fields.get(name)
            value = record.get(name)
            if field_def is None or field_def.type is not FieldType.REFERENCE or value is None:
                continue
            target = self.state.store.get(value)
            if target is None:
                raise errors.ApiError(
                    400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name]
                )
            if target.get("IsDeleted"):
                raise errors.ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [name])
            if name == "OwnerId":
                self._check_owner(definition, target)

    def _check_owner(self, definition: ObjectDef, owner: Record) -> None:
        owner_type = ids.object_of(owner["Id"])
        if owner_type == "User" and not owner.get("IsActive"):
            raise errors.ApiError(
                400,
                "INACTIVE_OWNER_OR_USER",
                f"operation performed with inactive user [{owner['Id']}] as owner of [{definition.name.lower()}]",
                [],
            )
        if owner_type == "Group" and not self.state.queue_accepts(owner["Id"], definition.name):
            raise errors.ApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["OwnerId"]
            )

    def _check_unique(self, definition: ObjectDef, record: Record) -> None:
        for name, field_def in definition.fields.items():
            value = record.get(name)
            if not field_def.unique or value is None:
                continue
            wanted = str(value).casefold()
            for other in self.state.store.records(definition.name):
                if (
                    other["Id"] != record["Id"]
                    and other.get(name) is not None
                    and str(other[name]).casefold() == wanted
                ):
                    if definition.name == "User" and name == "Username":
                        raise errors.ApiError(400, "DUPLICATE_USERNAME", "Duplicate Username.", ["Username"])
                    raise errors.ApiError(
                        400,
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {name} duplicates value on record with id: {other['Id']}",
                        [],
                    )

    def _assign(self, record: Record, options: WriteOptions, *, creating: bool) -> None:
        active = self.state.active_assignment_rule("Lead")
        rule_id = options.auto_assign.rule_for(
            creating=creating, active_rule_id=active.id if active else None
        )
        if rule_id is None:
            return
        rule = self.state.assignment_rules.get(rule_id)
        if rule is None:
            raise errors.ApiError(400, "INVALID_ID_FIELD", f"Invalid assignment rule ID: {rule_id}", [])
        owner = choose_owner(rule, record, self.state.default_lead_owner_id)
        if owner is not None:
            record["OwnerId"] = owner

    def _check_duplicates(self, record: Record, options: WriteOptions, *, creating: bool) -> None:
        rule = self.state.duplicate_rule
        if rule is None or options.allow_duplicates or not (rule.on_create if creating else rule.on_edit):
            return
        matches = find_duplicates(rule, record, self.state.store.records(rule.sobject))
        if matches:
            raise duplicates_error(rule, matches, options.api_version)

    def _track_lead_changes(self, before: Record, after: Record, options: WriteOptions) -> None:
        if before.get("OwnerId") != after.get("OwnerId"):
            old_name, new_name = (
                self.state.display_name(before.get("OwnerId")),
                self.state.display_name(after.get("OwnerId")),
            )
            self._history(after["Id"], "Owner", old_name, new_name, options, data_type="Text")
            self._history(
                after["Id"],
                "Owner",
                before.get("OwnerId"),
                after.get("OwnerId"),
                options,
                data_type="EntityId",
            )
        if before.get("Status") != after.get("Status"):
            self._history(
                after["Id"],
                "Status",
                before.get("Status"),
                after.get("Status"),
                options,
                data_type="DynamicEnum",
            )
        if after.get("IsConverted") and not before.get("IsConverted"):
            self._history(after["Id"], "leadConverted", None, None, options)

    def _history(
        self,
        lead_id: str,
        field_name: str,
        old: Any,
        new: Any,
        options: WriteOptions,
        data_type: str | None = None,
    ) -> None:
        row = {
            "Id": self.state.ids.for_object("LeadHistory"),
            "LeadId": lead_id,
            "Field": field_name,
            "DataType": data_type,
            "OldValue": old,
            "NewValue": new,
            "IsDeleted": False,
            "CreatedDate": options.now,
            "CreatedById": options.user_id,
        }
        self.state.store.insert("LeadHistory", row)

    def _queue_workflow(
        self, sobject: str, before: Record | None, record: Record, options: WriteOptions
    ) -> None:
        if options.run_workflow:
            self.state.record_changed(sobject, before, dict(record), options.now)


def _refused(definition: ObjectDef, verb: str) -> errors.ApiError:
    return errors.ApiError(
        400,
        "INVALID_TYPE_FOR_OPERATION",
        f"entity type cannot be {verb}: {definition.label or definition.name}",
    )


# Deleting a parent sends these children to the recycle bin too (Account → Contacts, Opportunities, …).
_CASCADES: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (("Contact", "AccountId"), ("Opportunity", "AccountId")),
    "Opportunity": (("OpportunityContactRole", "OpportunityId"),),
    "Group": (("GroupMember", "GroupId"), ("QueueSobject", "QueueId")),
}
