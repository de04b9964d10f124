"""``describe`` gives what a Handoff config needs, in the shapes the config sections accept."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from routing.config import RoutingConfig
from sandbox.world import World, describe, generate
from sandbox.world.behaviour import Behaviour
from sla.config import SlaConfig
from tests.sandbox.world.support import ANCHOR, SMALL

START = datetime(2026, 10, 5, tzinfo=UTC)


def a_description() -> dict:
    world = World.create(5, start=START, size=SMALL, behaviour=Behaviour(arrivals_per_day=0))
    return json.loads(json.dumps(world.describe()))


def test_the_description_is_plain_json_and_names_every_team_queue_and_user() -> None:
    described = a_description()
    users = {u["id"]: u for u in described["users"]}
    for team in described["teams"]:
        assert team["queue_id"].startswith("00G") and team["manager_id"] in users
        assert {users[i]["role"] for i in team["sdr_ids"]} == {"sdr"}
        assert all(users[i]["time_zone"] == team["time_zone"] for i in team["sdr_ids"] + team["ae_ids"])
    assert described["fallback_queue_id"] in {q["id"] for q in described["queues"]}
    assert described["salesforce"]["default_lead_owner_id"] == described["fallback_queue_id"]
    assert described["salesforce"]["assignment_rule_id"].startswith("01Q")
    entries = described["assignment_rule"]["entries"]
    assert [e["order"] for e in entries] == list(range(1, len(entries) + 1))
    assert described["marketo"]["nurture_program_id"] == described["marketo"]["programs"]["Re-engagement"]


def test_calendars_holidays_and_leave_are_valid_sla_config() -> None:
    described = a_description()
    sla = SlaConfig.model_validate(
        {
            "calendars": described["calendars"],
            "holidays": {
                region: [{"date": h["date"], "name": h["name"]} for h in days]
                for region, days in described["holidays"].items()
            },
            # YAML reads these as dates; from JSON text pydantic would read a bare date as a naive datetime.
            "out_of_office": [
                {
                    **leave,
                    "starts": date.fromisoformat(leave["starts"]),
                    "ends": date.fromisoformat(leave["ends"]),
                }
                for leave in described["out_of_office"]
            ],
        }
    )
    assert sla.cross_check() == []
    assert set(sla.calendars) == {team["key"] for team in described["teams"]}


def test_regions_bands_and_exclusions_are_valid_routing_config() -> None:
    described = a_description()
    routing = described["routing"]
    config = RoutingConfig.model_validate(
        {
            "regions": routing["regions"],
            "size_bands": routing["size_bands"],
            "exclusions": routing["exclusions"],
            "fallback_queue": described["fallback_queue_id"],
        }
    )
    assert config.fallback_queue == described["fallback_queue_id"]
    assert any(re.search(p, "asdf@asdf.com") for p in routing["exclusions"]["test_patterns"])


def test_a_blueprint_alone_describes_the_world_the_cli_seeders_build() -> None:
    described = describe(generate(7, SMALL, ANCHOR))
    assert described["salesforce"] is None and described["marketo"] is None
    assert described["counts"]["people"] == SMALL.people
