"""Driving people through the Python API writes the activities Marketo would log (reference §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.marketo import activity_types as types
from tests.sandbox.marketo.support import a_lead, an_instance


def test_creating_a_person_writes_new_lead_with_source(clock):
    state = an_instance(clock)
    lead_id = state.people.create({"email": "ann@acme.com", "firstName": "Ann", "leadSource": "Webinar"})

    (activity,) = state.activities(lead_id=lead_id)
    assert activity.activity_type_id == types.NEW_LEAD
    assert activity.attribute("Source Type") == "Web service API"
    assert activity.attribute("Lead Source") == "Webinar"
    assert activity.activity_date == clock()
    lead = state.people.get(lead_id)
    assert lead["createdAt"] == lead["updatedAt"] == clock()
    assert isinstance(lead_id, int)


def test_each_changed_field_writes_one_change_data_value_with_old_and_new(clock):
    state = an_instance(clock)
    lead_id = a_lead(state, firstName="Ann", leadStatus="Open")
    clock.advance(minutes=5)

    changed = state.people.update(lead_id, {"firstName": "Anne", "leadStatus": "Open", "title": "CTO"})

    assert [c.name for c in changed] == ["firstName", "title"]
    writes = state.activities(lead_id=lead_id, activity_type_ids=[types.CHANGE_DATA_VALUE])
    assert [
        (a.primary_attribute_value, a.attribute("Old Value"), a.attribute("New Value")) for a in writes
    ] == [
        ("First Name", "Ann", "Anne"),
        ("Job Title", None, "CTO"),
    ]
    assert writes[0].field_changes[0].field_id == state.core.lead_schema.get("firstName").id
    assert state.people.get(lead_id)["updatedAt"] == clock()


def test_score_changes_write_change_score_not_change_data_value(clock):
    state = an_instance(clock)
    lead_id = a_lead(state, leadScore=40)

    assert state.people.change_score(lead_id, 45, reason="Visited pricing") == 85

    (score,) = state.activities(lead_id=lead_id, activity_type_ids=[types.CHANGE_SCORE])
    assert score.attribute("Change Value") == "+45"
    assert (score.attribute("Old Value"), score.attribute("New Value")) == (40, 85)
    assert score.attribute("Reason") == "Visited pricing"
    assert not state.activities(lead_id=lead_id, activity_type_ids=[types.CHANGE_DATA_VALUE])


def test_bad_values_are_refused_and_nothing_changes(clock):
    state = an_instance(clock)
    lead_id = a_lead(state, firstName="Ann")
    before = len(state.activities())

    with pytest.raises(ValueError, match="integer"):
        state.people.update(lead_id, {"firstName": "Anne", "leadScore": "lots"})
    with pytest.raises(ValueError, match="not found"):
        state.people.update(lead_id, {"favouriteColour": "blue"})
    with pytest.raises(ValueError, match="Invalid email"):
        state.people.create({"email": "jürgen@例え.jp"})

    assert state.people.get(lead_id)["firstName"] == "Ann"
    assert len(state.activities()) == before


def test_delete_writes_delete_lead_and_keeps_history(clock):
    state = an_instance(clock)
    lead_id = a_lead(state, firstName="Ann", lastName="Lee")
    state.people.delete(lead_id)

    assert state.people.get(lead_id) is None
    kinds = [a.activity_type_id for a in state.activities(lead_id=lead_id)]
    assert kinds == [types.NEW_LEAD, types.DELETE_LEAD]
    assert state.activities(lead_id=lead_id)[-1].primary_attribute_value == "Ann Lee"


def test_merge_keeps_the_crm_contact_whatever_winner_is_named_and_fills_gaps(clock):
    state = an_instance(clock)
    marketo_only = a_lead(state, email="a@acme.com", title="VP Sales")
    contact = a_lead(state, email="a@acme.com", sfdcType="Contact", sfdcContactId="003000000000001AAA")
    other_programs = state.programs.create("Webinar Q4", channel="Webinar")
    state.programs.change_status(other_programs.id, marketo_only, "Registered")

    survivor = state.people.merge(marketo_only, [contact], merge_in_crm=True)

    assert survivor == contact
    assert state.people.get(marketo_only) is None
    assert state.people.get(contact)["title"] == "VP Sales"
    assert [m.lead_id for m in state.programs.members(other_programs.id)] == [contact]
    (merge,) = state.activities(lead_id=contact, activity_type_ids=[types.MERGE_LEADS])
    assert merge.attribute("Merge IDs") == str(marketo_only)
    assert merge.attribute("Merged in Sales") is True


def test_form_fill_updates_fields_before_logging_the_form(clock):
    state = an_instance(clock)
    lead_id = a_lead(state)
    state.engagement.fill_out_form(
        lead_id,
        "Demo Request",
        form_fields={"title": "Head of RevOps", "comments": "call me"},
        webpage_url="/demo",
    )

    kinds = [a.activity_type_id for a in state.activities(lead_id=lead_id)]
    assert kinds == [types.NEW_LEAD, types.CHANGE_DATA_VALUE, types.FILL_OUT_FORM]
    form = state.activities(lead_id=lead_id)[-1]
    assert form.primary_attribute_value == "Demo Request"
    assert form.primary_attribute_value_id == state.engagement.asset_id("form", "demo request")
    assert "call me" in form.attribute("Form Fields")


def test_email_engagement_uses_the_real_type_ids(clock):
    state = an_instance(clock)
    lead_id = a_lead(state)
    state.engagement.send_email(lead_id, "Nurture 1")
    state.engagement.open_email(lead_id, "Nurture 1", device="iPhone")
    state.engagement.click_email(lead_id, "Nurture 1", "https://acme.com/pricing")
    state.engagement.visit_webpage(lead_id, "https://acme.com/pricing")

    kinds = [a.activity_type_id for a in state.activities(lead_id=lead_id)][1:]
    assert kinds == [6, 10, 11, 1]
    click = state.activities(lead_id=lead_id, activity_type_ids=[11])[0]
    assert click.attribute("Link") == "https://acme.com/pricing"


def test_history_can_be_backfilled_with_past_dates(clock):
    state = an_instance(clock)
    past = clock() - timedelta(days=90)
    lead_id = state.people.create({"email": "old@acme.com"}, at=past)
    state.engagement.open_email(lead_id, "Launch", at=past + timedelta(days=1))

    dates = [a.activity_date for a in state.activities(lead_id=lead_id)]
    assert dates == [past, past + timedelta(days=1)]
    assert state.people.get(lead_id)["createdAt"] == past
