"""Lead conversion through the SOAP ``convertLead`` call, over HTTP (reference §6)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from defusedxml import ElementTree

from handoff.clock import ManualClock
from tests.sandbox.salesforce.support import Org, an_org, rest_client

SOAP = "/services/Soap/u/59.0"
NS = "{urn:partner.soap.sforce.com}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@pytest.fixture
def org(clock: ManualClock) -> Org:
    return an_org(clock)


@pytest.fixture
def api(org: Org) -> Iterator[httpx.Client]:
    with rest_client(org) as client:
        yield client


def envelope(session_id: str, operation: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">'
        f"<soapenv:Header><urn:SessionHeader><urn:sessionId>{session_id}</urn:sessionId></urn:SessionHeader></soapenv:Header>"
        f"<soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
    )


def lead_convert(**fields: str | bool) -> str:
    parts = "".join(
        f"<urn:{name}>{str(value).lower() if isinstance(value, bool) else value}</urn:{name}>"
        for name, value in fields.items()
    )
    return f"<urn:leadConverts>{parts}</urn:leadConverts>"


def call(api: httpx.Client, *converts: str, session_id: str | None = None) -> httpx.Response:
    token = session_id if session_id is not None else api.headers["Authorization"].removeprefix("Bearer ")
    body = envelope(token, f"<urn:convertLead>{''.join(converts)}</urn:convertLead>")
    return api.post(SOAP, content=body, headers={"Content-Type": "text/xml", "SOAPAction": '""'})


def results(reply: httpx.Response) -> list[dict[str, str | None]]:
    root = ElementTree.fromstring(reply.content)
    out = []
    for result in root.iter(f"{NS}result"):
        row: dict[str, str | None] = {}
        for child in result:
            name = child.tag.replace(NS, "")
            if name == "errors":
                row["statusCode"] = child.findtext(f"{NS}statusCode")
                row["message"] = child.findtext(f"{NS}message")
            else:
                row[name] = None if child.get(XSI_NIL) == "true" else child.text
        out.append(row)
    return out


def test_converting_a_user_owned_lead_creates_account_contact_and_opportunity(
    api: httpx.Client, org: Org
) -> None:
    lead_id = org.state.add_lead(
        {
            "FirstName": "Jane",
            "LastName": "Doe",
            "Company": "Acme",
            "Email": "jane@acme.example",
            "OwnerId": org.ann,
        }
        | {"LeadSource": "Web", "Country": "DE"}
    )
    reply = call(api, lead_convert(leadId=lead_id, convertedStatus="Closed - Converted"))
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    [result] = results(reply)
    assert result["success"] == "true" and result["leadId"] == lead_id
    assert result["relatedPersonAccountId"] is None
    lead = org.state.get_json(lead_id)
    assert lead is not None
    assert (lead["IsConverted"], lead["Status"], lead["ConvertedDate"]) == (
        True,
        "Closed - Converted",
        "2026-11-02",
    )
    assert (lead["ConvertedAccountId"], lead["ConvertedContactId"], lead["ConvertedOpportunityId"]) == (
        result["accountId"],
        result["contactId"],
        result["opportunityId"],
    )
    contact = org.state.get(result["contactId"])  # type: ignore[arg-type]
    assert contact is not None
    assert (contact["Email"], contact["AccountId"], contact["OwnerId"], contact["MailingCountry"]) == (
        "jane@acme.example",
        result["accountId"],
        org.ann,
        "DE",
    )
    assert org.state.get(result["accountId"])["Name"] == "Acme"  # type: ignore[arg-type,index]
    [role] = org.state.query(
        f"SELECT ContactId, IsPrimary FROM OpportunityContactRole WHERE OpportunityId = '{result['opportunityId']}'"
    )
    assert (role["ContactId"], role["IsPrimary"]) == (result["contactId"], True)
    soql = f"SELECT ConvertedContact.Email FROM Lead WHERE Id = '{lead_id}'"
    assert org.state.query(soql)[0]["ConvertedContact"]["Email"] == "jane@acme.example"


def test_a_queue_owned_lead_needs_an_owner(api: httpx.Client, org: Org) -> None:
    lead_id = org.state.add_lead({"LastName": "Doe", "Company": "Acme", "OwnerId": org.emea_queue})
    [refused] = results(call(api, lead_convert(leadId=lead_id, convertedStatus="Closed - Converted")))
    assert refused["success"] == "false" and refused["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert refused["accountId"] is None
    assert org.state.get(lead_id)["IsConverted"] is False  # type: ignore[index]
    [converted] = results(
        call(api, lead_convert(leadId=lead_id, convertedStatus="Closed - Converted", ownerId=org.bob))
    )
    assert converted["success"] == "true"
    assert org.state.get(lead_id)["OwnerId"] == org.bob  # type: ignore[index]


def test_attaching_to_an_existing_account_and_contact_without_an_opportunity(
    api: httpx.Client, org: Org
) -> None:
    account_id = org.state.add_account({"Name": "Initech"})
    contact_id = org.state.add_contact({"LastName": "Roe", "AccountId": account_id, "LeadSource": "Old"})
    lead_id = org.state.add_lead(
        {"LastName": "Roe", "Company": "Initech", "OwnerId": org.ann, "LeadSource": "Webinar"}
    )
    convert = lead_convert(
        leadId=lead_id,
        convertedStatus="Closed - Converted",
        accountId=account_id,
        contactId=contact_id,
        doNotCreateOpportunity=True,
        overwriteLeadSource=True,
    )
    [result] = results(call(api, convert))
    assert (result["accountId"], result["contactId"], result["opportunityId"]) == (
        account_id,
        contact_id,
        None,
    )
    assert org.state.get(contact_id)["LeadSource"] == "Webinar"  # type: ignore[index]
    assert len(org.state.records("Account")) == 1


def test_each_lead_of_a_call_succeeds_or_fails_on_its_own(api: httpx.Client, org: Org) -> None:
    good = org.state.add_lead({"LastName": "A", "Company": "A", "OwnerId": org.ann})
    open_status = org.state.add_lead({"LastName": "B", "Company": "B", "OwnerId": org.ann})
    reply = call(
        api,
        lead_convert(leadId=good, convertedStatus="Closed - Converted"),
        lead_convert(leadId=open_status, convertedStatus="Working - Contacted"),
        lead_convert(leadId=good, convertedStatus="Closed - Converted"),
        lead_convert(leadId="00Q000000000000", convertedStatus="Closed - Converted"),
    )
    assert [(r["success"], r.get("statusCode")) for r in results(reply)] == [
        ("true", None),
        ("false", "INVALID_STATUS"),
        ("false", "CANNOT_UPDATE_CONVERTED_LEAD"),
        ("false", "INVALID_CROSS_REFERENCE_KEY"),
    ]
    root = ElementTree.fromstring(reply.content)
    assert root.findtext(f".//{NS}LimitInfoHeader/{NS}limitInfo/{NS}type") == "API REQUESTS"


def test_faults_are_soap_faults(api: httpx.Client) -> None:
    expired = call(api, lead_convert(leadId="x", convertedStatus="y"), session_id="00Dbogus!token")
    assert expired.status_code == 500
    root = ElementTree.fromstring(expired.content)
    assert root.findtext(".//faultcode") == "sf:INVALID_SESSION_ID"
    assert root.findtext(".//{urn:fault.partner.soap.sforce.com}exceptionCode") == "INVALID_SESSION_ID"

    token = api.headers["Authorization"].removeprefix("Bearer ")
    other = api.post(
        SOAP,
        content=envelope(
            token, "<urn:query><urn:queryString>SELECT Id FROM Lead</urn:queryString></urn:query>"
        ),
    )
    assert ElementTree.fromstring(other.content).findtext(".//faultstring") == (
        "No operation available for request {urn:partner.soap.sforce.com}query"
    )

    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol;</soapenv:Body></soapenv:Envelope>'
    refused = api.post(SOAP, content=bomb)
    assert refused.status_code == 500
    assert ElementTree.fromstring(refused.content).findtext(".//faultcode") == "soapenv:Client"


def test_there_is_no_rest_convert_lead_action(api: httpx.Client) -> None:
    reply = api.post("/services/data/v59.0/actions/standard/convertLead", json={"inputs": []})
    assert reply.status_code == 404
    assert reply.json() == [{"message": "Invalid Action Type", "errorCode": "NOT_FOUND"}]
