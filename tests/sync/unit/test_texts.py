"""Task texts a seller understands, SOQL literals that stay data, and the SOAP answers."""

from __future__ import annotations

import pytest

from sync.flows.engagement import MARKER, describe, task_payload
from sync.hooks.soap import ACK, fault, same_organization
from sync.soql import id_list, like_prefix, literal


def test_an_email_click_reads_like_a_sentence_and_carries_its_marker():
    activity = {
        "marketoGUID": "102988",
        "leadId": 7,
        "activityTypeId": 11,
        "activityDate": "2026-11-02T09:00:00Z",
        "primaryAttributeValue": "Spring launch",
        "attributes": [{"name": "Link", "value": "https://acme.example/pricing"}],
    }
    subject, description = describe(task_payload(activity), "Marketo: ")
    assert subject == "Marketo: Clicked a link in email \u201cSpring launch\u201d"
    assert (
        "clicked a link in the marketing email \u201cSpring launch\u201d on 2026-11-02T09:00:00Z"
        in description
    )
    assert "Link: https://acme.example/pricing" in description
    assert MARKER.search(description).group(1) == "102988"


def test_soql_literals_escape_quotes_and_backslashes():
    assert literal("o'brien@x.com") == "'o\\'brien@x.com'"
    assert literal("a\\b") == "'a\\\\b'"
    assert like_prefix("50%_off: ") == "'50\\%\\_off: %'"
    assert id_list(["00Q000000000001AAA", "003000000000001"]) == "('00Q000000000001AAA','003000000000001')"
    with pytest.raises(ValueError):
        id_list(["00Q' OR Id != '"])


def test_the_ack_and_the_fault_are_soap():
    assert b"<Ack>true</Ack>" in ACK and ACK.startswith(b"<?xml")
    body = fault("a <bad> & wrong message")
    assert b"<faultstring>a &lt;bad&gt; &amp; wrong message</faultstring>" in body


def test_organization_ids_compare_on_15_case_sensitive_characters():
    assert same_organization("00Do0000000e0vQEAQ", "00Do0000000e0vQ")
    assert not same_organization("00Do0000000e0vq", "00Do0000000e0vQ")
    assert not same_organization("00D", "00D")
