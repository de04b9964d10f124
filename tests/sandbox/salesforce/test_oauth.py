"""OAuth over HTTP: the JWT bearer flow, client credentials, and session expiry (reference §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import httpx
import jwt
import pytest

from handoff.clock import ManualClock
from sandbox.salesforce import connected_app_key_pair, create_app
from tests.sandbox.salesforce.support import JWT_GRANT, Org, an_org, assertion, bearer
from tests.support.servers import serve_app

TOKEN = "/services/oauth2/token"


@pytest.fixture
def org(clock: ManualClock) -> Org:
    org = an_org(clock)
    org.state.add_client_credentials_app("cc-client", "cc-secret", org.ann)
    return org


@pytest.fixture
def http(org: Org) -> Iterator[httpx.Client]:
    with (
        serve_app(create_app(org.state)) as base_url,
        httpx.Client(base_url=base_url, trust_env=False) as client,
    ):
        yield client


def jwt_login(http: httpx.Client, token: str) -> httpx.Response:
    return http.post(TOKEN, data={"grant_type": JWT_GRANT, "assertion": token})


def test_jwt_bearer_success_has_exactly_the_five_fields(
    http: httpx.Client, org: Org, clock: ManualClock
) -> None:
    reply = jwt_login(http, assertion(org, now=clock()))
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"access_token", "scope", "instance_url", "id", "token_type"}
    assert body["access_token"].startswith(org.state.org_id[:15] + "!")
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == str(http.base_url).rstrip("/")
    assert body["id"].endswith(f"/id/{org.state.org_id}/{org.state.integration_user_id}")
    me = http.get(body["id"].replace(body["instance_url"], ""), headers=bearer(body["access_token"])).json()
    assert (me["username"], me["organization_id"]) == (org.username, org.state.org_id)


@pytest.mark.parametrize("exp_type", [int, str])
def test_exp_may_be_a_number_or_a_string(
    http: httpx.Client, org: Org, clock: ManualClock, exp_type: type
) -> None:
    token = assertion(org, now=clock(), exp=exp_type(int(clock().timestamp()) + 120))
    assert jwt_login(http, token).status_code == 200


@pytest.mark.parametrize("audience", ["https://login.salesforce.com", "https://test.salesforce.com/"])
def test_login_and_test_audiences_are_accepted(
    http: httpx.Client, org: Org, clock: ManualClock, audience: str
) -> None:
    assert jwt_login(http, assertion(org, now=clock(), aud=audience)).status_code == 200


def refusal(reply: httpx.Response) -> tuple[int, str, str]:
    body = reply.json()
    return reply.status_code, body["error"], body["error_description"]


def test_jwt_refusals_are_the_real_400_bodies(http: httpx.Client, org: Org, clock: ManualClock) -> None:
    now = clock()
    stranger = connected_app_key_pair("stranger").private_key_pem
    cases = {
        "wrong key": (assertion(org, now=now, key_pem=stranger), ("invalid_grant", "invalid assertion")),
        "unknown app": (
            assertion(org, now=now, iss="unknown"),
            ("invalid_client_id", "client identifier invalid"),
        ),
        "my domain audience": (
            assertion(org, now=now, aud="https://acme.my.salesforce.com"),
            ("invalid_grant", "audience is invalid"),
        ),
        "expired": (
            assertion(org, now=now, exp=str(int(now.timestamp()) - 600)),
            ("invalid_grant", "expired authorization code"),
        ),
        "unknown user": (
            assertion(org, now=now, sub="nobody@x.example"),
            ("invalid_grant", "user hasn't approved this consumer"),
        ),
        "no exp": (assertion(org, now=now, exp=None), ("invalid_grant", "invalid assertion")),
        "not a jwt": ("not-a-jwt", ("invalid_grant", "invalid assertion")),
        "hmac": (
            jwt.encode(
                {"iss": "3MVG9sandbox.consumer.key", "sub": org.username},
                "a-shared-secret-of-at-least-32-bytes!",
                algorithm="HS256",
            ),
            ("invalid_grant", "invalid assertion"),
        ),
    }
    for name, (token, (error, description)) in cases.items():
        assert refusal(jwt_login(http, token)) == (400, error, description), name


def test_a_user_the_app_does_not_pre_authorise_is_refused(
    http: httpx.Client, org: Org, clock: ManualClock
) -> None:
    org.state.add_connected_app("restricted", org.key_pair.certificate_pem, pre_authorized_user_ids=[org.ann])
    reply = jwt_login(http, assertion(org, now=clock(), iss="restricted"))
    assert refusal(reply) == (400, "invalid_grant", "user hasn't approved this consumer")


def test_unsupported_grant_type(http: httpx.Client) -> None:
    reply = http.post(TOKEN, data={"grant_type": "password", "username": "a", "password": "b"})
    assert refusal(reply) == (400, "unsupported_grant_type", "grant type not supported")


def test_client_credentials_with_basic_auth_runs_as_the_run_as_user(http: httpx.Client, org: Org) -> None:
    reply = http.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("cc-client", "cc-secret"))
    body = reply.json()
    assert reply.status_code == 200
    assert set(body) == {
        "access_token",
        "signature",
        "token_format",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert body["token_format"] == "opaque" and body["id"].endswith(org.ann)
    expected = hmac.new(b"cc-secret", (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    assert base64.b64decode(body["signature"]) == expected
    query = http.get(
        "/services/data/v59.0/query",
        params={"q": "SELECT Id FROM Lead"},
        headers=bearer(body["access_token"]),
    )
    assert query.status_code == 200


def test_client_credentials_refusals(http: httpx.Client, org: Org) -> None:
    wrong_secret = http.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": "cc-client", "client_secret": "x"}
    )
    assert refusal(wrong_secret) == (400, "invalid_client", "invalid client credentials")
    unknown = http.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("who", "x"))
    assert refusal(unknown) == (400, "invalid_client_id", "client identifier invalid")
    org.state.settings.login_hosts = {"127.0.0.1"}
    on_login_host = http.post(
        TOKEN, data={"grant_type": "client_credentials"}, auth=("cc-client", "cc-secret")
    )
    assert refusal(on_login_host) == (400, "invalid_grant", "request not supported on this domain")


def test_sessions_expire_after_two_idle_hours(http: httpx.Client, org: Org, clock: ManualClock) -> None:
    token = jwt_login(http, assertion(org, now=clock())).json()["access_token"]
    limits = "/services/data/v59.0/limits"
    clock.advance(hours=1, minutes=59)
    assert http.get(limits, headers=bearer(token)).status_code == 200
    clock.advance(hours=1, minutes=59)
    assert http.get(limits, headers=bearer(token)).status_code == 200, "activity keeps an idle session alive"
    clock.advance(hours=2, seconds=1)
    expired = http.get(limits, headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert http.get(limits, headers=bearer("00D000000000001!unknown")).status_code == 401
    assert http.get(limits).status_code == 401
