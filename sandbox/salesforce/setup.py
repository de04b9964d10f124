"""Org setup without HTTP: assignment rules, duplicate rule, Outbound Messages, apps and custom fields.

The parts of Setup the emulator models (reference §1, §5, §8): lead assignment rules with ordered entries
(criteria on lead fields → a user or queue) and the Default Lead Owner; the lead duplicate rule; Outbound
Messages with the workflow criteria that fire them; the JWT connected app and the client-credentials app;
the integration user; custom fields. Mixed into ``SalesforceState`` next to ``seeding.SeedingApi``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sandbox.salesforce import ids
from sandbox.salesforce.assignment import AssignmentRuleConfig, Criterion, RuleEntry
from sandbox.salesforce.duplicates import DuplicateRule
from sandbox.salesforce.outbound_rules import Evaluation, OutboundMessageConfig
from sandbox.salesforce.schema import FieldType

if TYPE_CHECKING:
    from sandbox.salesforce.state import ClientCredentialsApp, ConnectedApp, SalesforceState

CriteriaSpec = Mapping[str, Any] | Sequence[Criterion] | Callable[[Mapping[str, Any]], bool]
EntrySpec = RuleEntry | tuple[CriteriaSpec, str]


def _criteria(spec: CriteriaSpec) -> Sequence[Criterion] | Callable[[Mapping[str, Any]], bool]:
    if callable(spec):
        return spec
    if isinstance(spec, Mapping):
        return [Criterion(name, "equals", value) for name, value in spec.items()]
    return list(spec)


class SetupApi:
    """Mixed into ``SalesforceState``; every method takes the org lock."""

    # ------------------------------------------------------------------ assignment and duplicates
    def add_assignment_rule(
        self: SalesforceState,
        name: str,
        entries: Sequence[EntrySpec],
        *,
        active: bool = False,
        sobject: str = "Lead",
    ) -> str:
        """An assignment rule with ordered entries (criteria → user or queue id); returns its 01Q id."""
        built = [e if isinstance(e, RuleEntry) else RuleEntry(e[1], _criteria(e[0])) for e in entries]
        with self.transaction():
            for entry in built:
                entry.assign_to = self._owner_id(entry.assign_to)
            options = self.system_options(system=True)
            if active:
                for rule in self.assignment_rules.values():
                    if rule.sobject == sobject and rule.active:
                        rule.active = False
                        self.dml.update("AssignmentRule", rule.id, {"Active": False}, options)
            values = {"Name": name, "Active": active, "SobjectType": sobject}
            rule_id = self.dml.insert_values(self.schema.objects["AssignmentRule"], values, options)
            self.assignment_rules[rule_id] = AssignmentRuleConfig(rule_id, name, built, active, sobject)
            return rule_id

    def set_lead_assignment_rule(
        self: SalesforceState,
        entries: Sequence[EntrySpec],
        *,
        default_owner: str | None = None,
        name: str = "Standard Lead Assignment Rule",
    ) -> str:
        """Make this the one active lead rule; ``default_owner`` is Lead Settings' Default Lead Owner."""
        with self.transaction():
            rule_id = self.add_assignment_rule(name, entries, active=True)
            if default_owner is not None:
                self.set_default_lead_owner(default_owner)
            return rule_id

    def set_default_lead_owner(self: SalesforceState, owner_id: str) -> None:
        with self.lock:
            self.default_lead_owner_id = self._owner_id(owner_id)

    def _owner_id(self: SalesforceState, owner_id: str) -> str:
        normalised = ids.normalise(owner_id)
        record = self.store.live(normalised) if normalised else None
        if record is None or ids.object_of(record["Id"]) not in ("User", "Group"):
            raise ValueError(f"an owner must be an existing user or queue, got {owner_id!r}")
        return record["Id"]

    def set_duplicate_rule(self: SalesforceState, rule: DuplicateRule | None) -> None:
        """Replace (or with None, deactivate) the lead duplicate rule."""
        with self.lock:
            self.duplicate_rule = rule

    # ------------------------------------------------------------------ workflow and apps
    def add_outbound_message(
        self: SalesforceState,
        sobject: str,
        endpoint_url: str,
        fields: Sequence[str],
        *,
        criteria: CriteriaSpec = (),
        evaluation: Evaluation | str = Evaluation.CREATED_AND_EDITED_TO_MEET,
        name: str | None = None,
        send_session_id: bool = False,
        user_id: str | None = None,
        active: bool = True,
    ) -> str:
        """An Outbound Message on ``sobject`` with the workflow criteria that fire it; returns its 04k id."""
        definition = self.schema.get(sobject)
        if definition is None:
            raise ValueError(f"unknown sObject {sobject!r}")
        canonical = ["Id"]
        for field_name in fields:
            field_def = definition.get(field_name)
            if field_def is None:
                raise ValueError(f"{sobject} has no field {field_name!r}")
            if field_def.name not in canonical:
                canonical.append(field_def.name)
        with self.lock:
            action_id = self.ids.for_object("OutboundMessageAction")
            self.outbound_configs[action_id] = OutboundMessageConfig(
                action_id,
                name or f"{sobject}_Outbound_{len(self.outbound_configs) + 1}",
                definition.name,
                endpoint_url,
                canonical,
                _criteria(criteria),
                Evaluation(evaluation),
                active,
                send_session_id,
                user_id or self.integration_user_id,
            )
            return action_id

    def set_integration_user(self: SalesforceState, user_id: str) -> None:
        with self.lock:
            record = self.store.live(ids.to18(user_id))
            if record is None or ids.object_of(record["Id"]) != "User":
                raise ValueError(f"no such user {user_id!r}")
            self.integration_user_id = record["Id"]

    def add_connected_app(
        self: SalesforceState,
        consumer_key: str,
        certificate_pem: str,
        *,
        name: str = "Handoff",
        pre_authorized_user_ids: Iterable[str] | None = None,
    ) -> ConnectedApp:
        """A JWT-bearer connected app; ``certificate_pem`` is the X.509 certificate (or a public key)."""
        from sandbox.salesforce.state import ConnectedApp

        authorised = (
            {ids.to18(u) for u in pre_authorized_user_ids} if pre_authorized_user_ids is not None else None
        )
        app = ConnectedApp(consumer_key, certificate_pem, name, authorised)
        with self.lock:
            self.connected_apps[consumer_key] = app
        return app

    def add_client_credentials_app(
        self: SalesforceState,
        client_id: str,
        client_secret: str,
        run_as_user_id: str | None = None,
        *,
        name: str = "Handoff client credentials",
    ) -> ClientCredentialsApp:
        from sandbox.salesforce.state import ClientCredentialsApp

        app = ClientCredentialsApp(
            client_id, client_secret, ids.to18(run_as_user_id or self.integration_user_id), name
        )
        with self.lock:
            self.client_credentials_apps[client_id] = app
        return app

    def define_field(
        self: SalesforceState,
        sobject: str,
        name: str,
        kind: FieldType | str = FieldType.STRING,
        *,
        external_id: bool = False,
        unique: bool = False,
        reference_to: tuple[str, ...] = (),
        label: str = "",
    ) -> None:
        """Add a custom field (``Name__c``) to an object; existing records get null."""
        with self.lock:
            field_def = self.schema.define_field(
                sobject,
                name,
                kind,
                external_id=external_id,
                unique=unique,
                reference_to=reference_to,
                label=label,
            )
            for record in self.store.records(sobject, include_deleted=True):
                record.setdefault(field_def.name, None)
