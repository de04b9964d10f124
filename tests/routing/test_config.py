"""The routing section of a config document: every error, with its path; ids, regexes and references."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.config import RoutingConfig
from routing.documents import (
    RoutingConfigInvalid,
    parse_document,
    routing_config_of,
    structural_diff,
    text_diff,
    validate_routing_document,
)
from routing.ids import InvalidSalesforceId, expect_prefix, is_valid, same_id, to_18
from tests.routing.support import EMEA_QUEUE, config_data


def errors_of(text: str) -> list[tuple[str, str]]:
    return validate_routing_document(textwrap.dedent(text))


def test_the_example_config_is_valid_and_queue_ids_are_normalised_to_18_characters():
    data = config_data(fallback_queue=EMEA_QUEUE[:15])
    config = RoutingConfig.model_validate(data)
    assert config.fallback_queue == EMEA_QUEUE
    assert config.reference_errors() == []
    assert validate_routing_document(yaml.safe_dump({"routing": data, "sla": {"policies": {}}})) == []


def test_an_empty_document_or_one_without_routing_means_the_defaults():
    assert routing_config_of("") == RoutingConfig()
    assert routing_config_of("sla: {policies: {}}\n").segments == []
    assert RoutingConfig().segments == []


def test_every_shape_error_is_reported_with_its_path():
    errors = errors_of(
        """
        routing:
          exclusions: {test_patterns: ["(?i)test", "([a-"]}
          hold_timeout_hours: 0
          segments:
            - {name: a, target: {queue: 00558000001N0Ke}}
            - {name: b, target: {owner: 00558000001N0Ke, queue: 00G5g0000000001}}
            - {name: c, sla: gold, bogus: 1}
            - {name: d, target: {assignment_rule: 01Q5g00000000x1z}}
          fallback_queue: 00G-not-an-id
          accounts: {team_rule: 011000000000001}
        """
    )
    paths = dict(errors)
    assert paths["routing.exclusions.test_patterns[1]"].startswith("not a valid regular expression")
    assert paths["routing.hold_timeout_hours"] == "Input should be greater than 0"
    assert paths["routing.segments[0].target.queue"] == (
        "'00558000001N0Ke' is a User id; expected a Queue id (starting 00G)"
    )
    assert paths["routing.segments[1].target"] == "a target names one destination, not owner and queue"
    assert paths["routing.segments[2].bogus"] == "unknown key"
    assert "routing.segments[3].target.assignment_rule" in paths
    assert "is not a Salesforce id" in paths["routing.fallback_queue"]
    assert paths["routing.accounts.team_rule"] == "YAML read this id as a number: put it in quotes"


def test_every_reference_error_is_reported_with_its_path():
    errors = errors_of(
        """
        routing:
          required_fields: [email, compnay, {any_of: [phone, mobilePhon]}]
          score: {thresholds: {leadScore: 60, title: 3}}
          regions: {EMEA: [DE, FR], NA: [US, de]}
          size_bands: [{name: small}, {name: ent, max_employees: 20}]
          custom_fields: {email: {kind: text}}
          segments:
            - name: a
              when: {regions: [EMEA, APAC], size_bands: [mid], intents: [hot], fields: {industri: [x]}}
              required_fields: [titel]
            - {name: a}
          default_segment: zzz
          intent_field: lead_source
        """
    )
    assert errors == [
        ("routing.custom_fields.email", "is a standard field; remove it"),
        ("routing.required_fields[1]", 'unknown field "compnay" (declare it in routing.custom_fields)'),
        (
            "routing.required_fields[2].any_of[1]",
            'unknown field "mobilePhon" (declare it in routing.custom_fields)',
        ),
        ("routing.score.thresholds.title", 'field "title" is text, not number'),
        ("routing.intent_field", 'unknown field "lead_source" (declare it in routing.custom_fields)'),
        ("routing.regions.NA[1]", '"de" is already in region "EMEA"'),
        ("routing.size_bands[0].max_employees", "only the last band may be open-ended"),
        (
            "routing.segments[0].required_fields[0]",
            'unknown field "titel" (declare it in routing.custom_fields)',
        ),
        ("routing.segments[0].when.regions[1]", 'unknown region "APAC"'),
        ("routing.segments[0].when.size_bands[0]", 'unknown size band "mid"'),
        ("routing.segments[0].when.intents[0]", 'unknown intent "hot"'),
        (
            "routing.segments[0].when.fields.industri",
            'unknown field "industri" (declare it in routing.custom_fields)',
        ),
        ("routing.segments[1].name", 'duplicate segment "a"'),
        ("routing.default_segment", 'unknown segment "zzz"'),
    ]


def test_size_bands_must_ascend():
    errors = errors_of("routing: {size_bands: [{name: a, max_employees: 50}, {name: b, max_employees: 10}]}")
    assert errors == [
        ("routing.size_bands[1].max_employees", "bands must be in ascending order of max_employees")
    ]


def test_a_document_that_is_not_yaml_or_not_a_mapping_is_refused_with_a_position():
    [(path, message)] = errors_of("routing: [unclosed\n")
    assert path == ""
    assert message.startswith("not valid YAML at line")
    assert errors_of("- a list\n") == [("", "the document must be a mapping of sections (routing, sla)")]
    with pytest.raises(RoutingConfigInvalid) as raised:
        routing_config_of("routing: {hold_timeout_hours: -1}")
    assert raised.value.errors[0][0] == "routing.hold_timeout_hours"


def test_cross_check_is_the_hook_handoff_config_calls():
    config = RoutingConfig.model_validate({"default_segment": "nope"})
    assert config.cross_check(root=None) == [("routing.default_segment", 'unknown segment "nope"')]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    ["segments", "target", "queue", "name", "when", "regions", "score", "thresholds", "x"]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=15,
    )
)
def test_any_document_gives_errors_or_a_config_never_an_exception(section):
    parsed = parse_document(yaml.safe_dump({"routing": section}))
    assert (parsed.routing is None) == bool(parsed.errors)


def test_salesforce_ids_checksums_and_prefixes():
    assert to_18("00558000001N0Ke") == "00558000001N0KeAAK"
    assert to_18("001D000000IRFma") == "001D000000IRFmaIAH"
    assert to_18("003RO0000035WQg") == "003RO0000035WQgYAM"
    assert to_18("00558000001n0keaak") == "00558000001N0KeAAK"
    assert same_id("00558000001N0Ke", "00558000001N0KeAAK")
    assert not is_valid("00558000001N0KeAAB")
    assert not is_valid("0055800000-N0Ke")
    assert is_valid("00558000001N0Ke", "005")
    assert not is_valid("00558000001N0Ke", "00G")
    with pytest.raises(InvalidSalesforceId, match="expected a Queue id"):
        expect_prefix("00558000001N0Ke", "00G")


def test_versions_are_compared_path_by_path_and_as_text():
    before = yaml.safe_load("routing: {score: {thresholds: {leadScore: 60}}, segments: [{name: a}]}")
    after = yaml.safe_load(
        "routing: {score: {thresholds: {leadScore: 70}}, segments: [{name: a}], fallback_queue: x}"
    )
    changes = structural_diff(before, after)
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("routing.score.thresholds.leadScore", 60, 70),
        ("routing.fallback_queue", None, "x"),
    ]
    diff = text_diff("a: 1\n", "a: 2\n", "v1", "v2")
    assert "-a: 1" in diff and "+a: 2" in diff


def test_a_required_field_is_a_name_or_an_any_of_list_with_one_clear_message():
    errors = errors_of("routing: {required_fields: [email, {any_of: [phone]}, 5, {anyof: [a, b]}]}")
    assert errors == [
        ("routing.required_fields[1]", "any_of needs a list of at least two field names"),
        ("routing.required_fields[2]", "expected a field name or {any_of: [field, field, …]}"),
        ("routing.required_fields[3]", "expected a field name or {any_of: [field, field, …]}"),
    ]
