"""Every way a Salesforce call can fail ends as one of four classes, with the code and a clear message."""

from __future__ import annotations

import httpx
import pytest
import respx

from sync.errors import AuthError, PermanentError, QuotaError, RetryableError
from sync.salesforce import SalesforceDuplicatesDetected, SalesforceMultipleMatches, SalesforceNotFound
from tests.sync.salesforce.support import DATA, TOKEN_URL, a_client, error_array, lead_id, token_reply

LEAD = lead_id(1)

DUPLICATES = [
    {
        "duplicateResult": {
            "allowSave": False,
            "duplicateRule": "Standard_Lead_Duplicate_Rule",
            "duplicateRuleEntityType": "Lead",
            "errorMessage": "You're creating a duplicate record. We recommend you use an existing record instead.",
            "matchResults": [
                {
                    "entityType": "Lead",
                    "errors": [],
                    "matchEngine": "FuzzyMatchEngine",
                    "matchRecords": [
                        {
                            "additionalInformation": [],
                            "fieldDiffs": [],
                            "matchConfidence": 100.0,
                            "record": {
                                "attributes": {
                                    "type": "Lead",
                                    "url": f"/services/data/v54.0/sobjects/Lead/{LEAD}",
                                },
                                "Id": LEAD,
                            },
                        }
                    ],
                    "rule": "Standard_Lead_Match_Rule_v1_0",
                    "size": 1,
                    "success": True,
                }
            ],
        },
        "errorCode": "DUPLICATES_DETECTED",
        "message": "You're creating a duplicate record. We recommend you use an existing record instead.",
    }
]


async def create_lead_against(clock, response: httpx.Response | Exception):
    with respx.mock:
        respx.post(TOKEN_URL).mock(return_value=token_reply())
        route = respx.post(f"{DATA}/sobjects/Lead/")
        if isinstance(response, Exception):
            route.mock(side_effect=response)
        else:
            route.mock(return_value=response)
        async with a_client(clock) as client:
            return await client.create("Lead", {"LastName": "Doe", "Company": "Acme"})


@pytest.mark.parametrize(
    ("response", "error_class", "code"),
    [
        (
            httpx.Response(400, json=error_array("REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", ["Company"])),
            PermanentError,
            "REQUIRED_FIELD_MISSING",
        ),
        (
            httpx.Response(400, json=error_array("UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to this record or 1 records: {LEAD}")),
            RetryableError,
            "UNABLE_TO_LOCK_ROW",
        ),
        (httpx.Response(403, json=error_array("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")), QuotaError, "REQUEST_LIMIT_EXCEEDED"),
        (
            httpx.Response(403, json=error_array("REQUEST_LIMIT_EXCEEDED", "ConcurrentRequests (Concurrent API Requests) Limit exceeded.")),
            RetryableError,
            "REQUEST_LIMIT_EXCEEDED",
        ),
        (httpx.Response(403, json=error_array("INSUFFICIENT_ACCESS", "insufficient access rights")), AuthError, "INSUFFICIENT_ACCESS"),
        (httpx.Response(503, text="<html><body>Service Unavailable</body></html>", headers={"content-type": "text/html"}), RetryableError, "HTTP_503"),
        (httpx.Response(400, text="<html>bad gateway page</html>", headers={"content-type": "text/html"}), PermanentError, "HTTP_400"),
        (httpx.Response(400, json=error_array("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Country is required")), PermanentError, "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
        (httpx.Response(400, json=error_array("SOMETHING_NOBODY_DOCUMENTED", "?")), PermanentError, "SOMETHING_NOBODY_DOCUMENTED"),
        (httpx.Response(201, text='{"id":"00Q5g00000ABC12EAH","succ'), RetryableError, "INVALID_BODY"),
        (httpx.ReadTimeout("read timed out"), RetryableError, "TIMEOUT"),
        (httpx.ConnectError("connection refused"), RetryableError, "CONNECTION"),
    ],
    ids=[
        "validation", "lock", "daily-quota", "concurrency", "permission", "html-503", "html-400",
        "custom-validation", "unknown-code", "truncated-201", "timeout", "connection",
    ],
)  # fmt: skip
async def test_failures_are_classified(clock, response, error_class, code):
    with pytest.raises(error_class) as raised:
        await create_lead_against(clock, response)
    assert raised.value.code == code
    assert raised.value.system == "salesforce"
    assert "sobject.create" in str(raised.value)


async def test_validation_message_names_the_fields(clock):
    response = httpx.Response(
        400, json=error_array("REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", ["Company"])
    )
    with pytest.raises(PermanentError, match=r"Required fields are missing: \[Company\] \[fields: Company\]"):
        await create_lead_against(clock, response)


async def test_daily_limit_says_when_to_look_again(clock):
    response = httpx.Response(
        403, json=error_array("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    )
    with pytest.raises(QuotaError) as raised:
        await create_lead_against(clock, response)
    assert raised.value.resume_at is not None and raised.value.resume_at > clock()


async def test_duplicate_rule_block_carries_the_matching_ids(clock):
    with pytest.raises(SalesforceDuplicatesDetected) as raised:
        await create_lead_against(clock, httpx.Response(400, json=DUPLICATES))
    assert raised.value.duplicate_ids == (LEAD,)
    assert isinstance(raised.value, PermanentError)


@respx.mock
async def test_deleted_record_is_not_found(clock):
    respx.post(TOKEN_URL).mock(return_value=token_reply())
    respx.get(f"{DATA}/sobjects/Lead/{LEAD}").mock(
        return_value=httpx.Response(404, json=error_array("ENTITY_IS_DELETED", "entity is deleted"))
    )
    async with a_client(clock) as client:
        with pytest.raises(SalesforceNotFound, match="entity is deleted"):
            await client.get("Lead", LEAD)


@respx.mock
async def test_upsert_matching_several_records_lists_them(clock):
    respx.post(TOKEN_URL).mock(return_value=token_reply())
    urls = [
        f"/services/data/v59.0/sobjects/Lead/{lead_id(1)}",
        f"/services/data/v59.0/sobjects/Lead/{lead_id(2)}",
    ]
    respx.patch(f"{DATA}/sobjects/Lead/ExtId__c/M-1").mock(return_value=httpx.Response(300, json=urls))
    async with a_client(clock) as client:
        with pytest.raises(SalesforceMultipleMatches) as raised:
            await client.upsert("Lead", "ExtId__c", "M-1", {"LastName": "Doe"})
    assert raised.value.urls == tuple(urls)


@respx.mock
async def test_bad_input_is_refused_before_any_call(clock):
    token = respx.post(TOKEN_URL).mock(return_value=token_reply())
    async with a_client(clock) as client:
        with pytest.raises(ValueError, match="record id"):
            await client.get("Lead", "00Q'; DROP")
        with pytest.raises(ValueError, match="sObject"):
            await client.create("Lead/../User", {"LastName": "x"})
        with pytest.raises(ValueError, match="at least one field"):
            await client.update("Lead", LEAD, {})
    assert token.call_count == 0
