"""Config versions: validate, propose, activate, roll back, compare; and the active config, compiled once.

A version's document is the YAML of the routing + SLA criteria, stored as submitted. The validator is
injected: by default only the routing section is checked (``routing.documents``); the composition
root passes the full validator (routing + SLA + cross-references) so nothing invalid is ever stored.
History is append-only: a rollback is a new version carrying an earlier document, activated at once.
Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text, update
from sqlmodel import Session

from handoff.clock import Clock
from routing import repository
from routing.config import RoutingConfig
from routing.documents import (
    Change,
    ConfigErrors,
    checksum,
    load_yaml,
    routing_config_of,
    structural_diff,
    text_diff,
    validate_routing_document,
)
from routing.models import ConfigVersion
from routing.service import ActiveConfig

Validator = Callable[[str], ConfigErrors]
MAX_DOCUMENT_BYTES = 512 * 1024
# Any constant works: it only serialises activations on PostgreSQL (one active version at a time).
_ACTIVATION_LOCK = 0x68616E64


class VersionNotFound(LookupError):
    pass


class ConfigRejected(ValueError):
    """The document is not valid; ``errors`` lists every problem with its path."""

    def __init__(self, errors: ConfigErrors) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" if path else message for path, message in errors))


@dataclass(frozen=True)
class VersionDiff:
    from_id: int | None
    to_id: int
    changes: list[Change]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_id,
            "to": self.to_id,
            "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in self.changes],
            "text": self.text,
        }


class ConfigVersions:
    def __init__(
        self, session: Session, clock: Clock, validate: Validator = validate_routing_document
    ) -> None:
        self.session = session
        self.clock = clock
        self._validate = validate

    def validate(self, document: str) -> ConfigErrors:
        if len(document.encode("utf-8", "replace")) > MAX_DOCUMENT_BYTES:
            return [("", f"the document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")]
        return self._validate(document)

    def get(self, version_id: int) -> ConfigVersion:
        version = self.session.get(ConfigVersion, version_id)
        if version is None:
            raise VersionNotFound(f"no config version {version_id}")
        return version

    def active(self) -> ConfigVersion | None:
        return repository.active_version(self.session)

    def list(self, limit: int = 100) -> list[ConfigVersion]:
        return repository.versions(self.session, limit)

    def propose(self, document: str, author: str, comment: str | None = None) -> ConfigVersion:
        errors = self.validate(document)
        if errors:
            raise ConfigRejected(errors)
        active = self.active()
        version = ConfigVersion(
            created_at=self.clock(),
            author=author[:255],
            comment=comment,
            document=document,
            checksum=checksum(document),
            status="proposed",
            parent_id=active.id if active else None,
        )
        self.session.add(version)
        self.session.flush()
        return version

    def activate(self, version_id: int) -> ConfigVersion:
        version = self.get(version_id)
        if version.status == "active":
            return version
        errors = self.validate(version.document)
        if errors:
            raise ConfigRejected(errors)
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ACTIVATION_LOCK})
        self.session.execute(
            update(ConfigVersion).where(ConfigVersion.status == "active").values(status="retired")  # type: ignore[arg-type]
        )
        version.status = "active"
        version.activated_at = self.clock()
        self.session.add(version)
        self.session.flush()
        self.session.refresh(version)
        return version

    def rollback(
        self, author: str, to_version_id: int | None = None, comment: str | None = None
    ) -> ConfigVersion:
        """Activate a new version carrying the document of ``to_version_id`` (default: the one active before)."""
        active = self.active()
        if to_version_id is None:
            if active is None:
                raise VersionNotFound("no version is active, so there is nothing to roll back")
            previous = repository.previous_active(self.session, active)
            if previous is None:
                raise VersionNotFound(f"version {active.id} is the first one ever activated")
        else:
            previous = self.get(to_version_id)
        version = self.propose(previous.document, author, comment or f"Rollback to version {previous.id}")
        return self.activate(version.id)  # type: ignore[arg-type]

    def diff(self, to_version_id: int, from_version_id: int | None = None) -> VersionDiff:
        """Changes from ``from_version_id`` (default: the version's parent) to ``to_version_id``."""
        after = self.get(to_version_id)
        from_id = from_version_id if from_version_id is not None else after.parent_id
        before = self.get(from_id) if from_id is not None else None
        before_text = before.document if before else ""
        before_data, _ = load_yaml(before_text)
        after_data, _ = load_yaml(after.document)
        return VersionDiff(
            before.id if before else None,
            after.id,  # type: ignore[arg-type]
            structural_diff(before_data, after_data),
            text_diff(
                before_text,
                after.document,
                f"version {before.id}" if before else "(none)",
                f"version {after.id}",
            ),
        )


class ActiveConfigCache:
    """The active routing config, compiled once per version (a query for the id, then a dictionary hit)."""

    def __init__(self, default: RoutingConfig | None = None) -> None:
        self._default = ActiveConfig.of(default or RoutingConfig(), None)
        self._compiled: dict[tuple[int, str], ActiveConfig] = {}

    def get(self, session: Session) -> ActiveConfig:
        version = repository.active_version(session)
        if version is None:
            return self._default
        key = (version.id, version.checksum)  # type: ignore[assignment]
        found = self._compiled.get(key)  # type: ignore[arg-type]
        if found is None:
            found = ActiveConfig.of(routing_config_of(version.document), version.id)
            self._compiled = {key: found}  # type: ignore[dict-item]
        return found
