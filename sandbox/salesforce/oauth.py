"""``POST /services/oauth2/token``: the JWT bearer flow and the client credentials flow.

Reference §1a: the assertion is RS256-signed with the connected app's key; ``iss`` is the consumer key,
``sub`` (or legacy ``prn``) the username, ``aud`` the login or test host (not My Domain), ``exp`` epoch
seconds given as a number *or a string* (simple-salesforce sends a string). Errors are ``400`` with
``{"error","error_description"}``: ``invalid_client_id`` "client identifier invalid", ``invalid_grant``
"invalid assertion" / "audience is invalid" / "expired authorization code" / "user hasn't approved this
consumer", ``unsupported_grant_type``. Success has exactly five fields. Reference §1b: client
credentials takes the id and secret in the body or HTTP Basic, runs as the app's Run As user, is refused
on the login hosts ("request not supported on this domain") and adds ``signature``, ``token_format`` and
``issued_at``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox.salesforce.rest import json_response
from sandbox.salesforce.state import SalesforceState

router = APIRouter()

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
STANDARD_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
CLOCK_SKEW_SECONDS = 180


@dataclass
class OAuthError(Exception):
    error: str
    description: str


def public_key_of(pem: str) -> RSAPublicKey:
    """The RSA key in a connected app's X.509 certificate (or a bare public key PEM)."""
    data = pem.encode()
    key = (
        x509.load_pem_x509_certificate(data).public_key()
        if b"CERTIFICATE" in data
        else load_pem_public_key(data)
    )
    if not isinstance(key, RSAPublicKey):
        raise ValueError("a connected app certificate must hold an RSA key")
    return key


def verify_assertion(
    state: SalesforceState, assertion: str, now: datetime, audiences: tuple[str, ...]
) -> str:
    """Check a JWT bearer assertion against the org; return the user id to run as, or raise ``OAuthError``."""
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    app = state.connected_apps.get(str(claims.get("iss")))
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if header.get("alg") != "RS256":
        raise OAuthError("invalid_grant", "invalid assertion")
    try:
        jwt.decode(
            assertion,
            public_key_of(app.certificate_pem),
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "verify_iat": False, "verify_nbf": False},
        )
    except (jwt.PyJWTError, ValueError):
        raise OAuthError("invalid_grant", "invalid assertion") from None
    audience = claims.get("aud")
    audience_list = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(a, str) and a.rstrip("/") in audiences for a in audience_list):
        raise OAuthError("invalid_grant", "audience is invalid")
    expiry = claims.get("exp")
    try:
        expires_at = float(expiry)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if expires_at + CLOCK_SKEW_SECONDS < now.timestamp():
        raise OAuthError("invalid_grant", "expired authorization code")
    username = claims.get("sub") or claims.get("prn")
    user = state.user_by_username(str(username)) if username else None
    if user is None or not app.authorises(user["Id"]):
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    if not user.get("IsActive"):
        raise OAuthError("invalid_grant", "user is inactive")
    return user["Id"]


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id, secret


def _error(error: OAuthError) -> Response:
    return json_response({"error": error.error, "error_description": error.description}, 400)


@router.post("/services/oauth2/token")
async def token(request: Request) -> Response:
    state: SalesforceState = request.app.state.salesforce
    form = await request.form()
    grant_type = str(form.get("grant_type") or "")
    base_url = str(request.base_url).rstrip("/")
    instance_url = state.instance_url(base_url)
    login_url = (state.settings.login_url or base_url).rstrip("/")
    now = state.clock()
    try:
        if grant_type == JWT_GRANT:
            audiences = (*STANDARD_AUDIENCES, login_url)
            user_id = verify_assertion(state, str(form.get("assertion") or ""), now, audiences)
            token_value = state.sessions.issue(state.org_id, user_id, "jwt", now, "jwt-bearer")
            return json_response(
                {
                    "access_token": token_value,
                    "scope": "web api",
                    "instance_url": instance_url,
                    "id": f"{login_url}/id/{state.org_id}/{user_id}",
                    "token_type": "Bearer",
                }
            )
        if grant_type == "client_credentials":
            return _client_credentials(request, state, form, instance_url, login_url, now)
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    except OAuthError as error:
        return _error(error)


def _client_credentials(
    request: Request, state: SalesforceState, form: object, instance_url: str, login_url: str, now: datetime
) -> Response:
    if request.url.hostname in state.settings.login_hosts:
        raise OAuthError("invalid_grant", "request not supported on this domain")
    credentials = _basic_credentials(request)
    if credentials is None:
        client_id = str(form.get("client_id") or "")  # type: ignore[attr-defined]
        secret = str(form.get("client_secret") or "")  # type: ignore[attr-defined]
    else:
        client_id, secret = credentials
    app = state.client_credentials_apps.get(client_id)
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(app.client_secret.encode(), secret.encode()):
        raise OAuthError("invalid_client", "invalid client credentials")
    user = state.store.live(app.run_as_user_id)
    if user is None or not user.get("IsActive"):
        raise OAuthError("invalid_grant", "user is inactive")
    token_value = state.sessions.issue(state.org_id, app.run_as_user_id, app.name, now, "client-credentials")
    identity = f"{login_url}/id/{state.org_id}/{app.run_as_user_id}"
    issued_at = str(int(now.timestamp() * 1000))
    # Salesforce signs id + issued_at with the consumer secret so a client can check the reply.
    digest = hmac.new(app.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    return json_response(
        {
            "access_token": token_value,
            "signature": base64.b64encode(digest).decode(),
            "token_format": "opaque",
            "instance_url": instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
    )


@router.get("/id/{org_id}/{user_id}")
def identity(org_id: str, user_id: str, request: Request) -> Response:
    """The identity URL from the token reply: who the session runs as."""
    from sandbox.salesforce.middleware import bearer_token

    state: SalesforceState = request.app.state.salesforce
    session = state.sessions.validate(bearer_token(list(request.headers.raw)), state.clock())
    user = state.store.live(user_id) if session is not None else None
    if session is None or user is None or session.user_id != user["Id"] or org_id != state.org_id:
        return json_response("Bad_OAuth_Token", 403)
    return json_response(
        {
            "id": str(request.url),
            "user_id": user["Id"],
            "organization_id": state.org_id,
            "username": user.get("Username"),
            "display_name": user.get("Name"),
            "email": user.get("Email"),
            "active": user.get("IsActive"),
            "timezone": user.get("TimeZoneSidKey"),
            "user_type": "STANDARD",
        }
    )
