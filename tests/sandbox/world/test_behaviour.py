"""The world in time: step-size independence, SDR working hours, conversions and deals."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from handoff.clock import ManualClock
from sandbox.world import state_digest
from sandbox.world.behaviour import Behaviour
from sandbox.world.world import World
from tests.sandbox.world.support import SMALL

START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
LIVELY = Behaviour(arrivals_per_day=100, wakeups_per_day=20, native_sync=True)


def a_world(seed: int = 7, behaviour: Behaviour = LIVELY, **options: object) -> World:
    return World.create(seed, start=START, size=SMALL, behaviour=behaviour, **options)  # type: ignore[arg-type]


THANKSGIVING_WEEK = datetime(2026, 11, 9, tzinfo=UTC)  # 30 days from here hold Thanksgiving (US)


@pytest.fixture(scope="module")
def lived() -> World:
    world = World.create(7, start=THANKSGIVING_WEEK, size=SMALL, behaviour=LIVELY)
    world.backfill(30, step=timedelta(hours=2))
    return world


def test_five_minute_steps_and_one_jump_give_the_same_world() -> None:
    stepped, jumped = a_world(), a_world()
    stepped.backfill(7, step=timedelta(minutes=5))
    jumped.advance(START + timedelta(days=7))
    assert stepped.stats == jumped.stats and stepped.stats["touch_call"] > 0
    assert state_digest(stepped.salesforce, stepped.marketo) == state_digest(
        jumped.salesforce, jumped.marketo
    )


def test_reps_act_only_in_their_working_hours(lived: World) -> None:
    reps = {rep.id: rep for rep in lived.blueprint.org.reps if rep.role in ("sdr", "ae")}
    actions = [
        r
        for r in lived.salesforce.records("Task") + lived.salesforce.records("Event")
        if r["CreatedById"] in reps
    ]
    assert len(actions) > 100
    for action in actions:
        rep = reps[action["CreatedById"]]
        assert rep.calendar.is_working(action["CreatedDate"]), (rep.key, action["CreatedDate"])
        assert action["CreatedDate"].astimezone(rep.calendar.zone).date() not in rep.calendar.days_off
    east = {rep.id for rep in reps.values() if rep.team == "na_east"}
    east_days = [
        a["CreatedDate"].astimezone(ZoneInfo("America/New_York")).date()
        for a in actions
        if a["CreatedById"] in east
    ]
    assert date(2026, 11, 24) in east_days
    assert date(2026, 11, 26) not in east_days and date(2026, 11, 27) not in east_days


def test_touches_are_real_tasks_and_meetings_on_leads_the_rep_owns(lived: World) -> None:
    tasks = lived.salesforce.query(
        "SELECT WhoId, OwnerId, CreatedById, TaskSubtype, Type, Status FROM Task WHERE Status = 'Completed'"
    )
    assert {t["TaskSubtype"] for t in tasks} == {"Call", "Email", "LinkedIn"}
    assert all(t["OwnerId"] == t["CreatedById"] and t["WhoId"].startswith("00Q") for t in tasks)
    meetings = lived.salesforce.query("SELECT Id FROM Event WHERE Type = 'Meeting'")
    assert meetings


def test_fast_sdrs_reach_their_leads_sooner_than_slow_ones(lived: World) -> None:
    styles = {rep.id: rep.sdr.style for rep in lived.blueprint.org.reps if rep.sdr is not None}
    first_touch: dict[str, tuple[datetime, str]] = {}
    for task in lived.salesforce.records("Task"):
        seen = first_touch.get(task["WhoId"])
        if seen is None or task["CreatedDate"] < seen[0]:
            first_touch[task["WhoId"]] = (task["CreatedDate"], task["OwnerId"])
    waits: dict[str, list[float]] = defaultdict(list)
    for lead_id, (touched_at, owner) in first_touch.items():
        created = lived.salesforce.get(lead_id)["CreatedDate"]
        waits[styles[owner]].append((touched_at - created).total_seconds() / 3600)
    assert waits["fast"] and waits["slow"]
    assert median(waits["fast"]) < median(waits["slow"])


def test_some_leads_convert_and_their_deals_close(lived: World) -> None:
    converted = lived.salesforce.query("SELECT ConvertedOpportunityId FROM Lead WHERE IsConverted = true")
    assert converted
    aes = {rep.id for rep in lived.blueprint.org.reps if rep.role == "ae"}
    deals = [lived.salesforce.get(row["ConvertedOpportunityId"]) for row in converted]
    assert all(deal["OwnerId"] in aes for deal in deals)
    assert any(deal["IsClosed"] for deal in deals)


def test_leads_routed_by_someone_else_are_claimed_and_touched() -> None:
    clock = ManualClock(START)
    world = a_world(behaviour=Behaviour(arrivals_per_day=0, wakeups_per_day=0), clock=clock)
    org = world.blueprint.org
    east = org.team("na_east")
    clock.set(START + timedelta(hours=14))  # 10:00 in New York
    sf = world.salesforce
    big = sf.insert(
        "Lead",
        {"LastName": "Big", "Company": "Big Co", "Country": "US", "NumberOfEmployees": 8000},
        auto_assign=True,
    )
    small = [
        sf.insert(
            "Lead", {"LastName": f"Small {n}", "Company": "Small Co", "Country": "USA"}, auto_assign=True
        )
        for n in range(4)
    ]
    assert sf.get(big)["OwnerId"] == org.rep(east.enterprise_sdr_key).id
    world.advance(START + timedelta(days=7))
    touched = {t["WhoId"]: t["OwnerId"] for t in sf.records("Task")}
    assert touched.get(big) == org.rep(east.enterprise_sdr_key).id
    members = {org.rep(key).id for key in east.sdr_keys}
    claimed = [lead for lead in small if sf.get(lead)["OwnerId"] in members]
    assert claimed and all(touched.get(lead) == sf.get(lead)["OwnerId"] for lead in claimed)


def test_a_lead_reassigned_before_its_first_touch_is_touched_by_the_new_owner_only() -> None:
    clock = ManualClock(START)
    world = a_world(behaviour=Behaviour(arrivals_per_day=0, wakeups_per_day=0), clock=clock)
    org = world.blueprint.org
    sdrs = [org.rep(key) for key in org.team("na_east").sdr_keys]
    slow = max(sdrs, key=lambda rep: rep.sdr.touch_median_minutes)
    fast = min(sdrs, key=lambda rep: rep.sdr.touch_median_minutes)
    clock.set(START + timedelta(hours=14))
    lead = world.salesforce.insert("Lead", {"LastName": "Moved", "Company": "Co", "OwnerId": slow.id})
    world.advance(clock())
    clock.set(START + timedelta(hours=14, minutes=1))
    world.salesforce.update(lead, {"OwnerId": fast.id})
    world.advance(START + timedelta(days=10))
    owners = {t["OwnerId"] for t in world.salesforce.records("Task") if t["WhoId"] == lead}
    assert owners == {fast.id}


def test_time_only_moves_forward_and_is_aware() -> None:
    world = a_world(behaviour=Behaviour(arrivals_per_day=0, wakeups_per_day=0))
    world.advance(START + timedelta(hours=1))
    with pytest.raises(ValueError, match="never goes back"):
        world.advance(START)
    with pytest.raises(ValueError, match="aware"):
        world.advance(datetime(2026, 10, 6))


def test_backfill_sets_the_clock_before_each_step_and_runs_the_jobs_after_it() -> None:
    clock = ManualClock(START)
    world = a_world(behaviour=Behaviour(arrivals_per_day=20, wakeups_per_day=0))
    seen: list[tuple[datetime, datetime]] = []
    report = world.backfill(1, clock=clock, after_step=lambda t: seen.append((t, clock())))
    assert report.steps == 288 and len(seen) == 288
    assert all(at == read for at, read in seen)
    assert world.now == clock() == START + timedelta(days=1)
    assert report.events["Arrival"] > 0


def test_a_running_world_follows_its_clock_until_stopped() -> None:
    clock = ManualClock(START)
    world = a_world(behaviour=Behaviour(arrivals_per_day=50, wakeups_per_day=0), clock=clock)
    stop = threading.Event()
    runner = threading.Thread(target=world.run, args=(stop,), kwargs={"every_seconds": 0.001}, daemon=True)
    runner.start()
    clock.set(START + timedelta(days=1))
    deadline = time.monotonic() + 10
    while world.now < clock() and time.monotonic() < deadline:
        time.sleep(0.005)
    stop.set()
    runner.join(timeout=5)
    assert world.now == START + timedelta(days=1) and world.events["Arrival"] > 0


def test_nothing_is_written_later_than_the_clock_handoff_reads() -> None:
    clock = ManualClock(START)
    world = a_world(clock=clock)
    late: list[str] = []

    def check(moment: datetime) -> None:
        future = world.marketo.activities(since=moment + timedelta(seconds=1))
        late.extend(f"activity {a.id} at {a.activity_date}" for a in future)
        late.extend(
            f"{r['Id']} at {r['CreatedDate']}"
            for r in world.salesforce.records("Task")
            if r["CreatedDate"] > moment
        )

    world.backfill(3, step=timedelta(minutes=30), clock=clock, after_step=check)
    assert world.events["Session"] > 100
    assert late == []


def test_history_is_worked_at_the_past_instants_a_router_in_the_loop_creates_leads() -> None:
    """The demo's shape: one clock from the past to now; after each step a router (here a stand-in for
    Handoff) turns new MQLs into Salesforce Leads at the clock's time; the reps react from there."""
    clock = ManualClock(START)
    world = a_world(behaviour=Behaviour(arrivals_per_day=100, wakeups_per_day=20), clock=clock)
    routed: dict[str, datetime] = {}

    def route_new_mqls(moment: datetime) -> None:
        for person in world.marketo.people.all():
            if (
                person.get("lifecycleStage") == "MQL"
                and not person.get("sfdcLeadId")
                and not person.get("sfdcContactId")
            ):
                fields = {
                    "LastName": person.get("lastName") or "Unknown",
                    "Company": person.get("company") or "Unknown",
                }
                fields |= {"Email": person["email"], "Country": person.get("country")}
                lead_id = world.salesforce.insert("Lead", fields, auto_assign=True)
                world.marketo.people.update(person["id"], {"sfdcLeadId": lead_id})
                routed[lead_id] = moment

    world.backfill(7, step=timedelta(minutes=30), clock=clock, after_step=route_new_mqls)
    tasks = [t for t in world.salesforce.records("Task") if t["WhoId"] in routed]
    assert len(routed) > 10 and tasks
    for task in tasks:
        assert (
            task["CreatedDate"] >= routed[task["WhoId"]] == world.salesforce.get(task["WhoId"])["CreatedDate"]
        )
