"""What the sample organisation is made of: segments and SLA targets, lead sources, teams, reason codes,
names, and the reps' habits. Plain data; ``dashboard.sample.world`` draws from it with a seeded generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

SEGMENTS = {"Tier A": ("tier_a", 15 * 60), "Tier B": ("tier_b", 60 * 60), "Tier C": ("tier_c", 8 * 3600)}
SOURCES = (
    ("Demo request", 18),
    ("Contact sales", 8),
    ("Trial signup", 14),
    ("Webinar", 20),
    ("Content download", 30),
    ("Event", 10),
)
TEAMS = (
    ("EMEA Enterprise", 1, ("Tier A", "Tier B")),
    ("NA Mid-Market", -5, ("Tier B", "Tier A")),
    ("NA SMB", -6, ("Tier C", "Tier B")),
    ("APAC", 8, ("Tier B", "Tier C")),
)
REJECT_REASONS = (
    ("existing_lead", 30),
    ("duplicate_in_marketo", 15),
    ("free_mail", 25),
    ("competitor", 10),
    ("test_record", 10),
    ("excluded_country", 5),
    ("unsubscribed", 5),
)
HOLD_REASONS = (("missing_field", 70), ("invalid_field", 10), ("context_unavailable", 20))
ROUTE_REASONS = (
    ("target_account_owner", 35),
    ("target_rule", 50),
    ("target_queue", 10),
    ("target_fallback_queue", 5),
)
HOLD_EXPIRES = timedelta(hours=24)
FIRST = (
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoë",
)
LAST = (
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Walsh",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Nakatomi",
    "Oscorp",
    "Massive Dynamic",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Monarch",
    "Pied Piper",
)
VERSION_AGES_DAYS = (400, 120, 45, 12)  # four config versions activated this long before "now"
COUNTRIES = ("DE", "FR", "GB", "US", "CA", "JP", "AU", "NL", "SE", "ES")


@dataclass(frozen=True)
class Rep:
    owner_id: str
    name: str
    team: str
    utc_offset: int
    median_business_seconds: float
    never_touch: float


def owner_id(number: int) -> str:
    return f"0055g{number:010d}AAA"


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in weighted], [weight for _, weight in weighted])[0]
