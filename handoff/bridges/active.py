"""The routing and SLA configuration in force: the active ``ConfigVersion``, seeded from handoff.yaml.

Decision: the gate and the SLA tracker both read the **active config version** in the database
(``routing.versions``), whose document is YAML with a ``routing`` and an ``sla`` section. handoff.yaml's
``routing`` and ``sla`` sections are only the seed: at start-up, when no version is active yet, they are
stored as version 1 (author ``handoff.yaml``) and activated. From then on ops change criteria and
policies through the versions API or the dashboard (propose, preview, activate, roll back), and every
decision and clock records the version id that made it. Editing handoff.yaml's routing/sla sections
later does not override an active version: a restart never silently undoes an ops change.

Every document is checked by ``full_validator`` (both sections, their cross-references and the
secret-key ban of ``handoff.config``), which the composition root also gives the ops API
(``routing.views.config_validator``), so no version that cannot be compiled is ever activated.

The routing side is ``routing.versions.ActiveConfigCache`` (one id query per use, compiled once per
version). The SLA side keeps one ``SlaContext`` object for the process and swaps its rules, channels
and version id in place when another version becomes active, so outbox handlers and jobs that hold
the context always see the version in force. A version whose channels cannot be built (a channel
secret missing from the environment) is refused for the SLA side with an error log, and the
previous SLA rules stay in force.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import yaml
from sqlmodel import Session

from handoff.clock import Clock
from handoff.config import ConfigInvalid, HandoffConfig, validate_document
from routing import repository
from routing.documents import ConfigErrors, load_yaml
from routing.service import ActiveConfig
from routing.versions import ActiveConfigCache, ConfigVersions
from sla.config import SlaConfig
from sla.notify.base import Channel
from sla.policy import SlaConfigError, SlaRules, compile_rules
from sla.ports import Directory
from sla.service import SlaContext

log = logging.getLogger(__name__)

DOCUMENT_SECTIONS = ("routing", "sla")
SEED_AUTHOR = "handoff.yaml"

ChannelBuilder = Callable[[SlaConfig], dict[str, Channel]]


def full_validator(document: str) -> ConfigErrors:
    """Every problem of a version document: YAML, both sections, cross-references, secrets in the text."""
    data, errors = load_yaml(document)
    if errors:
        return errors
    unknown = sorted(str(key) for key in data if key not in DOCUMENT_SECTIONS)
    if unknown:
        return [(key, "unknown section: a config version holds routing and sla only") for key in unknown]
    try:
        validate_document(data, "config version")
    except ConfigInvalid as exc:
        return [(error.path, error.message) for error in exc.errors]
    return []


def seed_document(config: HandoffConfig) -> str:
    """handoff.yaml's routing and sla sections as one version document."""
    sections = {
        name: getattr(config, name).model_dump(mode="json", exclude_none=True, by_alias=True)
        for name in DOCUMENT_SECTIONS
    }
    return yaml.safe_dump(sections, sort_keys=False, allow_unicode=True)


def sla_config_of(document: str) -> SlaConfig:
    data, _ = load_yaml(document)
    return SlaConfig.model_validate(data.get("sla") or {})


class ActiveSettings:
    """What the gate and the SLA tracker use right now, read from the active version."""

    def __init__(
        self,
        clock: Clock,
        config: HandoffConfig,
        directory: Directory,
        build_channels: ChannelBuilder,
    ) -> None:
        self.clock = clock
        self.fallback = config
        self.build_channels = build_channels
        self._routing = ActiveConfigCache(config.routing)
        rules, channels = self._compile(config.sla)
        self.sla = SlaContext(rules, directory, channels, None)
        self._sla_key: tuple[int | None, str | None] = (None, None)

    def _compile(self, sla: SlaConfig) -> tuple[SlaRules, dict[str, Channel]]:
        return compile_rules(sla), self.build_channels(sla)

    def seed(self, session: Session) -> int | None:
        """Store and activate handoff.yaml's sections when no version is active; returns the active id."""
        versions = ConfigVersions(session, self.clock, full_validator)
        active = versions.active()
        if active is None:
            proposed = versions.propose(
                seed_document(self.fallback), SEED_AUTHOR, "Seeded from handoff.yaml at start-up"
            )
            active = versions.activate(proposed.id)  # type: ignore[arg-type]
            log.info("config version seeded from handoff.yaml", extra={"version_id": active.id})
        return active.id

    def routing(self, session: Session) -> ActiveConfig:
        return self._routing.get(session)

    def sla_context(self, session: Session) -> SlaContext:
        """The shared context, switched to the active version first if another one became active."""
        version = repository.active_version(session)
        key = (version.id, version.checksum) if version is not None else (None, None)
        if key == self._sla_key:
            return self.sla
        try:
            sla = sla_config_of(version.document) if version is not None else self.fallback.sla
            rules, channels = self._compile(sla)
        except (SlaConfigError, ValueError) as exc:
            log.error(
                "the active config version's sla section cannot be used; the previous SLA rules stay",
                extra={"version_id": key[0], "error": str(exc)},
            )
            self._sla_key = key
            return self.sla
        self.sla.rules = rules
        self.sla.channels.clear()  # type: ignore[attr-defined]
        self.sla.channels.update(channels)  # type: ignore[attr-defined]
        self.sla.config_version_id = key[0]
        self._sla_key = key
        return self.sla

    def describe(self) -> dict[str, Any]:
        return {"sla_version_id": self.sla.config_version_id, "channels": sorted(self.sla.channels)}
