"""Salesforce record ids: key prefixes, the 18-character checksum suffix, and an id factory.

Reference §2 "Record IDs": ids are 15 case-sensitive characters; the API returns 18 (the 15 plus a
3-character suffix that makes them case-insensitive) and accepts both, so everything here normalises to
18 before comparing. The first 3 characters are the key prefix that names the object (00Q Lead, 005 User,
00G Group *and* Queue, …). This module is pure: no clock, no I/O.
"""

from __future__ import annotations

import re
import threading

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")

#: Key prefixes (reference §2). Group and Queue share 00G; a queue is a Group with Type='Queue'.
KEY_PREFIXES: dict[str, str] = {
    "Lead": "00Q",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "Group": "00G",
    "Organization": "00D",
    "AssignmentRule": "01Q",
    "GroupMember": "011",
    "Case": "500",
    "Campaign": "701",
    "LeadStatus": "01J",
    "QueueSobject": "03g",
    "OpportunityContactRole": "00K",
    "LeadHistory": "017",
    "OutboundMessageAction": "04k",
    "OutboundNotification": "04l",
    "QueryLocator": "01g",
}
OBJECT_BY_PREFIX: dict[str, str] = {prefix: name for name, prefix in KEY_PREFIXES.items()}


def checksum_suffix(id15: str) -> str:
    """The 3 characters that make a 15-character id case-insensitive.

    Each 5-character chunk gives one character: bit *i* is set when character *i* is an uppercase letter,
    and the 5-bit number indexes ``ABCDEFGHIJKLMNOPQRSTUVWXYZ012345``.
    """
    if len(id15) != 15:
        raise ValueError(f"a 15-character id is needed, got {len(id15)} characters")
    suffix = []
    for chunk_start in range(0, 15, 5):
        bits = 0
        for position, char in enumerate(id15[chunk_start : chunk_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def to18(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id; raises ``ValueError`` for anything else.

    An 18-character id is re-derived from its first 15 characters, so a suffix typed in the wrong case
    (or an id whose first 15 characters were case-mangled) is corrected or refused rather than trusted.
    """
    if not is_id_shaped(record_id):
        raise ValueError(f"not a Salesforce id: {record_id!r}")
    head = record_id[:15]
    if len(record_id) == 18:
        head = _restore_case(head, record_id[15:].upper())
    return head + checksum_suffix(head)


def _restore_case(head: str, suffix: str) -> str:
    """Recover the case of the 15 characters from the suffix, as Salesforce does for case-insensitive ids."""
    chars = list(head)
    for chunk, suffix_char in enumerate(suffix):
        bits = _SUFFIX_ALPHABET.index(suffix_char)
        for position in range(5):
            index = chunk * 5 + position
            if chars[index].isalpha():
                chars[index] = chars[index].upper() if bits & (1 << position) else chars[index].lower()
    return "".join(chars)


def is_id_shaped(value: object) -> bool:
    """True for a 15-character alphanumeric string or an 18-character one with a valid-looking suffix."""
    if not isinstance(value, str):
        return False
    return bool(_ID_RE.match(value[:15] + value[15:].upper()))


def normalise(value: str) -> str | None:
    """The 18-character id, or None when ``value`` is not id-shaped."""
    try:
        return to18(value)
    except ValueError:
        return None


def object_of(record_id: str) -> str | None:
    """The sObject a key prefix names, or None for an unknown prefix."""
    return OBJECT_BY_PREFIX.get(record_id[:3])


def encode_base62(number: int, width: int) -> str:
    if number < 0:
        raise ValueError("ids are made from non-negative counters")
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(_BASE62[remainder])
    text = "".join(reversed(digits)) or "0"
    if len(text) > width:
        raise OverflowError("id counter exhausted")
    return text.rjust(width, "0")


class IdFactory:
    """Mints ids shaped like a real org's: prefix (3) + pod (2) + reserved '0' (1) + counter (9, base 62).

    Counters are per prefix and deterministic, so a seeded world gets the same ids on every run (the
    persistence layer relies on it to re-attach configuration to persisted records).
    """

    def __init__(self, pod: str = "5g", counters: dict[str, int] | None = None) -> None:
        if len(pod) != 2 or not pod.isalnum():
            raise ValueError("pod must be 2 alphanumeric characters")
        self.pod = pod
        self.counters: dict[str, int] = dict(counters or {})
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        if len(prefix) != 3 or not prefix.isalnum():
            raise ValueError(f"bad key prefix {prefix!r}")
        with self._lock:
            # Start high enough that the counter part looks like a real org's (e.g. 00Q5g00000ABC12).
            number = self.counters.get(prefix, 0x3A5B7C) + 1
            self.counters[prefix] = number
        return to18(prefix + self.pod + "0" + encode_base62(number, 9))

    def for_object(self, sobject: str) -> str:
        return self.new(KEY_PREFIXES[sobject])
