"""The app factory builds the assembly from handoff.yaml and the environment, and exposes what it wired."""

from __future__ import annotations

from fastapi.testclient import TestClient

from handoff.app import create_app
from handoff.bridges.active import full_validator, seed_document
from handoff.config import HandoffConfig
from handoff.runtime import Runtime
from handoff.settings import Settings
from handoff.wiring import ASSEMBLY_KEY, scheduled_jobs
from routing.views import config_validator
from tests.integration.support import ROUTING, SLA
from tests.sync.marketo.support import a_connection as marketo_connection
from tests.sync.salesforce.support import a_connection as salesforce_connection
from tests.sync.salesforce.support import private_pem

JOBS = [
    "inbox",
    "outbox",
    "sync.poll.marketo_activities",
    "sync.poll.marketo_leadchanges",
    "sync.poll.salesforce_task",
    "sync.poll.salesforce_event",
    "sla.refresh_directory",
    "sla.tick",
    "sla.start_missing_clocks",
    "routing.sweep_holds",
    "routing.refresh_mirror",
    "handoff.owner_names",
]


def a_runtime(engine, clock, tmp_path) -> Runtime:
    config = HandoffConfig.model_validate(
        {
            "salesforce": salesforce_connection(organization_id="00Do0000000e0vQEAQ").model_dump(mode="json"),
            "marketo": marketo_connection().model_dump(mode="json"),
            "routing": ROUTING,
            "sla": SLA,
        }
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="integration-secret-key-0123456789",
        run_scheduler=False,
        salesforce_private_key=private_pem(),
        marketo_client_secret="marketo-secret",
        marketo_webhook_secret="webhook-secret-0123456789",
    )
    return Runtime(settings=settings, config=config, engine=engine, clock=clock)


def test_the_app_wires_the_domains_once_and_releases_them_at_shutdown(engine, clock, tmp_path):
    runtime = a_runtime(engine, clock, tmp_path)
    app = create_app(runtime, start_scheduler=False)
    with TestClient(app):
        assembly = app.state.assembly
        assert [name for name, _, _ in assembly.jobs] == JOBS
        assert [name for name, _, _ in scheduled_jobs(runtime)] == JOBS  # the scheduler gets the same jobs
        assert app.state.sync_hooks.organization_id == "00Do0000000e0vQEAQ"
        assert app.state.sync_hooks.webhook_secret == "webhook-secret-0123456789"
        assert app.dependency_overrides[config_validator]() is full_validator
        assert {"sf_task"} == set(assembly.sla_context.channels)
        assert assembly.active.sla.config_version_id is not None
    assert ASSEMBLY_KEY not in runtime.extras


def test_a_version_document_is_checked_as_a_whole():
    document = seed_document(HandoffConfig.model_validate({"routing": ROUTING, "sla": SLA}))
    assert full_validator(document) == []
    broken = document.replace("sla: standard", "sla: gold")
    assert ("routing.segments[0].sla", 'unknown policy "gold"') in full_validator(broken)
    assert full_validator("sync: {}\n") == [
        ("sync", "unknown section: a config version holds routing and sla only")
    ]
