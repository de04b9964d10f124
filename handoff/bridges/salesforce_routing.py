"""``routing.salesforce.SalesforceRouting`` over ``sync.salesforce.SalesforceClient``.

Every call goes through the process's one client (one throttle, one token). Routing-critical calls
(look-ups right before a create, the create, the owner read-back) run at routing priority so that a
day running low on API calls still routes; mirror refreshes and catalogue reads run at sync priority.
Assignment facts (reference/salesforce.md §5): a rule id or TRUE in ``Sforce-Auto-Assign`` on create,
FALSE on every update; owners are read back with the sObject Collections retrieve (§4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from routing.salesforce import AccountRecord, AutoAssign, PersonRecord, RoutingCatalog
from sync.outbox import PRIORITY_ROUTING, PRIORITY_SYNC
from sync.pollers.cursors import parse_salesforce_datetime, soql_datetime
from sync.salesforce import AutoAssign as Header
from sync.salesforce import SalesforceClient
from sync.soql import id_list, literal

# SOQL IN lists stay well under the 100,000-character query limit at this size (§3).
_IN_CHUNK = 200
_PERSON_FIELDS = {
    "Lead": "Id, Email, OwnerId, IsConverted, SystemModstamp",
    "Contact": "Id, Email, OwnerId, AccountId, SystemModstamp",
}


def _header(auto_assign: AutoAssign) -> Header:
    if auto_assign is True:
        return Header.TRUE
    if auto_assign is False:
        return Header.FALSE
    return Header.rule(auto_assign)


def _person(sobject: str, record: Mapping[str, Any]) -> PersonRecord:
    return PersonRecord(
        sobject,  # type: ignore[arg-type]
        str(record["Id"]),
        record.get("Email"),
        record.get("OwnerId"),
        parse_salesforce_datetime(str(record["SystemModstamp"])),
        record.get("AccountId"),
        bool(record.get("IsConverted")),
    )


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start : start + _IN_CHUNK] for start in range(0, len(values), _IN_CHUNK)]


class SalesforceRoutingBridge:
    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    async def _all(self, soql: str, priority: int) -> list[dict[str, Any]]:
        return [record async for record in self.client.query(soql, priority=priority)]

    async def find_people(self, emails: Sequence[str], ids: Sequence[str]) -> list[PersonRecord]:
        found: dict[str, PersonRecord] = {}
        for sobject, prefix in (("Lead", "00Q"), ("Contact", "003")):
            wanted_ids = [i for i in ids if i.startswith(prefix)]
            clauses = [f"Email IN ({','.join(literal(e) for e in chunk)})" for chunk in _chunks(list(emails))]
            clauses += [f"Id IN {id_list(chunk)}" for chunk in _chunks(wanted_ids)]
            for clause in clauses:
                soql = f"SELECT {_PERSON_FIELDS[sobject]} FROM {sobject} WHERE {clause}"
                for record in await self._all(soql, PRIORITY_ROUTING):
                    found[str(record["Id"])] = _person(sobject, record)
        return list(found.values())

    async def create_lead(self, fields: Mapping[str, Any], auto_assign: AutoAssign) -> str:
        return await self.client.create(
            "Lead", dict(fields), auto_assign=_header(auto_assign), priority=PRIORITY_ROUTING
        )

    async def update_record(self, sobject: str, record_id: str, fields: Mapping[str, Any]) -> None:
        await self.client.update(
            sobject, record_id, dict(fields), auto_assign=Header.FALSE, priority=PRIORITY_ROUTING
        )

    async def owners(self, sobject: str, ids: Sequence[str]) -> dict[str, str | None]:
        if not ids:
            return {}
        records = await self.client.get_many(sobject, list(ids), ["Id", "OwnerId"], priority=PRIORITY_ROUTING)
        return {
            record_id: record.get("OwnerId") for record_id, record in zip(ids, records, strict=True) if record
        }

    async def _changed(
        self, sobject: str, fields: str, since: datetime | None, limit: int
    ) -> list[dict[str, Any]]:
        where = f" WHERE SystemModstamp > {soql_datetime(since)}" if since is not None else ""
        soql = f"SELECT {fields} FROM {sobject}{where} ORDER BY SystemModstamp ASC LIMIT {int(limit)}"
        return await self._all(soql, PRIORITY_SYNC)

    async def changed_people(self, since: datetime | None, limit: int) -> list[PersonRecord]:
        people = [
            _person(sobject, record)
            for sobject, fields in _PERSON_FIELDS.items()
            for record in await self._changed(sobject, fields, since, limit)
        ]
        people.sort(key=lambda person: person.modified_at)
        return people[:limit]

    async def changed_accounts(self, since: datetime | None, limit: int) -> list[AccountRecord]:
        records = await self._changed("Account", "Id, Name, Website, OwnerId, SystemModstamp", since, limit)
        return [
            AccountRecord(
                str(r["Id"]),
                str(r.get("Name") or ""),
                r.get("Website"),
                r.get("OwnerId"),
                parse_salesforce_datetime(str(r["SystemModstamp"])),
            )
            for r in records
        ]

    async def routing_catalog(self) -> RoutingCatalog:
        queues = {
            str(r["Id"]): (str(r.get("Name") or ""), set[str]())
            for r in await self._all("SELECT Id, Name FROM Group WHERE Type = 'Queue'", PRIORITY_SYNC)
        }
        for row in await self._all("SELECT QueueId, SobjectType FROM QueueSobject", PRIORITY_SYNC):
            if str(row.get("QueueId")) in queues:
                queues[str(row["QueueId"])][1].add(str(row.get("SobjectType")))
        users = {
            str(r["Id"]): (str(r.get("Name") or ""), bool(r.get("IsActive")))
            for r in await self._all("SELECT Id, Name, IsActive FROM User", PRIORITY_SYNC)
        }
        rules = {
            str(r["Id"]): (str(r.get("Name") or ""), bool(r.get("Active")))
            for r in await self._all(
                "SELECT Id, Name, Active FROM AssignmentRule WHERE SobjectType = 'Lead'", PRIORITY_SYNC
            )
        }
        return RoutingCatalog(
            queues={key: (name, frozenset(types)) for key, (name, types) in queues.items()},
            users=users,
            rules=rules,
        )
