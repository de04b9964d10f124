"""Lead conversion, as the SOAP ``convertLead`` call does it (reference §6).

A conversion marks the lead ``IsConverted`` with a ``convertedStatus`` that is a LeadStatus with
``IsConverted=true``, stamps ``ConvertedDate`` and the ``Converted…Id`` fields (read-only everywhere
else), and creates or attaches the Account, the Contact and, unless ``doNotCreateOpportunity``, an
Opportunity with the contact as its primary contact role. A queue-owned lead needs ``ownerId``: converted
records are owned by users. Each lead converts in its own transaction; its failure is a value
(``ConvertResult.errors``), as in the SOAP result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.salesforce import ids
from sandbox.salesforce.dml import WriteOptions
from sandbox.salesforce.errors import ApiError

if TYPE_CHECKING:
    from sandbox.salesforce.state import SalesforceState

_ADDRESS = ("Street", "City", "State", "PostalCode", "Country")


@dataclass
class LeadConvert:
    lead_id: str | None
    converted_status: str | None
    account_id: str | None = None
    contact_id: str | None = None
    owner_id: str | None = None
    opportunity_name: str | None = None
    do_not_create_opportunity: bool = False
    overwrite_lead_source: bool = False
    send_notification_email: bool = False


@dataclass
class ConvertResult:
    lead_id: str | None
    account_id: str | None = None
    contact_id: str | None = None
    opportunity_id: str | None = None
    errors: list[ApiError] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.errors


def _error(code: str, message: str, fields: list[str] | None = None) -> ApiError:
    return ApiError(400, code, message, fields or [])


def _live(state: SalesforceState, raw_id: str | None, sobject: str, field_name: str) -> dict[str, Any]:
    normalised = ids.normalise(raw_id or "")
    record = state.store.live(normalised) if normalised else None
    if record is None or ids.object_of(record["Id"]) != sobject:
        raise _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field_name])
    return record


def convert_lead(state: SalesforceState, request: LeadConvert, options: WriteOptions) -> ConvertResult:
    result = ConvertResult(ids.normalise(request.lead_id or ""))
    try:
        with state.transaction():
            _convert(state, request, options, result)
    except ApiError as error:
        result.errors = [error]
        result.account_id = result.contact_id = result.opportunity_id = None
    return result


def _convert(
    state: SalesforceState, request: LeadConvert, options: WriteOptions, result: ConvertResult
) -> None:
    if not request.lead_id:
        raise _error("REQUIRED_FIELD_MISSING", "Required field is missing: leadId", ["leadId"])
    lead = _live(state, request.lead_id, "Lead", "leadId")
    if lead.get("IsConverted"):
        raise _error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", ["leadId"])
    if not request.converted_status:
        raise _error(
            "REQUIRED_FIELD_MISSING", "Required field is missing: convertedStatus", ["convertedStatus"]
        )
    wanted = request.converted_status.casefold()
    status = next((s for s in state.lead_statuses() if str(s["ApiName"]).casefold() == wanted), None)
    if status is None or not status.get("IsConverted"):
        raise _error(
            "INVALID_STATUS", f"invalid convertedStatus: {request.converted_status}", ["convertedStatus"]
        )
    if request.owner_id:
        owner = _live(state, request.owner_id, "User", "ownerId")
    elif ids.object_of(lead["OwnerId"]) == "User":
        owner = _live(state, lead["OwnerId"], "User", "ownerId")
    else:
        raise _error(
            "FIELD_INTEGRITY_EXCEPTION",
            "Converted objects can only be owned by users.  If the lead is not owned by a user, you must specify "
            "a user for the Owner field.",
            ["ownerId"],
        )
    if not owner.get("IsActive"):
        raise _error("INACTIVE_OWNER_OR_USER", "operation performed with inactive user as owner", ["ownerId"])
    owner_id = owner["Id"]
    dml = state.dml
    if request.account_id:
        account_id = _live(state, request.account_id, "Account", "accountId")["Id"]
    else:
        account = {"Name": lead["Company"], "OwnerId": owner_id, "Industry": lead.get("Industry")}
        account |= {f"Billing{part}": lead.get(part) for part in _ADDRESS}
        account |= {
            name: lead.get(name) for name in ("NumberOfEmployees", "AnnualRevenue", "Website", "Phone")
        }
        account_id = dml.insert_values(state.schema.objects["Account"], _present(account), options)
    if request.contact_id:
        contact = _live(state, request.contact_id, "Contact", "contactId")
        if contact.get("AccountId") != account_id:
            raise _error(
                "INVALID_CROSS_REFERENCE_KEY", "contactId does not belong to accountId", ["contactId"]
            )
        contact_id = contact["Id"]
        if request.overwrite_lead_source and lead.get("LeadSource"):
            dml.update_values(
                state.schema.objects["Contact"], contact, {"LeadSource": lead["LeadSource"]}, options
            )
    else:
        names = (
            "FirstName",
            "LastName",
            "Salutation",
            "Title",
            "Email",
            "Phone",
            "MobilePhone",
            "LeadSource",
        )
        contact_values = {name: lead.get(name) for name in names}
        contact_values |= {f"Mailing{part}": lead.get(part) for part in _ADDRESS}
        contact_values |= {
            "AccountId": account_id,
            "OwnerId": owner_id,
            "HasOptedOutOfEmail": lead.get("HasOptedOutOfEmail"),
        }
        contact_values |= {"Description": lead.get("Description")}
        contact_id = dml.insert_values(state.schema.objects["Contact"], _present(contact_values), options)
    opportunity_id = None
    if not request.do_not_create_opportunity:
        first_open = next(stage for stage in state.opportunity_stages.values() if not stage.closed)
        opportunity = {
            "Name": request.opportunity_name or lead["Company"],
            "AccountId": account_id,
            "OwnerId": owner_id,
            "StageName": first_open.name,
            "CloseDate": options.now.date() + timedelta(days=30),
            "LeadSource": lead.get("LeadSource"),
        }
        opportunity_id = dml.insert_values(
            state.schema.objects["Opportunity"], _present(opportunity), options
        )
        role = {"OpportunityId": opportunity_id, "ContactId": contact_id, "IsPrimary": True}
        dml.insert_values(state.schema.objects["OpportunityContactRole"], role, options)
    changes = {
        "IsConverted": True,
        "Status": status["ApiName"],
        "ConvertedDate": options.now.date(),
        "ConvertedAccountId": account_id,
        "ConvertedContactId": contact_id,
        "ConvertedOpportunityId": opportunity_id,
        "OwnerId": owner_id,
    }
    system = WriteOptions(options.user_id, options.now, options.api_version, system=True)
    dml.update_values(state.schema.objects["Lead"], lead, changes, system)
    result.account_id, result.contact_id, result.opportunity_id = account_id, contact_id, opportunity_id


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
