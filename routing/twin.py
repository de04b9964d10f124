"""An in-memory Salesforce that honours ``SalesforceRouting``: the test double beside the protocol.

It keeps the behaviour routing depends on (reference/salesforce.md §2, §5): Leads need LastName and
Company; ``Sforce-Auto-Assign`` TRUE runs the active Lead rule, a rule id runs that rule (create
only), FALSE keeps ``OwnerId`` as sent (else the running user); no matching rule entry gives the
Default Lead Owner; updates never reassign. It records every write with its header value, so tests
can prove that no update ever ran assignment. Failures are injected with ``fail_next``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handoff.clock import Clock, utcnow
from routing.ids import checksum_suffix
from routing.salesforce import AccountRecord, AutoAssign, PersonRecord, RoutingCatalog
from sync.errors import PermanentError

_SOBJECT_PREFIX = {"Lead": "00Q", "Contact": "003", "Account": "001"}


@dataclass
class RuleEntry:
    """An assignment rule entry: every ``field: values`` must match (case-insensitive); first match wins."""

    criteria: Mapping[str, Sequence[str]]
    owner_id: str


@dataclass
class AssignmentRule:
    name: str
    active: bool = False
    entries: list[RuleEntry] = field(default_factory=list)
    sobject: str = "Lead"


@dataclass
class Write:
    operation: str  # create | update
    sobject: str
    record_id: str
    fields: dict[str, Any]
    auto_assign: str  # the header as sent: "TRUE", "FALSE" or a rule id


class InMemorySalesforce:
    def __init__(self, clock: Clock = utcnow, running_user: str = "0055g0000000000AAA") -> None:
        self.clock = clock
        self.running_user = running_user
        self.default_lead_owner: str = running_user
        self.users: dict[str, tuple[str, bool]] = {running_user: ("Integration User", True)}
        self.queues: dict[str, tuple[str, frozenset[str]]] = {}
        self.rules: dict[str, AssignmentRule] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.writes: list[Write] = []
        self.calls = 0
        self._failures: list[BaseException] = []
        self._numbers = itertools.count(1)

    # --- building a world ---------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        id15 = f"{prefix}5g{next(self._numbers):010d}"
        return id15 + checksum_suffix(id15)

    def add_user(self, name: str, active: bool = True, user_id: str | None = None) -> str:
        user_id = user_id or self.new_id("005")
        self.users[user_id] = (name, active)
        return user_id

    def add_queue(self, name: str, sobjects: Sequence[str] = ("Lead",), queue_id: str | None = None) -> str:
        queue_id = queue_id or self.new_id("00G")
        self.queues[queue_id] = (name, frozenset(sobjects))
        return queue_id

    def add_rule(
        self, name: str, entries: Sequence[RuleEntry] = (), active: bool = False, rule_id: str | None = None
    ) -> str:
        rule_id = rule_id or self.new_id("01Q")
        if active:
            for rule in self.rules.values():
                rule.active = False
        self.rules[rule_id] = AssignmentRule(name, active, list(entries))
        return rule_id

    def add_record(self, sobject: str, **fields: Any) -> str:
        record_id = self.new_id(_SOBJECT_PREFIX[sobject])
        self.records[record_id] = {
            "attributes": {"type": sobject},
            "Id": record_id,
            "OwnerId": self.running_user,
            "IsConverted": False,
            **fields,
            "SystemModstamp": self.clock(),
        }
        return record_id

    def add_account(self, name: str, website: str | None = None, owner_id: str | None = None) -> str:
        account_id = self.new_id("001")
        self.accounts[account_id] = {
            "Id": account_id,
            "Name": name,
            "Website": website,
            "OwnerId": owner_id or self.running_user,
            "SystemModstamp": self.clock(),
        }
        return account_id

    def change_owner(self, record_id: str, owner_id: str) -> None:
        """Somebody else (a rep, another tool) takes the record: what routing must notice, not fight."""
        self.records[record_id]["OwnerId"] = owner_id
        self.records[record_id]["SystemModstamp"] = self.clock()

    def fail_next(self, error: BaseException) -> None:
        self._failures.append(error)

    # --- the protocol -------------------------------------------------------------------------------

    def _call(self) -> None:
        self.calls += 1
        if self._failures:
            raise self._failures.pop(0)

    async def find_people(self, emails: Sequence[str], ids: Sequence[str]) -> list[PersonRecord]:
        self._call()
        wanted = {email.casefold() for email in emails}
        found = [
            r
            for r in self.records.values()
            if r["Id"] in ids or (r.get("Email") and str(r["Email"]).casefold() in wanted)
        ]
        return [self._person(r) for r in found]

    async def create_lead(self, fields: Mapping[str, Any], auto_assign: AutoAssign) -> str:
        self._call()
        missing = [name for name in ("LastName", "Company") if not fields.get(name)]
        if missing:
            raise PermanentError(
                f"Required fields are missing: [{', '.join(missing)}]", code="REQUIRED_FIELD_MISSING"
            )
        header = "TRUE" if auto_assign is True else "FALSE" if auto_assign is False else str(auto_assign)
        record = {"OwnerId": self.running_user, **fields}
        if auto_assign is True:
            active = next((r for r in self.rules.values() if r.active and r.sobject == "Lead"), None)
            if active is not None:
                record["OwnerId"] = self._run(active, record)
        elif isinstance(auto_assign, str):
            rule = self.rules.get(auto_assign)
            if rule is None or rule.sobject != "Lead":
                raise PermanentError(f"invalid assignment rule id: {auto_assign}", code="MALFORMED_ID")
            record["OwnerId"] = self._run(rule, record)
        self._check_owner(record["OwnerId"], "Lead")
        record_id = self.add_record("Lead", **record)
        self.writes.append(Write("create", "Lead", record_id, dict(fields), header))
        return record_id

    async def update_record(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        self._call()
        record = self.records.get(record_id)
        if record is None or record["attributes"]["type"] != sobject:
            raise PermanentError("The requested resource does not exist", code="NOT_FOUND")
        if "OwnerId" in fields:
            self._check_owner(fields["OwnerId"], sobject)
        record.update(fields)
        record["SystemModstamp"] = self.clock()
        self.writes.append(Write("update", sobject, record_id, dict(fields), "FALSE"))

    async def owners(self, sobject: str, ids: Sequence[str]) -> dict[str, str | None]:
        self._call()
        return {
            record_id: self.records[record_id]["OwnerId"]
            for record_id in ids
            if record_id in self.records and self.records[record_id]["attributes"]["type"] == sobject
        }

    async def changed_people(self, since: datetime | None, limit: int) -> list[PersonRecord]:
        self._call()
        rows = sorted(
            (r for r in self.records.values() if since is None or r["SystemModstamp"] > since),
            key=lambda r: r["SystemModstamp"],
        )
        return [self._person(r) for r in rows[:limit]]

    async def changed_accounts(self, since: datetime | None, limit: int) -> list[AccountRecord]:
        self._call()
        rows = sorted(
            (a for a in self.accounts.values() if since is None or a["SystemModstamp"] > since),
            key=lambda a: a["SystemModstamp"],
        )
        return [
            AccountRecord(a["Id"], a["Name"], a["Website"], a["OwnerId"], a["SystemModstamp"])
            for a in rows[:limit]
        ]

    async def routing_catalog(self) -> RoutingCatalog:
        self._call()
        return RoutingCatalog(
            queues=dict(self.queues),
            users=dict(self.users),
            rules={
                rule_id: (rule.name, rule.active)
                for rule_id, rule in self.rules.items()
                if rule.sobject == "Lead"
            },
        )

    # --- internals ----------------------------------------------------------------------------------

    def _run(self, rule: AssignmentRule, record: Mapping[str, Any]) -> str:
        for entry in rule.entries:
            if all(
                str(record.get(name, "")).casefold() in {value.casefold() for value in values}
                for name, values in entry.criteria.items()
            ):
                return entry.owner_id
        return self.default_lead_owner

    def _check_owner(self, owner_id: str, sobject: str) -> None:
        if owner_id in self.queues:
            if sobject not in self.queues[owner_id][1]:
                raise PermanentError(
                    f"queue {owner_id} does not accept {sobject} records", code="INVALID_OPERATION"
                )
        elif owner_id not in self.users or not self.users[owner_id][1]:
            raise PermanentError(
                f"owner {owner_id} is not an active user or queue", code="INACTIVE_OWNER_OR_USER"
            )

    def _person(self, record: Mapping[str, Any]) -> PersonRecord:
        return PersonRecord(
            record["attributes"]["type"],
            record["Id"],
            record.get("Email"),
            record.get("OwnerId"),
            record["SystemModstamp"],
            record.get("AccountId"),
            bool(record.get("IsConverted")),
        )
