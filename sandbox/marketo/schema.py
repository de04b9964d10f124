"""The lead and company field schemas of the emulated instance, and value coercion (pure).

Field names are the REST names Marketo returns in ``leads/describe.json`` (reference/marketo.md §3).
Which fields a caller may filter or look up by follows the swagger list quoted in §3: a fixed set of
standard fields plus any custom string, email or integer field. The ``sfdc*`` fields (§9) are ordinary
updateable fields here, because Handoff writes ``sfdcLeadId``/``sfdcContactId`` back when the native
CRM sync is off; with the CRM flag on they are reported as ``crmManaged`` in describe2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

#: Standard fields the swagger lists as valid ``filterType`` / ``lookupField`` values (§3).
STANDARD_SEARCHABLE = (
    "id",
    "email",
    "cookies",
    "facebookId",
    "leadPartitionId",
    "linkedInId",
    "sfdcAccountId",
    "sfdcContactId",
    "sfdcLeadId",
    "sfdcLeadOwnerId",
    "sfdcOpptyId",
    "twitterId",
)
#: Custom fields of these types are searchable too (§3).
SEARCHABLE_CUSTOM_TYPES = ("string", "email", "integer")
#: Lead fields Marketo reads from the linked company record when ``externalCompanyId`` is set (§3, §6).
COMPANY_FIELDS_ON_LEAD = (
    "company",
    "website",
    "mainPhone",
    "industry",
    "sicCode",
    "numberOfEmployees",
    "annualRevenue",
    "billingStreet",
    "billingCity",
    "billingState",
    "billingPostalCode",
    "billingCountry",
)
SCORE_FIELDS = ("leadScore",)


class InvalidValue(ValueError):
    """A value that does not fit its field's type: Marketo answers 1001 for such a record."""


@dataclass(frozen=True)
class FieldSpec:
    """One field as describe/describe2 report it."""

    id: int
    name: str
    display_name: str
    data_type: str
    length: int | None = None
    updateable: bool = True
    custom: bool = False
    crm_field: bool = False

    @property
    def searchable(self) -> bool:
        if self.name in STANDARD_SEARCHABLE:
            return True
        return self.custom and self.data_type in SEARCHABLE_CUSTOM_TYPES


def _f(
    field_id: int, name: str, display: str, data_type: str, length: int | None = None, **flags: bool
) -> FieldSpec:
    if length is None and data_type in ("string", "email", "phone", "url"):
        length = 255
    return FieldSpec(field_id, name, display, data_type, length, **flags)


