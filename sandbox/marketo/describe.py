"""Describe documents built from the schemas (reference/marketo.md §3, §5, §6).

``leads/describe.json`` lists ``[{id, displayName, dataType, length, rest:{name, readOnly}, soap:{…}}]``;
``leads/describe2.json`` lists ``[{name:"API Lead", searchableFields:[[…]], fields:[{name, displayName,
dataType, length, updateable, crmManaged}]}]``, whose ``searchableFields`` are authoritative for which
``filterType`` values an instance accepts.
"""

from __future__ import annotations

from typing import Any

from sandbox.marketo.companies import FILTER_TYPES as COMPANY_FILTER_TYPES
from sandbox.marketo.programs import MEMBER_FIELDS, MEMBER_SEARCHABLE
from sandbox.marketo.schema import FieldSchema, FieldSpec

_EPOCH = "2024-01-01T00:00:00Z"


def _length(spec: FieldSpec) -> dict[str, Any]:
    return {"length": spec.length} if spec.length is not None else {}


def lead_describe(schema: FieldSchema) -> list[dict[str, Any]]:
    return [
        {
            "id": spec.id,
            "displayName": spec.display_name,
            "dataType": spec.data_type,
            **_length(spec),
            "rest": {"name": spec.name, "readOnly": not spec.updateable},
            "soap": {"name": spec.display_name.replace(" ", ""), "readOnly": not spec.updateable},
        }
        for spec in schema
    ]


def lead_describe2(schema: FieldSchema, *, crm_sync_enabled: bool) -> list[dict[str, Any]]:
    return [
        {
            "name": "API Lead",
            "searchableFields": [[name] for name in schema.searchable_names()],
            "fields": [
                {
                    "name": spec.name,
                    "displayName": spec.display_name,
                    "dataType": spec.data_type,
                    **_length(spec),
                    "updateable": spec.updateable,
                    "crmManaged": crm_sync_enabled and spec.crm_field,
                }
                for spec in schema
            ],
        }
    ]


def member_describe() -> list[dict[str, Any]]:
    return [
        {
            "name": "API Program Membership",
            "description": "Map for API program membership fields",
            "createdAt": _EPOCH,
            "updatedAt": _EPOCH,
            "dedupeFields": ["leadId", "programId"],
            "searchableFields": [[name] for name in MEMBER_SEARCHABLE],
            "fields": [
                {
                    "name": name,
                    "displayName": display,
                    "dataType": data_type,
                    "updateable": writable,
                    "crmManaged": False,
                }
                for name, display, data_type, writable in MEMBER_FIELDS
            ],
        }
    ]


def company_describe(schema: FieldSchema) -> list[dict[str, Any]]:
    return [
        {
            "name": "Company",
            "description": "Company object",
            "createdAt": _EPOCH,
            "updatedAt": _EPOCH,
            "idField": "id",
            "dedupeFields": ["externalCompanyId"],
            "searchableFields": [[name] for name in COMPANY_FILTER_TYPES],
            "fields": [
                {
                    "name": spec.name,
                    "displayName": spec.display_name,
                    "dataType": spec.data_type,
                    **_length(spec),
                    "updateable": spec.updateable,
                }
                for spec in schema
            ],
        }
    ]
