"""Which inbound items are MQL signals, and who is an MQL (pure)."""

from __future__ import annotations

from sync import kinds
from sync.config import MqlTrigger
from sync.flows.signals import is_mql, signal_of

SCORE = MqlTrigger(score_field="leadScore", threshold=75)
STATUS = MqlTrigger(score_field=None, status_field="leadStatus", status_values=["MQL"])


def score_change(new: object, old: object = 10) -> dict:
    return {
        "leadId": 7,
        "activityTypeId": 22,
        "primaryAttributeValue": "Lead Score",
        "attributes": [{"name": "New Value", "value": new}, {"name": "Old Value", "value": old}],
    }


def test_mql_by_score_or_by_status():
    assert is_mql({"leadScore": 80}, SCORE) and is_mql({"leadScore": "75"}, SCORE)
    assert not is_mql({"leadScore": 74.9}, SCORE) and not is_mql({"leadScore": None}, SCORE)
    assert not is_mql({"leadScore": True}, SCORE)
    assert is_mql({"leadStatus": " MQL "}, STATUS) and not is_mql({"leadStatus": "Nurture"}, STATUS)


def test_a_webhook_hint_is_always_worth_a_look():
    assert signal_of(kinds.MARKETO_MQL_HINT, {"lead_id": 9}, SCORE).lead_id == 9


def test_a_score_change_below_the_threshold_costs_no_call():
    assert signal_of(kinds.MARKETO_SCORE_CHANGE, score_change(80), SCORE).lead_id == 7
    assert signal_of(kinds.MARKETO_SCORE_CHANGE, score_change(40), SCORE) is None
    assert signal_of(kinds.MARKETO_SCORE_CHANGE, score_change("n/a"), SCORE) is not None  # unknown: look


def test_a_data_value_change_counts_only_on_a_watched_field():
    status = {
        "leadId": 7,
        "primaryAttributeValue": "Lead Status",
        "attributes": [{"name": "New Value", "value": "MQL"}],
    }
    title = {
        "leadId": 7,
        "primaryAttributeValue": "Job Title",
        "attributes": [{"name": "New Value", "value": "CTO"}],
    }
    assert signal_of(kinds.MARKETO_DATA_VALUE_CHANGE, status, STATUS) is not None
    assert signal_of(kinds.MARKETO_DATA_VALUE_CHANGE, title, STATUS) is None
    leadchange = {"leadId": 7, "fields": [{"name": "leadScore", "newValue": "90", "oldValue": "20"}]}
    assert signal_of(kinds.MARKETO_DATA_VALUE_CHANGE, leadchange, SCORE) is not None


def test_a_new_lead_counts_only_when_it_arrives_qualified():
    qualified = {"leadId": 7, "fields": [{"name": "leadScore", "newValue": 90}]}
    unqualified = {"leadId": 7, "fields": [{"name": "leadScore", "newValue": 5}]}
    assert signal_of(kinds.MARKETO_NEW_LEAD, qualified, SCORE) is not None
    assert signal_of(kinds.MARKETO_NEW_LEAD, unqualified, SCORE) is None
    assert signal_of(kinds.MARKETO_NEW_LEAD, {"leadId": 7}, SCORE) is None


def test_garbage_is_no_signal():
    assert signal_of(kinds.MARKETO_SCORE_CHANGE, {"leadId": "7"}, SCORE) is None
    assert signal_of(kinds.MARKETO_MQL_HINT, {}, SCORE) is None