STANDARD_LEAD_FIELDS: tuple[FieldSpec, ...] = (
    _f(1, "id", "Id", "integer", updateable=False),
    _f(2, "email", "Email Address", "email"),
    _f(3, "firstName", "First Name", "string"),
    _f(4, "lastName", "Last Name", "string"),
    _f(5, "middleName", "Middle Name", "string"),
    _f(6, "salutation", "Salutation", "string"),
    _f(7, "title", "Job Title", "string"),
    _f(8, "phone", "Phone Number", "phone"),
    _f(9, "mobilePhone", "Mobile Phone Number", "phone"),
    _f(10, "address", "Address", "text"),
    _f(11, "city", "City", "string"),
    _f(12, "state", "State", "string"),
    _f(13, "postalCode", "Postal Code", "string"),
    _f(14, "country", "Country", "string"),
    _f(15, "company", "Company Name", "string"),
    _f(16, "website", "Website", "url"),
    _f(17, "mainPhone", "Main Phone", "phone"),
    _f(18, "industry", "Industry", "string"),
    _f(19, "sicCode", "SIC Code", "string"),
    _f(20, "numberOfEmployees", "Num Employees", "integer"),
    _f(21, "annualRevenue", "Annual Revenue", "currency"),
    _f(22, "billingStreet", "Billing Address", "text"),
    _f(23, "billingCity", "Billing City", "string"),
    _f(24, "billingState", "Billing State", "string"),
    _f(25, "billingPostalCode", "Billing Postal Code", "string"),
    _f(26, "billingCountry", "Billing Country", "string"),
    _f(27, "leadSource", "Person Source", "string"),
    _f(28, "leadStatus", "Lead Status", "string"),
    _f(29, "leadScore", "Lead Score", "integer"),
    _f(30, "rating", "Lead Rating", "string"),
    _f(31, "leadRole", "Role", "string"),
    _f(32, "unsubscribed", "Unsubscribed", "boolean"),
    _f(33, "emailInvalid", "Email Invalid", "boolean"),
    _f(34, "doNotCall", "Do Not Call", "boolean"),
    _f(35, "createdAt", "Created At", "datetime", updateable=False),
    _f(36, "updatedAt", "Updated At", "datetime", updateable=False),
    _f(37, "originalSourceType", "Original Source Type", "string", updateable=False),
    _f(38, "originalSourceInfo", "Original Source Info", "string", updateable=False),
    _f(39, "cookies", "Cookies", "string", updateable=False),
    _f(40, "facebookId", "Facebook Id", "string"),
    _f(41, "linkedInId", "LinkedIn Id", "string"),
    _f(42, "twitterId", "Twitter Id", "string"),
    _f(43, "leadPartitionId", "Lead Partition Id", "integer", updateable=False),
    _f(44, "externalCompanyId", "External Company Id", "string"),
    _f(45, "externalSalesPersonId", "External Sales Person Id", "string"),
    _f(46, "acquisitionProgramId", "Acquisition Program Id", "integer"),
    _f(47, "sfdcType", "SFDC Type", "string", crm_field=True),
    _f(48, "sfdcLeadId", "SFDC Lead ID", "string", 18, crm_field=True),
    _f(49, "sfdcContactId", "SFDC Contact ID", "string", 18, crm_field=True),
    _f(50, "sfdcAccountId", "SFDC Account ID", "string", 18, crm_field=True),
    _f(51, "sfdcLeadOwnerId", "SFDC Lead Owner ID", "string", 18, crm_field=True),
    _f(52, "sfdcOpptyId", "SFDC Oppty ID", "string", 18, crm_field=True),
    # Custom fields a Handoff instance typically adds (lifecycle, MQL date, routing outcome).
    _f(1001, "lifecycleStage", "Lifecycle Stage", "string", custom=True),
    _f(1002, "mqlDate", "MQL Date", "datetime", custom=True),
    _f(1003, "handoffStatus", "Handoff Status", "string", custom=True),
    _f(1004, "handoffReason", "Handoff Reason", "string", custom=True),
)

COMPANY_FIELDS: tuple[FieldSpec, ...] = (
    _f(1, "id", "Id", "integer", updateable=False),
    _f(2, "externalCompanyId", "External Company Id", "string"),
    _f(3, "company", "Company Name", "string"),
    _f(4, "website", "Website", "url"),
    _f(5, "mainPhone", "Main Phone", "phone"),
    _f(6, "industry", "Industry", "string"),
    _f(7, "sicCode", "SIC Code", "string"),
    _f(8, "numberOfEmployees", "Num Employees", "integer"),
    _f(9, "annualRevenue", "Annual Revenue", "currency"),
    _f(10, "billingStreet", "Billing Address", "text"),
    _f(11, "billingCity", "Billing City", "string"),
    _f(12, "billingState", "Billing State", "string"),
    _f(13, "billingPostalCode", "Billing Postal Code", "string"),
    _f(14, "billingCountry", "Billing Country", "string"),
    _f(15, "externalSalesPersonId", "External Sales Person Id", "string"),
    _f(16, "createdAt", "Created At", "datetime", updateable=False),
    _f(17, "updatedAt", "Updated At", "datetime", updateable=False),
)


