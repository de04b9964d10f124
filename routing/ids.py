"""Salesforce record ids: 15/18-character forms, checksums and key prefixes (reference/salesforce.md §2).

Config files name queues, users and assignment rules by id. A typo in an id would only show up when a
lead is routed, so the schema checks the shape here (length, characters, checksum, key prefix) and
normalises every id to its 18-character form, which is what the API returns and what we compare.
"""

from __future__ import annotations

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

# Key prefixes (reference/salesforce.md §2): 00G is both Group and Queue; 01Q is AssignmentRule.
PREFIX_LEAD = "00Q"
PREFIX_CONTACT = "003"
PREFIX_ACCOUNT = "001"
PREFIX_USER = "005"
PREFIX_QUEUE = "00G"
PREFIX_ASSIGNMENT_RULE = "01Q"

PREFIX_NAMES = {
    PREFIX_LEAD: "Lead",
    PREFIX_CONTACT: "Contact",
    PREFIX_ACCOUNT: "Account",
    PREFIX_USER: "User",
    PREFIX_QUEUE: "Queue",
    PREFIX_ASSIGNMENT_RULE: "AssignmentRule",
}


class InvalidSalesforceId(ValueError):
    """The text is not a well-formed Salesforce id (or not of the expected object)."""


def checksum_suffix(id15: str) -> str:
    """The 3-character suffix of an 18-char id: one char per 5-char chunk, bit i set when char i is A to Z."""
    suffix = []
    for start in (0, 5, 10):
        bits = 0
        for offset, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def _restore_case(id18: str) -> str:
    """18-char ids are case-insensitive: the suffix says which of the first 15 chars are upper case."""
    suffix = id18[15:].upper()
    chars = list(id18[:15].lower())
    for chunk, code in enumerate(suffix):
        bits = _SUFFIX_ALPHABET.find(code)
        if bits < 0:
            raise InvalidSalesforceId(f"{id18!r} has an invalid checksum suffix {id18[15:]!r}")
        for offset in range(5):
            if bits & (1 << offset):
                chars[chunk * 5 + offset] = chars[chunk * 5 + offset].upper()
    return "".join(chars)


def to_18(value: str) -> str:
    """Normalise a 15- or 18-char id to the canonical 18-char form; raise ``InvalidSalesforceId`` if malformed."""
    if not isinstance(value, str):
        raise InvalidSalesforceId(f"expected a Salesforce id (text), got {type(value).__name__}")
    text = value.strip()
    if len(text) not in (15, 18) or not set(text) <= _ALNUM:
        raise InvalidSalesforceId(f"{value!r} is not a Salesforce id (15 or 18 letters and digits)")
    if len(text) == 15:
        return text + checksum_suffix(text)
    id15 = text[:15]
    if checksum_suffix(id15) == text[15:]:
        return text
    # A lower-cased or upper-cased 18-char id is still valid: rebuild the case from the suffix.
    restored = _restore_case(text)
    canonical = restored + checksum_suffix(restored)
    if canonical.upper() != text.upper():
        raise InvalidSalesforceId(f"{value!r} has a checksum that does not match its first 15 characters")
    return canonical


def expect_prefix(value: str, prefix: str) -> str:
    """Normalise ``value`` and check that it names the object whose key prefix is ``prefix``."""
    canonical = to_18(value)
    if canonical[:3] != prefix:
        wanted = PREFIX_NAMES.get(prefix, prefix)
        found = PREFIX_NAMES.get(canonical[:3], f"an object with key prefix {canonical[:3]}")
        raise InvalidSalesforceId(
            f"{value!r} is a {found} id; expected a {wanted} id (starting {prefix})"
            if canonical[:3] in PREFIX_NAMES
            else f"{value!r} starts {canonical[:3]}; expected a {wanted} id (starting {prefix})"
        )
    return canonical


def is_valid(value: object, prefix: str | None = None) -> bool:
    """True when ``value`` is a well-formed id (optionally of the given object)."""
    try:
        canonical = to_18(value)  # type: ignore[arg-type]
    except InvalidSalesforceId:
        return False
    return prefix is None or canonical[:3] == prefix


def same_id(left: str | None, right: str | None) -> bool:
    """Compare two ids in any of their forms; malformed ids are compared as plain text."""
    if left is None or right is None:
        return left is right
    try:
        return to_18(left) == to_18(right)
    except InvalidSalesforceId:
        return left == right
