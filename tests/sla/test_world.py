"""The SLA section written from the synthetic world's description: its calendars, holidays, leave and SDRs.

This is the part of the end-to-end run that needs no wiring: the world's org compiles into rules and a
directory, a lead routed to an SDR on leave moves on at once to an available teammate, and a lead routed
on the team's holiday is due on the next working day of that team's calendar.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.world import World
from sandbox.world.behaviour import Behaviour
from sla.config import SlaConfig
from sla.ladder import away_period, choose_owner
from sla.policy import Reassign, compile_rules
from sla.twins import directory_from_description
from tests.sandbox.world.support import SMALL

START = datetime(2026, 10, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def described() -> dict:
    world = World.create(5, start=START, size=SMALL, behaviour=Behaviour(arrivals_per_day=0))
    try:
        return json.loads(json.dumps(world.describe()))
    finally:
        world.close()


def sla_section(described: dict) -> dict:
    return {
        "calendars": described["calendars"],
        "holidays": described["holidays"],
        "out_of_office": described["out_of_office"],
        "touch": {"integration_user_ids": [described["salesforce"]["integration_user_id"]]},
        "policies": {
            f"{team['key']}_demo": {
                "first_touch": "15m",
                "calendar": team["key"],
                "ladder": [
                    {
                        "at": "+30m",
                        "action": "reassign",
                        "reassign_to": {"next_in_team": team["key"], "fallback": team["queue_id"]},
                    }
                ],
            }
            for team in described["teams"]
        },
    }


def test_the_worlds_org_compiles_into_rules_and_a_directory(described):
    rules = compile_rules(SlaConfig.model_validate(sla_section(described)))
    directory = directory_from_description(described)
    for team in described["teams"]:
        policy = rules.policies[f"{team['key']}_demo"]
        assert policy.calendar.time_zone == team["time_zone"]
        assert [p.id for p in directory.team_members(team["key"])] == team["sdr_ids"]
        for sdr_id in team["sdr_ids"]:
            person = directory.person(sdr_id)
            assert person is not None and person.manager_id == team["manager_id"]
    assert len(rules.away) == len(described["out_of_office"])


def test_a_holiday_of_the_team_moves_the_due_time_to_its_next_working_day(described):
    rules = compile_rules(SlaConfig.model_validate(sla_section(described)))
    team = described["teams"][0]
    policy = rules.policies[f"{team['key']}_demo"]
    zone = ZoneInfo(team["time_zone"])
    holiday = next(
        date.fromisoformat(h["date"])
        for h in described["holidays"][team["holiday_region"]]
        if date.fromisoformat(h["date"]) >= START.date() and date.fromisoformat(h["date"]).weekday() < 5
    )
    routed = datetime.combine(holiday, time(11, 0), tzinfo=zone).astimezone(UTC)
    due = policy.due_at(policy.measure(team["time_zone"]), routed)
    local_due = due.astimezone(zone)
    assert local_due.date() > holiday
    opening = min(int(r.split("-")[0][:2]) for r in described["calendars"][team["key"]]["hours"]["mon"])
    assert local_due.hour == opening and local_due.minute == 15


def test_an_sdr_on_leave_is_skipped_for_the_next_available_teammate(described):
    rules = compile_rules(SlaConfig.model_validate(sla_section(described)))
    directory = directory_from_description(described)
    leave = next(
        period
        for period in rules.away
        for team in described["teams"]
        if period.user_id in team["sdr_ids"] and len(team["sdr_ids"]) > 2
    )
    team = next(t for t in described["teams"] if leave.user_id in t["sdr_ids"])
    during = leave.starts_at + timedelta(hours=12)
    previous = team["sdr_ids"][team["sdr_ids"].index(leave.user_id) - 1]
    choice = choose_owner(
        Reassign("next_in_team", team["key"], team["queue_id"]),
        current_owner_id=previous,
        past_owner_ids=[previous],
        team=directory.team_members(team["key"]),
        at=during,
        away=rules.away,
    )
    assert choice is not None and choice.owner_id != leave.user_id
    assert away_period(choice.owner_id, during, rules.away) is None
