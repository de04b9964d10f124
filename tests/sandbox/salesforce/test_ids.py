"""Record ids: the checksum vectors of reference §2, case recovery, and minted ids."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.salesforce import ids

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("id15", "id18"),
    [
        ("00558000001N0Ke", "00558000001N0KeAAK"),
        ("001D000000IRFma", "001D000000IRFmaIAH"),
        ("003RO0000035WQg", "003RO0000035WQgYAM"),
    ],
)
def test_reference_vectors(id15: str, id18: str) -> None:
    assert ids.to18(id15) == id18
    assert ids.to18(id18) == id18


def test_an_18_character_id_is_case_insensitive() -> None:
    assert ids.to18("001d000000irfmaiah") == "001D000000IRFmaIAH"


@pytest.mark.parametrize(
    "value", ["", "abc", "00Q5g000000G2vd!", "00Q5g000000G2vdEA", "00Q5g000000G2vdEA9", 42]
)
def test_anything_else_is_not_an_id(value: object) -> None:
    assert not ids.is_id_shaped(value)
    if isinstance(value, str):
        assert ids.normalise(value) is None


@given(st.text(alphabet=ALNUM, min_size=15, max_size=15))
def test_the_suffix_recovers_the_case_of_any_id(id15: str) -> None:
    id18 = ids.to18(id15)
    assert id18[:15] == id15
    assert ids.to18(id18.lower()) == id18
    assert ids.to18(id18.upper()) == id18


def test_minted_ids_carry_the_object_key_prefix_and_are_unique() -> None:
    factory = ids.IdFactory()
    minted = [factory.for_object(name) for name in ("Lead", "Lead", "User", "Group", "AssignmentRule")]
    assert [value[:3] for value in minted] == ["00Q", "00Q", "005", "00G", "01Q"]
    assert len(set(minted)) == len(minted)
    assert all(ids.to18(value) == value for value in minted)
    assert ids.object_of(minted[0]) == "Lead"


def test_the_same_seed_mints_the_same_ids() -> None:
    assert ids.IdFactory().for_object("Lead") == ids.IdFactory().for_object("Lead")
