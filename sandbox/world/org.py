"""The revenue team: teams per region with a manager, SDRs and AEs, their calendars and habits, the
queues, and the territories written as one lead assignment rule (pure generation, no emulator).

Each world has 3-5 teams (North America East always, the others drawn from the seed). Countries of a
region without a team go to the nearest existing team. The rule lists, per team, an enterprise entry
(listed countries, ``NumberOfEmployees >= 1000`` → the team's enterprise SDR) before the team entry
(listed countries → the team queue); the state-based West team comes before East; the default owner
is the "Unassigned Leads" queue.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sandbox.salesforce import Criterion
from sandbox.salesforce.ids import IdFactory
from sandbox.world import catalogue
from sandbox.world.calendar import WorkCalendar, office_hours
from sandbox.world.holidays import holiday_dates
from sandbox.world.model import AeHabits, EntrySpec, Org, QueueSpec, Rep, RuleSpec, SdrHabits, Team
from sandbox.world.names import NamePools, ascii_slug
from sandbox.world.randomness import derive

ENTERPRISE_EMPLOYEES = 1000
COMPANY = "Handoff Demo"
DOMAIN = "handoff-demo.example"

#: SDR styles: (median working minutes to first touch, lognormal spread, share never touched,
#: median minutes to claim from a queue, follow-ups, conversion and disqualification rates).
STYLES: dict[str, tuple[float, float, float, float, tuple[int, int], float, float]] = {
    "fast": (12, 0.8, 0.02, 15, (2, 4), 0.30, 0.35),
    "steady": (60, 0.9, 0.05, 45, (1, 3), 0.24, 0.40),
    "slow": (300, 1.0, 0.12, 240, (1, 2), 0.18, 0.45),
    "erratic": (90, 1.8, 0.10, 120, (0, 3), 0.20, 0.40),
    "ghost": (600, 1.2, 0.55, 900, (0, 1), 0.10, 0.30),
}
_STYLE_WEIGHTS = {"fast": 0.25, "steady": 0.4, "slow": 0.2, "erratic": 0.15}
_CHANNEL_MIXES = (
    (("Call", 0.5), ("Email", 0.4), ("LinkedIn", 0.1)),
    (("Call", 0.25), ("Email", 0.6), ("LinkedIn", 0.15)),
    (("Call", 0.7), ("Email", 0.25), ("LinkedIn", 0.05)),
)


def _team_keys(seed: int) -> list[str]:
    rng = derive(seed, "teams")
    count = rng.randint(3, 5)
    others = [r.key for r in catalogue.REGIONS if r.key != "na_east"]
    chosen = {"na_east", *rng.sample(others, count - 1)}
    return [r.key for r in catalogue.REGIONS if r.key in chosen]


def _calendar(rng: random.Random, time_zone: str, days_off: frozenset[date]) -> WorkCalendar:
    start = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30))
    end = start + rng.choice((510, 540, 540, 570))
    lunch_start = rng.choice((12 * 60, 12 * 60 + 30, 13 * 60))
    return WorkCalendar(time_zone, office_hours(start, end, (lunch_start, lunch_start + 60)), days_off)


def _leave(rng: random.Random, anchor: datetime) -> tuple[tuple[date, date], ...]:
    """Two or three blocks of leave a year, from a year before the anchor to a year after."""
    blocks = []
    for year_offset in (-1, 0):
        for _ in range(rng.randint(2, 3)):
            first = anchor.date() + timedelta(days=365 * year_offset + rng.randint(0, 364))
            first -= timedelta(days=first.weekday())
            blocks.append((first, first + timedelta(days=rng.choice((2, 4, 4, 7, 11)))))
    return tuple(sorted(blocks))


def _leave_days(leave: tuple[tuple[date, date], ...]) -> frozenset[date]:
    days = set()
    for first, last in leave:
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


class _RepMaker:
    def __init__(self, seed: int, anchor: datetime, ids: IdFactory, pools: NamePools) -> None:
        self.seed, self.anchor, self.ids, self.pools = seed, anchor, ids, pools
        self.years = range(anchor.year - 2, anchor.year + 3)
        self.emails: set[str] = set()

    def make(
        self,
        key: str,
        role: str,
        title: str,
        team: str | None,
        manager_key: str | None,
        region: catalogue.Region,
        *,
        sdr: SdrHabits | None = None,
        ae: AeHabits | None = None,
    ) -> Rep:
        rng = derive(self.seed, "rep", key)
        first, last = self.pools.person(rng, region.locale)
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{DOMAIN}"
        suffix = 2
        while email in self.emails:
            email = f"{local}{suffix}@{DOMAIN}"
            suffix += 1
        self.emails.add(email)
        leave = _leave(rng, self.anchor) if role in ("sdr", "ae", "manager") else ()
        days_off = holiday_dates(region.holiday_region, self.years) | _leave_days(leave)
        return Rep(
            key=key,
            id=self.ids.for_object("User"),
            first_name=first,
            last_name=last,
            email=email,
            title=title,
            role=role,  # type: ignore[arg-type]
            team=team,
            manager_key=manager_key,
            holiday_region=region.holiday_region,
            calendar=_calendar(rng, region.time_zone, days_off),
            leave=leave,
            sdr=sdr,
            ae=ae,
        )


def _sdr_habits(seed: int, key: str, style: str) -> SdrHabits:
    rng = derive(seed, "habits", key)
    median, spread, never, claim, follow_ups, convert, disqualify = STYLES[style]
    jitter = rng.lognormvariate(0, 0.25)
    return SdrHabits(
        style=style,
        touch_median_minutes=round(median * jitter, 1),
        touch_spread=spread,
        never_touch=never,
        claim_median_minutes=round(claim * jitter, 1),
        channels=rng.choice(_CHANNEL_MIXES),
        follow_ups=follow_ups,
        convert_rate=round(min(0.6, convert * rng.uniform(0.8, 1.25)), 3),
        disqualify_rate=disqualify,
    )


def _ae_habits(seed: int, key: str) -> AeHabits:
    rng = derive(seed, "habits", key)
    return AeHabits(
        cycle_median_days=round(rng.uniform(25, 70), 1),
        win_rate=round(rng.uniform(0.18, 0.38), 3),
        deal_size_median=float(rng.choice((18_000, 24_000, 30_000, 42_000, 60_000))),
    )


def _styles(seed: int, count: int) -> list[str]:
    """Every world has a fast, a slow and a ghost SDR; the rest are drawn."""
    rng = derive(seed, "styles")
    drawn = rng.choices(list(_STYLE_WEIGHTS), weights=list(_STYLE_WEIGHTS.values()), k=max(0, count - 3))
    styles = ["fast", "slow", "ghost", *drawn][:count]
    rng.shuffle(styles)
    return styles


def build_org(seed: int, anchor: datetime, ids: IdFactory, pools: NamePools) -> Org:
    keys = _team_keys(seed)
    maker = _RepMaker(seed, anchor, ids, pools)
    east = catalogue.REGION_BY_KEY["na_east"]
    reps = [
        maker.make("vp-sales", "vp", "VP of Sales", None, None, east),
        maker.make("sales-ops", "ops", "Sales Operations Manager", None, "vp-sales", east),
    ]
    shape = {
        key: (derive(seed, "size", key).randint(2, 5), derive(seed, "aes", key).randint(1, 3)) for key in keys
    }
    styles = iter(_styles(seed, sum(n for n, _ in shape.values())))
    teams_reps: dict[str, tuple[str, list[str], list[str]]] = {}
    for key in keys:
        region = catalogue.REGION_BY_KEY[key]
        manager = maker.make(f"{key}-manager", "manager", catalogue.MANAGER_TITLE, key, "vp-sales", region)
        reps.append(manager)
        sdr_keys, ae_keys = [], []
        sdr_count, ae_count = shape[key]
        for number in range(1, sdr_count + 1):
            rep_key = f"{key}-sdr-{number}"
            habits = _sdr_habits(seed, rep_key, next(styles))
            reps.append(maker.make(rep_key, "sdr", catalogue.SDR_TITLE, key, manager.key, region, sdr=habits))
            sdr_keys.append(rep_key)
        for number in range(1, ae_count + 1):
            rep_key = f"{key}-ae-{number}"
            reps.append(
                maker.make(
                    rep_key, "ae", catalogue.AE_TITLE, key, manager.key, region, ae=_ae_habits(seed, rep_key)
                )
            )
            ae_keys.append(rep_key)
        teams_reps[key] = (manager.key, sdr_keys, ae_keys)
    by_key = {rep.key: rep for rep in reps}
    queues = [
        QueueSpec(
            f"{key}-queue",
            ids.for_object("Group"),
            f"{catalogue.REGION_BY_KEY[key].team_name} Leads",
            f"{key.upper()}_Leads",
            key,
            tuple(teams_reps[key][1]),
        )
        for key in keys
    ]
    fallback = QueueSpec(
        "unassigned", ids.for_object("Group"), "Unassigned Leads", "Unassigned_Leads", None, ("sales-ops",)
    )
    queues.append(fallback)
    teams = [_team(key, keys, teams_reps[key], by_key) for key in keys]
    rule = _rule(teams, {q.team: q for q in queues}, by_key, fallback.id)
    return Org(COMPANY, DOMAIN, tuple(reps), tuple(teams), tuple(queues), rule, ENTERPRISE_EMPLOYEES)


def _covering(region_key: str, keys: list[str]) -> str:
    return next(k for k in catalogue.FALLBACK_TEAMS[region_key] if k in keys)


def _team(key: str, keys: list[str], members: tuple[str, list[str], list[str]], reps: dict[str, Rep]) -> Team:
    region = catalogue.REGION_BY_KEY[key]
    covered = [r for r in catalogue.REGIONS if _covering(r.key, keys) == key]
    countries: list[str] = []
    spellings: list[str] = []
    for covered_region in covered:
        if covered_region.states and covered_region.key != key:
            continue  # a missing West team: East covers the whole country already
        for canonical, listed, _unlisted in covered_region.countries:
            if canonical not in countries:
                countries.append(canonical)
                spellings.extend(listed)
    manager_key, sdr_keys, ae_keys = members
    ranked = sorted(sdr_keys, key=lambda k: reps[k].sdr.touch_median_minutes if reps[k].sdr else 1e9)
    return Team(
        key=key,
        name=region.team_name,
        region=key,
        time_zone=region.time_zone,
        holiday_region=region.holiday_region,
        countries=tuple(countries),
        rule_spellings=tuple(spellings),
        states=region.states,
        queue_key=f"{key}-queue",
        manager_key=manager_key,
        sdr_keys=tuple(sdr_keys),
        ae_keys=tuple(ae_keys),
        enterprise_sdr_key=ranked[0],
    )


def _rule(
    teams: list[Team], queues: dict[str | None, QueueSpec], reps: dict[str, Rep], default: str
) -> RuleSpec:
    ordered = sorted(teams, key=lambda t: (not t.states, [r.key for r in catalogue.REGIONS].index(t.key)))
    entries: list[EntrySpec] = []
    for team in ordered:
        where = [Criterion("Country", "equals", list(team.rule_spellings))]
        if team.states:
            where.append(Criterion("State", "equals", list(team.states)))
        big = Criterion("NumberOfEmployees", "greaterOrEqual", ENTERPRISE_EMPLOYEES)
        entries.append(EntrySpec(f"{team.name} enterprise", (*where, big), reps[team.enterprise_sdr_key].id))
        entries.append(EntrySpec(team.name, tuple(where), queues[team.key].id))
    return RuleSpec("Handoff Demo Lead Assignment", tuple(entries), default)
