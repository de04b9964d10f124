"""The Python API that builds and reads an org without HTTP (world generator, tests, demos).

Writes go through the same DML as the REST API (validation, defaults, triggers), so a seeded org is one
the API could have produced; they default to ``Sforce-Auto-Assign: FALSE`` semantics and no duplicate
check, as a data load would, and take ``at=`` to backdate a record (its CreatedDate). People and
picklists live here too: users, queues (Group Type='Queue' with members and QueueSobject rows), lead
statuses. Rules, workflow and apps are in ``setup.SetupApi``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.salesforce import ids
from sandbox.salesforce.assignment import (
    AUTO_ASSIGN_FALSE,
    AUTO_ASSIGN_TRUE,
    AutoAssign,
)
from sandbox.salesforce.coerce import coerce_value, to_json
from sandbox.salesforce.errors import ApiError, no_such_column, not_writable
from sandbox.salesforce.schema import FieldDef, FieldType

if TYPE_CHECKING:
    from sandbox.salesforce.conversion import ConvertResult
    from sandbox.salesforce.state import SalesforceState


def _python_fields(
    state: SalesforceState, sobject: str, fields: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Python values (aware datetimes, dates, numbers, strings) to stored ones, with the API's checks."""
    definition = state.schema.get(sobject)
    if definition is None:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
    values: dict[str, Any] = {}
    read_only = []
    for name, value in fields.items():
        field_def = definition.get(name)
        if field_def is None:
            raise no_such_column(name, definition.name)
        if not (field_def.createable if creating else field_def.updateable):
            read_only.append(field_def.name)
            continue
        values[field_def.name] = _python_value(field_def, value)
    if read_only:
        raise not_writable(read_only)
    return values


