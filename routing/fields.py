"""The person fields the gate knows: Marketo REST names, kinds, lengths and their Salesforce Lead fields.

A config may only name fields listed here or declared in ``routing.custom_fields``, so that a typo
("compnay") is refused at ``config check`` instead of holding every lead forever. Lengths are the
Salesforce Lead field lengths (the narrower side of the sync), so a value the gate accepts is a value
Salesforce accepts. Also holds the built-in free-mail and disposable domain lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "number", "boolean"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind = "text"
    max_length: int = 255
    salesforce: str | None = None


STANDARD_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("email", max_length=80, salesforce="Email"),
        FieldSpec("firstName", max_length=40, salesforce="FirstName"),
        FieldSpec("lastName", max_length=80, salesforce="LastName"),
        FieldSpec("company", max_length=255, salesforce="Company"),
        FieldSpec("title", max_length=128, salesforce="Title"),
        FieldSpec("phone", max_length=40, salesforce="Phone"),
        FieldSpec("mobilePhone", max_length=40, salesforce="MobilePhone"),
        FieldSpec("country", max_length=80, salesforce="Country"),
        FieldSpec("state", max_length=80, salesforce="State"),
        FieldSpec("city", max_length=40, salesforce="City"),
        FieldSpec("postalCode", max_length=20, salesforce="PostalCode"),
        FieldSpec("website", max_length=255, salesforce="Website"),
        FieldSpec("industry", max_length=255, salesforce="Industry"),
        FieldSpec("numberOfEmployees", kind="number", salesforce="NumberOfEmployees"),
        FieldSpec("annualRevenue", kind="number", salesforce="AnnualRevenue"),
        FieldSpec("leadSource", max_length=255, salesforce="LeadSource"),
        FieldSpec("leadStatus", max_length=255),
        FieldSpec("leadScore", kind="number"),
        FieldSpec("unsubscribed", kind="boolean"),
        FieldSpec("emailInvalid", kind="boolean"),
        FieldSpec("marketingSuspended", kind="boolean"),
        FieldSpec("sfdcType", max_length=16),
        FieldSpec("sfdcLeadId", max_length=18),
        FieldSpec("sfdcContactId", max_length=18),
        FieldSpec("sfdcAccountId", max_length=18),
        FieldSpec("sfdcLeadOwnerId", max_length=18),
    )
}

# Salesforce refuses a Lead without these (reference/salesforce.md §2 "Lead create requires LastName, Company").
SALESFORCE_REQUIRED = ("lastName", "company")

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com",
        "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "outlook.com", "live.com", "msn.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "mail.com", "gmx.com", "gmx.de", "gmx.net", "web.de",
        "t-online.de", "orange.fr", "free.fr", "laposte.net", "libero.it", "yandex.ru", "yandex.com",
        "mail.ru", "protonmail.com", "proton.me", "pm.me", "zoho.com", "qq.com", "163.com", "126.com",
        "naver.com", "rediffmail.com", "fastmail.com", "hey.com", "tutanota.com", "btinternet.com",
        "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "seznam.cz", "wp.pl", "o2.pl",
    }
)  # fmt: skip

DISPOSABLE_DOMAINS = frozenset(
    {
        "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "10minutemail.com",
        "10minutemail.net", "yopmail.com", "yopmail.fr", "trashmail.com", "trashmail.de", "tempmail.com",
        "temp-mail.org", "tempmailo.com", "throwawaymail.com", "getnada.com", "dispostable.com",
        "maildrop.cc", "fakeinbox.com", "mailnesia.com", "mintemail.com", "spamgourmet.com",
        "mohmal.com", "emailondeck.com", "moakt.com", "tempr.email", "discard.email", "mytemp.email",
    }
)  # fmt: skip
