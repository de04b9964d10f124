"""``run``: the sandbox as a process with TLS, a credentials file and a SQLite file that survives restarts."""

from __future__ import annotations

import gc
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from simple_salesforce import Salesforce

from sandbox.salesforce import SalesforceState, run
from tests.sandbox.salesforce.support import LoopbackSession
from tests.support.servers import free_port


def seed_world(state: SalesforceState) -> None:
    rep = state.add_user("Rep", first_name="Ann", email="ann@sandbox.example")
    queue = state.add_queue("Unassigned Leads")
    state.set_lead_assignment_rule([(lambda lead: lead.get("Country") == "DE", rep)], default_owner=queue)
    state.define_field("Lead", "Marketo_Id__c", external_id=True)


@contextmanager
def sandbox_process(tmp_path: Path, port: int) -> Iterator[dict[str, Any]]:
    """``run`` in a thread until the block ends; yields the credentials file's content once it answers."""
    credentials_file = tmp_path / "creds" / "salesforce.json"
    stop = threading.Event()
    options = {
        "tls": True,
        "credentials_out": credentials_file,
        "persist": tmp_path / "org.sqlite",
        "seed": seed_world,
    }
    thread = threading.Thread(
        target=run, args=("127.0.0.1", port), kwargs=options | {"stop": stop, "log_level": "warning"}
    )
    credentials_file.parent.mkdir(exist_ok=True)
    credentials_file.unlink(missing_ok=True)
    thread.start()
    deadline = time.monotonic() + 30
    credentials: dict[str, Any] | None = None
    while credentials is None:
        assert thread.is_alive() and time.monotonic() < deadline, "the sandbox did not start"
        if credentials_file.exists():
            candidate = json.loads(credentials_file.read_text())
            try:
                httpx.get(
                    f"{candidate['instance_url']}/services/data", verify=_trust(candidate), trust_env=False
                )
                credentials = candidate
            except httpx.TransportError:
                pass
        time.sleep(0.05)
    try:
        yield credentials
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive()


def _trust(credentials: dict[str, Any]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=credentials["ca_file"])


def client(credentials: dict[str, Any]) -> Salesforce:
    return Salesforce(
        username=credentials["username"],
        consumer_key=credentials["consumer_key"],
        privatekey_file=credentials["private_key_file"],
        version=credentials["api_version"],
        session=LoopbackSession(credentials["login_url"], credentials["ca_file"]),
    )


def test_the_credentials_file_has_everything_a_client_needs(tmp_path: Path) -> None:
    port = free_port()
    with sandbox_process(tmp_path, port) as credentials:
        assert set(credentials) == {
            "instance_url",
            "login_url",
            "consumer_key",
            "username",
            "private_key_file",
            "client_id",
            "client_secret",
            "organization_id",
            "api_version",
            "ca_file",
        }
        assert credentials["instance_url"] == f"https://127.0.0.1:{port}"
        assert credentials["login_url"] == f"https://localhost:{port}"
        assert credentials["organization_id"].startswith("00D") and len(credentials["organization_id"]) == 18
        assert Path(credentials["private_key_file"]).stat().st_mode & 0o077 == 0

        sf = client(credentials)
        lead_id = sf.Lead.create({"LastName": "Weber", "Company": "GmbH", "Country": "DE"})["id"]
        owner = sf.query(f"SELECT Owner.Name FROM Lead WHERE Id = '{lead_id}'")["records"][0]["Owner"]["Name"]
        assert owner == "Ann Rep"

        with httpx.Client(verify=_trust(credentials), trust_env=False) as http:
            form = {"grant_type": "client_credentials", "client_id": credentials["client_id"]}
            form["client_secret"] = credentials["client_secret"]
            on_instance = http.post(f"{credentials['instance_url']}/services/oauth2/token", data=form)
            assert on_instance.status_code == 200
            on_login = http.post(f"{credentials['login_url']}/services/oauth2/token", data=form)
            assert on_login.json()["error_description"] == "request not supported on this domain"
        gc.collect()
        sf.session.close()


def test_records_survive_a_restart_with_the_same_credentials(tmp_path: Path) -> None:
    port = free_port()
    with sandbox_process(tmp_path, port) as first:
        sf = client(first)
        sf.Lead.upsert("Marketo_Id__c/MKT-7", {"LastName": "Kept", "Company": "Persisted"})
        lead_id = sf.Lead.get_by_custom_id("Marketo_Id__c", "MKT-7")["Id"]
        gc.collect()
        sf.session.close()

    with sandbox_process(tmp_path, port) as second:
        assert second["consumer_key"] == first["consumer_key"]
        assert second["organization_id"] == first["organization_id"]
        sf = client(second)
        assert sf.Lead.get(lead_id)["Company"] == "Persisted"
        new_id = sf.Lead.create({"LastName": "After", "Company": "Restart", "Country": "DE"})["id"]
        assert new_id != lead_id
        assert (
            sf.query(f"SELECT Owner.Name FROM Lead WHERE Id = '{new_id}'")["records"][0]["Owner"]["Name"]
            == "Ann Rep"
        )
        gc.collect()
        sf.session.close()
