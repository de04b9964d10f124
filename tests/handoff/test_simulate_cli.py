"""`handoff simulate` replays stored handoffs through a proposed config and refuses a broken one with paths."""

from __future__ import annotations

from typer.testing import CliRunner

from handoff.cli import app
from handoff.db import make_db_engine, upgrade

runner = CliRunner()


def migrated(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'sim.sqlite'}"
    upgrade(make_db_engine(url))
    return url


def test_simulate_reports_on_an_empty_history(tmp_path):
    url = migrated(tmp_path)
    config = tmp_path / "proposed.yaml"
    config.write_text(
        "routing:\n  required_fields: [email, company]\n  score: {thresholds: {leadScore: 80}}\n"
    )
    result = runner.invoke(
        app, ["simulate", "--config", str(config), "--since", "7d"], env={"HANDOFF_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert "Replayed 0 handoffs" in result.output and "nothing was written" in result.output


def test_simulate_refuses_a_config_with_errors_and_their_paths(tmp_path):
    url = migrated(tmp_path)
    config = tmp_path / "broken.yaml"
    config.write_text("routing:\n  required_fields: [no_such_field]\n")
    result = runner.invoke(app, ["simulate", "--config", str(config)], env={"HANDOFF_DATABASE_URL": url})
    assert result.exit_code == 2
    assert "routing.required_fields[0]" in result.output


def test_simulate_refuses_a_bad_window(tmp_path):
    config = tmp_path / "p.yaml"
    config.write_text("routing: {}\n")
    result = runner.invoke(app, ["simulate", "--config", str(config), "--since", "forever"])
    assert result.exit_code == 1 and "--since" in result.output
