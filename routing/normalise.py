"""Normalising what people type: emails, domains, company names, and telling broken values apart.

Pure functions shared by the gate, the dedupe indexes and the account matcher. Marketo accepts almost
anything in a text field (absurd lengths, control characters, lone surrogates from bad encodings), so
``clean_text`` never raises: it returns the cleaned value or a short description of what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Pure functions of one string, called several times per person (gate, lookup, dedupe): memoised.
_CACHE_SIZE = 65536
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# Salesforce's Email field holds 80 characters; RFC 5321 allows 254 in all, 64 in the local part.
MAX_EMAIL_LENGTH = 80
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_NAME_PUNCTUATION = re.compile(r"[^\w\s]")

# Legal-form words carry no identity: "Acme GmbH" and "ACME Inc." are the same company.
COMPANY_STOPWORDS = frozenset(
    {
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp",
        "plc", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy", "ab", "as", "kk",
        "pty", "pte", "the", "group", "holding", "holdings", "and", "of",
    }
)  # fmt: skip


@dataclass(frozen=True)
class EmailOptions:
    """How far two addresses are considered the same mailbox (``routing.dedupe``)."""

    strip_plus_tags: bool = True
    gmail_dots: bool = True


LOOSEST = EmailOptions(strip_plus_tags=True, gmail_dots=True)


def clean_text(value: object, max_length: int) -> tuple[str | None, str | None]:
    """Return ``(text, None)`` for usable text (``None`` text when blank) or ``(None, problem)``.

    Numbers are accepted as text (Marketo returns numeric-looking strings either way); lists, mappings
    and other structures are a problem, not something to guess about.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int | float):
        return str(value), None
    if not isinstance(value, str):
        return None, f"expected text, got {type(value).__name__}"
    # Almost every value is short printable ASCII without stray spaces: nothing to normalise.
    if len(value) <= max_length and value.isascii() and value.isprintable() and "  " not in value:
        text = value.strip()
        if len(text) == len(value):
            return (text or None), None
    if len(value) > max_length * 4:
        return None, f"{len(value)} characters, more than the {max_length} allowed"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None, "contains characters that are not valid Unicode (a broken encoding)"
    if _CONTROL.search(value):
        return None, "contains control characters"
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not text:
        return None, None
    if len(text) > max_length:
        return None, f"{len(text)} characters, more than the {max_length} allowed"
    return text, None


@lru_cache(maxsize=_CACHE_SIZE)
def parse_email(value: str) -> tuple[str, str] | None:
    """Split a plausible address into ``(local, domain)`` (domain lower-cased, IDNA-checked) or None."""
    if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.match(value):
        return None
    local, domain = value.rsplit("@", 1)
    domain = domain.lower().rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None
    return local, ascii_domain


def email_key(email: str | None, options: EmailOptions = LOOSEST) -> str | None:
    """The mailbox identity used for dedupe: lower case, ``+tag`` removed, Gmail dots ignored (as configured)."""
    if not email:
        return None
    parsed = parse_email(email.strip())
    if parsed is None:
        return None
    local, domain = parsed
    local = local.lower()
    if domain == "googlemail.com":
        domain = "gmail.com"
    if options.strip_plus_tags and "+" in local:
        local = local.split("+", 1)[0] or local
    if options.gmail_dots and domain in GMAIL_DOMAINS:
        local = local.replace(".", "") or local
    return f"{local}@{domain}"


def email_domain(email: str | None) -> str | None:
    if not email:
        return None
    parsed = parse_email(email.strip())
    return parsed[1] if parsed else None


def website_domain(website: str | None) -> str | None:
    """``https://www.Acme.com/about`` → ``acme.com``; anything that is not a host name gives None."""
    if not website:
        return None
    text = website.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    host = re.split(r"[/?#:]", text, maxsplit=1)[0]
    if host.startswith("www."):
        host = host[4:]
    parsed = parse_email(f"x@{host}") if host else None
    return parsed[1] if parsed else None


def domain_in(domain: str | None, domains: frozenset[str]) -> bool:
    """True when ``domain`` or one of its parents is listed (``mail.rival.com`` is ``rival.com``)."""
    return bool(domain) and any(parent in domains for parent in domain_parents(domain))  # type: ignore[arg-type]


@lru_cache(maxsize=_CACHE_SIZE)
def domain_parents(domain: str) -> tuple[str, ...]:
    """``a.b.example.com`` → ``(a.b.example.com, b.example.com, example.com)``."""
    parts = domain.split(".")
    return tuple(".".join(parts[index:]) for index in range(len(parts) - 1))


def company_key(name: str | None) -> str:
    """A company name reduced to its identifying words, for fuzzy matching and blocking."""
    return _company_key(name) if name else ""


@lru_cache(maxsize=_CACHE_SIZE)
def _company_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    # "S.A." is "sa" (a legal form), so dots join letters instead of splitting words.
    text = _NAME_PUNCTUATION.sub(" ", text.replace("&", " and ").replace(".", ""))
    words = [word for word in text.split() if word not in COMPANY_STOPWORDS]
    return " ".join(words)


def casefold_set(values: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    return frozenset(value.strip().casefold() for value in values)
