"""What the composition root gets from the sync layer: handlers, jobs, clients and hook settings."""

from __future__ import annotations

from sqlmodel import Session

from sync import kinds
from sync.assembly import build_clients, poller_jobs, register_handlers
from sync.config import MarketoConnection, SalesforceConnection, SyncConfig
from sync.hooks.config import HookSettings
from sync.inbox import InboxHandlers
from sync.outbox import OutboxHandlers
from tests.sync.salesforce.support import private_pem

SECRETS = {
    "salesforce_private_key": private_pem(),
    "marketo_client_secret": "marketo-secret",
    "salesforce_outbound_password": "om-password",
    "marketo_webhook_secret": "hook-secret",
}
SALESFORCE = SalesforceConnection(
    consumer_key="3MVG9x", username="integration@acme.example", organization_id="00Do0000000e0vQEAQ",
    outbound_username="sfdc",
)  # fmt: skip
MARKETO = MarketoConnection(base_url="https://284-RPR-133.mktorest.com", client_id="client")


async def test_every_flow_kind_and_operation_is_registered_and_the_pollers_are_jobs(engine, clock):
    clients = build_clients(SALESFORCE, MARKETO, SECRETS.get, clock)
    inbox, outbox = InboxHandlers(), OutboxHandlers()
    config = SyncConfig(outbound_messages_enabled=False, backfill=True)
    factory = lambda: Session(engine)  # noqa: E731
    register_handlers(
        inbox, outbox, session_factory=factory, clock=clock, config=config,
        salesforce=clients.salesforce, marketo=clients.marketo,
    )  # fmt: skip
    expected_kinds = {
        *kinds.MQL_SIGNAL_KINDS,
        *kinds.ENGAGEMENT_KINDS,
        kinds.LEAD_ROUTED,
        kinds.SALESFORCE_LEAD,
    }
    expected_kinds |= {kinds.SALESFORCE_OPPORTUNITY, kinds.SALESFORCE_ACCOUNT, kinds.MARKETO_BACKFILL_PAGE}
    assert expected_kinds <= set(inbox.by_kind)
    for operation in (
        kinds.OP_ROUTE_LEAD, kinds.OP_CREATE_TASKS, kinds.OP_MARKETO_LEAD_UPDATE, kinds.OP_PROGRAM_STATUS,
        kinds.OP_PROGRAM_REMOVE, kinds.OP_SYNC_COMPANY, kinds.OP_BACKFILL_LEAD,
    ):  # fmt: skip
        assert outbox.knows(operation), operation
    jobs = poller_jobs(
        session_factory=factory,
        clock=clock,
        config=config,
        salesforce=clients.salesforce,
        marketo=clients.marketo,
    )
    assert {name for name, _, _ in jobs} == {
        "sync.poll.marketo_activities",
        "sync.poll.marketo_leadchanges",
        "sync.backfill.marketo_people",
        "sync.poll.salesforce_task",
        "sync.poll.salesforce_event",
        "sync.poll.salesforce_lead",
        "sync.poll.salesforce_contact",
        "sync.poll.salesforce_opportunity",
        "sync.poll.salesforce_account",
    }
    await clients.aclose()


def test_hook_settings_come_from_the_config_and_the_secrets_and_never_print_them():
    hooks = HookSettings.from_config(SALESFORCE, SyncConfig(), SECRETS.get)
    assert (hooks.organization_id, hooks.outbound_username, hooks.outbound_password) == (
        "00Do0000000e0vQEAQ",
        "sfdc",
        "om-password",
    )
    assert hooks.webhook_secret == "hook-secret" and hooks.problems() == []
    assert "om-password" not in repr(hooks) and "hook-secret" not in repr(hooks)
    half = HookSettings.from_config(SALESFORCE, SyncConfig(), {}.get)
    assert "HANDOFF_SALESFORCE_OUTBOUND_PASSWORD" in half.problems()[0]
