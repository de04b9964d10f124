"""Notification channels against real servers on loopback: a Slack webhook receiver and an SMTP server."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sla.config import SlaConfig
from sla.config_channels import EmailChannelConfig, SalesforceTaskChannelConfig, SlackChannelConfig
from sla.notify.email import EmailChannel
from sla.notify.notice import Notice, PersonRef
from sla.notify.registry import build_channels
from sla.notify.salesforce_task import SalesforceTaskChannel
from sla.notify.slack import SlackChannel
from sla.policy import SlaConfigError
from sla.twins import InMemorySalesforce
from sync.errors import AuthError, PermanentError, RetryableError
from tests.sla.support import SlackReceiver
from tests.support.servers import free_port, serve_app

OWNER = PersonRef("005000000000002AAA", "Sam Slow", "sam@acme.example", "U0SLOW")
MANAGER = PersonRef("005000000000100AAA", "Maya Manager", "maya@acme.example")
HOOK_PATH = "/services/T000/B000/secret"


def a_notice(**overrides) -> Notice:
    values = {
        "kind": "breach",
        "handoff_id": 42,
        "lead_label": "ada@analytical.example",
        "company": "Analytical <Engines> & Co",
        "segment": "demo_request",
        "policy": "tier_a",
        "record_type": "Lead",
        "record_id": "00Q000000000042AAA",
        "owner": OWNER,
        "recipient": OWNER,
        "recipient_role": "owner",
        "due_at": datetime(2026, 11, 2, 9, 5, tzinfo=UTC),
        "decided_at": datetime(2026, 11, 2, 9, 17, tzinfo=UTC),
        "seconds_left": -720.0,
        "measure": "business",
        "time_zone": "Europe/Berlin",
        "salesforce_url": "https://acme.my.salesforce.com/lightning/r/Lead/00Q000000000042AAA/view",
        "lead_page_url": "https://handoff.acme.example/leads/42",
    }
    values.update(overrides)
    return Notice(**values)


# --- Slack ------------------------------------------------------------------------------------------------


@pytest.fixture
def slack():
    receiver = SlackReceiver()
    with serve_app(receiver.app()) as base_url:
        yield receiver, f"{base_url}{HOOK_PATH}"


async def test_slack_posts_block_kit_with_lead_time_owner_and_buttons(slack):
    receiver, url = slack
    channel = SlackChannel("sdr", SlackChannelConfig(type="slack"), url)
    payload = channel.render(a_notice())
    result = await channel.send(payload, "sla:1:1:breach:sdr:005")
    assert result == {"status": 200, "body": "ok"}
    (posted,) = receiver.posts
    assert posted["text"] == "SLA breached: ada@analytical.example (Analytical <Engines> & Co)"
    header, section, actions = posted["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": posted["text"]}}
    fields = [f["text"] for f in section["fields"]]
    assert fields == [
        "*Lead*\nada@analytical.example",
        "*Company*\nAnalytical &lt;Engines&gt; &amp; Co",
        "*Segment*\ndemo_request",
        "*Owner*\n<@U0SLOW>",
        "*Overdue*\n12 min overdue (business time)",
    ]
    assert [(b["text"]["text"], b["url"]) for b in actions["elements"]] == [
        ("Open in Salesforce", "https://acme.my.salesforce.com/lightning/r/Lead/00Q000000000042AAA/view"),
        ("Open in Handoff", "https://handoff.acme.example/leads/42"),
    ]


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (400, "invalid_payload", PermanentError, "400"),
        (404, "channel_not_found", PermanentError, "404"),
        (410, "channel_is_archived", PermanentError, "410"),
        (403, "action_prohibited", AuthError, "403"),
        (404, "no_service", AuthError, "404"),
        (500, "rollup_error", RetryableError, "500"),
    ],
)
async def test_slack_errors_map_to_outbox_error_classes(slack, status, body, error, code):
    receiver, url = slack
    receiver.status, receiver.body = status, body
    channel = SlackChannel("sdr", SlackChannelConfig(type="slack"), url)
    with pytest.raises(error) as caught:
        await channel.send(channel.render(a_notice()), "key")
    assert caught.value.code == code and body in str(caught.value)
    assert "secret" not in str(caught.value)


async def test_slack_rate_limit_carries_retry_after():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def limited(request):
        return PlainTextResponse("rate_limited", status_code=429, headers={"Retry-After": "7"})

    with serve_app(Starlette(routes=[Route(HOOK_PATH, limited, methods=["POST"])])) as base_url:
        channel = SlackChannel("sdr", SlackChannelConfig(type="slack"), f"{base_url}{HOOK_PATH}")
        with pytest.raises(RetryableError) as caught:
            await channel.send(channel.render(a_notice()), "key")
    assert caught.value.retry_after_seconds == 7


async def test_slack_down_is_retryable_and_never_reveals_the_webhook_url():
    url = f"http://127.0.0.1:{free_port()}{HOOK_PATH}"
    channel = SlackChannel("sdr", SlackChannelConfig(type="slack", timeout_seconds=2), url)
    with pytest.raises(RetryableError) as caught:
        await channel.send(channel.render(a_notice()), "key")
    assert HOOK_PATH not in str(caught.value) and HOOK_PATH not in repr(channel)


# --- email ------------------------------------------------------------------------------------------------


class MailSink:
    def __init__(self, refuse_rcpt: str | None = None) -> None:
        self.envelopes = []
        self.refuse_rcpt = refuse_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"sla@acme.example",
        b"s3cret-pass",
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(request):
    sink = MailSink(getattr(request, "param", None))
    port = free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def email_channel(port: int, password: str | None = "s3cret-pass", **overrides) -> EmailChannel:
    config = EmailChannelConfig(
        type="email",
        host="127.0.0.1",
        port=port,
        security="none",
        username="sla@acme.example",
        password_secret="smtp_password",
        from_address="sla@acme.example",
        **overrides,
    )
    return EmailChannel("mail", config, password)


async def test_email_is_sent_as_plain_and_html_over_smtp(smtp_server):
    sink, port = smtp_server
    channel = email_channel(port)
    notice = a_notice(recipient=MANAGER, recipient_role="manager")
    result = await channel.send(channel.render(notice), "sla:9:1:breach:mail:005000000000100AAA")
    (envelope,) = sink.envelopes
    assert envelope.mail_from == "sla@acme.example" and envelope.rcpt_tos == ["maya@acme.example"]
    message = email.message_from_bytes(envelope.original_content, policy=email_policy.default)
    assert message["Subject"] == "SLA breached: ada@analytical.example (Analytical <Engines> & Co)"
    assert message["Message-ID"] == result["message_id"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Maya Manager," in plain and "12 min overdue (business time)" in plain
    assert "Due:      Mon 2 Nov 2026 10:05 (Europe/Berlin)" in plain
    assert "Analytical &lt;Engines&gt; &amp; Co" in html and "<Engines>" not in html
    assert 'href="https://handoff.acme.example/leads/42"' in html


async def test_same_outbox_key_gives_the_same_message_id(smtp_server):
    sink, port = smtp_server
    channel = email_channel(port)
    payload = channel.render(a_notice())
    first = await channel.send(payload, "sla:9:1:breach:mail:005000000000002AAA")
    second = await channel.send(payload, "sla:9:1:breach:mail:005000000000002AAA")
    assert first["message_id"] == second["message_id"]
    ids = [email.message_from_bytes(e.original_content)["Message-ID"] for e in sink.envelopes]
    assert ids == [first["message_id"]] * 2, "a retry carries the id receivers de-duplicate on"


async def test_wrong_smtp_password_is_an_auth_error(smtp_server):
    _, port = smtp_server
    channel = email_channel(port, password="wrong")
    with pytest.raises(AuthError) as caught:
        await channel.send(channel.render(a_notice()), "key")
    assert "wrong" not in str(caught.value)


@pytest.mark.parametrize(
    ("smtp_server", "error"),
    [("550 5.1.1 No such user", PermanentError), ("451 4.3.0 Try again later", RetryableError)],
    indirect=["smtp_server"],
)
async def test_refused_recipient_is_permanent_or_transient_by_reply_code(smtp_server, error):
    _, port = smtp_server
    channel = email_channel(port)
    with pytest.raises(error):
        await channel.send(channel.render(a_notice()), "key")


async def test_smtp_server_down_is_retryable():
    channel = email_channel(free_port(), timeout_seconds=2)
    with pytest.raises(RetryableError):
        await channel.send(channel.render(a_notice()), "key")


def test_recipient_without_email_is_unreachable():
    channel = email_channel(25)
    assert channel.address(PersonRef("005000000000007AAA", "No Mail"), a_notice()) is None


# --- Salesforce Task ----------------------------------------------------------------------------------------


async def test_manager_task_is_created_on_the_lead_and_marked_as_ours():
    salesforce = InMemorySalesforce()
    channel = SalesforceTaskChannel(
        "task", SalesforceTaskChannelConfig(type="salesforce_task"), salesforce, "[Handoff]"
    )
    notice = a_notice(recipient=MANAGER, recipient_role="manager")
    result = await channel.send(channel.render(notice), "key")
    fields = salesforce.tasks[result["id"]]
    assert fields["WhoId"] == "00Q000000000042AAA" and fields["OwnerId"] == MANAGER.id
    assert fields["Subject"] == "[Handoff] SLA breached: ada@analytical.example (Analytical <Engines> & Co)"
    assert (fields["Status"], fields["Priority"], fields["ActivityDate"]) == (
        "Not Started",
        "High",
        "2026-11-02",
    )
    assert "12 min overdue" in fields["Description"]
    assert channel.address(PersonRef("00G000000000001AAA", "SDR queue"), notice) is None


async def test_salesforce_failure_keeps_its_error_class():
    salesforce = InMemorySalesforce(fail_with=RetryableError("UNABLE_TO_LOCK_ROW", code="UNABLE_TO_LOCK_ROW"))
    channel = SalesforceTaskChannel(
        "task", SalesforceTaskChannelConfig(type="salesforce_task"), salesforce, "[Handoff]"
    )
    with pytest.raises(RetryableError):
        await channel.send(channel.render(a_notice()), "key")


# --- building channels with their secrets ------------------------------------------------------------------------


def channels_config() -> SlaConfig:
    return SlaConfig.model_validate(
        {
            "channels": {
                "sdr_slack": {"type": "slack"},
                "mail": {
                    "type": "email",
                    "host": "smtp.acme.example",
                    "from_address": "sla@acme.example",
                    "username": "sla@acme.example",
                    "password_secret": "smtp_password",
                },
                "task": {"type": "salesforce_task"},
            }
        }
    )


def test_missing_or_broken_secrets_are_refused_with_the_channel_path():
    with pytest.raises(SlaConfigError) as caught:
        build_channels(channels_config(), slack_webhook_url="hooks.slack.com/services/T0/B0/XYZ")
    assert caught.value.problems == [
        ("sla.channels.sdr_slack.webhook_url_secret", "HANDOFF_SLACK_WEBHOOK_URL is not an http(s) URL"),
        ("sla.channels.mail.password_secret", "a username is set but HANDOFF_SMTP_PASSWORD is not"),
        ("sla.channels.task", "a Salesforce connection is needed to create Tasks"),
    ]
    assert "XYZ" not in str(caught.value)


def test_channels_are_built_when_every_secret_is_there():
    channels = build_channels(
        channels_config(),
        slack_webhook_url="https://hooks.slack.com/services/T0/B0/XYZ",
        smtp_password="pw",
        salesforce=InMemorySalesforce(),
    )
    assert {name: channel.operation for name, channel in channels.items()} == {
        "sdr_slack": "sla.slack.post",
        "mail": "sla.email.send",
        "task": "sla.salesforce.task.create",
    }
