"""The sla section: a full example is accepted and compiled; every kind of mistake is refused with its path."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime

import pytest

from handoff.config import ConfigInvalid, parse_text
from sla.config import SlaConfig
from sla.policy import SlaConfigError, compile_rules

FULL = """
sla:
  calendars:
    emea:
      time_zone: Europe/Berlin
      hours:
        mon: ["09:00-12:00", "13:00-17:30"]
        tue: ["09:00-17:30"]
        wed: ["09:00-17:30"]
        thu: ["09:00-17:30"]
        fri: ["09:00-16:00"]
      holidays: [DE]
      business_day: 8h
    us:
      time_zone: America/New_York
      time_zone_source: owner
  holidays:
    DE:
      - 2026-12-24
      - {date: 2026-12-25, name: Christmas Day}
  out_of_office:
    - {user: 005000000000001AAA, starts: 2026-11-02, ends: 2026-11-06, time_zone: Europe/Berlin}
  touch:
    integration_user_ids: [005000000000009AAA]
  channels:
    sdr_slack: {type: slack, rate_limit: {max: 5, per: 1h}, digest: true}
    sdr_email: {type: email, host: smtp.acme.example, port: 587, from_address: sla@acme.example,
                username: sla@acme.example, password_secret: smtp_password}
    manager_task: {type: salesforce_task}
  links:
    salesforce_url: https://acme.my.salesforce.com
    lead_page: https://handoff.acme.example/leads/{handoff_id}
  policies:
    tier_a:
      first_touch: 5m
      calendar: emea
      ladder:
        - {at: 50%, action: remind, notify: [{to: owner, via: [sdr_slack]}]}
        - {at: due, action: breach, notify: [{to: owner, via: [sdr_slack]}, {to: manager, via: [sdr_email, manager_task]}]}
        - at: +30m
          action: reassign
          reassign_to: {next_in_team: sdr_emea, fallback: 00G000000000001AAA}
          notify: [{to: previous_owner, via: [sdr_slack]}, {to: new_owner, via: [sdr_slack]}]
        - {at: +2d, action: recycle, reason: no_first_touch, nurture_program_id: 1044}
    tier_c:
      first_touch: 1d
      calendar: us
    always_on:
      first_touch: 4h
      mode: wall
routing:
  segments:
    - {name: demo_request, sla: tier_a}