class FieldSchema:
    """The fields of one object type, by REST name and by display name (for webhook tokens)."""

    def __init__(self, fields: tuple[FieldSpec, ...]) -> None:
        self._by_name: dict[str, FieldSpec] = {}
        self._by_display: dict[str, FieldSpec] = {}
        for spec in fields:
            self._register(spec)

    def _register(self, spec: FieldSpec) -> None:
        if spec.name in self._by_name:
            raise ValueError(f"field {spec.name!r} already exists")
        self._by_name[spec.name] = spec
        self._by_display[spec.display_name.lower()] = spec

    def add_custom(
        self, name: str, data_type: str, display_name: str | None = None, length: int | None = None
    ) -> FieldSpec:
        if data_type not in _COERCERS:
            raise ValueError(f"unknown data type {data_type!r}")
        next_id = max(spec.id for spec in self._by_name.values()) + 1
        spec = _f(max(next_id, 1001), name, display_name or name, data_type, length, custom=True)
        self._register(spec)
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self):
        return iter(self._by_name.values())

    def get(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name)

    def by_token_name(self, token: str) -> FieldSpec | None:
        """Webhook tokens name fields by display name (``{{lead.Email Address}}``) or REST name."""
        return self._by_display.get(token.lower()) or self._by_name.get(token) or self._lower_name(token)

    def _lower_name(self, token: str) -> FieldSpec | None:
        wanted = token.lower()
        return next((spec for spec in self._by_name.values() if spec.name.lower() == wanted), None)

    def searchable_names(self) -> list[str]:
        return [spec.name for spec in self._by_name.values() if spec.searchable]

    def coerce(self, name: str, value: Any) -> Any:
        """The stored form of ``value`` for field ``name``; raises InvalidValue (1001) when it does not fit."""
        spec = self._by_name[name]
        if value is None or (value == "" and spec.data_type not in ("string", "text")):
            return None
        return _COERCERS[spec.data_type](spec, value)


def _as_string(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue(f"Invalid value '{value}'. Required of type '{spec.data_type}'")
    text = str(value)
    if spec.length is not None and len(text) > spec.length:
        raise InvalidValue(f"Value for field '{spec.name}' exceeds the maximum length of {spec.length}")
    return text


def _as_email(spec: FieldSpec, value: Any) -> str:
    text = _as_string(spec, value)
    # Marketo accepts only ASCII email addresses (§3 "Emails must be ASCII").
    if not text.isascii() or text.count("@") != 1 or text.startswith("@") or text.endswith("@"):
        raise InvalidValue(f"Invalid email address '{text}'")
    return text


def _as_integer(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"Invalid value '{value}'. Required of type 'integer'")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InvalidValue(f"Invalid value '{value}'. Required of type 'integer'")


def _as_float(spec: FieldSpec, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidValue(f"Invalid value '{value}'. Required of type '{spec.data_type}'")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"Invalid value '{value}'. Required of type '{spec.data_type}'") from None


def _as_boolean(spec: FieldSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidValue(f"Invalid value '{value}'. Required of type 'boolean'")


def _as_datetime(spec: FieldSpec, value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value)
        except ValueError:
            raise InvalidValue(f"Invalid value '{value}'. Required of type 'datetime'") from None
    else:
        raise InvalidValue(f"Invalid value '{value}'. Required of type 'datetime'")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _as_date(spec: FieldSpec, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidValue(f"Invalid value '{value}'. Required of type 'date'") from None


_COERCERS = {
    "string": _as_string,
    "text": _as_string,
    "phone": _as_string,
    "url": _as_string,
    "email": _as_email,
    "integer": _as_integer,
    "float": _as_float,
    "currency": _as_float,
    "boolean": _as_boolean,
    "datetime": _as_datetime,
    "date": _as_date,
}


def parse_datetime(text: str) -> datetime:
    """ISO-8601 with ``Z`` or an offset, also ``+0000`` without a colon (§4 "also parse dates like …")."""
    cleaned = text.strip()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    elif len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit() and "T" in cleaned:
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_datetime(moment: datetime) -> str:
    """Marketo's wire form for datetimes: ``2023-01-16T23:32:19Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
