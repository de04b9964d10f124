"""Which Salesforce Tasks and Events count as a first touch, and why the others do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sla.touch import OpenClock, TouchRules, match_touches

LEAD = "00Q000000000001AAA"
CONTACT = "003000000000001AAA"
REP = "005000000000001AAA"
TEAMMATE = "005000000000002AAA"
OUTSIDER = "005000000000003AAA"
INTEGRATION = "005000000000009AAA"
ROUTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

RULES = TouchRules(
    task_subtypes=frozenset({"Call", "Email", "LinkedIn"}),
    task_types=frozenset({"Call", "Email", "Meeting"}),
    event_subtypes=frozenset({"Event"}),
    event_types=frozenset(),
    automated_task_subtypes=frozenset({"ListEmail"}),
    integration_user_ids=frozenset({INTEGRATION}),
)
KNOWN = {REP, TEAMMATE, OUTSIDER, INTEGRATION}
CLOCK = OpenClock(clock_id=7, owner_id=REP, started_at=ROUTED, team_member_ids=frozenset({REP, TEAMMATE}))
CLOCKS = {LEAD: [CLOCK], CONTACT: [CLOCK]}

_serial = iter(range(1, 10_000))


def a_task(minutes_after_routing: float = 3, **fields):
    record = {
        "attributes": {"type": "Task"},
        "Id": f"00T{next(_serial):015d}",
        "WhoId": LEAD,
        "OwnerId": REP,
        "CreatedById": REP,
        "CreatedDate": ROUTED + timedelta(minutes=minutes_after_routing),
        "TaskSubtype": "Call",
        "Type": "Call",
        "Subject": "Call",
    }
    record.update(fields)
    return record


def an_event(minutes_after_routing: float = 3, **fields):
    record = {
        "attributes": {"type": "Event"},
        "Id": f"00U{next(_serial):015d}",
        "WhoId": LEAD,
        "OwnerId": REP,
        "CreatedById": REP,
        "CreatedDate": ROUTED + timedelta(minutes=minutes_after_routing),
        "EventSubtype": "Event",
        "Subject": "Discovery meeting",
    }
    record.update(fields)
    return record


def match(*records, rules=RULES, handoff_task_ids=frozenset()):
    return match_touches(records, CLOCKS, rules, KNOWN.__contains__, handoff_task_ids)


def test_owner_call_after_routing_is_the_touch():
    task = a_task(4)
    result = match(task)
    assert result.touches[7].activity.id == task["Id"]


def test_earliest_qualifying_activity_wins():
    late, early = a_task(9), an_event(2)
    result = match(late, early)
    assert result.touches[7].activity.id == early["Id"]


def test_touch_on_the_converted_contact_counts():
    result = match(a_task(5, WhoId=CONTACT))
    assert 7 in result.touches


def test_teammate_counts_unless_policy_says_owner_only():
    task = a_task(5, CreatedById=TEAMMATE, OwnerId=TEAMMATE)
    assert 7 in match(task).touches
    owner_only = TouchRules(**{**RULES.__dict__, "accept_from": "owner"})
    result = match(task, rules=owner_only)
    assert not result.touches and result.counts["not_owner_or_team"] == 1


def test_ignored_activities_carry_their_reason():
    records = [
        a_task(5, WhoId=None),
        a_task(-1),
        a_task(5, CreatedById="005000000000777AAA"),
        a_task(5, CreatedById=INTEGRATION),
        a_task(5, TaskSubtype="ListEmail", Type="Email"),
        a_task(5, Subject="[Handoff] SLA breached: call Ada Lovelace"),
        a_task(5, TaskSubtype="Task", Type="Other"),
        a_task(5, CreatedById=OUTSIDER),
        a_task(5, WhoId="00Q000000000999AAA"),
        a_task(5, CreatedDate=datetime(2026, 11, 2, 9, 5)),
    ]
    result = match(*records)
    assert not result.touches
    reasons = {ignored.activity_id: ignored.reason for ignored in result.ignored}
    assert [reasons.get(r["Id"]) for r in records] == [
        "no_who_id",
        "before_routing",
        "unknown_user",
        "integration_user",
        None,  # automated: counted, not logged one by one
        "written_by_handoff",
        None,
        None,
        None,
        "malformed",
    ]
    assert result.counts == {
        "no_who_id": 1,
        "before_routing": 1,
        "unknown_user": 1,
        "integration_user": 1,
        "automated": 1,
        "written_by_handoff": 1,
        "not_a_touch_type": 1,
        "not_owner_or_team": 1,
        "no_open_clock": 1,
        "malformed": 1,
    }


def test_task_handoff_created_is_recognised_by_its_id_too():
    ours = a_task(5, Subject="Follow up")
    result = match(ours, handoff_task_ids={ours["Id"]})
    assert not result.touches and result.counts["written_by_handoff"] == 1


def test_iso_strings_from_outbound_messages_are_read():
    task = a_task(CreatedDate="2026-11-02T09:04:00.000+0000")
    assert match(task).touches[7].activity.created_at == ROUTED + timedelta(minutes=4)


def test_event_of_another_subtype_is_not_a_touch_unless_configured():
    event = an_event(5, EventSubtype=None, Type="Meeting")
    assert not match(event).touches
    with_types = TouchRules(**{**RULES.__dict__, "event_types": frozenset({"Meeting"})})
    assert 7 in match(event, rules=with_types).touches
