"""The handoff.yaml of the demo, written from the synthetic world's description.

It is the config an ops team would write for that organisation: the world's territories become routing
regions and segments (enterprise accounts get a faster SLA), each team's working hours, holidays and
leave become an SLA calendar, and the ladder reminds, breaches, reassigns and finally recycles to the
re-engagement program. Connections point at the two sandboxes; secrets travel in the environment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

WEBHOOK_HEADER = "X-Handoff-Secret"


def _ladder(team: dict[str, Any], nurture_program_id: int | None) -> list[dict[str, Any]]:
    notify_owner = {"to": "owner", "via": ["salesforce"]}
    notify_manager = {"to": "manager", "via": ["salesforce"]}
    steps: list[dict[str, Any]] = [
        {"at": "50%", "action": "remind", "notify": [notify_owner]},
        {"at": "due", "action": "breach", "notify": [notify_owner, notify_manager]},
        {
            "at": "+2h",
            "action": "reassign",
            "reassign_to": {"next_in_team": team["queue_id"], "fallback": team["queue_id"]},
            "notify": [
                {"to": "previous_owner", "via": ["salesforce"]},
                {"to": "new_owner", "via": ["salesforce"]},
            ],
        },
    ]
    if nurture_program_id is not None:
        steps.append(
            {
                "at": "+3d",
                "action": "recycle",
                "reason": "untouched",
                "nurture_program_id": nurture_program_id,
            }
        )
    return steps


def demo_config(
    described: dict[str, Any],
    *,
    salesforce_login_url: str,
    consumer_key: str,
    username: str,
    marketo_url: str,
    marketo_client_id: str,
    service_url: str,
) -> dict[str, Any]:
    """A complete config document (plain data, validated by ``handoff.config.validate_document``)."""
    routing_facts = described["routing"]
    marketo_facts = described["marketo"]
    salesforce_facts = described["salesforce"]
    programs = marketo_facts.get("programs", {})
    nurture = marketo_facts.get("nurture_program_id")
    onboarding = marketo_facts.get("onboarding_program_id")
    teams = described["teams"]

    # Routing regions are by country and may not overlap; teams split inside a country (e.g. US east and
    # west by state) keep the country in the first team and route through the assignment rule's entries.
    regions: dict[str, list[str]] = {}
    claimed: set[str] = set()
    for name, countries in routing_facts["regions"].items():
        own = [c for c in countries if c.casefold() not in claimed]
        claimed.update(c.casefold() for c in own)
        if own:
            regions[name] = own
    segments: list[dict[str, Any]] = []
    policies: dict[str, Any] = {}
    for team in teams:
        key = team["key"]
        policies[f"{key}_fast"] = {"first_touch": "30m", "calendar": key, "ladder": _ladder(team, nurture)}
        policies[f"{key}_standard"] = {"first_touch": "4h", "calendar": key, "ladder": _ladder(team, nurture)}
        if key not in regions:
            continue
        segments.append(
            {
                "name": f"{key}_enterprise",
                "label": f"{team['name']} enterprise",
                "when": {"regions": [key], "size_bands": ["enterprise"]},
                "sla": f"{key}_fast",
            }
        )
        segments.append(
            {"name": key, "label": team["name"], "when": {"regions": [key]}, "sla": f"{key}_standard"}
        )
    first_team = teams[0]["key"]
    segments.append({"name": "rest_of_world", "label": "Rest of world", "sla": f"{first_team}_standard"})

    return {
        "salesforce": {
            "auth": "jwt",
            "login_url": salesforce_login_url,
            "consumer_key": consumer_key,
            "username": username,
            "organization_id": salesforce_facts["org_id"],
            "api_version": "59.0",
            "daily_reserve": 500,
        },
        "marketo": {
            "base_url": marketo_url,
            "munchkin_id": marketo_facts.get("munchkin_id"),
            "client_id": marketo_client_id,
        },
        "sync": {
            "pollers": {
                "marketo_activities_seconds": 60,
                "marketo_leadchanges_seconds": 120,
                "salesforce_activities_seconds": 60,
                "salesforce_records_seconds": 300,
            },
            "hooks": {"webhook_secret_header": WEBHOOK_HEADER},
            "outbound_messages_enabled": True,
            "won_program_id": onboarding,
            "lost_program_id": nurture,
            # The world's channels (sandbox/world/catalogue.py): Onboarding starts at "Enrolled", Nurture at "Member".
            "won_status": "Enrolled",
            "lost_status": "Member",
            "acquisition_program_ids": [pid for pid in programs.values() if pid not in (onboarding, nurture)],
            "mql": {"score_field": "leadScore", "threshold": described["mql_threshold"]},
        },
        "routing": {
            "required_fields": ["email", "company", "country"],
            "score": {"thresholds": {"leadScore": described["mql_threshold"]}, "cooldown_days": 30},
            "exclusions": routing_facts["exclusions"],
            "regions": regions,
            "size_bands": routing_facts["size_bands"],
            "segments": segments,
            "fallback_queue": described["fallback_queue_id"],
            "hold_timeout_hours": 48,
        },
        "sla": {
            "calendars": described["calendars"],
            "holidays": {
                region: [{"date": date.fromisoformat(h["date"]), "name": h["name"]} for h in days]
                for region, days in described["holidays"].items()
            },
            "out_of_office": [
                {
                    **leave,
                    "starts": date.fromisoformat(leave["starts"]),
                    "ends": date.fromisoformat(leave["ends"]),
                }
                for leave in described["out_of_office"]
            ],
            "touch": {"integration_user_ids": [salesforce_facts["integration_user_id"]]},
            "channels": {"salesforce": {"type": "salesforce_task"}},
            "links": {"lead_page": service_url + "/dashboard/leads/{handoff_id}"},
            "policies": policies,
        },
    }
