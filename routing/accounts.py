"""Lead-to-account matching: an in-memory index of Accounts by domain and by fuzzy company name.

Pure (built from plain rows, no I/O). A domain match is exact (or a parent domain: ``eu.acme.com``
is ``acme.com``). Names are compared with rapidfuzz's ``token_sort_ratio`` on ``company_key`` forms,
but only against accounts sharing a rare word or word prefix with the company ("blocking", the prefix
catching typos such as "Acmee"): scoring 50,000 names for every lead would make matching the bottleneck. Candidates down to ``NAME_MATCH_FLOOR`` are returned,
so the gate applies the configured threshold and a replay can try another one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from routing.config import NAME_MATCH_FLOOR
from routing.context import AccountCandidate
from routing.normalise import company_key

# Blocks larger than this are narrowed by the next rarest token ("systems", "global" narrow nothing).
_SMALL_BLOCK = 64
_MAX_BLOCK = 2000
_MAX_NAME_CANDIDATES = 3
_NAME_CACHE_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class IndexedAccount:
    id: str
    name: str
    domain: str | None
    owner_id: str | None


class AccountIndex:
    def __init__(self, accounts: Iterable[IndexedAccount] = ()) -> None:
        self._by_id: dict[str, IndexedAccount] = {}
        self._by_domain: dict[str, list[str]] = defaultdict(list)
        self._keys: dict[str, str] = {}
        self._by_word: dict[str, set[str]] = defaultdict(set)
        self._name_cache: dict[str, list[tuple[IndexedAccount, float]]] = {}
        for account in accounts:
            self.add(account)

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, account: IndexedAccount) -> None:
        self._name_cache.clear()
        if account.id in self._by_id:
            self.remove(account.id)
        self._by_id[account.id] = account
        if account.domain:
            self._by_domain[account.domain].append(account.id)
        key = company_key(account.name)
        if key:
            self._keys[account.id] = key
            for token in _tokens(key):
                self._by_word[token].add(account.id)

    def remove(self, account_id: str) -> None:
        self._name_cache.clear()
        account = self._by_id.pop(account_id, None)
        if account is None:
            return
        if account.domain and account_id in self._by_domain.get(account.domain, []):
            self._by_domain[account.domain].remove(account_id)
        for token in _tokens(self._keys.pop(account_id, "")):
            self._by_word[token].discard(account_id)

    def by_domain(self, domain: str | None) -> list[IndexedAccount]:
        if not domain:
            return []
        parts = domain.split(".")
        for start in range(len(parts) - 1):
            ids = self._by_domain.get(".".join(parts[start:]))
            if ids:
                return [self._by_id[account_id] for account_id in ids]
        return []

    def by_name(self, company: str | None) -> list[tuple[IndexedAccount, float]]:
        key = company_key(company)
        if not key:
            return []
        cached = self._name_cache.get(key)
        if cached is None:
            cached = self._score_names(key)
            if len(self._name_cache) >= _NAME_CACHE_SIZE:
                self._name_cache.clear()
            self._name_cache[key] = cached
        return cached

    def _score_names(self, key: str) -> list[tuple[IndexedAccount, float]]:
        """Narrow to the accounts sharing the rarest tokens (intersecting while the block is large), then score."""
        # Sorted by (size, token) and by id below: set order varies between processes, results must not.
        found_tokens = sorted(token for token in _tokens(key) if self._by_word.get(token))
        postings = sorted((self._by_word[token] for token in found_tokens), key=len)
        if not postings:
            return []
        block = set(postings[0])
        for ids in postings[1:]:
            if len(block) <= _SMALL_BLOCK:
                break
            narrower = block & ids
            if narrower:
                block = narrower
        choices = {account_id: self._keys[account_id] for account_id in sorted(block)[:_MAX_BLOCK]}
        found = process.extract(
            key,
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=NAME_MATCH_FLOOR,
            limit=_MAX_NAME_CANDIDATES,
        )
        return [(self._by_id[account_id], float(score)) for _, score, account_id in found]

    def candidates(self, domains: Iterable[str | None], company: str | None) -> tuple[AccountCandidate, ...]:
        """Domain matches (for each given domain) and fuzzy name matches, for the gate to choose from."""
        found: list[AccountCandidate] = []
        seen: set[tuple[str, str]] = set()
        for domain in domains:
            for account in self.by_domain(domain):
                if (account.id, "domain") not in seen:
                    seen.add((account.id, "domain"))
                    found.append(
                        AccountCandidate(account.id, account.name, account.owner_id, "domain", 100.0, domain)
                    )
        for account, score in self.by_name(company):
            found.append(
                AccountCandidate(account.id, account.name, account.owner_id, "name", round(score, 1))
            )
        return tuple(found)


def _tokens(key: str) -> set[str]:
    """Words and 4-letter word prefixes (marked with ``~``) used to find accounts worth scoring."""
    words = set(key.split())
    return words | {"~" + word[:4] for word in words if len(word) > 4}
