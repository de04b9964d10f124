"""Builders for Salesforce sandbox tests: a small org, a TLS server on loopback, simple-salesforce clients.

simple-salesforce builds ``https://`` URLs for every REST call and posts JWT logins to the fixed host
``https://login.salesforce.com``. The library stays unmodified: the sandbox serves HTTPS with a generated
CA that the ``requests.Session`` trusts, and ``LoopbackSession`` plays the part of DNS by sending requests
for ``*.salesforce.com`` to the sandbox's login URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt
import requests
from simple_salesforce import Salesforce

from sandbox.salesforce import SalesforceState, connected_app_key_pair, create_app, tls_material
from sandbox.salesforce.keys import KeyPair, TlsMaterial
from tests.support.servers import serve_app

CONSUMER_KEY = "3MVG9sandbox.consumer.key"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class Org:
    """A seeded org and the names tests refer to."""

    state: SalesforceState
    key_pair: KeyPair
    username: str
    ann: str
    bob: str
    emea_queue: str
    fallback_queue: str
    rule_id: str


_KEY_PAIR: KeyPair | None = None
_TLS: TlsMaterial | None = None


def shared_key_pair() -> KeyPair:
    """RSA key generation is slow: one key pair serves every test of the session."""
    global _KEY_PAIR
    if _KEY_PAIR is None:
        _KEY_PAIR = connected_app_key_pair()
    return _KEY_PAIR


def an_org(clock: Any = None, **state_options: Any) -> Org:
    """Two reps, two queues, a lead rule (DE/AT → Ann, US → Bob, else the fallback queue), a connected app."""
    state = SalesforceState(clock=clock, **state_options) if clock else SalesforceState(**state_options)
    key_pair = shared_key_pair()
    integration = state.add_user("Integration", first_name="Handoff", email="handoff@sandbox.example")
    state.set_integration_user(integration)
    ann = state.add_user("Rep", first_name="Ann", time_zone="Europe/Berlin")
    bob = state.add_user("Seller", first_name="Bob", manager_id=ann)
    emea = state.add_queue("EMEA Inbound", members=[ann])
    fallback = state.add_queue("Unassigned Leads", members=[bob])
    rule_id = state.set_lead_assignment_rule(
        [({"Country": ["DE", "AT"]}, ann), ({"Country": "US"}, bob)], default_owner=fallback
    )
    state.add_connected_app(CONSUMER_KEY, key_pair.certificate_pem)
    username = state.get(integration)["Username"]  # type: ignore[index]
    return Org(state, key_pair, username, ann, bob, emea, fallback, rule_id)


@dataclass
class TlsServer:
    base_url: str
    ca_file: str


@contextmanager
def https_server(app: Any, directory: Path) -> Iterator[TlsServer]:
    """Serve ``app`` over HTTPS on 127.0.0.1 with a generated CA (one per test session: RSA keys are slow)."""
    global _TLS
    if _TLS is None:
        _TLS = tls_material()
    material = _TLS
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server-key.pem",
    )
    ca_file.write_text(material.ca_certificate_pem)
    cert_file.write_text(material.server_certificate_pem)
    key_file.write_text(material.server_private_key_pem)
    with serve_app(
        app, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file), timeout_graceful_shutdown=2
    ) as base_url:
        yield TlsServer(base_url, str(ca_file))


@contextmanager
def org_server(org: Org, directory: Path) -> Iterator[TlsServer]:
    app = create_app(org.state)
    with https_server(app, directory) as server:
        org.state.settings.instance_url = server.base_url
        org.state.settings.login_url = server.base_url
        yield server


class LoopbackSession(requests.Session):
    """A ``requests.Session`` whose idea of DNS sends ``https://*.salesforce.com`` to the sandbox."""

    def __init__(self, sandbox_url: str, ca_file: str) -> None:
        super().__init__()
        # The environment's CA bundle and proxies would override ``verify`` and miss loopback.
        self.trust_env = False
        self.verify = ca_file
        self._target = urlsplit(sandbox_url)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(url if isinstance(url, str) else url.decode())
        if parts.hostname and parts.hostname.endswith(".salesforce.com"):
            url = urlunsplit(
                (self._target.scheme, self._target.netloc, parts.path, parts.query, parts.fragment)
            )
        return super().request(method, url, *args, **kwargs)


def jwt_client(org: Org, server: TlsServer, tmp_path: Path, private_key_pem: str | None = None) -> Salesforce:
    """simple-salesforce logging in with the JWT bearer flow, exactly as an integration would."""
    key_file = tmp_path / "connected-app.key"
    key_file.write_text(private_key_pem or org.key_pair.private_key_pem)
    return Salesforce(
        username=org.username,
        consumer_key=CONSUMER_KEY,
        privatekey_file=str(key_file),
        session=LoopbackSession(server.base_url, server.ca_file),
    )


def assertion(org: Org, *, now: datetime | None = None, key_pem: str | None = None, **claims: Any) -> str:
    """A JWT bearer assertion; claims default to valid ones and can be overridden or removed (None)."""
    issued = (now.timestamp() if now else time.time()) + 180
    payload: dict[str, Any] = {
        "iss": CONSUMER_KEY,
        "sub": org.username,
        "aud": "https://login.salesforce.com",
        "exp": str(int(issued)),
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key_pem or org.key_pair.private_key_pem, algorithm="RS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def rest_client(org: Org, **app_options: Any) -> Iterator[httpx.Client]:
    """An httpx client on plain HTTP loopback, logged in through the JWT bearer flow."""
    with (
        serve_app(create_app(org.state, **app_options)) as base_url,
        httpx.Client(base_url=base_url, timeout=30, trust_env=False) as client,
    ):
        now = org.state.clock()
        reply = client.post(
            "/services/oauth2/token", data={"grant_type": JWT_GRANT, "assertion": assertion(org, now=now)}
        )
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
        yield client
