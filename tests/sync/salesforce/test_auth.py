"""Salesforce login: a signed JWT, one cached token, re-auth once on 401, clear messages from the token endpoint."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import respx
from pydantic import SecretStr

from sync.errors import AuthError, RetryableError
from sync.salesforce import SalesforceClient
from tests.sync.salesforce.support import (
    DATA,
    TOKEN_URL,
    a_client,
    a_connection,
    error_array,
    private_pem,
    public_pem,
    token_reply,
)


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@respx.mock
async def test_jwt_assertion_is_rs256_with_iss_sub_aud_and_a_short_exp(clock):
    token_route = respx.post(TOKEN_URL).mock(return_value=token_reply())
    respx.get(f"{DATA}/sobjects/Lead/00Q5g00000ABC12EAH").mock(
        return_value=httpx.Response(200, json={"attributes": {"type": "Lead"}, "Id": "00Q5g00000ABC12EAH"})
    )
    async with a_client(clock) as client:
        await client.get("Lead", "00Q5g00000ABC12EAH")

    form = form_of(token_route.calls.last.request)
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert "client_secret" not in form
    assert jwt.get_unverified_header(form["assertion"])["alg"] == "RS256"
    claims = jwt.decode(
        form["assertion"],
        public_pem(),
        algorithms=["RS256"],
        audience="https://login.salesforce.com",
        options={"verify_exp": False},
    )
    assert claims["iss"] == "3MVG9consumerkey"
    assert claims["sub"] == "integration@acme.example"
    assert claims["exp"] == int(clock().timestamp()) + 180


@respx.mock
async def test_sandbox_orgs_use_the_test_audience(clock):
    token_route = respx.post("https://test.salesforce.com/services/oauth2/token").mock(
        return_value=token_reply()
    )
    respx.get(f"{DATA}/limits/").mock(return_value=httpx.Response(200, json={"DailyApiRequests": {"Max": 1}}))
    async with a_client(clock, login_url="https://test.salesforce.com") as client:
        await client.limits()
    assertion = form_of(token_route.calls.last.request)["assertion"]
    assert jwt.decode(assertion, options={"verify_signature": False})["aud"] == "https://test.salesforce.com"


@respx.mock
async def test_token_is_cached_across_calls(clock):
    token_route = respx.post(TOKEN_URL).mock(return_value=token_reply())
    lead = respx.get(f"{DATA}/sobjects/Lead/00Q5g00000ABC12EAH").mock(
        return_value=httpx.Response(200, json={"Id": "00Q5g00000ABC12EAH"})
    )
    async with a_client(clock) as client:
        for _ in range(3):
            await client.get("Lead", "00Q5g00000ABC12EAH")
    assert token_route.call_count == 1
    assert lead.calls.last.request.headers["Authorization"] == "Bearer 00Dxx0000001gPL!AR8AQfirst"


@respx.mock
async def test_expired_session_mints_a_new_token_and_replays_once(clock):
    respx.post(TOKEN_URL).mock(side_effect=[token_reply("00Dxx!old-token"), token_reply("00Dxx!new-token")])
    lead = respx.patch(f"{DATA}/sobjects/Lead/00Q5g00000ABC12EAH").mock(
        side_effect=[
            httpx.Response(401, json=error_array("INVALID_SESSION_ID", "Session expired or invalid")),
            httpx.Response(204),
        ]
    )
    async with a_client(clock) as client:
        await client.update("Lead", "00Q5g00000ABC12EAH", {"Status": "Working"})
    assert [c.request.headers["Authorization"] for c in lead.calls] == [
        "Bearer 00Dxx!old-token",
        "Bearer 00Dxx!new-token",
    ]


@respx.mock
async def test_a_second_401_is_an_auth_error_not_a_loop(clock):
    respx.post(TOKEN_URL).mock(return_value=token_reply())
    route = respx.get(f"{DATA}/limits/").mock(
        return_value=httpx.Response(401, json=error_array("INVALID_SESSION_ID", "Session expired or invalid"))
    )
    async with a_client(clock) as client:
        with pytest.raises(AuthError) as raised:
            await client.limits()
    assert raised.value.code == "INVALID_SESSION_ID"
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("error", "description", "advice"),
    [
        ("invalid_grant", "user hasn't approved this consumer", "pre-authorize the connected app"),
        ("invalid_grant", "audience is invalid", "https://test.salesforce.com"),
        ("invalid_client_id", "client identifier invalid", "2-10 minutes"),
        ("invalid_grant", "invalid assertion", "certificate"),
    ],
)
@respx.mock
async def test_token_endpoint_errors_become_one_clear_message(clock, error, description, advice):
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(400, json={"error": error, "error_description": description})
    )
    async with a_client(clock) as client:
        with pytest.raises(AuthError) as raised:
            await client.limits()
    assert raised.value.code == error
    assert description in str(raised.value) and advice in str(raised.value)


@respx.mock
async def test_token_endpoint_outage_is_retryable(clock):
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(503, text="<html>down</html>"))
    async with a_client(clock) as client:
        with pytest.raises(RetryableError):
            await client.limits()


@respx.mock
async def test_client_credentials_go_to_my_domain_with_the_secret_in_the_body(clock):
    my_domain = "https://acme.my.salesforce.com"
    token_route = respx.post(f"{my_domain}/services/oauth2/token").mock(return_value=token_reply())
    respx.get(f"{DATA}/limits/").mock(return_value=httpx.Response(200, json={}))
    connection = a_connection(auth="client_credentials", client_id="cid", instance_url=my_domain)
    async with SalesforceClient(connection, client_secret=SecretStr("s3cr3t-value"), clock=clock) as client:
        await client.limits()
    assert form_of(token_route.calls.last.request) == {
        "grant_type": "client_credentials",
        "client_id": "cid",
        "client_secret": "s3cr3t-value",
    }


def test_missing_credentials_are_refused_at_construction(clock):
    with pytest.raises(ValueError, match="private key"):
        SalesforceClient(a_connection(), clock=clock)
    with pytest.raises(ValueError, match="instance_url"):
        SalesforceClient(
            a_connection(auth="client_credentials", client_id="cid"), client_secret="x", clock=clock
        )
    with pytest.raises(ValueError, match="PEM") as raised:
        SalesforceClient(
            a_connection(), private_key="-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
        )
    assert "not a key" not in str(raised.value)


def test_secrets_do_not_appear_in_reprs(clock):
    client = a_client(clock)
    grant = client._tokens._grant
    assert "PRIVATE" not in repr(grant) and "private_key" not in repr(grant)
    connection = a_connection(
        auth="client_credentials", client_id="cid", instance_url="https://a.my.salesforce.com"
    )
    cc = SalesforceClient(connection, client_secret="s3cr3t-value", clock=clock)
    assert "s3cr3t-value" not in repr(cc._tokens._grant)
    assert private_pem() not in repr(client.__dict__)
