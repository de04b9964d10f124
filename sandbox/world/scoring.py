"""Behaviour scoring and the MQL trigger, as smart campaigns in the Marketo emulator.

Scoring campaigns listen to activities (Visits Web Page, Clicks Link in Email, Fills Out Form …) and add
points; the MQL campaign fires when the score crosses the threshold (75 by default), stamps the
lifecycle stage and MQL date, and calls the Handoff webhook (reference/marketo-webhooks.md: a trigger
campaign with a Call Webhook step). The score steps are ``RunCallback`` steps rather than the
emulator's ``ChangeScore``: that step stamps the state clock, while these date the 22 Change Score
activity at the triggering activity's own time, which is what a back-filled history needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sandbox.marketo import (
    ActivityOccurs,
    CallWebhook,
    FlowContext,
    FormFilled,
    MarketoState,
    RunCallback,
    ScoreCrosses,
    SmartCampaign,
    Webhook,
)
from sandbox.marketo import activity_types as types
from sandbox.world import catalogue

MQL_THRESHOLD = 75
MQL_CAMPAIGN = "MQL: Score crosses {threshold} - Call Handoff webhook"
WEBHOOK_NAME = "Handoff MQL webhook"
WEBHOOK_PATH = "/hooks/marketo/webhook"
SECRET_HEADER = "X-Handoff-Secret"
#: The payload the brief fixes, plus ``at``/``campaignId`` that Handoff's receiver also reads
#: (sync/hooks/webhook.py). With JSON token encoding string tokens arrive quoted and escaped.
PAYLOAD_TEMPLATE = (
    '{"leadId": {{lead.Id}}, "email": {{lead.Email Address}}, "score": {{lead.Lead Score}}, '
    '"reason": "score_threshold", "at": {{system.dateTime}}, "campaignId": {{campaign.id}}}'
)


@dataclass(frozen=True)
class WebhookSettings:
    """Where the MQL webhook goes; the secret travels in ``header`` (omitted when ``secret`` is None)."""

    url: str = f"http://127.0.0.1:8000{WEBHOOK_PATH}"
    secret: str | None = None
    header: str = SECRET_HEADER
    template: str = PAYLOAD_TEMPLATE

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("the webhook URL must be http(s)")
        if not self.header.strip():
            raise ValueError("the secret header needs a name")

    def headers(self) -> dict[str, str]:
        return {self.header: self.secret} if self.secret else {}

    def __repr__(self) -> str:
        shown = "set" if self.secret else "none"
        return f"WebhookSettings(url={self.url!r}, header={self.header!r}, secret={shown})"


@dataclass(frozen=True)
class ScoringRule:
    name: str
    trigger: ActivityOccurs | FormFilled
    points: int


def scoring_rules() -> tuple[ScoringRule, ...]:
    rules = [
        ScoringRule("Score: Visits Web Page", ActivityOccurs(types.VISIT_WEBPAGE), 2),
        ScoringRule(
            "Score: Visits Pricing Page", ActivityOccurs(types.VISIT_WEBPAGE, catalogue.PRICING_PAGE), 8
        ),
        ScoringRule("Score: Opens Email", ActivityOccurs(types.OPEN_EMAIL), 1),
        ScoringRule("Score: Clicks Link in Email", ActivityOccurs(types.CLICK_EMAIL), 5),
    ]
    rules += [
        ScoringRule(f"Score: Fills Out Form {form}", FormFilled(form), points)
        for form, points in catalogue.FORMS.items()
    ]
    return tuple(rules)


def _add_points(state: MarketoState, name: str, points: int) -> Callable[[FlowContext], None]:
    def step(context: FlowContext) -> None:
        at = context.trigger.activity_date if context.trigger is not None else None
        state.people.change_score(
            context.lead_id, points, at=at, reason=f"Campaign: {name}", campaign_id=context.campaign_id
        )

    return step


def _mark_mql(state: MarketoState) -> Callable[[FlowContext], None]:
    def step(context: FlowContext) -> None:
        at = context.trigger.activity_date if context.trigger is not None else state.clock()
        state.people.update(
            context.lead_id,
            {"lifecycleStage": "MQL", "mqlDate": at},
            at=at,
            reason=f"Campaign: {context.campaign_name}",
            source="Smart Campaign",
        )

    return step


def install_webhook(state: MarketoState, settings: WebhookSettings) -> Webhook:
    return state.webhooks.create(
        WEBHOOK_NAME,
        settings.url,
        method="POST",
        template=settings.template,
        encoding="json",
        headers=settings.headers(),
    )


def configure_webhook(state: MarketoState, settings: WebhookSettings) -> Webhook:
    """Point the world's MQL webhook at another URL/secret (e.g. once the demo knows its port)."""
    with state.lock:
        hook = next((h for h in state.webhooks.all() if h.name == WEBHOOK_NAME), None)
        if hook is None:
            raise ValueError("this Marketo instance has no world webhook; seed it with marketo_seeder first")
        hook.url, hook.template, hook.headers = settings.url, settings.template, settings.headers()
        return hook


def install_campaigns(
    state: MarketoState, webhook: Webhook, threshold: int = MQL_THRESHOLD
) -> tuple[list[SmartCampaign], SmartCampaign]:
    """The scoring campaigns (every time) and the MQL campaign (each crossing)."""
    scoring = [
        state.campaigns.create(
            rule.name,
            triggers=[rule.trigger],
            flow=[RunCallback(f"Change Score {rule.points:+d}", _add_points(state, rule.name, rule.points))],
            qualification="every_time",
            description=f"{rule.points:+d} behaviour points",
        )
        for rule in scoring_rules()
    ]
    mql = state.campaigns.create(
        MQL_CAMPAIGN.format(threshold=threshold),
        triggers=[ScoreCrosses(threshold)],
        flow=[RunCallback("Change Data Value: MQL", _mark_mql(state)), CallWebhook(webhook.id)],
        qualification="every_time",
        description="Hands marketing-qualified people to Handoff",
    )
    return scoring, mql
