"""handoff.yaml: load, validate every section, cross-check references, report each error with its path.

Each domain owns the schema of its section (``sync.config``, ``routing.config``, ``sla.config``); this
module composes them, so that one ``handoff config check`` reports every problem at once, e.g.
``routing.segments[2].sla: unknown policy "gold"``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routing.config import RoutingConfig
from sla.config import SlaConfig
from sync.config import MarketoConnection, SalesforceConnection, SyncConfig

# Keys that look like secrets: refused anywhere in the YAML, because secrets come from the environment.
_SECRET_KEYS = {
    "client_secret",
    "private_key",
    "password",
    "secret",
    "webhook_secret",
    "access_token",
    "token",
}


class HandoffConfig(BaseModel):
    """The whole of handoff.yaml."""

    model_config = ConfigDict(extra="forbid")

    salesforce: SalesforceConnection | None = None
    marketo: MarketoConnection | None = None
    sync: SyncConfig = Field(default_factory=SyncConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)


@dataclass(frozen=True)
class ConfigError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigInvalid(Exception):
    """Raised with every error found, so that a user fixes them all in one pass."""

    def __init__(self, errors: list[ConfigError], source: str = "config") -> None:
        self.errors = errors
        self.source = source
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(f"  {e}" for e in errors))


def format_path(loc: tuple[Any, ...], prefix: str = "") -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _errors_from(exc: ValidationError, prefix: str) -> list[ConfigError]:
    errors = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        errors.append(ConfigError(format_path(loc, prefix), message))
    return errors


def _secret_keys(node: Any, path: str = "") -> list[ConfigError]:
    found: list[ConfigError] = []
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            if str(key).lower() in _SECRET_KEYS:
                found.append(
                    ConfigError(
                        child, "secrets are not allowed in the config file; set HANDOFF_* in the environment"
                    )
                )
            found.extend(_secret_keys(value, child))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_secret_keys(value, f"{path}[{index}]"))
    return found


def cross_check(config: HandoffConfig) -> list[ConfigError]:
    """References between sections, which no single section can check on its own."""
    errors: list[ConfigError] = []
    policies = set(config.sla.policies)
    for index, segment in enumerate(config.routing.segments):
        if segment.sla is not None and segment.sla not in policies:
            errors.append(ConfigError(f"routing.segments[{index}].sla", f'unknown policy "{segment.sla}"'))
    # Each domain section may check references into the others: ``cross_check(root) -> [(path, message)]``.
    for section in (config.sync, config.routing, config.sla):
        checker = getattr(section, "cross_check", None)
        if checker is not None:
            errors.extend(ConfigError(path, message) for path, message in checker(config))
    return errors


def validate_document(data: Any, source: str = "config") -> HandoffConfig:
    """Validate a parsed YAML document section by section so that one run reports every error."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigInvalid([ConfigError("", "the config must be a mapping of sections")], source)
    errors = _secret_keys(data)
    sections: dict[str, Any] = {}
    for name, field in HandoffConfig.model_fields.items():
        if name not in data:
            continue
        annotation = field.annotation
        model = next(
            (arg for arg in getattr(annotation, "__args__", (annotation,)) if isinstance(arg, type)),
            annotation,
        )
        try:
            sections[name] = model.model_validate(data[name]) if data[name] is not None else None
        except ValidationError as exc:
            errors.extend(_errors_from(exc, name))
    for unknown in sorted(set(data) - set(HandoffConfig.model_fields)):
        errors.append(ConfigError(str(unknown), "unknown section"))
    if errors:
        raise ConfigInvalid(errors, source)
    config = HandoffConfig(**sections)
    errors = cross_check(config)
    if errors:
        raise ConfigInvalid(errors, source)
    return config


def parse_text(text: str, source: str = "config") -> HandoffConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigInvalid([ConfigError("", f"not valid YAML at {where}: {problem}")], source) from exc
    return validate_document(data, source)


def load_file(path: Path) -> HandoffConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigInvalid([ConfigError("", f"cannot read {path}: {exc.strerror}")], str(path)) from exc
    return parse_text(text, str(path))


def json_schema() -> str:
    schema = HandoffConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "handoff.yaml"
    return json.dumps(schema, indent=2, sort_keys=True)
