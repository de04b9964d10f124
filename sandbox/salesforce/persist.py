"""Optional persistence of an org to a SQLite file, so that a demo survives a restart.

What is data is stored: every record (write-through after each commit, only the records that changed),
the id counters, custom fields, sessions (as digests), API usage, connected apps, and the configuration
whose criteria are plain values (assignment rules, default lead owner, duplicate rule, Outbound Messages).
Criteria written as Python predicates cannot be stored; the server re-creates configuration by running the
world's seed into a scratch org (ids are deterministic) and keeps the stored records. Outbound Messages
still queued are not stored: like a real org after an outage, some notifications are lost (§8 says
delivery is at-least-once only while it is queued).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sandbox.salesforce import ids
from sandbox.salesforce.assignment import AssignmentRuleConfig, Criterion, RuleEntry
from sandbox.salesforce.duplicates import DuplicateRule
from sandbox.salesforce.outbound_rules import Evaluation, OutboundMessageConfig
from sandbox.salesforce.schema import FieldType
from sandbox.salesforce.state import ClientCredentialsApp, ConnectedApp, SalesforceState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, sobject TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
    return value


class OrgFile:
    """One SQLite file holding one org; attach it to a state with ``attach``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def has_org(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM meta WHERE key = 'org_id'").fetchone() is not None

    # ------------------------------------------------------------------ save
    def attach(self, state: SalesforceState) -> None:
        """Write everything now, then write changed records after every commit."""
        self.save_all(state)
        state.commit_listeners.append(lambda touched: self.save_records(state, touched))

    def save_all(self, state: SalesforceState) -> None:
        with state.lock:
            touched = {record["Id"] for records in state.store.dump().values() for record in records}
        self.save_records(state, touched)
        self.save_meta(state)

    def save_records(self, state: SalesforceState, record_ids: set[str]) -> None:
        with state.lock:
            rows = []
            for record_id in record_ids:
                record = state.store.get(record_id)
                if record is not None:
                    data = json.dumps({k: _encode(v) for k, v in record.items()})
                    rows.append((record_id, ids.object_of(record_id) or "", data))
            counters = json.dumps(state.ids.counters)
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO records (id, sobject, data) VALUES (?, ?, ?)", rows)
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('id_counters', ?)", (counters,)
            )

    def save_meta(self, state: SalesforceState) -> None:
        """Configuration, sessions and usage: written at start, periodically and at shutdown."""
        with state.lock:
            meta = self._meta(state)
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())

    def _meta(self, state: SalesforceState) -> dict[str, str]:
        rules = [
            {
                "id": rule.id,
                "name": rule.name,
                "active": rule.active,
                "sobject": rule.sobject,
                "entries": [
                    {"assign_to": e.assign_to, "name": e.name, "criteria": [c.to_json() for c in e.criteria]}  # type: ignore[union-attr]
                    for e in rule.entries
                ],
            }
            for rule in state.assignment_rules.values()
            if all(entry.serialisable for entry in rule.entries)
        ]
        outbound = [
            {
                "action_id": c.action_id,
                "name": c.name,
                "sobject": c.sobject,
                "endpoint_url": c.endpoint_url,
                "fields": c.fields,
                "criteria": [x.to_json() for x in c.criteria],  # type: ignore[union-attr]
                "evaluation": str(c.evaluation),
                "active": c.active,
                "send_session_id": c.send_session_id,
                "user_id": c.user_id,
            }
            for c in state.outbound_configs.values()
            if c.serialisable
        ]
        custom = [
            {
                "sobject": o,
                "name": f.name,
                "type": str(f.type),
                "external_id": f.external_id,
                "unique": f.unique,
            }
            | {"reference_to": list(f.reference_to), "label": f.label}
            for o, f in state.schema.custom_fields()
        ]
        values = {
            "org_id": state.org_id,
            "id_counters": state.ids.counters,
            "integration_user_id": state.integration_user_id,
            "admin_user_id": state.admin_user_id,
            "default_lead_owner_id": state.default_lead_owner_id,
            "duplicate_rule": asdict(state.duplicate_rule) if state.duplicate_rule else None,
            "assignment_rules": rules,
            "outbound_configs": outbound,
            "custom_fields": custom,
            "sessions": state.sessions.dump(),
            "usage": state.usage.dump(),
            "connected_apps": [
                asdict(a)
                | {
                    "pre_authorized_user_ids": sorted(a.pre_authorized_user_ids)
                    if a.pre_authorized_user_ids is not None
                    else None
                }
                for a in state.connected_apps.values()
            ],
            "client_credentials_apps": [asdict(a) for a in state.client_credentials_apps.values()],
        }
        return {key: json.dumps(value) for key, value in values.items()}

    # ------------------------------------------------------------------ load
    def load_into(self, state: SalesforceState, *, configuration: bool = True) -> None:
        """Replace ``state``'s records, sessions, usage and apps from the file; with ``configuration`` also
        its rules, default lead owner, duplicate rule and Outbound Messages."""
        with self._lock:
            meta = {key: json.loads(value) for key, value in self._db.execute("SELECT key, value FROM meta")}
            rows = self._db.execute("SELECT sobject, data FROM records ORDER BY rowid").fetchall()
        with state.lock:
            for field in meta.get("custom_fields", []):
                if (
                    state.schema.get(field["sobject"])
                    and state.schema.get(field["sobject"]).get(field["name"]) is None
                ):  # type: ignore[union-attr]
                    state.schema.define_field(
                        field["sobject"],
                        field["name"],
                        FieldType(field["type"]),
                        external_id=field["external_id"],
                        unique=field["unique"],
                        reference_to=tuple(field["reference_to"]),
                        label=field["label"],
                    )
            data: dict[str, list[dict[str, Any]]] = {}
            for sobject, raw in rows:
                data.setdefault(sobject, []).append({k: _decode(v) for k, v in json.loads(raw).items()})
            state.store.load(data)
            state.org_id = meta["org_id"]
            state.ids.counters = {k: int(v) for k, v in meta["id_counters"].items()}
            state.admin_user_id = meta["admin_user_id"]
            state.integration_user_id = meta["integration_user_id"]
            state.sessions.load(meta.get("sessions", []))
            state.usage.load(meta["usage"])
            self._load_apps(state, meta)
            if configuration:
                self._load_configuration(state, meta)

    @staticmethod
    def _load_configuration(state: SalesforceState, meta: dict[str, Any]) -> None:
        state.default_lead_owner_id = meta.get("default_lead_owner_id")
        rule = meta.get("duplicate_rule")
        state.duplicate_rule = DuplicateRule(**(rule | {"fields": tuple(rule["fields"])})) if rule else None
        state.assignment_rules = {
            r["id"]: AssignmentRuleConfig(
                r["id"],
                r["name"],
                [
                    RuleEntry(e["assign_to"], [Criterion(**c) for c in e["criteria"]], e["name"])
                    for e in r["entries"]
                ],
                r["active"],
                r["sobject"],
            )
            for r in meta.get("assignment_rules", [])
        }
        state.outbound_configs = {
            c["action_id"]: OutboundMessageConfig(
                c["action_id"],
                c["name"],
                c["sobject"],
                c["endpoint_url"],
                c["fields"],
                [Criterion(**x) for x in c["criteria"]],
                Evaluation(c["evaluation"]),
                c["active"],
                c["send_session_id"],
                c["user_id"],
            )
            for c in meta.get("outbound_configs", [])
        }

    @staticmethod
    def _load_apps(state: SalesforceState, meta: dict[str, Any]) -> None:
        state.connected_apps = {
            a["consumer_key"]: ConnectedApp(
                a["consumer_key"],
                a["certificate_pem"],
                a["name"],
                set(a["pre_authorized_user_ids"]) if a["pre_authorized_user_ids"] is not None else None,
            )
            for a in meta.get("connected_apps", [])
        }
        state.client_credentials_apps = {
            a["client_id"]: ClientCredentialsApp(**a) for a in meta.get("client_credentials_apps", [])
        }
