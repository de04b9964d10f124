"""Process settings: where the database is, where the config file is, and every secret.

Settings come from ``HANDOFF_*`` environment variables only. Secrets never live in the YAML config:
each secret ``X`` is read from ``HANDOFF_X`` or from the file named by ``HANDOFF_X_FILE`` (the Docker /
Kubernetes secrets convention), and is held as a ``SecretStr`` so that it never prints.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_NAMES = (
    "secret_key",
    "salesforce_private_key",
    "salesforce_client_secret",
    "salesforce_outbound_password",
    "marketo_client_secret",
    "marketo_webhook_secret",
    "smtp_password",
    "slack_webhook_url",
)


class Settings(BaseSettings):
    """Everything a Handoff process needs before it reads its YAML config."""

    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="ignore")

    data_dir: Path = Path("handoff-data")
    database_url: str | None = None
    config_file: Path | None = None
    log_level: str = "INFO"
    log_format: str = "json"
    metrics_public: bool = True
    run_scheduler: bool = True
    migrate_on_start: bool = True
    public_url: str = "http://127.0.0.1:8000"

    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    salesforce_private_key: SecretStr | None = None
    salesforce_private_key_file: Path | None = None
    salesforce_client_secret: SecretStr | None = None
    salesforce_client_secret_file: Path | None = None
    salesforce_outbound_password: SecretStr | None = None
    salesforce_outbound_password_file: Path | None = None
    marketo_client_secret: SecretStr | None = None
    marketo_client_secret_file: Path | None = None
    marketo_webhook_secret: SecretStr | None = None
    marketo_webhook_secret_file: Path | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    slack_webhook_url: SecretStr | None = None
    slack_webhook_url_file: Path | None = None

    @model_validator(mode="after")
    def _read_secret_files(self) -> Settings:
        for name in SECRET_NAMES:
            path: Path | None = getattr(self, f"{name}_file")
            if path is not None and getattr(self, name) is None:
                try:
                    value = path.read_text(encoding="utf-8").strip()
                except OSError as exc:
                    raise ValueError(
                        f"HANDOFF_{name.upper()}_FILE={path}: cannot read ({exc.strerror})"
                    ) from exc
                object.__setattr__(self, name, SecretStr(value))
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'handoff.sqlite').resolve()}"

    def secret(self, name: str) -> str | None:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else None

    def session_secret(self) -> str:
        """The cookie-signing key: from the environment, else generated once and kept in the data dir."""
        configured = self.secret("secret_key")
        if configured:
            return configured
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key
