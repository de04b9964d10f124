"""Access tokens of the identity service (reference/marketo.md §1, checklist "Tokens").

A token is ``uuid:int``, lives 3,600 s, and asking again before it expires returns the **same** token
with the remaining seconds in ``expires_in``. An unknown token is 601, an expired one 602. Expired
tokens are remembered so that they keep answering 602 rather than 601.
"""

from __future__ import annotations

import math
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.marketo.envelope import MarketoError

TOKEN_LIFETIME = timedelta(seconds=3600)


@dataclass
class IssuedToken:
    value: str
    client_id: str
    expires_at: datetime

    def expires_in(self, now: datetime) -> int:
        return max(0, math.floor((self.expires_at - now).total_seconds()))


class TokenStore:
    def __init__(self, lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._by_value: dict[str, IssuedToken] = {}
        self._current: dict[str, IssuedToken] = {}

    def issue(self, client_id: str, now: datetime) -> IssuedToken:
        """The client's live token, or a new one if it has none (one cache entry per client_id, §1)."""
        with self._lock:
            current = self._current.get(client_id)
            if current is not None and current.expires_at > now:
                return current
            token = IssuedToken(f"{uuid.uuid4()}:int", client_id, now + self.lifetime)
            self._current[client_id] = token
            self._by_value[token.value] = token
            return token

    def check(self, value: str | None, now: datetime) -> IssuedToken:
        """The token behind ``value`` if it is valid now; else 601 (unknown or absent) or 602 (expired)."""
        if not value:
            # What Marketo answers with no token at all is unverified (§1); 601 is the closest documented code.
            raise MarketoError("601", "Access token invalid")
        with self._lock:
            token = self._by_value.get(value)
        if token is None:
            raise MarketoError("601", "Access token invalid")
        if token.expires_at <= now:
            raise MarketoError("602", "Access token expired")
        return token

    def expire_all(self, now: datetime) -> int:
        """Fault injection: every live token expires now; returns how many did."""
        with self._lock:
            live = [token for token in self._by_value.values() if token.expires_at > now]
            for token in live:
                token.expires_at = now
            return len(live)
