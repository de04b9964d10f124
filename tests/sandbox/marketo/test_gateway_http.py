"""Over real HTTP: tokens (§1), the envelope and its request-level errors (§2), limits (§7), faults."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.sandbox.marketo.support import CLIENT_ID, CLIENT_SECRET, a_lead, an_instance, error_code, served


def _token_response(api, **overrides):
    params = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **overrides,
    }
    return api.http.get("/identity/oauth/token", params=params)


def test_asking_again_returns_the_same_token_with_the_remaining_lifetime(clock):
    with served(an_instance(clock)) as api:
        first = _token_response(api).json()
        clock.advance(seconds=1082)
        again = api.http.post(
            "/identity/oauth/token",
            params={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        ).json()

    assert first["expires_in"] == 3600 and first["token_type"] == "bearer"
    assert first["access_token"].endswith(":int")
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 2518


def test_bad_credentials_get_401_with_an_oauth_body(clock):
    with served(an_instance(clock)) as api:
        response = _token_response(api, client_secret="wrong")
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Bad client credentials"}


def test_unknown_token_is_601_and_expired_token_is_602_on_http_200(clock):
    with served(an_instance(clock)) as api:
        unknown = api.http.get("/rest/v1/leads/describe.json", headers={"Authorization": "Bearer nope:int"})
        token = api.token()
        clock.advance(seconds=3600)
        expired = api.http.get("/rest/v1/leads/describe.json", headers={"Authorization": f"Bearer {token}"})
        fresh = api.token()

    assert unknown.status_code == expired.status_code == 200
    assert unknown.json()["errors"] == [{"code": "601", "message": "Access token invalid"}]
    assert expired.json()["errors"] == [{"code": "602", "message": "Access token expired"}]
    assert fresh != token


def test_query_parameter_token_works_unless_strict(clock):
    state = an_instance(clock)
    with served(state) as api:
        token = api.token()
        allowed = api.http.get("/rest/v1/leads/describe.json", params={"access_token": token}).json()
        state.strict_tokens = True
        refused = api.http.get("/rest/v1/leads/describe.json", params={"access_token": token}).json()
    assert allowed["success"] is True
    assert error_code(refused) == "601"


def test_burst_of_101_calls_in_20_seconds_gets_606_on_the_101st(clock):
    with served(an_instance(clock)) as api:
        headers = api.auth()
        codes = []
        for _ in range(101):
            body = api.http.get("/rest/v1/activities/types.json", headers=headers).json()
            codes.append("ok" if body["success"] else body["errors"][0]["code"])
            clock.advance(seconds=0.19)
        clock.advance(seconds=1)
        after_the_window = api.http.get("/rest/v1/activities/types.json", headers=headers).json()

    assert codes[:100] == ["ok"] * 100
    assert codes[100] == "606"
    assert after_the_window["success"] is True


def test_spent_daily_quota_is_607_and_the_usage_api_reports_it(clock):
    state = an_instance(clock, daily_quota=3)
    with served(state) as api:
        headers = api.auth()
        bodies = [api.http.get("/rest/v1/stats/usage.json", headers=headers).json() for _ in range(4)]
    assert [b["success"] for b in bodies] == [True, True, True, False]
    assert error_code(bodies[3]) == "607"
    assert bodies[2]["result"][0]["total"] == 3
    assert bodies[2]["result"][0]["users"] == [{"userId": CLIENT_ID, "count": 3}]


def test_eleventh_request_in_flight_gets_615(clock):
    state = an_instance(clock)
    state.faults.set_latency(3.0, calls=10)
    with served(state) as api:
        headers = api.auth()
        with ThreadPoolExecutor(max_workers=10) as pool:
            slow = [
                pool.submit(api.http.get, "/rest/v1/activities/types.json", headers=headers)
                for _ in range(10)
            ]
            deadline = time.monotonic() + 10
            while state.limits.in_flight < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            eleventh = api.http.get("/rest/v1/activities/types.json", headers=headers).json()
            results = [f.result().json() for f in slow]
    assert error_code(eleventh) == "615"
    assert all(r["success"] for r in results)
    assert state.limits.in_flight == 0


def test_injected_transient_errors_are_not_counted_and_clear_after_use(clock):
    state = an_instance(clock)
    with served(state) as api:
        headers = api.auth()
        admin = api.http.post(
            "/_admin/faults/errors", json={"code": "608", "count": 2, "pathPrefix": "/rest/v1/leads"}
        )
        assert admin.status_code == 200
        first = api.http.get("/rest/v1/leads/describe.json", headers=headers).json()
        other_path = api.http.get("/rest/v1/activities/types.json", headers=headers).json()
        second = api.http.get("/rest/v1/leads/describe.json", headers=headers).json()
        third = api.http.get("/rest/v1/leads/describe.json", headers=headers).json()
        quota = api.http.get("/_admin/quota").json()
        bad = api.http.post("/_admin/faults/errors", json={"code": "1004"})
    assert [error_code(first), error_code(second)] == ["608", "608"]
    assert other_path["success"] and third["success"]
    assert quota["usedToday"] == 2
    assert bad.status_code == 400


def test_admin_can_expire_tokens_now_and_set_the_quota(clock):
    state = an_instance(clock)
    with served(state) as api:
        token = api.token()
        assert api.http.post("/_admin/tokens/expire").json() == {"expired": 1}
        expired = api.http.get(
            "/rest/v1/leads/describe.json", headers={"Authorization": f"Bearer {token}"}
        ).json()
        api.http.post("/_admin/quota", json={"dailyQuota": 10, "usedToday": 10})
        spent = api.http.get("/rest/v1/leads/describe.json", headers=api.auth()).json()
    assert error_code(expired) == "602"
    assert error_code(spent) == "607"


def test_admin_api_can_require_a_token(clock):
    with served(an_instance(clock), admin_token="let-me-in") as api:
        refused = api.http.get("/_admin/state")
        allowed = api.http.get("/_admin/state", headers={"X-Admin-Token": "let-me-in"})
    assert refused.status_code == 401
    assert allowed.json()["munchkinId"] == "284-RPR-133"


def test_oversize_uri_is_414_and_oversize_body_is_413(clock):
    with served(an_instance(clock)) as api:
        headers = api.auth()
        long_uri = api.http.get(
            "/rest/v1/leads.json", params={"filterType": "id", "filterValues": "1," * 4200}, headers=headers
        )
        big_body = api.http.post(
            "/rest/v1/leads.json",
            content=b"{" + b" " * (1024 * 1024 + 1) + b"}",
            headers={**headers, "Content-Type": "application/json"},
        )
    assert long_uri.status_code == 414
    assert big_body.status_code == 413


def test_bad_json_bad_content_type_unknown_path_and_wrong_method(clock):
    state = an_instance(clock)
    with served(state) as api:
        headers = api.auth()
        bad_json = api.http.post(
            "/rest/v1/leads.json", content=b"{nope", headers={**headers, "Content-Type": "application/json"}
        )
        bad_type = api.http.post(
            "/rest/v1/leads.json", content=b"<xml/>", headers={**headers, "Content-Type": "text/xml"}
        )
        unknown = api.http.get("/rest/v1/nothing/here.json", headers=headers)
        wrong_method = api.http.put("/rest/v1/leads.json", headers=headers)
    assert [error_code(r.json()) for r in (bad_json, bad_type, unknown, wrong_method)] == [
        "609",
        "612",
        "610",
        "605",
    ]
    assert all(r.status_code == 200 for r in (bad_json, bad_type, unknown, wrong_method))
    assert "requestId" in unknown.json() and "#" in unknown.json()["requestId"]


def test_large_responses_are_gzipped(clock):
    state = an_instance(clock)
    with served(state) as api:
        response = api.http.get(
            "/rest/v1/leads/describe.json", headers={**api.auth(), "Accept-Encoding": "gzip"}
        )
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["success"] is True


def test_the_instance_can_be_driven_from_another_thread_while_serving(clock):
    state = an_instance(clock)
    with served(state) as api:
        headers = api.auth()

        def drive():
            for n in range(200):
                a_lead(state, email=f"bg{n}@acme.com")

        worker = threading.Thread(target=drive)
        worker.start()
        while worker.is_alive():
            body = api.http.get(
                "/rest/v1/leads.json",
                params={"filterType": "email", "filterValues": "bg0@acme.com"},
                headers=headers,
            ).json()
            assert body["success"] is True
            clock.advance(seconds=1)
        worker.join()
        final = api.http.get(
            "/rest/v1/leads.json",
            params={"filterType": "email", "filterValues": "bg199@acme.com"},
            headers=headers,
        ).json()
    assert len(final["result"]) == 1
