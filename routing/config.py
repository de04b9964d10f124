"""The ``routing`` section of handoff.yaml: route-ready criteria, segments, targets and write-back fields.

Shapes (types, ranges, id formats, regexes) are checked by pydantic field by field, so every error
keeps its path. References inside the section (field names, regions, size bands, intents, segment
names) are checked by ``RoutingConfig.reference_errors`` once the shapes are valid; ``cross_check`` is
the hook ``handoff.config`` calls with the whole document. Whether a queue, user or rule id exists in
the org cannot be known offline: ``routing.references.check_salesforce_references`` does that.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from routing.fields import STANDARD_FIELDS, FieldKind, FieldSpec
from routing.ids import (
    PREFIX_ASSIGNMENT_RULE,
    PREFIX_QUEUE,
    PREFIX_USER,
    InvalidSalesforceId,
    expect_prefix,
)

_API_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,79}$"
_SEGMENT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_ .-]{0,63}$"

# Stored contexts keep fuzzy account candidates down to this score, so a replay can try any threshold above it.
NAME_MATCH_FLOOR = 70.0


def _id_of(prefix: str) -> Any:
    def check(value: object) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # YAML reads an unquoted all-digit id as a number and drops its leading zeros.
            raise ValueError("YAML read this id as a number: put it in quotes")
        if not isinstance(value, str):
            raise ValueError(f"expected a Salesforce id, got {type(value).__name__}")
        try:
            return expect_prefix(value, prefix)
        except InvalidSalesforceId as exc:
            raise ValueError(str(exc)) from None

    return BeforeValidator(check)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


QueueId = Annotated[str, _id_of(PREFIX_QUEUE)]
UserId = Annotated[str, _id_of(PREFIX_USER)]
RuleId = Annotated[str, _id_of(PREFIX_ASSIGNMENT_RULE)]
Pattern = Annotated[str, AfterValidator(_regex)]
ApiName = Annotated[str, Field(pattern=_API_NAME)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnyOf(_Model):
    """At least one of these fields must be filled, e.g. ``{any_of: [phone, mobilePhone]}``."""

    any_of: list[str] = Field(min_length=2)


def _required_item(value: object) -> object:
    """One clear message instead of one per union member ("…str: Input should be …", "…AnyOf: …")."""
    if isinstance(value, str | AnyOf):
        return value
    if isinstance(value, dict) and set(value) == {"any_of"}:
        names = value["any_of"]
        if isinstance(names, list) and len(names) >= 2 and all(isinstance(n, str) for n in names):
            return AnyOf(any_of=names)
        raise ValueError("any_of needs a list of at least two field names")
    raise ValueError("expected a field name or {any_of: [field, field, …]}")


RequiredField = Annotated[str | AnyOf, BeforeValidator(_required_item)]


class ScoreGate(_Model):
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="score field → minimum value, e.g. {leadScore: 60}"
    )
    mode: Literal["all", "any"] = Field(default="all", description="all thresholds must pass, or any one")
    cooldown_days: float = Field(
        default=30, ge=0, description="a person routed less than this many days ago does not route again"
    )


class Exclusions(_Model):
    free_mail: bool = Field(default=True, description="reject free-mail addresses (built-in list + extra)")
    disposable: bool = Field(default=True, description="reject disposable addresses (built-in list + extra)")
    free_mail_domains: list[str] = Field(default_factory=list)
    disposable_domains: list[str] = Field(default_factory=list)
    competitor_domains: list[str] = Field(default_factory=list)
    competitor_names: list[str] = Field(default_factory=list, description="compared after legal-form words")
    test_patterns: list[Pattern] = Field(default_factory=list, description="regexes marking test records")
    test_fields: list[str] = Field(default_factory=lambda: ["email", "firstName", "lastName", "company"])
    countries: list[str] = Field(default_factory=list, description="country names or codes, any case")
    unsubscribed: bool = True
    bounced: bool = Field(default=True, description="reject people whose email is marked invalid")


class Dedupe(_Model):
    strip_plus_tags: bool = Field(default=True, description="ann+news@x.com is ann@x.com")
    gmail_dots: bool = Field(default=True, description="a.n.n@gmail.com is ann@gmail.com")
    existing_lead: Literal["update", "reject"] = Field(
        default="update", description="an existing Lead is updated (keeping its owner) or the MQL rejected"
    )
    existing_contact: Literal["route_to_owner", "reject"] = Field(
        default="route_to_owner", description="Contacts cannot sit in lead queues: route to their owner"
    )
    marketo_duplicates: Literal["reject", "ignore"] = Field(
        default="reject", description="another Marketo person with this mailbox already has an open handoff"
    )


class AccountMatching(_Model):
    by_domain: bool = Field(default=True, description="email / website domain (never a free-mail domain)")
    by_name: bool = Field(default=True, description="fuzzy company name (rapidfuzz)")
    name_threshold: float = Field(default=90, ge=NAME_MATCH_FLOOR, le=100)
    team_rule: RuleId | None = Field(
        default=None, description="route matched people through this rule instead of to the account owner"
    )


class SizeBand(_Model):
    name: str = Field(pattern=_SEGMENT_NAME)
    max_employees: int | None = Field(default=None, ge=0, description="inclusive; omit on the last band")


class Criteria(_Model):
    """All given criteria must hold; a criterion left out matches everyone."""

    regions: list[str] | None = None
    size_bands: list[str] | None = None
    intents: list[str] | None = None
    fields: dict[str, list[str]] = Field(default_factory=dict, description="field → accepted values")


class Target(_Model):
    """Exactly one of: an assignment rule (``active`` or an id), an owner, a queue, the account owner."""

    assignment_rule: Literal["active"] | RuleId | None = None
    owner: UserId | None = None
    queue: QueueId | None = None
    account_owner: bool = Field(
        default=False, description="the matched account's owner; unmatched people go to the fallback queue"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        chosen = [
            name
            for name, value in (
                ("assignment_rule", self.assignment_rule),
                ("owner", self.owner),
                ("queue", self.queue),
                ("account_owner", self.account_owner or None),
            )
            if value is not None
        ]
        if len(chosen) > 1:
            raise ValueError(f"a target names one destination, not {' and '.join(chosen)}")
        if not chosen:
            object.__setattr__(self, "assignment_rule", "active")
        return self


class Segment(_Model):
    name: str = Field(pattern=_SEGMENT_NAME)
    label: str | None = Field(default=None, max_length=64, description="shown in routing reasons")
    when: Criteria = Field(default_factory=Criteria)
    required_fields: list[RequiredField] = Field(
        default_factory=list, description="in addition to routing.required_fields"
    )
    target: Target = Field(default_factory=Target)
    sla: str | None = Field(
        default=None, description="Name of the SLA policy (sla.policies) for this segment."
    )


class Writeback(_Model):
    salesforce_reason_field: ApiName | None = Field(
        default=None, description="Lead field receiving the routing reason, e.g. Routing_Reason__c"
    )
    reason_max_length: int = Field(default=255, ge=20, le=32768)
    marketo_reason_field: ApiName | None = Field(
        default=None, description="Marketo field, e.g. routingReason"
    )
    marketo_lifecycle_field: ApiName | None = Field(default=None, description="e.g. leadStatus")
    lifecycle_on_route: str = Field(default="Routed", max_length=255)
    lifecycle_on_reject: str | None = Field(default=None, max_length=255)


class CustomField(_Model):
    kind: FieldKind = "text"
    max_length: int = Field(default=255, ge=1, le=131072)
    salesforce: ApiName | None = Field(default=None, description="the Lead field it maps to, if any")


class RoutingConfig(_Model):
    custom_fields: dict[str, CustomField] = Field(default_factory=dict)
    required_fields: list[RequiredField] = Field(
        default_factory=list,
        description="for every segment, e.g. [email, company, {any_of: [phone, mobilePhone]}]",
    )
    score: ScoreGate = Field(default_factory=ScoreGate)
    exclusions: Exclusions = Field(default_factory=Exclusions)
    dedupe: Dedupe = Field(default_factory=Dedupe)
    accounts: AccountMatching = Field(default_factory=AccountMatching)
    regions: dict[str, list[str]] = Field(default_factory=dict, description="region → countries")
    size_bands: list[SizeBand] = Field(default_factory=list, description="ascending by max_employees")
    intent_field: str = "leadSource"
    intents: dict[str, list[str]] = Field(default_factory=dict, description="intent → source values")
    segments: list[Segment] = Field(default_factory=list, description="first match wins")
    default_segment: str | None = Field(default=None, description="segment of people no criteria match")
    fallback_queue: QueueId | None = Field(
        default=None, description="for people with no segment target (without it: the active rule)"
    )
    hold_timeout_hours: float = Field(default=72, gt=0, description="a hold older than this becomes leakage")
    writeback: Writeback = Field(default_factory=Writeback)

    def field_spec(self, name: str) -> FieldSpec | None:
        if name in self.custom_fields:
            custom = self.custom_fields[name]
            return FieldSpec(name, custom.kind, custom.max_length, custom.salesforce)
        return STANDARD_FIELDS.get(name)

    def segment(self, name: str | None) -> Segment | None:
        return next((segment for segment in self.segments if segment.name == name), None)

    def reference_errors(self, prefix: str = "routing") -> list[tuple[str, str]]:
        """Every reference inside the section that points nowhere, each with its path."""
        errors: list[tuple[str, str]] = []

        def field(path: str, name: str, kind: FieldKind | None = None) -> None:
            spec = self.field_spec(name)
            if spec is None:
                errors.append(
                    (f"{prefix}.{path}", f'unknown field "{name}" (declare it in routing.custom_fields)')
                )
            elif kind is not None and spec.kind != kind:
                errors.append((f"{prefix}.{path}", f'field "{name}" is {spec.kind}, not {kind}'))

        def required(path: str, items: list[RequiredField]) -> None:
            for index, item in enumerate(items):
                if isinstance(item, AnyOf):
                    for inner, name in enumerate(item.any_of):
                        field(f"{path}[{index}].any_of[{inner}]", name)
                else:
                    field(f"{path}[{index}]", item)

        for name in self.custom_fields:
            if name in STANDARD_FIELDS:
                errors.append((f"{prefix}.custom_fields.{name}", "is a standard field; remove it"))
        required("required_fields", self.required_fields)
        for name in self.score.thresholds:
            field(f"score.thresholds.{name}", name, "number")
        for index, name in enumerate(self.exclusions.test_fields):
            field(f"exclusions.test_fields[{index}]", name)
        field("intent_field", self.intent_field)
        self._criteria_errors(prefix, field, required, errors)
        return errors

    def _criteria_errors(self, prefix: str, field: Any, required: Any, errors: list[tuple[str, str]]) -> None:
        seen_countries: dict[str, str] = {}
        for region, countries in self.regions.items():
            for index, country in enumerate(countries):
                key = country.strip().casefold()
                if key in seen_countries and seen_countries[key] != region:
                    errors.append(
                        (
                            f"{prefix}.regions.{region}[{index}]",
                            f'"{country}" is already in region "{seen_countries[key]}"',
                        )
                    )
                seen_countries[key] = region
        band_names: set[str] = set()
        previous: int | None = None
        for index, band in enumerate(self.size_bands):
            path = f"{prefix}.size_bands[{index}]"
            if band.name in band_names:
                errors.append((f"{path}.name", f'duplicate size band "{band.name}"'))
            band_names.add(band.name)
            if band.max_employees is None and index != len(self.size_bands) - 1:
                errors.append((f"{path}.max_employees", "only the last band may be open-ended"))
            if band.max_employees is not None and previous is not None and band.max_employees <= previous:
                errors.append((f"{path}.max_employees", "bands must be in ascending order of max_employees"))
            previous = band.max_employees if band.max_employees is not None else previous
        names: set[str] = set()
        for index, segment in enumerate(self.segments):
            path = f"segments[{index}]"
            if segment.name in names:
                errors.append((f"{prefix}.{path}.name", f'duplicate segment "{segment.name}"'))
            names.add(segment.name)
            required(f"{path}.required_fields", segment.required_fields)
            for key, known, what in (
                ("regions", set(self.regions), "region"),
                ("size_bands", band_names, "size band"),
                ("intents", set(self.intents), "intent"),
            ):
                for inner, value in enumerate(getattr(segment.when, key) or []):
                    if value not in known:
                        errors.append((f"{prefix}.{path}.when.{key}[{inner}]", f'unknown {what} "{value}"'))
            for name in segment.when.fields:
                field(f"{path}.when.fields.{name}", name)
        if self.default_segment is not None and self.default_segment not in names:
            errors.append((f"{prefix}.default_segment", f'unknown segment "{self.default_segment}"'))

    def cross_check(self, root: Any) -> list[tuple[str, str]]:
        """Called by ``handoff.config`` with the whole config; SLA policy names are checked there."""
        return self.reference_errors("routing")