def _python_value(field_def: FieldDef, value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{field_def.name}: naive datetimes are refused; pass an aware UTC datetime")
        if field_def.type is FieldType.DATE:
            return value.astimezone(UTC).date()
        return value.astimezone(UTC)
    if isinstance(value, date) and field_def.type is FieldType.DATE:
        return value
    return coerce_value(field_def, value)


def _auto_assign(value: bool | str) -> AutoAssign:
    if value is True:
        return AUTO_ASSIGN_TRUE
    if value is False:
        return AUTO_ASSIGN_FALSE
    return AutoAssign.from_header(value)


class SeedingApi:
    """Mixed into ``SalesforceState``; every method takes the org lock through ``transaction()``."""

    # ------------------------------------------------------------------ records
    def insert(
        self: SalesforceState,
        sobject: str,
        fields: Mapping[str, Any],
        *,
        as_user: str | None = None,
        at: datetime | None = None,
        auto_assign: bool | str = False,
        allow_duplicates: bool = True,
        run_workflow: bool = True,
    ) -> str:
        """Insert one record and return its 18-character id (``ApiError`` on invalid data)."""
        options = self.system_options(as_user, at, auto_assign=_auto_assign(auto_assign))
        options.allow_duplicates, options.run_workflow = allow_duplicates, run_workflow
        with self.transaction():
            values = _python_fields(self, sobject, fields, creating=True)
            definition = self.schema.get(sobject)
            assert definition is not None
            if not definition.createable:
                raise ApiError(
                    400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be inserted: {definition.name}"
                )
            return self.dml.insert_values(definition, values, options)

    def update(
        self: SalesforceState,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        as_user: str | None = None,
        at: datetime | None = None,
        auto_assign: bool | str = False,
        allow_duplicates: bool = True,
        run_workflow: bool = True,
    ) -> None:
        options = self.system_options(as_user, at, auto_assign=_auto_assign(auto_assign))
        options.allow_duplicates, options.run_workflow = allow_duplicates, run_workflow
        with self.transaction():
            record = self.dml.existing(None, record_id)
            sobject = ids.object_of(record["Id"]) or ""
            values = _python_fields(self, sobject, fields, creating=False)
            self.dml.update_values(self.dml.object_def(sobject), record, values, options)

    def delete(
        self: SalesforceState, record_id: str, *, as_user: str | None = None, at: datetime | None = None
    ) -> None:
        with self.transaction():
            self.dml.delete(None, record_id, self.system_options(as_user, at))

    def convert_lead(
        self: SalesforceState,
        lead_id: str,
        *,
        converted_status: str | None = None,
        account_id: str | None = None,
        contact_id: str | None = None,
        owner_id: str | None = None,
        opportunity_name: str | None = None,
        do_not_create_opportunity: bool = False,
        overwrite_lead_source: bool = False,
        as_user: str | None = None,
        at: datetime | None = None,
    ) -> ConvertResult:
        """Convert a lead as SOAP ``convertLead`` does; ``converted_status`` defaults to the first converted one."""
        from sandbox.salesforce.conversion import LeadConvert, convert_lead

        if converted_status is None:
            converted = next((s for s in self.lead_statuses() if s.get("IsConverted")), None)
            converted_status = converted["ApiName"] if converted else None
        request = LeadConvert(
            lead_id,
            converted_status,
            account_id,
            contact_id,
            owner_id,
            opportunity_name,
            do_not_create_opportunity,
            overwrite_lead_source,
        )
        return convert_lead(self, request, self.system_options(as_user, at))

    def add_account(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Account", fields, **options)

    def add_contact(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Contact", fields, **options)

    def add_lead(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Lead", fields, **options)

    def add_opportunity(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Opportunity", fields, **options)

    def add_task(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Task", fields, **options)

    def add_event(self: SalesforceState, fields: Mapping[str, Any], **options: Any) -> str:
        return self.insert("Event", fields, **options)

    # ------------------------------------------------------------------ reads
    def get(self: SalesforceState, record_id: str) -> dict[str, Any] | None:
        """A copy of the stored record (Python values), including a deleted one, or None."""
        normalised = ids.normalise(record_id)
        with self.lock:
            record = self.store.get(normalised) if normalised else None
            return copy.deepcopy(record) if record is not None else None

    def get_json(self: SalesforceState, record_id: str) -> dict[str, Any] | None:
        """The record as the REST API would show its fields (``+0000`` datetimes, ISO dates)."""
        record = self.get(record_id)
        return {name: to_json(value) for name, value in record.items()} if record else None

    def records(
        self: SalesforceState, sobject: str, *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(r) for r in self.store.records(sobject, include_deleted=include_deleted)]

    def query(self: SalesforceState, soql: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Run SOQL as the integration user and return every record in the REST shape (no paging)."""
        from sandbox.salesforce.soql import CompiledQuery, QueryContext, parse
        from sandbox.salesforce.soql.dates import zone_of

        compiled = CompiledQuery(parse(soql), self.schema)
        with self.lock:
            user = self.store.get(self.integration_user_id) or {}
            context = QueryContext(
                self.store,
                self.clock(),
                zone_of(user.get("TimeZoneSidKey")),
                self.settings.api_version,
                include_deleted,
            )
            return compiled.run(context).records

    # ------------------------------------------------------------------ people and queues
    def add_user(
        self: SalesforceState,
        last_name: str,
        *,
        first_name: str | None = None,
        email: str | None = None,
        username: str | None = None,
        manager_id: str | None = None,
        time_zone: str | None = None,
        active: bool = True,
        title: str | None = None,
        **fields: Any,
    ) -> str:
        slug = ".".join(part.lower() for part in (first_name, last_name) if part).replace(" ", "")
        email = email or f"{slug}@sandbox.example"
        values = {
            "LastName": last_name,
            "FirstName": first_name,
            "Email": email,
            "Username": username or email,
        }
        values |= {"ManagerId": manager_id, "TimeZoneSidKey": time_zone or self.time_zone, "IsActive": active}
        values |= {"Title": title, **fields}
        return self.insert("User", {k: v for k, v in values.items() if v is not None})

    def add_queue(
        self: SalesforceState,
        name: str,
        *,
        members: Iterable[str] = (),
        developer_name: str | None = None,
        email: str | None = None,
        sobject_types: Iterable[str] = ("Lead",),
    ) -> str:
        """A queue: a Group with Type='Queue', the objects it may own (QueueSobject) and its members."""
        with self.transaction():
            fields = {"Name": name, "Type": "Queue", "DeveloperName": developer_name, "Email": email}
            queue_id = self.insert("Group", {k: v for k, v in fields.items() if v is not None})
            for sobject in sobject_types:
                self.insert("QueueSobject", {"QueueId": queue_id, "SobjectType": sobject})
            for member in members:
                self.add_queue_member(queue_id, member)
            return queue_id

    def add_queue_member(self: SalesforceState, queue_id: str, user_or_group_id: str) -> str:
        return self.insert("GroupMember", {"GroupId": queue_id, "UserOrGroupId": user_or_group_id})

    def queue_members(self: SalesforceState, queue_id: str) -> list[str]:
        wanted = ids.to18(queue_id)
        with self.lock:
            return [m["UserOrGroupId"] for m in self.store.records("GroupMember") if m["GroupId"] == wanted]

    def add_lead_status(
        self: SalesforceState,
        api_name: str,
        *,
        label: str | None = None,
        default: bool = False,
        converted: bool = False,
        sort_order: int | None = None,
    ) -> str:
        """A LeadStatus value; a new default demotes the previous one (one default per org)."""
        with self.transaction():
            options = self.system_options(system=True)
            if default:
                for row in list(self.store.records("LeadStatus")):
                    if row.get("IsDefault"):
                        self.dml.update_values(
                            self.schema.objects["LeadStatus"], row, {"IsDefault": False}, options
                        )
            order = sort_order if sort_order is not None else len(self.lead_statuses()) + 1
            values = {"ApiName": api_name, "MasterLabel": label or api_name, "SortOrder": order}
            values |= {"IsDefault": default, "IsConverted": converted}
            return self.dml.insert_values(self.schema.objects["LeadStatus"], values, options)

    def set_lead_statuses(self: SalesforceState, statuses: Sequence[tuple[str, bool, bool]]) -> list[str]:
        """Replace the picklist with ``(api_name, is_default, is_converted)`` values, in order."""
        with self.transaction():
            options = self.system_options(system=True)
            for row in list(self.store.records("LeadStatus")):
                self.dml.delete(None, row["Id"], options)
            return [
                self.add_lead_status(name, default=is_default, converted=is_converted, sort_order=order)
                for order, (name, is_default, is_converted) in enumerate(statuses, start=1)
            ]
