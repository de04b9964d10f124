"""The world's blueprint: plain, frozen values that both seeders and the behaviour model read.

Salesforce ids in here are the ids the Salesforce seeder will get (it reserves an id range in the org
and checks each id it is handed), and a person's Marketo id is its index + 1 (the Marketo seeder checks
that too); that is how the two seeders stay consistent although each seeds its emulator alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Literal

from sandbox.salesforce import Criterion
from sandbox.world.calendar import WorkCalendar

Role = Literal["vp", "ops", "manager", "sdr", "ae"]


@dataclass(frozen=True)
class SdrHabits:
    """How one SDR works new leads; delays are in the rep's own working minutes."""

    style: str
    touch_median_minutes: float
    touch_spread: float
    never_touch: float
    claim_median_minutes: float
    channels: tuple[tuple[str, float], ...]
    follow_ups: tuple[int, int]
    convert_rate: float
    disqualify_rate: float


@dataclass(frozen=True)
class AeHabits:
    cycle_median_days: float
    win_rate: float
    deal_size_median: float


@dataclass(frozen=True)
class Rep:
    key: str
    id: str
    first_name: str
    last_name: str
    email: str
    title: str
    role: Role
    team: str | None
    manager_key: str | None
    holiday_region: str
    calendar: WorkCalendar
    leave: tuple[tuple[date, date], ...] = ()
    sdr: SdrHabits | None = None
    ae: AeHabits | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    region: str
    time_zone: str
    holiday_region: str
    #: canonical country names this team covers, and the spellings its rule entries list
    countries: tuple[str, ...]
    rule_spellings: tuple[str, ...]
    states: tuple[str, ...]
    queue_key: str
    manager_key: str
    sdr_keys: tuple[str, ...]
    ae_keys: tuple[str, ...]
    enterprise_sdr_key: str


@dataclass(frozen=True)
class QueueSpec:
    key: str
    id: str
    name: str
    developer_name: str
    team: str | None
    member_keys: tuple[str, ...]


@dataclass(frozen=True)
class EntrySpec:
    name: str
    criteria: tuple[Criterion, ...]
    assign_to: str


@dataclass(frozen=True)
class RuleSpec:
    name: str
    entries: tuple[EntrySpec, ...]
    default_owner: str


@dataclass(frozen=True)
class Org:
    company: str
    domain: str
    reps: tuple[Rep, ...]
    teams: tuple[Team, ...]
    queues: tuple[QueueSpec, ...]
    rule: RuleSpec
    enterprise_employees: int

    def rep(self, key: str) -> Rep:
        return self._reps_by_key[key]

    @cached_property
    def _reps_by_key(self) -> dict[str, Rep]:
        return {rep.key: rep for rep in self.reps}

    def territory(self, country: str | None, state: str | None = None) -> Team | None:
        """The team whose rule entries match ``country``/``state`` (rule order: state-based teams first)."""
        if not country:
            return None
        wanted = country.casefold()
        state_key = (state or "").casefold()
        for team in sorted(self.teams, key=lambda t: not t.states):
            if wanted not in {s.casefold() for s in team.rule_spellings}:
                continue
            if team.states and state_key not in {s.casefold() for s in team.states}:
                continue
            return team
        return None

    def team(self, key: str) -> Team:
        return next(t for t in self.teams if t.key == key)

    def queue(self, key: str) -> QueueSpec:
        return next(q for q in self.queues if q.key == key)


@dataclass(frozen=True)
class Company:
    """A company people may work for: an account (``account_key``) or not."""

    name: str
    domain: str
    industry: str
    employees: int
    revenue: int
    country: str
    state: str | None
    city: str
    locale: str
    account_key: str | None = None


@dataclass(frozen=True)
class AccountSpec:
    key: str
    id: str
    name: str
    domain: str
    industry: str
    employees: int
    revenue: int
    country: str
    state: str | None
    city: str
    phone: str
    owner_key: str
    customer: bool
    created_at: datetime


@dataclass(frozen=True)
class ContactSpec:
    key: str
    id: str
    account_key: str
    person_index: int
    created_at: datetime


@dataclass(frozen=True)
class LeadSpec:
    """A person who is already a Lead in Salesforce (created long before the world starts)."""

    key: str
    id: str
    person_index: int
    owner_id: str
    status: str
    created_at: datetime


Kind = Literal["contact", "lead", "prospect", "free_mail", "competitor", "test", "duplicate"]


@dataclass(frozen=True)
class PersonSpec:
    """One Marketo person: ``fields`` use Marketo REST names; ``index + 1`` is its Marketo id."""

    key: str
    index: int
    kind: Kind
    fields: dict[str, Any]
    created_at: datetime
    account_key: str | None = None
    duplicate_of: int | None = None
    programs: tuple[tuple[str, str], ...] = ()
    form: str | None = None

    @property
    def marketo_id(self) -> int:
        return self.index + 1

    @property
    def email(self) -> str | None:
        return self.fields.get("email")


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    channel: str
    description: str
    acquisition_source: str | None = None
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blueprint:
    seed: int
    anchor: datetime
    org: Org
    accounts: tuple[AccountSpec, ...]
    contacts: tuple[ContactSpec, ...]
    leads: tuple[LeadSpec, ...]
    people: tuple[PersonSpec, ...]
    programs: tuple[ProgramSpec, ...]
    account_companies: tuple[Company, ...] = field(default=())
    other_companies: tuple[Company, ...] = field(default=())

    def account(self, key: str) -> AccountSpec:
        return self._accounts_by_key[key]

    @cached_property
    def _accounts_by_key(self) -> dict[str, AccountSpec]:
        return {account.key: account for account in self.accounts}
