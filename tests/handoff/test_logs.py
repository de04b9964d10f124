"""Secrets never reach the logs: known values and recognisable token shapes are redacted."""

from __future__ import annotations

import io
import json
import logging

from handoff.logs import JsonFormatter, Redactor, redactor


def emit(message: str, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.redaction")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.warning(message, extra=extra)
    return json.loads(stream.getvalue())


def test_known_secret_values_are_replaced():
    redactor.add("s3cr3t-marketo-client-secret")
    record = emit("calling with s3cr3t-marketo-client-secret", detail="also s3cr3t-marketo-client-secret")
    assert "s3cr3t" not in json.dumps(record)
    assert record["message"] == "calling with ***"


def test_token_shapes_are_redacted_without_being_configured():
    redact = Redactor()
    samples = {
        "Authorization: Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int": "cdf01657",
        "GET /identity/oauth/token?grant_type=client_credentials&client_id=abc&client_secret=topsecret": "topsecret",
        "session 00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr": "AR8AQ",
        '{"access_token": "abc.def.ghi-very-secret"}': "very-secret",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----": "MIIEvQ",
        "postgresql://handoff:pa55word@db:5432/handoff": "pa55word",
        "<sessionId>00D5g000004!AQ8AQ</sessionId>": "AQ8AQ",
    }
    for text, secret in samples.items():
        cleaned = redact(text)
        assert secret not in cleaned, cleaned
        assert "***" in cleaned


def test_extra_fields_are_structured():
    record = emit("outbox message dead-lettered", operation="marketo.leads.upsert", outbox_id=7)
    assert record["operation"] == "marketo.leads.upsert" and record["outbox_id"] == 7
    assert record["level"] == "warning" and record["time"].endswith("+00:00")
