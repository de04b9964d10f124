"""``run()`` (behind ``handoff sandbox marketo``) serves at the root and writes the credentials file."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sandbox.marketo import run

    def seed(state):
        state.people.create({"email": "seeded@acme.com", "lastName": "Seed"})

    run("127.0.0.1", 0, credentials_out=Path(sys.argv[1]), seed=seed, log_level="warning")
    """
)


def test_run_writes_credentials_with_the_bound_port_and_serves_the_seeded_instance(tmp_path: Path):
    credentials = tmp_path / "creds" / "marketo.json"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(credentials)], cwd=Path.cwd(), stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while not credentials.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        document = json.loads(credentials.read_text())
        assert set(document) == {"base_url", "munchkin_id", "client_id", "client_secret"}
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        with httpx.Client(base_url=document["base_url"], timeout=10) as http:
            token = None
            while token is None and time.monotonic() < deadline:
                try:
                    token = http.get(
                        "/identity/oauth/token",
                        params={
                            "grant_type": "client_credentials",
                            "client_id": document["client_id"],
                            "client_secret": document["client_secret"],
                        },
                    ).json()["access_token"]
                except httpx.ConnectError:
                    time.sleep(0.05)
            found = http.get(
                "/rest/v1/leads.json",
                params={"filterType": "email", "filterValues": "seeded@acme.com"},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
        assert [lead["email"] for lead in found["result"]] == ["seeded@acme.com"]
        assert document["base_url"].startswith("http://127.0.0.1:") and not document["base_url"].endswith(
            ":0"
        )
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert document["client_secret"].encode() not in stderr
