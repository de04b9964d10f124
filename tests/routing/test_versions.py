"""Config versions: propose, activate, roll back, diff, and the compiled active config."""

from __future__ import annotations

import pytest
import yaml

from routing.versions import ActiveConfigCache, ConfigRejected, ConfigVersions, VersionNotFound
from tests.routing.support import config_data

V1 = yaml.safe_dump({"routing": config_data(), "sla": {"policies": {"gold": {"first_touch_minutes": 5}}}})
V2 = V1.replace("leadScore: 60", "leadScore: 70")


def test_a_proposal_is_stored_with_its_author_checksum_and_parent(session, clock):
    versions = ConfigVersions(session, clock)
    first = versions.propose(V1, "olga", "first")
    assert (first.status, first.author, first.comment, first.parent_id) == ("proposed", "olga", "first", None)
    assert len(first.checksum) == 64
    versions.activate(first.id)
    second = versions.propose(V2, "paul")
    assert second.parent_id == first.id
    assert versions.active().id == first.id


def test_an_invalid_document_is_refused_with_every_error_and_nothing_is_stored(session, clock):
    versions = ConfigVersions(session, clock)
    with pytest.raises(ConfigRejected) as raised:
        versions.propose(
            "routing: {hold_timeout_hours: 0, segments: [{name: a, target: {queue: nope}}]}", "olga"
        )
    assert {path for path, _ in raised.value.errors} == {
        "routing.segments[0].target.queue",
        "routing.hold_timeout_hours",
    }
    assert versions.list() == []


def test_the_composition_root_can_supply_the_full_validator(session, clock):
    def full(document):
        return [("routing.segments[0].sla", 'unknown policy "gold"')]

    with pytest.raises(ConfigRejected) as raised:
        ConfigVersions(session, clock, full).propose(V1, "olga")
    assert raised.value.errors == [("routing.segments[0].sla", 'unknown policy "gold"')]


def test_activating_retires_the_previous_version_so_one_is_active(session, clock):
    versions = ConfigVersions(session, clock)
    first = versions.activate(versions.propose(V1, "olga").id)
    clock.advance(minutes=5)
    second = versions.activate(versions.propose(V2, "paul").id)
    assert second.activated_at == clock()
    assert [v.status for v in versions.list()] == ["active", "retired"]
    assert versions.active().id == second.id
    assert first.status == "retired"


def test_rollback_is_a_new_version_carrying_the_previous_document(session, clock):
    versions = ConfigVersions(session, clock)
    first = versions.activate(versions.propose(V1, "olga").id)
    clock.advance(minutes=5)
    versions.activate(versions.propose(V2, "paul").id)
    clock.advance(minutes=5)
    rolled = versions.rollback("olga")
    assert rolled.status == "active"
    assert rolled.document == first.document
    assert rolled.comment == f"Rollback to version {first.id}"
    assert len(versions.list()) == 3
    assert versions.diff(rolled.id).changes[0].path == "routing.score.thresholds.leadScore"


def test_rollback_needs_somewhere_to_go(session, clock):
    versions = ConfigVersions(session, clock)
    with pytest.raises(VersionNotFound):
        versions.rollback("olga")
    versions.activate(versions.propose(V1, "olga").id)
    with pytest.raises(VersionNotFound, match="first one ever activated"):
        versions.rollback("olga")
    with pytest.raises(VersionNotFound):
        versions.rollback("olga", to_version_id=999)


def test_a_diff_lists_each_changed_path_and_a_unified_text_diff(session, clock):
    versions = ConfigVersions(session, clock)
    first = versions.activate(versions.propose(V1, "olga").id)
    second = versions.propose(V2, "paul")
    diff = versions.diff(second.id)
    assert diff.from_id == first.id
    assert [(c.path, c.before, c.after) for c in diff.changes] == [
        ("routing.score.thresholds.leadScore", 60, 70)
    ]
    assert "-      leadScore: 60" in diff.text and "+      leadScore: 70" in diff.text
    assert versions.diff(first.id).from_id is None


def test_the_active_config_is_compiled_once_per_version(session, clock):
    versions = ConfigVersions(session, clock)
    cache = ActiveConfigCache()
    assert cache.get(session).version_id is None
    first = versions.activate(versions.propose(V1, "olga").id)
    active = cache.get(session)
    assert active.version_id == first.id
    assert cache.get(session) is active
    second = versions.activate(versions.propose(V2, "paul").id)
    assert cache.get(session).version_id == second.id
    assert cache.get(session).config.score.thresholds == {"leadScore": 70}
