"""Split record writes into as few Marketo calls as the limits allow (reference/marketo.md §3, §7). Pure.

A call carries at most 300 records and a body under 1 MB; bodies are measured exactly as they are sent
(compact JSON, UTF-8). Records that share a key (a lead's email, a company's external id) never go in the
same call: parallel or same-call upserts on one key can create duplicates (§3), and a repeated key in
one companies call is error 1036 (§6). Chunks are sent one after another, which serializes each key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

MAX_RECORDS = 300
# 1 MB is Marketo's ceiling (§7); staying under 10^6 bytes leaves room for the envelope of any proxy.
MAX_BODY_BYTES = 1_000_000


def encode(body: Any) -> bytes:
    """The exact bytes sent, so that the size check and the request agree."""
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"record values must be plain JSON (str, int, float, bool, None): {exc}") from exc


def chunk_records(
    records: Sequence[Mapping[str, Any]],
    body: Mapping[str, Any],
    *,
    key: Callable[[Mapping[str, Any]], Hashable] | None = None,
    max_records: int = MAX_RECORDS,
    max_bytes: int = MAX_BODY_BYTES,
) -> list[tuple[int, list[Mapping[str, Any]]]]:
    """``(offset, records)`` chunks of the input, in order; ``body`` is the request around ``input``."""
    base = len(encode({**body, "input": []}))
    chunks: list[tuple[int, list[Mapping[str, Any]]]] = []
    current: list[Mapping[str, Any]] = []
    current_keys: set[Hashable] = set()
    size = base
    offset = 0
    for index, record in enumerate(records):
        record_size = len(encode(record))
        if base + record_size > max_bytes:
            raise ValueError(
                f"record {index} alone is {record_size} bytes: over the {max_bytes}-byte body limit"
            )
        record_key = key(record) if key else None
        clash = record_key is not None and record_key in current_keys
        separator = 1 if current else 0
        if current and (len(current) >= max_records or size + separator + record_size > max_bytes or clash):
            chunks.append((offset, current))
            offset, current, current_keys, size, separator = index, [], set(), base, 0
        current.append(record)
        size += separator + record_size
        if record_key is not None:
            current_keys.add(record_key)
    if current:
        chunks.append((offset, current))
    return chunks


def split_values(values: Sequence[Any], size: int = MAX_RECORDS) -> list[Sequence[Any]]:
    """Read filters take at most 300 values a call (§3)."""
    return [values[i : i + size] for i in range(0, len(values), size)]
