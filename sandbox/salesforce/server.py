"""``run``: serve the emulator as a process, for ``handoff sandbox salesforce`` and the demo.

It builds the org (from the world's ``seed``, from a persisted SQLite file, or both), makes sure a JWT
connected app (RSA key pair) and a client-credentials app exist, optionally generates a CA and a server
certificate for 127.0.0.1/localhost and serves HTTPS, writes the credentials file a client needs, and
runs uvicorn with Outbound Message delivery in the background. The instance URL uses ``127.0.0.1`` and
the login URL ``localhost`` (both covered by the certificate), so the login host behaves like
login.salesforce.com: client credentials are refused there, as on the real login host (§1b).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from handoff.clock import Clock, utcnow
from sandbox.salesforce.app import create_app
from sandbox.salesforce.keys import connected_app_key_pair, tls_material
from sandbox.salesforce.outbound_queue import OutboundPolicy
from sandbox.salesforce.persist import OrgFile
from sandbox.salesforce.state import SalesforceState

KEY_FILE = "salesforce-connected-app.key"
CERT_FILE = "salesforce-connected-app.crt"


@dataclass
class Credentials:
    instance_url: str
    login_url: str
    consumer_key: str
    username: str
    private_key_file: str
    client_id: str
    client_secret: str
    organization_id: str
    api_version: str
    ca_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        if data["ca_file"] is None:
            del data["ca_file"]
        return data


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _write_private(path: Path, text: str) -> None:
    path.write_text(text)
    os.chmod(path, 0o600)


def build_state(
    *,
    clock: Clock,
    persist: Path | None,
    seed: Callable[[SalesforceState], None] | None,
    daily_api_limit: int,
    outbound_time_scale: float,
) -> tuple[SalesforceState, OrgFile | None]:
    """The org to serve: seeded, restored from ``persist``, or both (seeded configuration, stored records)."""
    policy = OutboundPolicy(time_scale=outbound_time_scale)
    state = SalesforceState(clock=clock, daily_api_limit=daily_api_limit, outbound_policy=policy)
    org_file = OrgFile(persist) if persist is not None else None
    if org_file is not None and org_file.has_org():
        if seed is not None:
            seed(state)
        org_file.load_into(state, configuration=seed is None)
    elif seed is not None:
        seed(state)
    return state, org_file


def ensure_apps(state: SalesforceState, key_directory: Path) -> tuple[str, str, str, str]:
    """A JWT connected app whose private key is on disk, and a client-credentials app; returns their secrets."""
    key_file = key_directory / KEY_FILE
    app = next(iter(state.connected_apps.values()), None)
    if app is None or not key_file.exists():
        key_pair = connected_app_key_pair()
        _write_private(key_file, key_pair.private_key_pem)
        (key_directory / CERT_FILE).write_text(key_pair.certificate_pem)
        consumer_key = "3MVG9" + secrets.token_urlsafe(60).replace("-", ".").replace("_", ".")
        state.connected_apps.clear()
        app = state.add_connected_app(consumer_key, key_pair.certificate_pem)
    cc_app = next(iter(state.client_credentials_apps.values()), None)
    if cc_app is None:
        client_id = "3MVG9" + secrets.token_urlsafe(60).replace("-", ".").replace("_", ".")
        cc_app = state.add_client_credentials_app(client_id, secrets.token_hex(32))
    return app.consumer_key, str(key_file), cc_app.client_id, cc_app.client_secret


def run(
    host: str,
    port: int,
    *,
    tls: bool,
    credentials_out: Path | None,
    persist: Path | None,
    seed: Callable[[SalesforceState], None] | None,
    clock: Clock = utcnow,
    daily_api_limit: int = 15_000,
    outbound_time_scale: float = 1.0,
    api_version: str = "59.0",
    log_level: str = "info",
    stop: threading.Event | None = None,
) -> None:
    """Serve the sandbox until interrupted (or until ``stop`` is set); see the module docstring."""
    state, org_file = build_state(
        clock=clock,
        persist=persist,
        seed=seed,
        daily_api_limit=daily_api_limit,
        outbound_time_scale=outbound_time_scale,
    )
    state.settings.api_version = api_version
    if port == 0:
        port = _free_port(host)
    directory = (
        Path(credentials_out).resolve().parent
        if credentials_out
        else Path(tempfile.mkdtemp(prefix="sf-sandbox-"))
    )
    directory.mkdir(parents=True, exist_ok=True)
    consumer_key, key_file, client_id, client_secret = ensure_apps(state, directory)
    ssl_options: dict[str, str] = {}
    ca_file: str | None = None
    if tls:
        material = tls_material(("127.0.0.1", "localhost"))
        ca_path, cert_path, server_key = (
            directory / "sandbox-ca.pem",
            directory / "sandbox-server.pem",
            directory / "sandbox-server.key",
        )
        ca_path.write_text(material.ca_certificate_pem)
        cert_path.write_text(material.server_certificate_pem)
        _write_private(server_key, material.server_private_key_pem)
        ssl_options = {"ssl_certfile": str(cert_path), "ssl_keyfile": str(server_key)}
        ca_file = str(ca_path)
    scheme = "https" if tls else "http"
    state.settings.instance_url = f"{scheme}://127.0.0.1:{port}"
    state.settings.login_url = f"{scheme}://localhost:{port}"
    state.settings.login_hosts = {"localhost"}
    integration = state.get(state.integration_user_id) or {}
    credentials = Credentials(
        instance_url=state.settings.instance_url,
        login_url=state.settings.login_url,
        consumer_key=consumer_key,
        username=str(integration.get("Username")),
        private_key_file=key_file,
        client_id=client_id,
        client_secret=client_secret,
        organization_id=state.org_id,
        api_version=api_version,
        ca_file=ca_file,
    )
    if credentials_out is not None:
        _write_private(Path(credentials_out), json.dumps(credentials.to_json(), indent=2) + "\n")
    periodic: list[Callable[[], None]] = []
    if org_file is not None:
        org_file.attach(state)
        periodic.append(lambda: org_file.save_meta(state))
    app = create_app(state, run_outbound=True, periodic=periodic)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on", **ssl_options)
    )
    if stop is not None:
        threading.Thread(target=_stop_when_set, args=(stop, server), daemon=True).start()
    try:
        server.run()
    finally:
        app.state.outbound_sender.close()
        if org_file is not None:
            org_file.save_all(state)
            org_file.close()


def _stop_when_set(stop: threading.Event, server: uvicorn.Server) -> None:
    stop.wait()
    server.should_exit = True
