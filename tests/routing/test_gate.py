"""The gate, one rule at a time: each reason code, each target, each summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from routing.context import SalesforceContext
from routing.gate import Gate, decide
from tests.routing.support import (
    ACME_ACCOUNT,
    ANN,
    BOB,
    EMEA_QUEUE,
    ENT_RULE,
    FALLBACK_QUEUE,
    NOW,
    TEAM_RULE,
    a_config,
    a_contact,
    a_context,
    a_lead,
    a_marketo_twin,
    a_person,
    an_account,
    config_data,
)


def judge(person=None, context=None, config=None, now=NOW):
    return Gate(config or a_config()).decide(
        a_person() if person is None else person, context or a_context(), now
    )


def test_a_complete_qualified_enterprise_demo_request_routes_by_the_tier_a_rule():
    decision = judge()
    assert decision.outcome == "route"
    assert decision.segment == "tier_a"
    assert decision.target.kind == "assignment_rule"
    assert decision.target.id == ENT_RULE
    assert decision.target.lead_action == "create"
    assert decision.reason_code == "target_rule"
    assert decision.summary == "Routed by Handoff: Tier A / EMEA / assignment rule"
    assert decision.attributes == {
        "region": "EMEA",
        "size_band": "ent",
        "intent": "high",
        "email_key": "ann.lee@acme.com",
    }


def test_the_salesforce_fields_carry_clean_values_and_the_routing_reason():
    decision = judge(a_person(numberOfEmployees="5,000", leadSource=" Demo   Request "))
    assert decision.salesforce_fields["NumberOfEmployees"] == 5000
    assert decision.salesforce_fields["LeadSource"] == "Demo Request"
    assert decision.salesforce_fields["Routing_Reason__c"] == decision.summary
    assert "leadScore" not in decision.salesforce_fields


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"unsubscribed": True}, "unsubscribed"),
        ({"unsubscribed": "true"}, "unsubscribed"),
        ({"emailInvalid": 1}, "bounced"),
        ({"email": "ann@gmail.com"}, "free_mail"),
        ({"email": "ann@mail.yahoo.com"}, "free_mail"),
        ({"email": "ann@mailinator.com"}, "disposable_email"),
        ({"email": "ann@rival.com"}, "competitor"),
        ({"email": "ann@eu.rival.com"}, "competitor"),
        ({"website": "https://www.rival.com/pricing"}, "competitor"),
        ({"company": "RIVAL corp."}, "competitor"),
        ({"lastName": "Test"}, "test_record"),
        ({"email": "ann@example.com"}, "test_record"),
        ({"country": "north korea"}, "excluded_country"),
        ({"leadScore": 59}, "below_score"),
        ({"leadScore": None}, "below_score"),
    ],
)
def test_exclusions_and_disqualifications_reject_with_their_reason(fields, code):
    decision = judge(a_person(**fields))
    assert decision.outcome == "reject"
    assert decision.reason_code == code
    assert decision.target is None
    assert decision.message


def test_exclusion_switches_can_be_turned_off():
    config = a_config(
        exclusions={"free_mail": False, "disposable": False, "unsubscribed": False, "bounced": False}
    )
    for fields in (
        {"email": "ann@gmail.com"},
        {"email": "ann@mailinator.com"},
        {"unsubscribed": True},
        {"emailInvalid": True},
    ):
        assert judge(a_person(**fields), config=config).outcome == "route", fields


def test_extra_free_mail_domains_extend_the_built_in_list():
    config = a_config(exclusions={"free_mail_domains": ["Freemail.Example"]})
    assert judge(a_person(email="ann@freemail.example"), config=config).reason_code == "free_mail"


def test_score_gate_all_needs_every_threshold_any_needs_one():
    thresholds = {"leadScore": 60, "behaviorScore": 40}
    person = a_person(leadScore=80, behaviorScore=30)
    every = a_config(score={"thresholds": thresholds, "mode": "all"})
    anyone = a_config(score={"thresholds": thresholds, "mode": "any"})
    rejected = judge(person, config=every)
    assert rejected.reason_code == "below_score"
    assert "behaviorScore 30 < 40" in rejected.message
    assert judge(person, config=anyone).outcome == "route"


def test_a_score_that_is_not_a_number_fails_the_gate_instead_of_raising():
    decision = judge(a_person(leadScore="lots"))
    assert decision.reason_code == "below_score"
    assert decision.reasons[0].data["scores"]["leadScore"] is None


def test_a_person_routed_within_the_cooldown_is_rejected_and_after_it_routes_again():
    recently = a_context(last_routed_at=NOW - timedelta(days=29))
    long_ago = a_context(last_routed_at=NOW - timedelta(days=31))
    assert judge(context=recently).reason_code == "cooldown"
    assert judge(context=long_ago).outcome == "route"


def test_an_existing_contact_stays_with_its_owner_and_no_lead_is_created():
    decision = judge(context=a_context(records=(a_contact(email="ANN.LEE@acme.com", owner=BOB),)))
    assert decision.outcome == "route"
    assert decision.target.kind == "record_owner"
    assert decision.target.id == BOB
    assert decision.target.lead_action == "none"
    assert decision.summary.endswith("existing contact owner")


def test_an_existing_contact_is_rejected_when_configured():
    config = a_config(dedupe={"existing_contact": "reject"})
    decision = judge(context=a_context(records=(a_contact(),)), config=config)
    assert decision.reason_code == "existing_contact"


def test_an_existing_lead_is_updated_keeping_its_owner_even_with_an_account_match():
    context = a_context(records=(a_lead(owner=BOB),), accounts=(an_account(),))
    decision = judge(context=context)
    assert decision.target.kind == "record_owner"
    assert decision.target.lead_action == "update"
    assert decision.target.id == BOB
    assert decision.reason_code == "target_lead_owner"


def test_an_existing_lead_is_rejected_when_configured_and_converted_leads_do_not_count():
    config = a_config(dedupe={"existing_lead": "reject"})
    assert judge(context=a_context(records=(a_lead(),)), config=config).reason_code == "existing_lead"
    converted = a_context(records=(a_lead(is_converted=True),))
    assert judge(context=converted, config=config).outcome == "route"


def test_email_matching_follows_the_plus_tag_and_gmail_dot_options():
    person = a_person(email="ann.lee+events@acme.com")
    context = a_context(records=(a_lead(email="ann.lee@acme.com"),))
    assert judge(person, context).target.lead_action == "update"
    strict = a_config(dedupe={"strip_plus_tags": False})
    assert judge(person, context, strict).target.lead_action == "create"
    gmail_person = a_person(email="a.n.n@googlemail.com")
    gmail_context = a_context(records=(a_lead(email="ann@gmail.com"),))
    lenient = a_config(exclusions={"free_mail": False})
    assert judge(gmail_person, gmail_context, lenient).target.lead_action == "update"
    no_dots = a_config(exclusions={"free_mail": False}, dedupe={"gmail_dots": False})
    assert judge(gmail_person, gmail_context, no_dots).target.lead_action == "create"


def test_a_record_found_by_its_stored_id_counts_whatever_its_email():
    context = a_context(records=(a_lead(email="someone.else@acme.com", matched_by="id"),))
    assert judge(context=context).target.lead_action == "update"


def test_a_marketo_duplicate_with_an_open_handoff_rejects_this_one():
    decision = judge(context=a_context(marketo_duplicates=(a_marketo_twin(),)))
    assert decision.reason_code == "duplicate_in_marketo"
    assert decision.reasons[0].data == {"marketo_ids": [2002]}


def test_marketo_duplicates_without_open_handoffs_or_that_are_this_person_do_not_count():
    quiet = a_context(marketo_duplicates=(a_marketo_twin(open_handoff=False),))
    itself = a_context(marketo_duplicates=(a_marketo_twin(marketo_id=1001),))
    assert judge(context=quiet).outcome == "route"
    assert judge(context=itself).outcome == "route"
    ignoring = a_config(dedupe={"marketo_duplicates": "ignore"})
    assert (
        judge(context=a_context(marketo_duplicates=(a_marketo_twin(),)), config=ignoring).outcome == "route"
    )


def test_segments_first_match_wins_then_default_then_fallback_queue():
    mid_emea = a_person(numberOfEmployees=500)
    assert judge(mid_emea).segment == "emea"
    assert judge(mid_emea).target.id == EMEA_QUEUE
    american = a_person(numberOfEmployees=500, country="US")
    assert judge(american).target.id == BOB
    elsewhere = a_person(numberOfEmployees=500, country="Japan")
    decision = judge(elsewhere)
    assert decision.segment is None
    assert decision.target.id == FALLBACK_QUEUE
    assert decision.reason_code == "target_fallback_queue"
    with_default = a_config(default_segment="emea")
    assert judge(elsewhere, config=with_default).segment == "emea"


def test_without_a_fallback_queue_unsegmented_people_go_to_the_active_rule():
    decision = judge(a_person(numberOfEmployees=500, country="Japan"), config=a_config(fallback_queue=None))
    assert decision.target.kind == "assignment_rule"
    assert decision.target.id is None
    assert decision.target.label == "rule:active"


def test_segment_field_criteria_compare_case_insensitively():
    segments = [
        {"name": "software", "when": {"fields": {"industry": ["Software", "SaaS"]}}, "target": {"owner": ANN}}
    ]
    config = a_config(segments=segments)
    assert judge(a_person(industry="saas"), config=config).segment == "software"
    assert judge(a_person(industry="Retail"), config=config).segment is None
    assert judge(a_person(industry=None), config=config).segment is None


def test_missing_required_fields_hold_and_say_which():
    decision = judge(a_person(company=None, phone=None))
    assert decision.outcome == "hold"
    assert decision.reason_code == "missing_field"
    assert decision.reasons[0].data["fields"] == ["company", "phone or mobilePhone"]
    assert decision.message == "Waiting for company, phone or mobilePhone."


def test_any_of_is_satisfied_by_either_field():
    assert judge(a_person(phone=None, mobilePhone="+49 170 1")).outcome == "route"


def test_segment_required_fields_only_apply_to_that_segment():
    assert judge(a_person(title=None)).reasons[0].data == {"fields": ["title"], "segment": "tier_a"}
    assert judge(a_person(title=None, numberOfEmployees=500)).outcome == "route"


def test_salesforce_needs_a_last_name_to_create_a_lead_but_not_to_update_one():
    person = a_person(lastName=None)
    assert judge(person).reasons[0].data["fields"] == ["lastName"]
    assert judge(person, a_context(records=(a_lead(),))).outcome == "route"


def test_missing_or_broken_email_holds():
    assert judge(a_person(email=None)).reason_code == "missing_email"
    assert judge(a_person(email="ann at acme")).reason_code == "invalid_email"
    assert judge(a_person(email="ann@" + "a" * 300 + ".com")).reason_code == "invalid_email"
    assert judge(a_person(email=["ann@acme.com"])).reason_code == "invalid_email"


def test_broken_required_data_holds_with_the_problem_and_broken_optional_data_is_left_out():
    decision = judge(a_person(company="x" * 5000, title="ok", city="\x00nul"))
    assert decision.outcome == "hold"
    assert decision.reason_code == "invalid_field"
    assert "company" in decision.reasons[0].data["fields"]
    routed = judge(a_person(city="\ud800broken"))
    assert routed.outcome == "route"
    assert "City" not in routed.salesforce_fields
    assert "ignored_invalid_field" in routed.codes()


def test_a_hold_that_outlives_the_timeout_becomes_leakage():
    person = a_person(phone=None)
    fresh = a_context(held_since=NOW - timedelta(hours=47))
    stale = a_context(held_since=NOW - timedelta(hours=48))
    assert judge(person, fresh).outcome == "hold"
    expired = judge(person, stale)
    assert expired.outcome == "reject"
    assert expired.reason_code == "hold_expired"
    assert expired.reasons[-1].data["waiting_for"] == ["missing_field"]


def test_salesforce_being_unreachable_holds_rather_than_creating_a_duplicate():
    decision = judge(context=SalesforceContext(complete=False, problems=("timeout",)))
    assert decision.reason_code == "context_unavailable"
    assert decision.outcome == "hold"


def test_rejection_wins_over_hold():
    decision = judge(a_person(email="ann@gmail.com", company=None))
    assert decision.outcome == "reject"
    assert {"free_mail", "missing_field"} <= set(decision.codes())


def test_a_matched_account_with_an_owner_wins_over_the_segment_target():
    decision = judge(context=a_context(accounts=(an_account(owner=BOB, method="name", score=93.0),)))
    assert decision.target.kind == "account_owner"
    assert decision.target.id == BOB
    assert decision.attributes["account_id"] == ACME_ACCOUNT
    assert decision.summary == "Routed by Handoff: Tier A / EMEA / account owner match 0.93"
    assert decision.reasons[-1].data["method"] == "name"


def test_account_matching_respects_threshold_free_mail_and_owner():
    below = a_context(accounts=(an_account(method="name", score=89.9),))
    assert judge(context=below).target.kind == "assignment_rule"
    free = a_context(accounts=(an_account(domain="gmail.com"),))
    config = a_config(exclusions={"free_mail": False})
    assert judge(a_person(email="ann@gmail.com"), free, config).target.kind == "assignment_rule"
    ownerless = a_context(accounts=(an_account(owner=None),))
    assert judge(context=ownerless).target.kind == "assignment_rule"
    lowered = a_config(accounts={"name_threshold": 85})
    assert judge(context=below, config=lowered).target.kind == "account_owner"


def test_a_domain_match_beats_a_better_scored_name_match():
    domain = an_account(owner=ANN, method="domain", score=100.0)
    name = an_account(owner=BOB, method="name", score=100.0)
    assert judge(context=a_context(accounts=(name, domain))).target.id == ANN


def test_an_account_team_rule_replaces_the_owner_when_configured():
    config = a_config(accounts={"team_rule": TEAM_RULE})
    decision = judge(context=a_context(accounts=(an_account(),)), config=config)
    assert decision.target.kind == "assignment_rule"
    assert decision.target.id == TEAM_RULE
    assert "account team rule" in decision.summary


def test_an_account_owner_target_without_a_match_uses_the_fallback_queue():
    data = config_data()
    data["segments"][0]["target"] = {"account_owner": True}
    decision = judge(config=a_config(segments=data["segments"]))
    assert decision.target.id == FALLBACK_QUEUE


def test_summaries_are_cut_to_the_configured_length():
    config = a_config(
        segments=[{"name": "x", "label": "L" * 60}],
        regions={"R" * 60: ["Germany"]},
        writeback={"reason_max_length": 40},
    )
    summary = judge(config=config).summary
    assert len(summary) == 40
    assert summary.endswith("…")


def test_a_snapshot_that_is_not_a_mapping_is_rejected():
    decision = judge(["not", "a", "person"])
    assert decision.outcome == "reject"
    assert decision.reason_code == "invalid_snapshot"


def test_decide_is_the_one_shot_form_and_decisions_serialise():
    decision = decide(a_person(), a_context(), a_config(), NOW)
    data = decision.to_json()
    assert data["outcome"] == "route"
    assert data["target"]["label"] == f"assignment_rule:{ENT_RULE}".replace("assignment_rule", "rule")
    assert data["reasons"][-1]["code"] == "target_rule"
