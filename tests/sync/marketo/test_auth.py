"""Marketo tokens: fetched once, sent only as a bearer header, renewed before expiry and after 601/602."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from sync.errors import AuthError, RetryableError
from tests.sync.marketo.support import BASE, IDENTITY, SECRET, a_client, failed, ok, token_reply

LEAD = f"{BASE}/rest/v1/lead/318581.json"


@pytest.fixture
def mkto():
    """Here the identity endpoint is what is under test, so each test mocks it itself."""
    with respx.mock(assert_all_called=False) as router:
        yield router


async def test_token_request_and_bearer_header(mkto, clock):
    identity = mkto.get(IDENTITY).mock(return_value=token_reply())
    lead = mkto.get(LEAD).mock(return_value=ok([{"id": 318581, "email": "a@x.com"}]))
    async with a_client(clock) as client:
        for _ in range(3):
            assert (await client.get_lead(318581))["email"] == "a@x.com"
    assert identity.call_count == 1
    params = identity.calls.last.request.url.params
    assert dict(params) == {
        "grant_type": "client_credentials",
        "client_id": "client-id-1",
        "client_secret": SECRET,
    }
    sent = lead.calls.last.request
    assert sent.headers["Authorization"] == "Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int"
    assert "access_token" not in sent.url.params


async def test_token_is_renewed_with_less_than_five_minutes_left(mkto, clock):
    identity = mkto.get(IDENTITY).mock(side_effect=[token_reply("first:int"), token_reply("second:int")])
    lead = mkto.get(LEAD).mock(return_value=ok([]))
    async with a_client(clock) as client:
        await client.get_lead(318581)
        clock.advance(minutes=54)
        await client.get_lead(318581)
        assert identity.call_count == 1
        clock.advance(minutes=1, seconds=1)  # 3599 - 55m01s = 298 s left
        await client.get_lead(318581)
    assert identity.call_count == 2
    assert lead.calls.last.request.headers["Authorization"] == "Bearer second:int"


async def test_the_same_token_handed_back_is_kept_until_it_expires(mkto, clock):
    # Asking before expiry returns the same token with the remaining seconds (reference §1).
    identity = mkto.get(IDENTITY).mock(
        side_effect=[token_reply("same:int", expires_in=200), token_reply("fresh:int", expires_in=3599)]
    )
    mkto.get(LEAD).mock(return_value=ok([]))
    async with a_client(clock) as client:
        await client.get_lead(318581)
        clock.advance(seconds=150)
        await client.get_lead(318581)
        assert identity.call_count == 1
        clock.advance(seconds=50)
        await client.get_lead(318581)
    assert identity.call_count == 2


@pytest.mark.parametrize(
    ("code", "message"), [("602", "Access token expired"), ("601", "Access token invalid")]
)
async def test_token_expiry_mid_run_reauthenticates_and_replays_once(mkto, clock, code, message):
    identity = mkto.get(IDENTITY).mock(side_effect=[token_reply("old:int"), token_reply("new:int")])
    lead = mkto.get(LEAD).mock(side_effect=[ok([{"id": 1}]), failed(code, message), ok([{"id": 1}])])
    async with a_client(clock) as client:
        await client.get_lead(318581)
        assert await client.get_lead(318581) == {"id": 1}
    assert identity.call_count == 2
    assert [c.request.headers["Authorization"] for c in lead.calls] == [
        "Bearer old:int",
        "Bearer old:int",
        "Bearer new:int",
    ]


async def test_a_second_token_error_is_an_auth_error(mkto, clock):
    mkto.get(IDENTITY).mock(return_value=token_reply())
    lead = mkto.get(LEAD).mock(return_value=failed("601", "Access token invalid"))
    async with a_client(clock) as client:
        with pytest.raises(AuthError) as raised:
            await client.get_lead(318581)
    assert raised.value.code == "601" and raised.value.request_id
    assert lead.call_count == 2


async def test_bad_credentials_say_so_without_the_secret(mkto, clock):
    mkto.get(IDENTITY).mock(
        return_value=httpx.Response(
            401, json={"error": "invalid_client", "error_description": "Bad client credentials"}
        )
    )
    async with a_client(clock) as client:
        with pytest.raises(AuthError, match="Bad client credentials") as raised:
            await client.get_lead(318581)
    assert SECRET not in str(raised.value) and SECRET not in repr(raised.value)
    assert raised.value.code == "invalid_client"


async def test_identity_answering_200_with_an_error_is_not_a_crash(mkto, clock):
    mkto.get(IDENTITY).mock(
        return_value=httpx.Response(200, json={"error": "unauthorized", "error_description": "No access"})
    )
    async with a_client(clock) as client:
        with pytest.raises(AuthError, match="No access"):
            await client.get_lead(318581)


async def test_identity_outage_is_retryable(mkto, clock):
    mkto.get(IDENTITY).mock(side_effect=httpx.ConnectError("refused"))
    async with a_client(clock) as client:
        with pytest.raises(RetryableError):
            await client.get_lead(318581)


def test_secret_is_not_in_reprs(clock):
    client = a_client(clock)
    assert SECRET not in repr(client._tokens) and SECRET not in repr(client.__dict__)


async def test_neither_secret_nor_token_reaches_the_logs(mkto, clock, caplog):
    mkto.get(IDENTITY).mock(return_value=token_reply("tok-abcdef-0123:int"))
    mkto.get(LEAD).mock(
        side_effect=[failed("606", "Max rate limit '100' exceeded with in '20' secs"), ok([])]
    )
    caplog.set_level(logging.DEBUG)
    async with a_client(clock) as client:
        await client.get_lead(318581)
    assert "client_secret=***" in caplog.text  # httpx logged the identity URL, masked
    assert "Marketo 606" in caplog.text
    assert SECRET not in caplog.text and "tok-abcdef-0123" not in caplog.text
