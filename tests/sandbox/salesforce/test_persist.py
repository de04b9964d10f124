"""Persistence: an org written to SQLite comes back with its records, configuration and sessions."""

from __future__ import annotations

from pathlib import Path

from handoff.clock import ManualClock
from sandbox.salesforce import Criterion, DuplicateRule, SalesforceState
from sandbox.salesforce.persist import OrgFile


def test_an_org_comes_back_from_its_file(tmp_path: Path, clock: ManualClock) -> None:
    state = SalesforceState(clock=clock)
    rep = state.add_user("Rep", first_name="Ann")
    queue = state.add_queue("Inbound", members=[rep])
    state.set_lead_assignment_rule(
        [([Criterion("Country", "equals", ["DE", "AT"])], rep)], default_owner=queue
    )
    state.set_duplicate_rule(DuplicateRule(fields=("Email", "Company")))
    action_id = state.add_outbound_message(
        "Lead", "https://receiver.example/om", ["Email"], criteria={"IsConverted": True}
    )
    state.define_field("Lead", "Marketo_Id__c", external_id=True)
    state.add_connected_app("consumer", "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n")
    token = state.sessions.issue(state.org_id, rep, "jwt", clock(), "jwt-bearer")
    org_file = OrgFile(tmp_path / "org.sqlite")
    org_file.attach(state)
    lead_id = state.add_lead({"LastName": "Kept", "Company": "Acme", "Marketo_Id__c": "7"})
    state.update(lead_id, {"Title": "CTO"})
    org_file.save_meta(state)
    org_file.close()

    restored = SalesforceState(clock=clock)
    reopened = OrgFile(tmp_path / "org.sqlite")
    assert reopened.has_org()
    reopened.load_into(restored)

    assert restored.org_id == state.org_id
    assert restored.get(lead_id) == state.get(lead_id)
    assert restored.queue_members(queue) == [rep]
    assert restored.sessions.validate(token, clock()) is not None
    assert restored.duplicate_rule == DuplicateRule(fields=("Email", "Company"))
    assert restored.outbound_configs[action_id].matches({"IsConverted": True})
    assert "consumer" in restored.connected_apps
    new_lead = restored.add_lead({"LastName": "New", "Company": "GmbH", "Country": "AT"}, auto_assign=True)
    assert restored.get(new_lead)["OwnerId"] == rep  # type: ignore[index]
    fallback = restored.add_lead({"LastName": "Else", "Company": "SA", "Country": "FR"}, auto_assign=True)
    assert restored.get(fallback)["OwnerId"] == queue  # type: ignore[index]
    assert new_lead not in {lead_id, fallback}
