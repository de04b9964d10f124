"""SLA: business calendars, the first-touch clock, escalation ladders and notification channels.

What the composition root and the other packages use:

* ``compile_rules(config.sla)`` → ``SlaRules``; ``build_channels(config.sla, slack_webhook_url=…,
  smtp_password=…, salesforce=…)``; ``SlaContext(rules, directory, channels, config_version_id)``;
* ``register_handlers(outbox_handlers, channels=…, session_factory=…, salesforce=…, nurture=…)``;
* ``start_clock`` (after routing), ``record_touches`` (Task/Event records from the poller or an Outbound
  Message), ``record_owner_change`` (owner moved in Salesforce), ``close_clock`` (converted, rejected);
* jobs: ``tick`` and ``start_missing_clocks``.
"""

from sla.handlers import register_handlers
from sla.jobs import start_missing_clocks, tick
from sla.notify.registry import build_channels
from sla.policy import SlaConfigError, SlaRules, compile_rules
from sla.ports import Directory, NurtureTarget, Person, SalesforceActions
from sla.service import (
    SlaContext,
    add_out_of_office,
    close_clock,
    record_owner_change,
    record_touches,
    start_clock,
)

__all__ = [
    "Directory",
    "NurtureTarget",
    "Person",
    "SalesforceActions",
    "SlaConfigError",
    "SlaContext",
    "SlaRules",
    "add_out_of_office",
    "build_channels",
    "close_clock",
    "compile_rules",
    "record_owner_change",
    "record_touches",
    "register_handlers",
    "start_clock",
    "start_missing_clocks",
    "tick",
]
