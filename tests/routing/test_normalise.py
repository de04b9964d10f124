"""Normalising emails, domains and company names; cleaning values people typed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.normalise import (
    EmailOptions,
    clean_text,
    company_key,
    domain_in,
    email_domain,
    email_key,
    website_domain,
)


def test_email_keys_ignore_case_plus_tags_and_gmail_dots_as_configured():
    assert email_key("Ann.Lee+Events@ACME.com") == "ann.lee@acme.com"
    assert email_key("a.n.n+x@GoogleMail.com") == "ann@gmail.com"
    strict = EmailOptions(strip_plus_tags=False, gmail_dots=False)
    assert email_key("a.n.n+x@gmail.com", strict) == "a.n.n+x@gmail.com"
    assert email_key("ann.lee@acme.com") == "ann.lee@acme.com"  # dots only matter at Gmail


def test_unusable_addresses_have_no_key():
    for address in (
        None,
        "",
        "ann",
        "ann@",
        "@acme.com",
        "ann@acme",
        "a b@acme.com",
        "ann@-acme.com",
        "ann@1.2.3.4",
    ):
        assert email_key(address) is None, address


def test_international_domains_are_compared_in_their_ascii_form():
    assert email_domain("ann@Bücher.de") == "xn--bcher-kva.de"


def test_website_domains_drop_scheme_www_path_and_port():
    assert website_domain("https://www.Acme.com:8443/about?x=1") == "acme.com"
    assert website_domain("acme.co.uk") == "acme.co.uk"
    assert website_domain("not a website") is None


def test_a_subdomain_belongs_to_a_listed_domain():
    listed = frozenset({"rival.com"})
    assert domain_in("eu.mail.rival.com", listed)
    assert not domain_in("notrival.com", listed)
    assert not domain_in(None, listed)


def test_company_keys_ignore_legal_forms_accents_and_punctuation():
    assert company_key("ACME GmbH & Co. KG") == company_key("Acme and KG")
    assert company_key("Société Générale S.A.") == "societe generale"
    assert company_key(None) == ""


def test_clean_text_explains_what_is_wrong():
    assert clean_text("  Ann   Lee ", 40) == ("Ann Lee", None)
    assert clean_text("   ", 40) == (None, None)
    assert clean_text(42, 40) == ("42", None)
    assert clean_text("x" * 41, 40) == (None, "41 characters, more than the 40 allowed")
    assert clean_text("\ud800", 40)[1] == "contains characters that are not valid Unicode (a broken encoding)"
    assert clean_text("a\x07b", 40)[1] == "contains control characters"
    assert clean_text({"a": 1}, 40)[1] == "expected text, got dict"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_email_keys_are_stable(text):
    key = email_key(text)
    if key is not None:
        assert email_key(key) == key


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_plain_ascii_text_is_only_trimmed_and_its_spaces_collapsed(text):
    assert clean_text(text, 100) == ((" ".join(text.split()) or None), None)
