"""Field and object definitions: the types a describe call reports, as plain data.

Field types drive JSON coercion, SOQL type checks and which fields a write may set (reference §2).
"""

from __future__ import annotations

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
