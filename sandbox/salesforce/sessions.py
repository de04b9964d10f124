"""OAuth sessions: access tokens, idle timeout, and expiring them on demand.

Reference §1: the token is the 15-character org id, ``!`` and an opaque part; its lifetime is the session
timeout (2 h idle by default); an expired or unknown token answers ``401 INVALID_SESSION_ID``. Times come
from the caller (the org's clock), never from the system.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class Session:
    token_hash: str
    user_id: str
    app_name: str
    issued_at: datetime
    last_used_at: datetime
    flow: str

    def to_json(self) -> dict[str, str]:
        return {
            "token_hash": self.token_hash,
            "user_id": self.user_id,
            "app_name": self.app_name,
            "issued_at": self.issued_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat(),
            "flow": self.flow,
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Session:
        return cls(
            data["token_hash"],
            data["user_id"],
            data["app_name"],
            datetime.fromisoformat(data["issued_at"]),
            datetime.fromisoformat(data["last_used_at"]),
            data["flow"],
        )


def _hash(token: str) -> str:
    # Only a digest is kept, so a persisted org file or a debug dump never holds a usable token.
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, timeout: timedelta = timedelta(hours=2)) -> None:
        self.timeout = timeout
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, org_id: str, user_id: str, app_name: str, now: datetime, flow: str) -> str:
        opaque = "AQ" + secrets.token_urlsafe(84).replace("-", ".")
        token = f"{org_id[:15]}!{opaque}"
        with self._lock:
            self._sessions[_hash(token)] = Session(_hash(token), user_id, app_name, now, now, flow)
        return token

    def validate(self, token: str | None, now: datetime) -> Session | None:
        """The live session for ``token`` (touching its idle timer), or None when unknown or expired."""
        if not token:
            return None
        key = _hash(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if now - session.last_used_at > self.timeout:
                del self._sessions[key]
                return None
            session.last_used_at = max(session.last_used_at, now)
            return session

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            return count

    def dump(self) -> list[dict[str, str]]:
        with self._lock:
            return [session.to_json() for session in self._sessions.values()]

    def load(self, rows: list[dict[str, str]]) -> None:
        with self._lock:
            self._sessions = {row["token_hash"]: Session.from_json(row) for row in rows}
