"""`handoff config check` reports every error with its path and exits 2; `config schema` is valid JSON."""

from __future__ import annotations

import json
import textwrap

from typer.testing import CliRunner

from handoff.cli import app

runner = CliRunner()

VALID = """
marketo:
  base_url: https://284-RPR-133.mktorest.com
  client_id: 8a4e1b3c-client
salesforce:
  consumer_key: 3MVG9-consumer
  username: integration@acme.example
sla:
  policies:
    tier_a: {first_touch_minutes: 5}
routing:
  segments:
    - {name: enterprise, sla: tier_a}
"""


def check(tmp_path, text):
    path = tmp_path / "handoff.yaml"
    path.write_text(textwrap.dedent(text))
    return runner.invoke(app, ["config", "check", str(path)])


def test_valid_config_passes(tmp_path):
    result = check(tmp_path, VALID)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_every_error_is_reported_with_its_path(tmp_path):
    result = check(
        tmp_path,
        """
        marketo:
          base_url: not a url
          client_id: x
          client_secret: do-not-put-me-here
        sync:
          pollers: {marketo_activities_seconds: -5}
        routing:
          segments:
            - {name: a, sla: tier_a}
            - {name: b}
            - {name: c, sla: gold}
        sla:
          policies:
            tier_a: {first_touch_minutes: 5}
        surprise: true
        """,
    )
    assert result.exit_code == 2
    out = result.output
    assert "marketo.client_secret: secrets are not allowed in the config file" in out
    assert "marketo.base_url:" in out
    assert "sync.pollers.marketo_activities_seconds:" in out
    assert "surprise: unknown section" in out


def test_cross_reference_error_names_the_unknown_policy(tmp_path):
    result = check(
        tmp_path,
        """
        sla:
          policies:
            tier_a: {first_touch_minutes: 5}
        routing:
          segments:
            - {name: a, sla: tier_a}
            - {name: b, sla: tier_a}
            - {name: c, sla: gold}
        """,
    )
    assert result.exit_code == 2
    assert 'routing.segments[2].sla: unknown policy "gold"' in result.output


def test_broken_yaml_and_missing_file_are_clear(tmp_path):
    result = check(tmp_path, "routing: [unclosed\n")
    assert result.exit_code == 2 and "not valid YAML at line" in result.output
    missing = runner.invoke(app, ["config", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_schema_is_json_schema_of_every_section():
    result = runner.invoke(app, ["config", "schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "handoff.yaml"
    assert {"salesforce", "marketo", "sync", "routing", "sla"} <= set(schema["properties"])
