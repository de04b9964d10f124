"""Structured JSON logs in which secrets never appear.

Two layers of redaction: every secret value the process knows (from ``Settings``) is replaced wherever
it appears, and patterns catch what no setting names: bearer tokens, Salesforce session ids
(``00D…!…``), ``access_token=``/``client_secret=``/``password=`` in URLs and bodies, PEM private keys,
and passwords inside database URLs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

REDACTED = "***"

_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/!=:-]{8,}"),
    re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|secret|assertion|sessionid)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\s&\"',}<]+"
    ),
    re.compile(r"(?i)(<(?:sessionId|SessionId)>)[^<]+"),
    re.compile(r"(://[^:/@\s]+:)[^@/\s]+(@)"),
]

# Attributes every LogRecord has; anything else passed through ``extra=`` is emitted as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            if pattern.groups >= 2:
                text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(2)}", text)
            elif pattern.groups == 1:
                text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
            else:
                text = pattern.sub(REDACTED, text)
        return text


redactor = Redactor()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redactor(json.dumps(payload, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        )
        text = super().format(record)
        return redactor(f"{text} {extras}" if extras else text)


def configure_logging(level: str = "INFO", fmt: str = "json", secrets: Iterable[str | None] = ()) -> None:
    for secret in secrets:
        redactor.add(secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
