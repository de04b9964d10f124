"""Properties of the gate that must hold for every person, context and config (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.config import AnyOf
from routing.context import SalesforceContext
from routing.fields import SALESFORCE_REQUIRED, STANDARD_FIELDS
from routing.gate import Gate
from tests.routing.support import (
    ANN,
    BOB,
    NOW,
    a_config,
    a_contact,
    a_lead,
    a_marketo_twin,
    a_person,
    an_account,
    config_data,
    sf_id,
)

CONFIG = a_config()
GATE = Gate(CONFIG)

weird_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30),
    st.sampled_from(["\ud800", "\x00", "a" * 100_000, " ", "", "é" * 300, "\u202e", "ann@acme.com", "1e309"]),
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), weird_text),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
field_names = st.sampled_from([*STANDARD_FIELDS, "behaviorScore", "id", "unknownThing"])
any_person = st.dictionaries(field_names, json_value, max_size=20)

records = st.lists(
    st.builds(
        lambda kind, email, converted, by_id, number: (a_lead if kind else a_contact)(
            email=email,
            is_converted=converted,
            matched_by="id" if by_id else "email",
            number=number,
            owner=ANN if number % 2 else BOB,
        ),
        st.booleans(),
        st.one_of(
            st.none(), st.sampled_from(["ann.lee@acme.com", "ANN.LEE+x@acme.com", "x@y.z"]), weird_text
        ),
        st.booleans(),
        st.booleans(),
        st.integers(1, 5),
    ),
    max_size=3,
    unique_by=lambda record: record.id,  # one record per id, as in Salesforce
)
ACCOUNT_OWNERS = {1: ANN, 2: BOB, 3: None}


def _account(number, method, score, domain):
    """Account ``number`` always has the same name and owner, however it was found."""
    account = an_account(
        name=f"Account {number}", owner=ACCOUNT_OWNERS[number], method=method, score=score, domain=domain
    )
    return replace(account, id=sf_id("001", number))


accounts = st.lists(
    st.builds(
        _account,
        st.sampled_from(sorted(ACCOUNT_OWNERS)),
        st.sampled_from(["domain", "name"]),
        st.sampled_from([70.0, 89.5, 90.0, 95.0, 100.0]),
        st.one_of(st.none(), st.sampled_from(["acme.com", "gmail.com"])),
    ),
    max_size=3,
)
contexts = st.builds(
    SalesforceContext,
    records=records.map(tuple),
    accounts=accounts.map(tuple),
    marketo_duplicates=st.lists(
        st.builds(a_marketo_twin, st.integers(1, 3000), st.one_of(st.none(), weird_text), st.booleans()),
        max_size=2,
    ).map(tuple),
    last_routed_at=st.one_of(st.none(), st.integers(0, 90).map(lambda d: NOW - timedelta(days=d))),
    held_since=st.one_of(st.none(), st.integers(0, 100).map(lambda h: NOW - timedelta(hours=h))),
    complete=st.booleans(),
)
# People close to route-ready, so that properties about routing are exercised often.
near_ready = st.builds(
    lambda drop, changes: {k: v for k, v in {**a_person(), **changes}.items() if k not in drop},
    st.sets(st.sampled_from(["email", "company", "country", "phone", "title", "lastName", "leadScore"])),
    st.dictionaries(
        st.sampled_from(
            ["email", "country", "numberOfEmployees", "leadSource", "mobilePhone", "company", "leadScore"]
        ),
        st.sampled_from(
            [
                "ann@gmail.com",
                "DE",
                "US",
                "Japan",
                50,
                500,
                "Webinar",
                "+1 555",
                "Rival Corp",
                10,
                95,
                "",
                "bob@acme.com",
            ]
        ),
        max_size=3,
    ),
)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _consistent(decision):
    assert decision.outcome in ("route", "hold", "reject")
    if decision.outcome == "route":
        assert decision.target is not None
        assert decision.summary.startswith("Routed by Handoff: ")
        assert not any(r.blocks for r in decision.reasons)
    else:
        assert decision.target is None
        assert any(r.blocks == decision.outcome for r in decision.reasons)
        assert decision.reason_code != decision.outcome
    decision.to_json()


@PROPS
@given(person=any_person, context=contexts)
def test_any_data_gives_a_decision_with_a_reason_never_an_exception(person, context):
    _consistent(GATE.decide(person, context, NOW))


@PROPS
@given(person=st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers())))
def test_something_that_is_not_a_person_is_rejected(person):
    assert GATE.decide(person, SalesforceContext(), NOW).reason_code == "invalid_snapshot"


def _filled(person, name):
    value = person.get(name)
    return value is not None and (not isinstance(value, str) or value.strip() != "")


@PROPS
@given(person=near_ready, context=contexts)
def test_a_routed_person_has_every_required_field(person, context):
    decision = GATE.decide(person, context, NOW)
    _consistent(decision)
    if decision.outcome != "route":
        return
    required = list(CONFIG.required_fields)
    segment = CONFIG.segment(decision.segment)
    if segment is not None:
        required.extend(segment.required_fields)
    if decision.target.lead_action == "create":
        required.extend(SALESFORCE_REQUIRED)
    for item in required:
        names = item.any_of if isinstance(item, AnyOf) else [item]
        assert any(_filled(person, name) for name in names), (item, person)


extra_exclusions = st.fixed_dictionaries(
    {},
    optional={
        "competitor_domains": st.lists(st.sampled_from(["acme.com", "rival.com", "x.org"]), max_size=2),
        "competitor_names": st.lists(st.sampled_from(["Acme", "Rival Corp", "Zeta"]), max_size=2),
        "test_patterns": st.lists(st.sampled_from(["(?i)ann", "CTO", "^zzz$"]), max_size=2),
        "countries": st.lists(st.sampled_from(["Germany", "US", "Japan"]), max_size=2),
        "free_mail_domains": st.lists(st.sampled_from(["acme.com", "corp.example"]), max_size=1),
        "disposable_domains": st.lists(st.sampled_from(["acme.com", "tmp.example"]), max_size=1),
    },
)


@PROPS
@given(person=near_ready, context=contexts, extra=extra_exclusions)
def test_adding_an_exclusion_never_routes_more(person, context, extra):
    base = config_data()
    widened = dict(base["exclusions"])
    for key, values in extra.items():
        widened[key] = list(widened.get(key, [])) + values
    stricter = Gate(a_config(exclusions=widened))
    before = GATE.decide(person, context, NOW)
    after = stricter.decide(person, context, NOW)
    if after.outcome == "route":
        assert before.outcome == "route"
        assert after.target == before.target
    if before.outcome == "reject":
        assert after.outcome == "reject"


@PROPS
@given(person=near_ready, context=contexts, raise_by=st.floats(min_value=0, max_value=50))
def test_raising_the_score_threshold_never_routes_more(person, context, raise_by):
    stricter = Gate(a_config(score={"thresholds": {"leadScore": 60 + raise_by}, "cooldown_days": 30}))
    if stricter.decide(person, context, NOW).outcome == "route":
        assert GATE.decide(person, context, NOW).outcome == "route"


@PROPS
@given(person=near_ready, context=contexts)
def test_a_decision_is_the_same_after_the_context_is_stored_and_read_back(person, context):
    replayed = SalesforceContext.from_json(context.to_json())
    assert GATE.decide(person, replayed, NOW) == GATE.decide(person, context, NOW)


@PROPS
@given(person=near_ready, context=contexts)
def test_a_person_matched_to_an_owned_account_never_goes_to_a_lead_queue(person, context):
    decision = GATE.decide(person, context, NOW)
    if decision.outcome == "route" and "account_id" in decision.attributes:
        matched = next(a for a in context.accounts if a.id == decision.attributes["account_id"])
        if matched.owner_id:
            assert decision.target.kind in ("account_owner", "record_owner")


@PROPS
@given(person=near_ready, context=contexts, data=st.data())
def test_the_order_in_which_salesforce_returned_records_and_accounts_does_not_matter(person, context, data):
    shuffled = SalesforceContext(
        records=tuple(data.draw(st.permutations(context.records))),
        accounts=tuple(data.draw(st.permutations(context.accounts))),
        marketo_duplicates=tuple(data.draw(st.permutations(context.marketo_duplicates))),
        last_routed_at=context.last_routed_at,
        held_since=context.held_since,
        complete=context.complete,
    )
    assert GATE.decide(person, shuffled, NOW) == GATE.decide(person, context, NOW)
