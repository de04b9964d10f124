"""Config errors are placed on the line a person has to change."""

from __future__ import annotations

from dashboard.yamlpaths import line_of, line_text, split_path

DOCUMENT = """\
routing:
  segments:
    - name: Tier A
      sla: tier_a
    - name: Tier B
      sla: gold
sla:
  policies:
    tier_a:
      first_touch_minutes: 5
"""


def test_paths_split_into_keys_and_indexes():
    assert split_path("routing.segments[1].sla") == ["routing", "segments", 1, "sla"]


def test_an_error_path_points_at_its_line():
    assert line_of(DOCUMENT, "routing.segments[1].sla") == 6
    assert line_text(DOCUMENT, 6).strip() == "sla: gold"
    assert line_of(DOCUMENT, "sla.policies.tier_a.first_touch_minutes") == 10


def test_a_missing_key_points_at_the_deepest_part_that_exists():
    assert line_of(DOCUMENT, "sla.policies.gold") == 8
    assert line_of(DOCUMENT, "routing.segments[7].name") == 2


def test_yaml_syntax_errors_keep_their_own_line():
    assert line_of("routing: [", "", "not valid YAML at line 3, column 1: expected ']'") == 3
    assert line_of("routing: [", "routing") is None
