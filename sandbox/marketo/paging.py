"""Paging tokens: an encoded (time, id) pair, exactly like Marketo's (reference/marketo.md §4, checklist).

The reference's sample token ``GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ`` is the unpadded base32
of ``2008-11-06T00:00:00.000+0000,0``: a timestamp and the last id read. Tokens here have the same
form, so a client that stores them as opaque strings sees nothing unusual. The same encoding serves
``leads.json`` and list/program pages, where the id is the last record id returned.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime


class InvalidPagingToken(ValueError):
    """The token is not one this instance issued."""


@dataclass(frozen=True)
class PagePosition:
    """Where a reader is: records dated at or after ``since`` and with an id above ``after_id``."""

    since: datetime
    after_id: int


def encode(position: PagePosition) -> str:
    moment = position.since.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    raw = f"{text},{position.after_id}".encode("ascii")
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def decode(token: str) -> PagePosition:
    cleaned = token.strip().upper()
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)).decode("ascii")
        when, after = raw.rsplit(",", 1)
        since = datetime.strptime(when, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)
        after_id = int(after)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidPagingToken(f"Invalid next page token '{token}'") from error
    if after_id < 0:
        raise InvalidPagingToken(f"Invalid next page token '{token}'")
    return PagePosition(since, after_id)
