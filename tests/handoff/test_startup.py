"""Start-up refuses bad situations with one clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from handoff.db import make_db_engine, upgrade
from tests.support.servers import free_port


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    full_env.pop("HANDOFF_CONFIG_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "handoff", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_unreachable_database_names_the_problem_and_the_fix(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/handoff"
    result = run_cli(
        "serve",
        "--port",
        str(free_port()),
        env={"HANDOFF_DATABASE_URL": url, "HANDOFF_DATA_DIR": str(tmp_path)},
    )
    assert_clean_failure(result, "cannot open the database", "HANDOFF_DATABASE_URL")


def test_migrations_behind_says_run_db_upgrade(tmp_path):
    env = {
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'behind.sqlite'}",
        "HANDOFF_MIGRATE_ON_START": "false",
        "HANDOFF_DATA_DIR": str(tmp_path),
    }
    result = run_cli("serve", "--port", str(free_port()), env=env)
    assert_clean_failure(result, "Run: handoff db upgrade")


def test_invalid_config_lists_its_errors(tmp_path):
    config = tmp_path / "handoff.yaml"
    config.write_text("routing:\n  segments:\n    - {name: a, sla: gold}\n")
    env = {"HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "HANDOFF_DATA_DIR": str(tmp_path)}
    result = run_cli("--config", str(config), "serve", "--port", str(free_port()), env=env)
    assert_clean_failure(result, 'routing.segments[0].sla: unknown policy "gold"', "handoff config check")


@pytest.mark.storage
def test_db_upgrade_command_reports_the_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    result = run_cli("db", "upgrade", env={"HANDOFF_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    engine = make_db_engine(url)
    assert upgrade(engine).is_current


def test_serve_starts_migrates_and_answers(tmp_path):
    import time

    import httpx

    port = free_port()
    env = {
        **os.environ,
        "HANDOFF_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
        "HANDOFF_DATA_DIR": str(tmp_path),
        "HANDOFF_RUN_SCHEDULER": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert ready is not None and ready.status_code == 200, process.stderr.read() if process.poll() else ""
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json()["status"] == "alive"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    for line in stderr.splitlines():
        if line.startswith("{"):
            assert json.loads(line)["level"] in {"info", "warning", "debug"}