"""


def check(text: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        parse_text(textwrap.dedent(text))
    return [str(error) for error in caught.value.errors]


def sla_section(body: str) -> str:
    return "sla:\n" + textwrap.indent(textwrap.dedent(body), "  ")


def test_full_example_is_accepted_and_compiled():
    config = parse_text(FULL)
    rules = compile_rules(config.sla)
    tier_a = rules.policies["tier_a"]
    assert tier_a.target_seconds == 300
    assert [(s.action, s.from_due_seconds) for s in tier_a.steps] == [
        ("remind", -150.0),
        ("breach", 0.0),
        ("reassign", 1800.0),
        ("recycle", 2 * 8 * 3600.0),
    ]
    assert tier_a.calendar.holidays == frozenset({date(2026, 12, 24), date(2026, 12, 25)})
    assert tier_a.steps[2].reassign is not None and tier_a.steps[2].reassign.strategy == "next_in_team"
    assert rules.policies["tier_c"].target_seconds == 8 * 3600
    assert rules.policies["tier_c"].time_zone(owner_zone="America/Chicago") == "America/Chicago"
    assert rules.policies["always_on"].target_seconds == 4 * 3600
    (away,) = rules.away
    assert (away.starts_at, away.ends_at) == (
        datetime(2026, 11, 1, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 6, 23, 0, tzinfo=UTC),
    )


def test_ladder_without_breach_step_gets_a_silent_one_at_due():
    config = SlaConfig.model_validate({"policies": {"p": {"first_touch": "10m"}}})
    (step,) = compile_rules(config).policies["p"].steps
    assert (step.action, step.from_due_seconds, step.notify) == ("breach", 0.0, ())


def test_placeholder_shorthand_in_minutes_still_works():
    config = SlaConfig.model_validate({"policies": {"tier_a": {"first_touch_minutes": 5}}})
    assert compile_rules(config).policies["tier_a"].target_seconds == 300


def test_unknown_time_zone_is_refused_with_its_path():
    errors = check(sla_section("calendars:\n  emea: {time_zone: Europe/Berln}\n"))
    assert errors == [
        'sla.calendars.emea.time_zone: unknown time zone "Europe/Berln" (use an IANA name such as Europe/Berlin)'
    ]


def test_inverted_and_overlapping_hours_are_refused():
    errors = check(
        sla_section(
            """
            calendars:
              emea:
                hours:
                  mon: ["17:00-09:00"]
                  tue: ["09:00-12:00", "11:30-17:00"]
                  wed: ["9-17"]
            """
        )
    )
    assert (
        'sla.calendars.emea.hours.mon[0]: "17:00-09:00" is inverted or empty: the end must come after the start'
        in errors
    )
    assert 'sla.calendars.emea.hours.tue: "09:00-12:00" and "11:30-17:00" overlap' in errors
    assert any(e.startswith("sla.calendars.emea.hours.wed[0]:") for e in errors)


def test_ladder_out_of_order_is_refused_at_the_step():
    errors = check(
        sla_section(
            """
            policies:
              tier_a:
                first_touch: 10m
                ladder:
                  - {at: due, action: breach}
                  - {at: +1h, action: recycle}
                  - {at: 50%, action: breach}
            """
        )
    )
    assert 'sla.policies.tier_a.ladder[2].at: steps out of order: "50%" must come after "+1h"' in errors
    assert "sla.policies.tier_a.ladder[2].at: a breach step fires at due" in errors
    assert (
        "sla.policies.tier_a.ladder[1].action: recycle ends the clock, so it must be the last step" in errors
    )


def test_references_to_unknown_calendars_channels_and_regions():
    errors = check(
        sla_section(
            """
            calendars:
              emea: {holidays: [FR]}
            policies:
              tier_a:
                first_touch: 5m
                calendar: apac
                ladder:
                  - {at: 50%, action: remind, notify: [{to: owner, via: [pager]}]}
                  - {at: due, action: breach, notify: [{to: new_owner, via: []}]}
            """
        )
    )
    assert 'sla.calendars.emea.holidays[0]: unknown holiday region "FR"' not in errors  # reported in pass two
    assert any(e.startswith("sla.policies.tier_a.ladder[1].notify[0].via:") for e in errors)
    errors = check(
        sla_section(
            """
            calendars:
              emea: {holidays: [FR]}
            policies:
              tier_a:
                first_touch: 5m
                calendar: apac
                ladder:
                  - {at: 50%, action: remind, notify: [{to: owner, via: [pager]}]}
                  - {at: due, action: breach, notify: [{to: new_owner, via: [pager]}]}
            """
        )
    )
    assert set(errors) >= {
        'sla.calendars.emea.holidays[0]: unknown holiday region "FR"',
        'sla.policies.tier_a.calendar: unknown calendar "apac"',
        'sla.policies.tier_a.ladder[0].notify[0].via[0]: unknown channel "pager"',
        "sla.policies.tier_a.ladder[1].notify[0].to: new_owner is only known on a reassign step",
    }


def test_broken_urls_and_hosts_in_channels_are_refused():
    errors = check(
        sla_section(
            """
            channels:
              mail: {type: email, host: "smtp acme", from_address: nobody}
              chat: {type: slack, webhook_url_secret: my_url}
            links:
              salesforce_url: "htp:/acme"
              lead_page: https://handoff.acme.example/leads
            """
        )
    )
    assert 'sla.channels.mail.email.host: "smtp acme" is not a host name or IPv4 address' in errors
    assert 'sla.channels.mail.email.from_address: "nobody" is not an email address' in errors
    assert any(e.startswith("sla.channels.chat.slack.webhook_url_secret:") for e in errors)
    assert any(e.startswith("sla.links.salesforce_url:") for e in errors)
    assert 'sla.links.lead_page: the lead page address must contain "{handoff_id}"' in errors


def test_secret_values_in_the_yaml_are_refused():
    errors = check(
        sla_section(
            "channels:\n  mail: {type: email, host: smtp.acme.example, from_address: a@b.example, password: hunter2}\n"
        )
    )
    assert (
        "sla.channels.mail.password: secrets are not allowed in the config file; set HANDOFF_* in the environment"
        in errors
    )


def test_step_fields_must_match_the_action():
    errors = check(
        sla_section(
            """
            policies:
              p:
                first_touch: 5m
                ladder:
                  - {at: 50%, action: remind}
                  - {at: +5m, action: reassign}
                  - {at: +10m, action: recycle, reassign_to: {user: 005000000000001AAA}}
                  - {at: +20m, action: notify, notify: [{to: owner, via: [x]}], reassign_to: {queue: 005000000000001AAA}}
            """
        )
    )
    assert "sla.policies.p.ladder[0]: a remind step needs at least one notify entry" in errors
    assert "sla.policies.p.ladder[1]: a reassign step needs reassign_to" in errors
    assert "sla.policies.p.ladder[2]: reassign_to belongs on a reassign step, not on recycle" in errors
    assert any(e.startswith("sla.policies.p.ladder[3].reassign_to.queue:") for e in errors)


def test_reassign_target_needs_exactly_one_strategy():
    errors = check(
        sla_section(
            """
            policies:
              p:
                first_touch: 5m
                ladder:
                  - {at: +5m, action: reassign, reassign_to: {assignment_rule: true, user: 005000000000001AAA}}
            """
        )
    )
    assert errors == [
        "sla.policies.p.ladder[0].reassign_to: choose exactly one of assignment_rule, queue, user, next_in_team"
    ]


def test_targets_durations_and_out_of_office_are_checked():
    errors = check(
        sla_section(
            """
            policies:
              a: {first_touch: 5 minutes}
              b: {first_touch: 0m}
              c: {first_touch: 5m, first_touch_minutes: 5}
              d: {first_touch: 5m, ladder: [{at: -10m, action: notify, notify: [{to: owner, via: [x]}]}]}
            out_of_office:
              - {user: 005000000000001AAA, starts: 2026-11-06, ends: 2026-11-02}
              - {user: 00Q000000000001AAA, starts: 2026-11-02T09:00:00, ends: 2026-11-03}
            """
        )
    )
    assert (
        'sla.policies.a.first_touch: "5 minutes" is not a duration; write e.g. 5m, 1h30m, 2d or 90s' in errors
    )
    assert 'sla.policies.b.first_touch: "0m" must be longer than zero' in errors
    assert "sla.policies.c: give exactly one of first_touch and first_touch_minutes" in errors
    assert "sla.out_of_office[0]: ends must come after starts" in errors
    assert any(e.startswith("sla.out_of_office[1].user:") for e in errors)


def test_step_before_the_clock_starts_is_refused():
    config = SlaConfig.model_validate(
        {
            "channels": {"x": {"type": "salesforce_task"}},
            "policies": {
                "d": {
                    "first_touch": "5m",
                    "ladder": [{"at": "-10m", "action": "notify", "notify": [{"to": "owner", "via": ["x"]}]}],
                }
            },
        }
    )
    with pytest.raises(SlaConfigError) as caught:
        compile_rules(config)
    assert caught.value.problems == [("sla.policies.d.ladder[0].at", '"-10m" fires before the clock starts')]
