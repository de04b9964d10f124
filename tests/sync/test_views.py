"""Dead letters over the API (ops role): list, show, replay with the same key, discard; and the status."""

from __future__ import annotations

from sqlmodel import select

from dashboard.auth import UserService
from sync.models import DeadLetter, InboxItem, OutboxMessage
from sync.outbox import enqueue


def token_for(runtime, username: str, role: str) -> dict[str, str]:
    with runtime.session_factory() as session:
        users = UserService(session, runtime.clock)
        users.add(username, "correct horse battery", role)
        token = users.issue_token(username, "tests")
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def a_dead_outbox_message(runtime) -> int:
    now = runtime.clock()
    with runtime.session_factory() as session:
        message_id, _ = enqueue(
            session,
            target="salesforce",
            operation="salesforce.route_lead",
            idempotency_key="route:7",
            payload={"handoff_id": 7, "lead_fields": {"LastName": "Lee"}},
            now=now,
        )
        message = session.get(OutboxMessage, message_id)
        message.status, message.attempts = "dead", 1
        letter = DeadLetter(
            origin="outbox",
            origin_id=message_id,
            operation="salesforce.route_lead",
            idempotency_key="route:7",
            payload={
                "target": "salesforce",
                "operation": "salesforce.route_lead",
                "payload": message.payload,
            },
            error_class="permanent",
            error="Required fields are missing: [Company] (code=REQUIRED_FIELD_MISSING)",
            attempts=1,
            created_at=now,
        )
        session.add_all([message, letter])
        session.commit()
        return letter.id


def test_ops_list_show_and_replay_a_dead_letter(client, runtime):
    ops = token_for(runtime, "olga", "ops")
    letter_id = a_dead_outbox_message(runtime)
    listed = client.get("/api/sync/dead-letters", headers=ops).json()
    assert [(d["id"], d["operation"], d["error_class"]) for d in listed] == [
        (letter_id, "salesforce.route_lead", "permanent")
    ]
    detail = client.get(f"/api/sync/dead-letters/{letter_id}", headers=ops).json()
    assert detail["payload"]["payload"]["lead_fields"] == {"LastName": "Lee"}
    assert "REQUIRED_FIELD_MISSING" in detail["error"]
    replayed = client.post(f"/api/sync/dead-letters/{letter_id}/replay", headers=ops).json()
    assert (replayed["status"], replayed["resolved_by"]) == ("replayed", "olga")
    with runtime.session_factory() as session:
        message = session.exec(select(OutboxMessage)).one()
        assert (message.status, message.attempts, message.idempotency_key) == ("pending", 0, "route:7")
    again = client.post(f"/api/sync/dead-letters/{letter_id}/replay", headers=ops)
    assert again.status_code == 409 and "already replayed" in again.json()["detail"]
    assert client.get("/api/sync/dead-letters", headers=ops).json() == []
    assert len(client.get("/api/sync/dead-letters?status=all", headers=ops).json()) == 1


def test_discard_and_unknown_ids(client, runtime):
    ops = token_for(runtime, "olga", "ops")
    letter_id = a_dead_outbox_message(runtime)
    discarded = client.post(f"/api/sync/dead-letters/{letter_id}/discard", headers=ops).json()
    assert discarded["status"] == "discarded"
    assert client.get("/api/sync/dead-letters/999", headers=ops).status_code == 404
    assert client.post("/api/sync/dead-letters/999/replay", headers=ops).status_code == 404


def test_viewers_and_anonymous_callers_are_refused(client, runtime):
    viewer = token_for(runtime, "vic", "viewer")
    assert client.get("/api/sync/dead-letters").status_code == 401
    assert client.get("/api/sync/dead-letters", headers=viewer).status_code == 403
    assert client.get("/api/sync/status", headers=viewer).status_code == 403


def test_status_counts_the_queues(client, runtime):
    ops = token_for(runtime, "olga", "ops")
    a_dead_outbox_message(runtime)
    with runtime.session_factory() as session:
        session.add(
            InboxItem(
                source="s",
                kind="k",
                natural_key="1",
                received_at=runtime.clock(),
                next_attempt_at=runtime.clock(),
            )
        )
        session.commit()
    status = client.get("/api/sync/status", headers=ops).json()
    assert status["inbox"] == {"pending": 1}
    assert status["outbox"] == {"dead": 1}
    assert status["open_dead_letters"] == 1
