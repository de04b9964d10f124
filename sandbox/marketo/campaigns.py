"""Smart campaigns: triggers that react to logged activities and run a flow for one person.

Qualification follows Marketo's default for trigger campaigns ("each person can run through the flow
once") unless the campaign says ``every_time``. A campaign with the ``CampaignRequested`` trigger can be
requested through ``POST /rest/v1/campaigns/{id}/trigger.json`` (reference/marketo.md §5): at most 100
leads and 100 tokens, the campaign must be active, and each requested person gets a 47 Request Campaign
activity before the flow runs. Flows run synchronously under the state lock; webhook steps only queue a
call, which the dispatcher delivers later (``Webhooks.drain`` / ``Webhooks.run``).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.marketo import activity_types as types
from sandbox.marketo.activities import Activity
from sandbox.marketo.core import Core
from sandbox.marketo.envelope import MarketoError, RecordError
from sandbox.marketo.people import People
from sandbox.marketo.programs import Programs
from sandbox.marketo.schema import format_datetime
from sandbox.marketo.triggers import (
    CallWebhook,
    CampaignRequested,
    ChangeDataValue,
    ChangeProgramStatus,
    ChangeScore,
    FlowContext,
    FlowStep,
    Trigger,
)
from sandbox.marketo.webhooks import TokenContext, Webhooks

MAX_LEADS = 100
MAX_TOKENS = 100


@dataclass
class SmartCampaign:
    id: int
    name: str
    triggers: tuple[Trigger, ...]
    flow: tuple[FlowStep, ...]
    created_at: datetime
    active: bool = True
    qualification: str = "once"
    lead_filter: Callable[[Mapping[str, Any]], bool] | None = None
    tokens: dict[str, Any] = field(default_factory=dict)
    program_id: int | None = None
    description: str = ""
    ran_for: set[int] = field(default_factory=set)

    @property
    def requestable(self) -> bool:
        return any(isinstance(t, CampaignRequested) for t in self.triggers)

    def to_wire(self, program_name: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "type": "trigger",
            "workspaceName": "Default",
            "active": self.active,
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.created_at),
        }
        if self.program_id is not None:
            body["programId"] = self.program_id
            body["programName"] = program_name
        return body


class Campaigns:
    def __init__(self, core: Core, people: People, programs: Programs, webhooks: Webhooks) -> None:
        self._core = core
        self._people = people
        self._programs = programs
        self._webhooks = webhooks
        self._campaigns: dict[int, SmartCampaign] = {}
        self._ids = itertools.count(5001)
        self._suspended = 0
        core.on_activity(self._on_activity)

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """No trigger fires inside this block: for back-filling history, which must not call webhooks
        now for activities dated months ago (Marketo's triggers react to live activity only)."""
        with self._core.lock:
            self._suspended += 1
        try:
            yield
        finally:
            with self._core.lock:
                self._suspended -= 1

    def create(
        self,
        name: str,
        *,
        triggers: Sequence[Trigger],
        flow: Sequence[FlowStep],
        active: bool = True,
        qualification: str = "once",
        lead_filter: Callable[[Mapping[str, Any]], bool] | None = None,
        tokens: Mapping[str, Any] | None = None,
        program_id: int | None = None,
        description: str = "",
        at: datetime | None = None,
    ) -> SmartCampaign:
        """A trigger campaign. ``tokens`` are its My Tokens, available as ``{{my.Name}}`` in webhooks."""
        if qualification not in ("once", "every_time"):
            raise ValueError("qualification must be 'once' or 'every_time'")
        if not triggers:
            raise ValueError("a trigger campaign needs at least one trigger")
        with self._core.lock:
            for step in flow:
                if isinstance(step, CallWebhook) and self._webhooks.get(step.webhook_id) is None:
                    raise ValueError(f"unknown webhook {step.webhook_id}")
                if isinstance(step, ChangeProgramStatus) and self._programs.get(step.program_id) is None:
                    raise ValueError(f"unknown program {step.program_id}")
            if program_id is not None and self._programs.get(program_id) is None:
                raise ValueError(f"unknown program {program_id}")
            campaign = SmartCampaign(
                next(self._ids),
                name,
                tuple(triggers),
                tuple(flow),
                self._core.now(at),
                active,
                qualification,
                lead_filter,
                dict(tokens or {}),
                program_id,
                description,
            )
            self._campaigns[campaign.id] = campaign
            return campaign

    def get(self, campaign_id: int) -> SmartCampaign | None:
        with self._core.lock:
            return self._campaigns.get(campaign_id)

    def all(self) -> list[SmartCampaign]:
        with self._core.lock:
            return sorted(self._campaigns.values(), key=lambda c: c.id)

    def set_active(self, campaign_id: int, active: bool) -> None:
        with self._core.lock:
            campaign = self._campaigns.get(campaign_id)
            if campaign is None:
                raise ValueError(f"unknown campaign {campaign_id}")
            campaign.active = active

    def program_name(self, campaign: SmartCampaign) -> str | None:
        program = self._programs.get(campaign.program_id) if campaign.program_id is not None else None
        return program.name if program else None

    def request(
        self, campaign_id: int, lead_ids: Sequence[int], tokens: Mapping[str, Any] | None = None
    ) -> None:
        """``campaigns/{id}/trigger.json``: unknown lead ids are ignored, like Marketo does."""
        if not lead_ids:
            raise MarketoError("1003", "No leads given")
        if len(lead_ids) > MAX_LEADS:
            raise MarketoError("1003", f"Exceeded maximum number of leads ({MAX_LEADS})")
        if tokens and len(tokens) > MAX_TOKENS:
            raise MarketoError("1003", f"Exceeded maximum number of tokens ({MAX_TOKENS})")
        with self._core.lock:
            campaign = self._campaigns.get(campaign_id)
            if campaign is None:
                raise MarketoError("1013", f"Campaign '{campaign_id}' not found")
            if not campaign.active:
                raise MarketoError("1003", f"Trigger campaign '{campaign.name}' is not active")
            if not campaign.requestable:
                raise MarketoError(
                    "1003", f"Campaign '{campaign.name}' has no 'Campaign is Requested' trigger"
                )
            when = self._core.now()
            for lead_id in lead_ids:
                if lead_id not in self._core.leads:
                    continue
                requested = self._core.record(
                    lead_id,
                    types.REQUEST_CAMPAIGN,
                    when,
                    primary_attribute_value_id=campaign.id,
                    primary_attribute_value=campaign.name,
                    attributes=[("Source", "Web Service API")],
                    campaign_id=campaign.id,
                )
                self._run(campaign, lead_id, requested, dict(tokens or {}))

    def _on_activity(self, activity: Activity) -> None:
        if self._suspended or activity.activity_type_id == types.REQUEST_CAMPAIGN:
            return
        for campaign in list(self._campaigns.values()):
            if not campaign.active or not any(t.fires(activity) for t in campaign.triggers):
                continue
            self._run(campaign, activity.lead_id, activity, {})

    def _run(
        self, campaign: SmartCampaign, lead_id: int, trigger: Activity | None, tokens: dict[str, Any]
    ) -> None:
        lead = self._core.leads.get(lead_id)
        if lead is None:
            return
        if campaign.qualification == "once" and lead_id in campaign.ran_for:
            return
        if campaign.lead_filter is not None and not campaign.lead_filter(dict(lead)):
            return
        campaign.ran_for.add(lead_id)
        my_tokens = {**campaign.tokens, **tokens}
        for step in campaign.flow:
            self._step(campaign, lead_id, step, trigger, my_tokens)

    def _step(
        self,
        campaign: SmartCampaign,
        lead_id: int,
        step: FlowStep,
        trigger: Activity | None,
        my_tokens: dict[str, Any],
    ) -> None:
        lead = self._core.leads.get(lead_id)
        if lead is None:
            return
        when = self._core.now()
        if isinstance(step, CallWebhook):
            context = TokenContext(dict(lead), when, campaign.id, campaign.name, my_tokens)
            self._webhooks.enqueue(step.webhook_id, lead_id, context)
        elif isinstance(step, ChangeDataValue):
            self._people.update(
                lead_id,
                {step.field: step.value},
                reason=f"Campaign: {campaign.name}",
                campaign_id=campaign.id,
            )
        elif isinstance(step, ChangeScore):
            self._people.change_score(
                lead_id, step.delta, reason=f"Campaign: {campaign.name}", campaign_id=campaign.id
            )
        elif isinstance(step, ChangeProgramStatus):
            try:
                self._programs.change_status(
                    step.program_id, lead_id, step.status, reason=f"Campaign: {campaign.name}"
                )
            except RecordError:
                return  # already in or past the status: Marketo skips the step for this person
        else:
            step.callback(FlowContext(campaign.id, campaign.name, lead_id, my_tokens, trigger))


def normalise_request_tokens(raw: Any) -> dict[str, Any]:
    """``[{"name": "{{my.message}}", "value": "x"}]`` → ``{"message": "x"}`` (§5 trigger.json)."""
    if raw is None:
        return {}
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) and "name" in t for t in raw):
        raise MarketoError("1003", "tokens must be a list of {name, value}")
    tokens: dict[str, Any] = {}
    for token in raw:
        name = str(token["name"]).strip()
        if name.startswith("{{") and name.endswith("}}"):
            name = name[2:-2].strip()
        if name.lower().startswith("my."):
            name = name[3:]
        tokens[name] = token.get("value")
    return tokens
