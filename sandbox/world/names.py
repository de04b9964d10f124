"""Name pools drawn once from ``faker`` (seeded), then sampled with the world's own random streams.

Faker is slow per call (~50 µs) and its sequence depends on call order, so the world asks it for a
fixed pool of first names, last names and company stems per locale up front (seeded from the world
seed) and afterwards picks from the pools with ``derive(...)`` streams: a person's name depends only on
(seed, person key), and 20,000 people cost microseconds each. Emails are built from ASCII forms of
the names (``Jürgen Weiß`` → ``juergen.weiss``).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from faker import Faker

from sandbox.world.randomness import derive

LOCALES = ("en_US", "en_GB", "de_DE", "en_IN")
_POOL = 400
_COMPANY_POOL = 700
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LEGAL_WORDS = frozenset(
    [
        "inc",
        "inc.",
        "llc",
        "ltd",
        "ltd.",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "kgaa",
        "co",
        "co.",
        "corp",
        "corp.",
        "group",
        "e.v.",
        "ohg",
        "mbh",
        "and",
        "und",
        "&",
        "pvt",
        "pte",
        "sons",
        "son",
        "stiftung",
        "limited",
    ]
)


def ascii_slug(text: str, separator: str = "") -> str:
    """``Jürgen Weiß-Brandt`` → ``juergenweissbrandt`` (or with a separator between words)."""
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    plain = folded.encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_SLUG.sub(separator, plain).strip(separator)


def company_stem(name: str) -> str:
    """A company name without its legal form, for domains (``Wesack Mende GmbH & Co. KGaA`` → ``Wesack Mende``)."""
    words = [w for w in name.replace(",", " ").split() if w.lower() not in _LEGAL_WORDS]
    return " ".join(words) or name


@dataclass(frozen=True)
class NamePools:
    first: dict[str, tuple[str, ...]]
    last: dict[str, tuple[str, ...]]
    companies: dict[str, tuple[str, ...]]

    def person(self, rng: random.Random, locale: str) -> tuple[str, str]:
        return rng.choice(self.first[locale]), rng.choice(self.last[locale])


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


@lru_cache(maxsize=8)
def name_pools(seed: int) -> NamePools:
    """The pools of one world (cached: the seeders and the behaviour model share them)."""
    first: dict[str, tuple[str, ...]] = {}
    last: dict[str, tuple[str, ...]] = {}
    companies: dict[str, tuple[str, ...]] = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(derive(seed, "faker", locale).getrandbits(32))
        first[locale] = _unique([fake.first_name() for _ in range(_POOL)])
        last[locale] = _unique([fake.last_name() for _ in range(_POOL)])
        companies[locale] = _unique([company_stem(fake.company()) for _ in range(_COMPANY_POOL)])
    return NamePools(first, last, companies)
