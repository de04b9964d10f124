"""The SOAP API endpoint, for the one call Handoff needs there: ``convertLead`` (reference §6).

``POST /services/Soap/u/{version}`` (partner) or ``/services/Soap/c/{version}`` (enterprise), ``text/xml``,
the OAuth access token in ``SessionHeader/sessionId``, up to 200 ``leadConverts``; the answer is one
``result`` per lead (``accountId, contactId, errors, leadId, opportunityId, relatedPersonAccountId,
success``) and a ``LimitInfoHeader``. Session, allocation and unknown operations fail as SOAP faults
(HTTP 500), never JSON. Parsing uses defusedxml (no entities, no DTDs) with a size cap.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox.salesforce.conversion import ConvertResult, LeadConvert, convert_lead
from sandbox.salesforce.dml import WriteOptions
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.faults import FaultKind
from sandbox.salesforce.state import SalesforceState

router = APIRouter()

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MAX_SOAP_BYTES = 2 * 1024 * 1024
MAX_CONVERTS = 200
_TRUE = ("true", "1")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _envelope(body: str, header: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns="urn:partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{header}<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )


def fault(code: str, message: str, *, client: bool = False) -> Response:
    """A SOAP fault: ``sf:CODE`` with an ``UnexpectedErrorFault`` detail, or ``soapenv:Client``."""
    if client:
        body = f"<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>{escape(message)}</faultstring></soapenv:Fault>"
    else:
        body = (
            "<soapenv:Fault>"
            f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
            '<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">'
            f"<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
            "</sf:UnexpectedErrorFault></detail></soapenv:Fault>"
        )
    # Faults carry no default namespace: faultcode and faultstring are unqualified, as SOAP 1.1 says.
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
    return Response(text, status_code=500, media_type="text/xml; charset=utf-8")


def _id_element(name: str, value: str | None) -> str:
    return f"<{name}>{value}</{name}>" if value else f'<{name} xsi:nil="true"/>'


def _result_xml(result: ConvertResult) -> str:
    errors = "".join(
        "<errors>"
        + "".join(f"<fields>{escape(f)}</fields>" for f in (error.fields or []))
        + f"<message>{escape(error.message)}</message><statusCode>{error.code}</statusCode></errors>"
        for error in result.errors
    )
    return (
        "<result>"
        + _id_element("accountId", result.account_id)
        + _id_element("contactId", result.contact_id)
        + errors
        + _id_element("leadId", result.lead_id)
        + _id_element("opportunityId", result.opportunity_id)
        + _id_element("relatedPersonAccountId", None)
        + f"<success>{'true' if result.success else 'false'}</success></result>"
    )


def _lead_convert(element: Element) -> LeadConvert:
    def flag(name: str) -> bool:
        return (_text(element, name) or "").lower() in _TRUE

    return LeadConvert(
        lead_id=_text(element, "leadId"),
        converted_status=_text(element, "convertedStatus"),
        account_id=_text(element, "accountId"),
        contact_id=_text(element, "contactId"),
        owner_id=_text(element, "ownerId"),
        opportunity_name=_text(element, "opportunityName"),
        do_not_create_opportunity=flag("doNotCreateOpportunity"),
        overwrite_lead_source=flag("overwriteLeadSource"),
        send_notification_email=flag("sendNotificationEmail"),
    )


@router.post("/services/Soap/{kind}/{version}")
@router.post("/services/Soap/{kind}/{version}/{org_id}")
async def soap(kind: str, version: str, request: Request) -> Response:
    state: SalesforceState = request.app.state.salesforce
    raw = await request.body()
    if kind not in ("u", "c"):
        return Response(status_code=404)
    if len(raw) > MAX_SOAP_BYTES:
        return fault("EXCEEDED_MAX_SIZE_REQUEST", "The request body is too large", client=True)
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        return fault("", f"Could not parse the request: {exc}", client=True)
    header = _child(root, "Header")
    body = _child(root, "Body")
    if _local(root.tag) != "Envelope" or body is None or len(body) == 0:
        return fault("", "No SOAP Body in the request", client=True)
    operation = body[0]
    if _local(operation.tag) != "convertLead":
        namespace = _namespace(operation.tag)
        return fault(
            "", f"No operation available for request {{{namespace}}}{_local(operation.tag)}", client=True
        )
    session_header = _child(header, "SessionHeader") if header is not None else None
    token = _text(session_header, "sessionId") if session_header is not None else None
    now = state.clock()
    session = state.sessions.validate(token, now)
    if session is None:
        return fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
    if not state.usage.try_consume(now):
        return fault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    converts = [_lead_convert(child) for child in operation if _local(child.tag) == "leadConverts"]
    if len(converts) > MAX_CONVERTS:
        return fault("LIMIT_EXCEEDED", f"Maximum of {MAX_CONVERTS} leadConverts exceeded")
    injected = state.faults.pick(is_write=True)
    if injected is FaultKind.UNAVAILABLE:
        return fault("SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later.")
    if injected is FaultKind.INVALID_SESSION:
        state.sessions.expire_all()
        return fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
    if injected is FaultKind.LIMIT_EXCEEDED:
        return fault("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    options = WriteOptions(user_id=session.user_id, now=now, api_version=version)
    results = []
    for index, request_item in enumerate(converts):
        if injected is FaultKind.LOCK_ROW and index == 0:
            error = ApiError(
                400,
                "UNABLE_TO_LOCK_ROW",
                f"unable to obtain exclusive access to this record or 1 records: {request_item.lead_id}",
                [],
            )
            results.append(ConvertResult(request_item.lead_id, errors=[error]))
            continue
        results.append(convert_lead(state, request_item, options))
    limit_header = (
        "<soapenv:Header><LimitInfoHeader><limitInfo>"
        f"<current>{state.usage.used(now)}</current><limit>{state.usage.maximum}</limit><type>API REQUESTS</type>"
        "</limitInfo></LimitInfoHeader></soapenv:Header>"
    )
    response_body = (
        "<convertLeadResponse>" + "".join(_result_xml(r) for r in results) + "</convertLeadResponse>"
    )
    return Response(_envelope(response_body, limit_header), media_type="text/xml; charset=utf-8")
