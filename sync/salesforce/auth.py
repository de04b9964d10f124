"""Salesforce OAuth: JWT bearer (RS256, no secret) or client credentials, with one cached token.

Reference/salesforce.md §1. The token reply has no ``expires_in`` (the session times out after inactivity),
so the token is kept until Salesforce says ``401 INVALID_SESSION_ID``; the client then calls
``invalidate`` and mints a new one. Secrets (the private key, the client secret) stay inside this module:
they are never part of a message, a log line or a ``repr``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pydantic import SecretStr

from handoff.clock import Clock, utcnow
from sync.errors import AuthError, RetryableError
from sync.salesforce.errors import SYSTEM, transport_error
from sync.salesforce.metrics import TOKENS

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# "exp within 3 minutes" (§1a); sent as an int, which Salesforce and the emulator accept.
JWT_LIFETIME_SECONDS = 180

# The documented token endpoint errors (§1a, §11) and what an operator has to do about each.
_ADVICE = {
    "user hasn't approved this consumer": (
        "pre-authorize the connected app for the integration user (profile or permission set under "
        "'Admin approved users are pre-authorized'), and check that the login host matches the org"
    ),
    "audience is invalid": (
        "the JWT 'aud' must be https://login.salesforce.com (production) or https://test.salesforce.com "
        "(sandbox), never the My Domain URL"
    ),
    "invalid assertion": "the JWT signature does not match the certificate uploaded to the connected app",
    "expired authorization code": "the JWT 'exp' is in the past: check the server clock",
    "client identifier invalid": (
        "unknown consumer key; after editing the connected app Salesforce needs 2-10 minutes to accept it"
    ),
    "request not supported on this domain": (
        "the client-credentials flow only works on the My Domain host: set salesforce.instance_url"
    ),
    "grant type not supported": "wrong grant_type, or the token URL is http instead of https",
    "invalid client credentials": "the client secret is wrong",
}


def load_private_key(pem: str | SecretStr) -> RSAPrivateKey:
    """Parse the connected app's PEM key once, so a bad key fails at start-up rather than on first use."""
    text = pem.get_secret_value() if isinstance(pem, SecretStr) else pem
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            "the Salesforce private key is not an unencrypted PEM private key "
            "(set HANDOFF_SALESFORCE_PRIVATE_KEY or HANDOFF_SALESFORCE_PRIVATE_KEY_FILE)"
        ) from exc
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(
            "the Salesforce private key must be an RSA key: the JWT bearer flow only accepts RS256"
        )
    return key


@dataclass(frozen=True)
class SalesforceToken:
    access_token: str = field(repr=False)
    instance_url: str
    identity_url: str | None = None


@dataclass(frozen=True)
class JwtBearer:
    """Server-to-server login as ``username`` with a certificate; no secret travels (§1a)."""

    consumer_key: str
    username: str
    private_key: RSAPrivateKey = field(repr=False)
    audience: str
    kind: Literal["jwt"] = "jwt"

    def form(self, clock: Clock) -> dict[str, str]:
        now = int(clock().timestamp())
        claims = {
            "iss": self.consumer_key,
            "sub": self.username,
            "aud": self.audience,
            "exp": now + JWT_LIFETIME_SECONDS,
        }
        assertion = jwt.encode(claims, self.private_key, algorithm="RS256")
        return {"grant_type": JWT_GRANT, "assertion": assertion}


@dataclass(frozen=True)
class ClientCredentials:
    """The connected app's Run As user; works only against the My Domain host (§1b)."""

    client_id: str
    client_secret: SecretStr = field(repr=False)
    kind: Literal["client_credentials"] = "client_credentials"

    def form(self, clock: Clock) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
        }


def token_error(status: int, body: bytes) -> AuthError | RetryableError:
    """One clear sentence for a failed token request, with the operator's next step when we know it."""
    if status >= 500:
        return RetryableError(
            f"Salesforce token endpoint unavailable (HTTP {status})", code=f"HTTP_{status}", system=SYSTEM
        )
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("error"), str):
        return AuthError(
            f"Salesforce token endpoint answered HTTP {status} without an OAuth error body",
            code=f"HTTP_{status}",
            system=SYSTEM,
        )
    error = parsed["error"]
    description = str(parsed.get("error_description") or "")
    advice = next((text for key, text in _ADVICE.items() if key in description.lower()), None)
    message = f"Salesforce refused the login: {error}: {description}"
    if advice:
        message += f" — {advice}"
    return AuthError(message, code=error, system=SYSTEM)


class TokenSource:
    """Fetches and caches one access token; concurrent callers share a single token request."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        grant: JwtBearer | ClientCredentials,
        *,
        clock: Clock = utcnow,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._grant = grant
        self._clock = clock
        self._token: SalesforceToken | None = None
        self._lock = asyncio.Lock()
        self.tokens_minted = 0

    async def token(self) -> SalesforceToken:
        if self._token is not None:
            return self._token
        async with self._lock:
            if self._token is None:
                self._token = await self._mint()
            return self._token

    def invalidate(self, stale: SalesforceToken) -> None:
        """Forget ``stale`` unless another caller has already replaced it."""
        if self._token is stale:
            self._token = None

    async def _mint(self) -> SalesforceToken:
        try:
            response = await self._http.post(self._token_url, data=self._grant.form(self._clock))
        except httpx.TransportError as exc:
            raise transport_error(exc, context="token endpoint") from exc
        if response.status_code != 200:
            raise token_error(response.status_code, response.content)
        try:
            body = response.json()
            token = SalesforceToken(
                access_token=str(body["access_token"]),
                instance_url=str(body["instance_url"]).rstrip("/"),
                identity_url=body.get("id"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError(
                "Salesforce token endpoint answered 200 without access_token and instance_url",
                code="INVALID_TOKEN_REPLY",
                system=SYSTEM,
            ) from exc
        self.tokens_minted += 1
        TOKENS.labels(self._grant.kind).inc()
        return token
