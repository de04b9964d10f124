"""``describe``: the world as a plain, JSON-ready dict, for writing a Handoff config that matches it.

It lists what routing segments and SLA policies refer to: teams with their countries (and the
spellings the assignment rule lists), queues, user ids, time zones, working hours, holiday regions with
their dates, leave (shaped like ``sla.out_of_office``), the assignment rule with its ordered entries,
the junk a route-ready gate should exclude (free-mail and competitor domains, test patterns), and, when
the emulators are given, their live ids (Marketo programs and campaigns, the rule's 01Q id).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.marketo import MarketoState
from sandbox.salesforce import SalesforceState
from sandbox.world import catalogue
from sandbox.world.calendar import WEEKDAYS, WorkCalendar
from sandbox.world.holidays import holidays
from sandbox.world.model import Blueprint, Org, Rep, Team
from sandbox.world.scoring import MQL_THRESHOLD, WEBHOOK_NAME

SIZE_BANDS = (
    {"name": "smb", "max_employees": 199},
    {"name": "mid_market", "max_employees": 999},
    {"name": "enterprise"},
)


def _user(rep: Rep, org: Org) -> dict[str, Any]:
    habits: dict[str, Any] = {}
    if rep.sdr is not None:
        habits = {
            "style": rep.sdr.style,
            "touch_median_minutes": rep.sdr.touch_median_minutes,
            "never_touch": rep.sdr.never_touch,
        }
    elif rep.ae is not None:
        habits = {"cycle_median_days": rep.ae.cycle_median_days, "win_rate": rep.ae.win_rate}
    return {
        "key": rep.key,
        "id": rep.id,
        "name": rep.name,
        "email": rep.email,
        "username": f"{rep.email}.sandbox",
        "title": rep.title,
        "role": rep.role,
        "team": rep.team,
        "manager_id": org.rep(rep.manager_key).id if rep.manager_key else None,
        "time_zone": rep.calendar.time_zone,
        "holiday_region": rep.holiday_region,
        "hours": rep.calendar.hours_text(),
        "habits": habits,
    }


def _team_hours(calendars: Iterable[WorkCalendar]) -> dict[str, list[str]]:
    """A team's business hours: from its earliest start to its latest end, Monday to Friday."""
    spans = [day for calendar in calendars for day in calendar.hours if day]
    start = min(ranges[0][0] for ranges in spans)
    end = max(ranges[-1][1] for ranges in spans)
    text = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    return {day: [text] for day in WEEKDAYS[:5]}


def _team(team: Team, org: Org) -> dict[str, Any]:
    queue = org.queue(team.queue_key)
    return {
        "key": team.key,
        "name": team.name,
        "time_zone": team.time_zone,
        "holiday_region": team.holiday_region,
        "countries": list(team.countries),
        "country_spellings": list(team.rule_spellings),
        "states": list(team.states),
        "queue_id": queue.id,
        "queue_name": queue.name,
        "manager_id": org.rep(team.manager_key).id,
        "sdr_ids": [org.rep(key).id for key in team.sdr_keys],
        "ae_ids": [org.rep(key).id for key in team.ae_keys],
        "enterprise_sdr_id": org.rep(team.enterprise_sdr_key).id,
    }


def _marketo(marketo: MarketoState) -> dict[str, Any]:
    programs = {p.name: p.id for p in marketo.programs.all()}
    hook = next((h for h in marketo.webhooks.all() if h.name == WEBHOOK_NAME), None)
    return {
        "munchkin_id": marketo.munchkin_id,
        "programs": programs,
        "nurture_program_id": programs.get(catalogue.REENGAGEMENT_PROGRAM),
        "onboarding_program_id": programs.get(catalogue.ONBOARDING_PROGRAM),
        "campaigns": {c.name: c.id for c in marketo.campaigns.all()},
        "webhook": None
        if hook is None
        else {"id": hook.id, "url": hook.url, "headers": sorted(hook.headers)},
    }


def _salesforce(salesforce: SalesforceState) -> dict[str, Any]:
    rule = salesforce.active_assignment_rule("Lead")
    return {
        "org_id": salesforce.org_id,
        "integration_user_id": salesforce.integration_user_id,
        "assignment_rule_id": rule.id if rule else None,
        "default_lead_owner_id": salesforce.default_lead_owner_id,
        "lead_statuses": [s["ApiName"] for s in salesforce.lead_statuses()],
    }


def describe(
    blueprint: Blueprint,
    salesforce: SalesforceState | None = None,
    marketo: MarketoState | None = None,
    *,
    threshold: int = MQL_THRESHOLD,
) -> dict[str, Any]:
    org = blueprint.org
    years = range(blueprint.anchor.year - 1, blueprint.anchor.year + 2)
    regions = sorted({team.holiday_region for team in org.teams} | {rep.holiday_region for rep in org.reps})
    names = {rep.id: rep.name for rep in org.reps} | {queue.id: queue.name for queue in org.queues}
    return {
        "seed": blueprint.seed,
        "anchor": blueprint.anchor.isoformat(),
        "company": org.company,
        "mql_threshold": threshold,
        "users": [_user(rep, org) for rep in org.reps],
        "teams": [_team(team, org) for team in org.teams],
        "queues": [
            {
                "key": q.key,
                "id": q.id,
                "name": q.name,
                "developer_name": q.developer_name,
                "team": q.team,
                "member_ids": [org.rep(k).id for k in q.member_keys],
            }
            for q in org.queues
        ],
        "fallback_queue_id": org.queue("unassigned").id,
        "assignment_rule": {
            "name": org.rule.name,
            "entries": [
                {
                    "order": order,
                    "name": entry.name,
                    "criteria": [c.to_json() for c in entry.criteria],
                    "assign_to": entry.assign_to,
                    "assign_to_name": names[entry.assign_to],
                }
                for order, entry in enumerate(org.rule.entries, start=1)
            ],
            "default_owner": org.rule.default_owner,
        },
        "calendars": {
            team.key: {
                "time_zone": team.time_zone,
                "hours": _team_hours(org.rep(k).calendar for k in team.sdr_keys),
                "holidays": [team.holiday_region],
            }
            for team in org.teams
        },
        "holidays": {
            region: [{"date": d.isoformat(), "name": n} for d, n in holidays(region, years)]
            for region in regions
        },
        "out_of_office": [
            {
                "user": rep.id,
                "starts": first.isoformat(),
                "ends": last.isoformat(),
                "time_zone": rep.calendar.time_zone,
            }
            for rep in org.reps
            for first, last in rep.leave
        ],
        "routing": {
            "regions": {team.key: list(team.rule_spellings) for team in org.teams},
            "size_bands": list(SIZE_BANDS),
            "enterprise_employees": org.enterprise_employees,
            "exclusions": {
                "free_mail_domains": sorted(catalogue.FREE_MAIL_DOMAINS),
                "competitor_domains": sorted(domain for _, domain in catalogue.COMPETITORS),
                "competitor_names": sorted(name for name, _ in catalogue.COMPETITORS),
                "test_patterns": list(catalogue.TEST_PATTERNS),
            },
        },
        "counts": {
            "users": len(org.reps),
            "accounts": len(blueprint.accounts),
            "contacts": len(blueprint.contacts),
            "leads": len(blueprint.leads),
            "people": len(blueprint.people),
        },
        "salesforce": _salesforce(salesforce) if salesforce is not None else None,
        "marketo": _marketo(marketo) if marketo is not None else None,
    }
