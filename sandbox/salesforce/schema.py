"""One org's schema: the standard objects plus its custom fields (``…__c``).

``Schema.get`` resolves object and field names case-insensitively, as the API does; ``define_field``
adds a custom field. The definitions themselves are in ``fields`` and ``standard_objects``.
"""

from __future__ import annotations

import copy

from sandbox.salesforce.fields import (
    NAME_OBJECT_FIELDS,
    NUMBER_TYPES,
    TEXT_TYPES,
    FieldDef,
    FieldType,
    ObjectDef,
)
from sandbox.salesforce.standard_objects import STANDARD_OBJECTS

__all__ = ["NAME_OBJECT_FIELDS", "NUMBER_TYPES", "TEXT_TYPES", "FieldDef", "FieldType", "ObjectDef", "Schema"]


class Schema:
    """One org's describe: the standard objects plus that org's custom fields."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectDef] = copy.deepcopy(STANDARD_OBJECTS)
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
