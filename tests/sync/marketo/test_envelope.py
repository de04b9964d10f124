"""Every Marketo reply, however broken, becomes an envelope or a typed error with the request id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sync.errors import AuthError, PermanentError, QuotaError, RetryableError
from sync.marketo import MarketoCrmSyncEnabled, next_daily_reset
from sync.marketo.envelope import CallError, Envelope, parse_envelope

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def parse(body: bytes | dict, status: int = 200, content_type: str = "application/json", expect="result"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_envelope(status, raw, content_type, expect=expect, context="leads.sync", now=NOW)


def error_of(outcome) -> Exception:
    assert isinstance(outcome, CallError), outcome
    return outcome.error


def test_a_normal_envelope():
    outcome = parse(
        {"requestId": "177a1#1578b643357", "result": [{"id": 50, "status": "created"}], "success": True}
    )
    assert outcome == Envelope(request_id="177a1#1578b643357", result=[{"id": 50, "status": "created"}])


def test_an_empty_activity_page_has_no_result_but_a_token():
    outcome = parse(
        {"requestId": "a#1", "success": True, "nextPageToken": "GIYDAOBNGEYS2", "moreResult": True}
    )
    assert isinstance(outcome, Envelope)
    assert (outcome.result, outcome.next_page_token, outcome.more_result) == ([], "GIYDAOBNGEYS2", True)


def test_truncated_body_is_retryable_and_keeps_the_request_id():
    error = error_of(parse(b'{"requestId":"e42b#14272d07d78","success":true,"result":[{"id":50,"sta'))
    assert isinstance(error, RetryableError)
    assert error.request_id == "e42b#14272d07d78"
    assert "truncated or non-JSON" in str(error)


def test_html_page_from_a_proxy():
    error = error_of(
        parse(b"<html><head><title>502 Bad Gateway</title></head></html>", content_type="text/html")
    )
    assert isinstance(error, RetryableError) and "HTML page" in str(error)
    error = error_of(parse(b"<html>Bad Gateway</html>", status=502, content_type="text/html"))
    assert isinstance(error, RetryableError) and error.code == "HTTP_502"


def test_envelope_with_neither_result_nor_errors_is_a_permanent_error():
    error = error_of(parse({"requestId": "e42b#1", "success": True}))
    assert isinstance(error, PermanentError)
    assert error.code == "MALFORMED_ENVELOPE" and error.request_id == "e42b#1"
    assert "neither result nor errors" in str(error)
    # The same reply is fine where nothing but success is expected (e.g. merge).
    assert isinstance(parse({"requestId": "e42b#1", "success": True}, expect="nothing"), Envelope)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"requestId": "x#1", "success": False}, "success false without errors"),
        ({"requestId": "x#1"}, "no success flag"),
        ([1, 2], "not a JSON object"),
        ({"requestId": "x#1", "success": True, "result": {"id": 1}}, "result is not a list"),
    ],
)
def test_broken_envelopes(body, why):
    error = error_of(parse(body))
    assert isinstance(error, PermanentError) and why in str(error)


def test_size_and_uri_limits_are_permanent():
    assert error_of(parse(b"", status=413)).code == "HTTP_413"
    assert isinstance(error_of(parse(b"", status=414)), PermanentError)


@pytest.mark.parametrize(
    ("code", "error_class", "retry_after"),
    [
        ("502", RetryableError, 5.0),
        ("604", RetryableError, 5.0),
        ("606", RetryableError, 20.0),
        ("608", RetryableError, 10.0),
        ("611", RetryableError, 10.0),
        ("615", RetryableError, 1.0),
        ("713", RetryableError, 5.0),
        ("601", AuthError, None),
        ("602", AuthError, None),
        ("603", AuthError, None),
        ("607", QuotaError, None),
        ("605", PermanentError, None),
        ("609", PermanentError, None),
        ("1003", PermanentError, None),
        ("1018", MarketoCrmSyncEnabled, None),
        ("799", PermanentError, None),
    ],
)
def test_error_code_table(code, error_class, retry_after):
    outcome = parse(
        {"requestId": "e42b#2", "success": False, "errors": [{"code": code, "message": "as documented"}]}
    )
    error = error_of(outcome)
    assert type(error) is error_class
    assert (error.code, error.request_id, error.system, outcome.code) == (code, "e42b#2", "marketo", code)
    if retry_after is not None:
        assert error.retry_after_seconds == retry_after


def test_numeric_codes_are_read_as_strings():
    error = error_of(
        parse({"requestId": "e42b#3", "success": False, "errors": [{"code": 606, "message": "x"}]})
    )
    assert isinstance(error, RetryableError) and error.code == "606"


def test_607_resumes_at_the_next_midnight_central():
    error = error_of(
        parse(
            {
                "requestId": "e#4",
                "success": False,
                "errors": [{"code": "607", "message": "Daily quota reached"}],
            }
        )
    )
    assert isinstance(error, QuotaError)
    assert error.resume_at == datetime(2026, 11, 3, 6, 0, tzinfo=UTC)  # CST, UTC-6


def test_daily_reset_follows_central_daylight_time():
    assert next_daily_reset(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    assert next_daily_reset(datetime(2026, 7, 2, 4, 59, tzinfo=UTC)) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    assert next_daily_reset(datetime(2026, 7, 2, 5, 0, tzinfo=UTC)) == datetime(2026, 7, 3, 5, 0, tzinfo=UTC)
