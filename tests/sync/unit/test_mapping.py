"""The field mapping: defaults per the corrected field table, overrides, and start-up validation."""

from __future__ import annotations

import pytest

from handoff.config import ConfigInvalid, validate_document
from sync.config import SyncConfig
from sync.mapping import (
    FieldMapping,
    company_fields,
    lead_fields,
    normalise_email,
    person_fields_from_contact,
)


def test_defaults_follow_the_corrected_field_table():
    mapping = FieldMapping()
    lead = mapping.merged("lead")
    assert (lead["email"], lead["company"], lead["mobilePhone"]) == ("Email", "Company", "MobilePhone")
    assert "leadScore" not in lead  # Lead_Score__c is custom: opt-in only
    assert mapping.merged("contact")["AccountId"] == "sfdcAccountId"
    assert "sfdcOpptyStage" not in mapping.merged("contact").values()
    assert mapping.merged("company")["Id"] == "externalCompanyId"


def test_a_person_becomes_a_lead_with_a_normalised_email_and_the_required_fields():
    fields = lead_fields(
        FieldMapping(), {"email": "  Ann.Lee@ACME.example ", "firstName": "Ann", "country": ""}
    )
    assert fields == {
        "Email": "ann.lee@acme.example",
        "FirstName": "Ann",
        "LastName": "[not provided]",
        "Company": "[not provided]",
    }


def test_overrides_add_custom_fields_and_drop_defaults():
    mapping = FieldMapping(lead={"leadScore": "Lead_Score__c", "title": None})
    fields = lead_fields(mapping, {"leadScore": 80, "title": "CTO", "lastName": "Lee", "company": "Acme"})
    assert fields == {"Lead_Score__c": 80, "LastName": "Lee", "Company": "Acme"}


def test_a_converted_contact_sets_the_ids_and_the_sql_stage():
    contact = {"Id": "003000000000001AAA", "AccountId": "001000000000001AAA", "MobilePhone": "+49 1"}
    assert person_fields_from_contact(FieldMapping(), contact) == {
        "sfdcContactId": "003000000000001AAA",
        "sfdcAccountId": "001000000000001AAA",
        "mobilePhone": "+49 1",
        "leadStatus": "SQL",
    }


def test_an_account_becomes_a_company_keyed_by_its_id():
    account = {"Id": "001000000000001AAA", "Name": "Acme", "Industry": "Retail", "AnnualRevenue": None}
    assert company_fields(FieldMapping(), account) == {
        "externalCompanyId": "001000000000001AAA",
        "company": "Acme",
        "industry": "Retail",
    }


@pytest.mark.parametrize("value", [None, 42, "no-at-sign", "two words@x.com"])
def test_what_is_not_an_email_is_none(value):
    assert normalise_email(value) is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"lead": {"company": None}}, "nothing maps to Company"),
        ({"company": {"Id": None}}, "nothing maps to externalCompanyId"),
        ({"lead": {"title": "Email"}}, "email and title both map to Email"),
        ({"lead": {"bad name": "Title"}}, "lead.bad name: not a field name"),
        ({"contact": {"Id": "not valid!"}}, "is not a field name"),
        ({"unknown": {}}, "unknown key"),
    ],
)
def test_the_mapping_is_checked_at_start_up_with_its_path(section, message):
    with pytest.raises(ConfigInvalid) as invalid:
        validate_document({"sync": {"field_map": section}})
    assert any(
        error.path.startswith("sync.field_map") and message in error.message for error in invalid.value.errors
    )


def test_a_valid_mapping_loads():
    config = validate_document({"sync": {"field_map": {"lead": {"leadScore": "Lead_Score__c"}}}})
    assert isinstance(config.sync, SyncConfig)
    assert config.sync.field_map.merged("lead")["leadScore"] == "Lead_Score__c"


def test_the_mql_rule_needs_a_score_or_a_status():
    with pytest.raises(ConfigInvalid):
        validate_document({"sync": {"mql": {"score_field": None}}})
    config = validate_document(
        {"sync": {"mql": {"score_field": None, "status_field": "leadStatus", "status_values": ["MQL"]}}}
    )
    assert config.sync.mql.watched_fields() == ["leadStatus"]
