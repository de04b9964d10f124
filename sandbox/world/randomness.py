"""Named random streams: every random choice of the world comes from ``derive(seed, *names)``.

Python's ``hash()`` is salted per process, so streams are keyed with BLAKE2b of the seed and the names.
Deriving a fresh stream per thing (a person, a lead and its owner, a day) is what makes results
independent of the order in which things are visited and of the step size ``World.advance`` is driven
with: the same lead gets the same delays however the time between two calls is cut.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random


def derive(seed: int, *names: object) -> random.Random:
    """A stream for ``names`` under ``seed``; the same names always give the same stream."""
    text = "\x1f".join([str(seed), *(str(name) for name in names)])
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal above 30, where it is close enough)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    """One key of ``options``, chosen with probability proportional to its weight."""
    cumulative = list(itertools.accumulate(options.values()))
    keys = list(options)
    return keys[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
