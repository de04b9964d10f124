"""The world's fixed vocabulary: regions and their countries, industries, titles, competitors, free-mail
domains, test records, and the Marketo assets (forms, pages, emails, programs). Pure data.

Country values are deliberately messy, as in a real Marketo instance: most people carry the canonical
name, some an ISO code or a local spelling, a few a variant the assignment rule does not list (those
fall to the default owner, like in a real org).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    key: str
    team_name: str
    time_zone: str
    holiday_region: str
    locale: str
    #: (canonical country, spellings the assignment rule lists, a spelling it does not list)
    countries: tuple[tuple[str, tuple[str, ...], str], ...]
    #: US states of this region (names and codes); empty means the whole country list.
    states: tuple[str, ...] = ()


US_WEST_STATES = (
    "CA", "California", "WA", "Washington", "OR", "Oregon", "NV", "Nevada", "AZ", "Arizona",
    "UT", "Utah", "CO", "Colorado", "ID", "Idaho",
)  # fmt: skip
US_EAST_STATES = (
    ("NY", "New York"), ("MA", "Massachusetts"), ("NJ", "New Jersey"), ("PA", "Pennsylvania"),
    ("GA", "Georgia"), ("FL", "Florida"), ("IL", "Illinois"), ("TX", "Texas"), ("NC", "North Carolina"),
    ("VA", "Virginia"), ("OH", "Ohio"), ("MI", "Michigan"),
)  # fmt: skip
US_WEST_STATE_PAIRS = tuple(zip(US_WEST_STATES[::2], US_WEST_STATES[1::2], strict=True))

_US = ("United States", ("United States", "USA", "US"), "U.S.A.")

REGIONS: tuple[Region, ...] = (
    Region(
        "uki",
        "UK & Ireland",
        "Europe/London",
        "GB",
        "en_GB",
        (
            ("United Kingdom", ("United Kingdom", "UK", "GB"), "U.K."),
            ("Ireland", ("Ireland", "IE"), "Eire"),
        ),
    ),
    Region(
        "dach",
        "DACH",
        "Europe/Berlin",
        "DE-BE",
        "de_DE",
        (
            ("Germany", ("Germany", "DE", "Deutschland"), "BRD"),
            ("Austria", ("Austria", "AT", "Österreich"), "Oesterreich"),
            ("Switzerland", ("Switzerland", "CH", "Schweiz"), "Suisse"),
        ),
    ),
    Region(
        "na_east",
        "North America East",
        "America/New_York",
        "US",
        "en_US",
        (_US, ("Canada", ("Canada", "CA"), "Kanada")),
    ),
    Region(
        "na_west",
        "North America West",
        "America/Los_Angeles",
        "US",
        "en_US",
        (_US,),
        states=US_WEST_STATES,
    ),
    Region(
        "apac",
        "APAC",
        "Asia/Singapore",
        "SG",
        "en_IN",
        (
            ("Singapore", ("Singapore", "SG"), "Singapura"),
            ("Australia", ("Australia", "AU"), "Aus"),
            ("India", ("India", "IN"), "Bharat"),
            ("Japan", ("Japan", "JP"), "Nippon"),
        ),
    ),
)
REGION_BY_KEY = {region.key: region for region in REGIONS}

#: Where a region's countries go when its team does not exist in this world (first existing wins).
FALLBACK_TEAMS: dict[str, tuple[str, ...]] = {
    "uki": ("uki", "dach", "na_east", "na_west", "apac"),
    "dach": ("dach", "uki", "na_east", "na_west", "apac"),
    "na_east": ("na_east", "na_west", "uki", "dach", "apac"),
    "na_west": ("na_west", "na_east", "apac", "uki", "dach"),
    "apac": ("apac", "na_west", "uki", "dach", "na_east"),
}

#: Countries outside every team's territory: their people fall to the default owner.
OUTSIDE_COUNTRIES = ("France", "Netherlands", "Brazil", "Spain", "Sweden", "Mexico")

#: How the world's people and accounts spread over regions (weights).
REGION_WEIGHTS = {"uki": 0.16, "dach": 0.16, "na_east": 0.3, "na_west": 0.2, "apac": 0.12}
OUTSIDE_WEIGHT = 0.06

INDUSTRIES = {
    "Software": 0.22, "Financial Services": 0.12, "Healthcare": 0.09, "Manufacturing": 0.1,
    "Retail": 0.08, "Telecommunications": 0.05, "Education": 0.05, "Media": 0.05,
    "Professional Services": 0.1, "Logistics": 0.06, "Energy": 0.04, "Government": 0.04,
}  # fmt: skip

#: Revenue per employee (USD) by industry, to make AnnualRevenue follow NumberOfEmployees.
REVENUE_PER_EMPLOYEE = {
    "Software": 260_000, "Financial Services": 380_000, "Healthcare": 190_000, "Manufacturing": 230_000,
    "Retail": 170_000, "Telecommunications": 420_000, "Education": 90_000, "Media": 210_000,
    "Professional Services": 160_000, "Logistics": 200_000, "Energy": 600_000, "Government": 120_000,
}  # fmt: skip

TITLES = {
    "VP of Marketing": 0.05, "Director of Demand Generation": 0.07, "Marketing Operations Manager": 0.1,
    "Head of Revenue Operations": 0.06, "Sales Operations Analyst": 0.07, "VP of Sales": 0.04,
    "Chief Revenue Officer": 0.02, "Marketing Manager": 0.12, "Growth Marketer": 0.06,
    "CRM Administrator": 0.06, "Business Development Manager": 0.06, "IT Director": 0.04,
    "Software Engineer": 0.07, "Product Manager": 0.06, "Student": 0.02, "Consultant": 0.06,
    "Chief Executive Officer": 0.02, "Office Manager": 0.02,
}  # fmt: skip

LEGAL_FORMS = {
    "en_US": ("Inc.", "LLC", "Corp."), "en_GB": ("Ltd", "plc", "Ltd"), "de_DE": ("GmbH", "AG", "GmbH"),
    "en_IN": ("Pte Ltd", "Pvt Ltd", "Ltd"),
}  # fmt: skip
TLDS = {"en_US": ".com", "en_GB": ".co.uk", "de_DE": ".de", "en_IN": ".com"}

#: Fictional competitors: their people read our content; Handoff must never route them.
COMPETITORS = (
    ("Routewise Inc.", "routewise.io"),
    ("LeadRelay", "leadrelay.com"),
    ("Pipeline Pilot GmbH", "pipelinepilot.de"),
    ("HandRaise Labs", "handraiselabs.com"),
    ("Speedlead Ltd", "speedlead.co.uk"),
    ("Queueboard", "queueboard.io"),
)

FREE_MAIL_DOMAINS = {
    "gmail.com": 0.45, "yahoo.com": 0.12, "hotmail.com": 0.1, "outlook.com": 0.1, "icloud.com": 0.06,
    "gmx.de": 0.05, "web.de": 0.04, "yahoo.co.uk": 0.04, "aol.com": 0.04,
}  # fmt: skip

#: Test records people type into forms; the patterns are what a route-ready config would exclude.
TEST_RECORDS = (
    ("test@{domain}", "Test", "Test", "Test Company"),
    ("asdf@asdf.com", "asdf", "asdf", "asdf"),
    ("test{n}@test.com", "Test", "User", "test"),
    ("qa+{n}@{domain}", "QA", "Tester", "{company}"),
    ("noreply@example.com", "No", "Reply", "Example"),
)
TEST_PATTERNS = (r"^test\d*@", r"^asdf", r"^qa\+", r"@example\.com$", r"^(test|asdf)$")

LEAD_SOURCES = {
    "Organic Search": 0.25, "Paid Search": 0.15, "Webinar": 0.14, "Content Syndication": 0.12,
    "Website": 0.14, "Tradeshow": 0.06, "Referral": 0.05, "Social": 0.09,
}  # fmt: skip

SITE = "https://www.handoff-demo.example"
PAGES = {
    f"{SITE}/": 0.26, f"{SITE}/product": 0.16, f"{SITE}/blog/speed-to-lead": 0.14,
    f"{SITE}/customers": 0.1, f"{SITE}/integrations/salesforce": 0.09, f"{SITE}/pricing": 0.12,
    f"{SITE}/blog/lead-routing-guide": 0.13,
}  # fmt: skip
PRICING_PAGE = f"{SITE}/pricing"

FORMS = {
    "Content Download": 25,
    "Webinar Registration": 25,
    "Contact Us": 25,
    "Demo Request": 40,
}
REENGAGEMENT_EMAIL = "Re-engagement"
EMAILS = (
    "Newsletter",
    "Webinar Invitation",
    "Product Update",
    "Case Study: Speed to Lead",
    REENGAGEMENT_EMAIL,
)

SDR_TITLE = "Sales Development Representative"
AE_TITLE = "Account Executive"
MANAGER_TITLE = "Regional Sales Director"

CITIES = {
    "United Kingdom": ("London", "Manchester", "Leeds", "Bristol", "Edinburgh"),
    "Ireland": ("Dublin", "Cork", "Galway"),
    "Germany": ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"),
    "Austria": ("Wien", "Graz", "Linz"),
    "Switzerland": ("Zürich", "Basel", "Genève"),
    "United States": ("New York", "Boston", "Chicago", "Atlanta", "San Francisco", "Seattle", "Austin"),
    "Canada": ("Toronto", "Montreal", "Vancouver"),
    "Singapore": ("Singapore",),
    "Australia": ("Sydney", "Melbourne", "Brisbane"),
    "India": ("Bengaluru", "Mumbai", "Pune"),
    "Japan": ("Tokyo", "Osaka"),
    "France": ("Paris", "Lyon"),
    "Netherlands": ("Amsterdam", "Rotterdam"),
    "Brazil": ("São Paulo", "Rio de Janeiro"),
    "Spain": ("Madrid", "Barcelona"),
    "Sweden": ("Stockholm", "Göteborg"),
    "Mexico": ("Mexico City", "Monterrey"),
}
CALLING_CODES = {
    "United Kingdom": "44", "Ireland": "353", "Germany": "49", "Austria": "43", "Switzerland": "41",
    "United States": "1", "Canada": "1", "Singapore": "65", "Australia": "61", "India": "91", "Japan": "81",
    "France": "33", "Netherlands": "31", "Brazil": "55", "Spain": "34", "Sweden": "46", "Mexico": "52",
}  # fmt: skip
OUTSIDE_LOCALES = {"France": "en_GB", "Netherlands": "en_GB", "Brazil": "en_US", "Spain": "en_GB",
                   "Sweden": "de_DE", "Mexico": "en_US"}  # fmt: skip

#: Words that turn a surname stem into a company name, by industry.
INDUSTRY_WORDS = {
    "Software": ("Software", "Systems", "Labs", "Cloud"), "Financial Services": ("Capital", "Finance", "Bank"),
    "Healthcare": ("Health", "Medical", "Care"), "Manufacturing": ("Industries", "Manufacturing", "Werke"),
    "Retail": ("Retail", "Stores", "Brands"), "Telecommunications": ("Telecom", "Networks"),
    "Education": ("Learning", "Academy"), "Media": ("Media", "Studios"),
    "Professional Services": ("Consulting", "Partners", "Advisory"), "Logistics": ("Logistics", "Freight"),
    "Energy": ("Energy", "Power"), "Government": ("Agency", "Authority"),
}  # fmt: skip

#: Marketo programs: (name, channel, description, lead source it acquires, statuses seeded people get).
PROGRAMS = (
    ("Webinar - Speed to Lead Masterclass", "Webinar", "Quarterly webinar", "Webinar",
     ("Registered", "Attended", "No Show")),
    ("Content - Lead Routing Guide", "Content", "Gated guide", "Content Syndication", ("Member", "Engaged")),
    ("Paid Search - Brand", "Online Advertising", "Brand keywords", "Paid Search", ("Member", "Engaged")),
    ("Tradeshow - RevOps Summit", "Tradeshow", "Booth scans", "Tradeshow", ("Visited Booth", "Engaged")),
    ("Website - Inbound", "Content", "Website forms", "Website", ("Member", "Engaged")),
    ("Post-sale onboarding", "Onboarding", "Customers after Closed Won", None, ("Enrolled", "Kick-off Held")),
    ("Re-engagement", "Nurture", "Recycled and cold people", None, ("Member", "Engaged")),
)  # fmt: skip
ONBOARDING_CHANNEL = (
    "Onboarding",
    (("Enrolled", 10, False), ("Kick-off Held", 20, False), ("Onboarded", 30, True)),
)
ONBOARDING_PROGRAM = "Post-sale onboarding"
TRADESHOW_PROGRAM = "Tradeshow - RevOps Summit"
REENGAGEMENT_PROGRAM = "Re-engagement"
#: Which program a form fill puts a person in, with which status.
FORM_PROGRAMS = {
    "Webinar Registration": ("Webinar - Speed to Lead Masterclass", "Registered"),
    "Content Download": ("Content - Lead Routing Guide", "Engaged"),
    "Contact Us": ("Website - Inbound", "Engaged"),
    "Demo Request": ("Website - Inbound", "Engaged"),
}

#: The zone a person of a country lives in (for when they are online); US West states use Los Angeles.
COUNTRY_ZONES = {
    "United Kingdom": "Europe/London", "Ireland": "Europe/Dublin", "Germany": "Europe/Berlin",
    "Austria": "Europe/Vienna", "Switzerland": "Europe/Zurich", "United States": "America/New_York",
    "Canada": "America/Toronto", "Singapore": "Asia/Singapore", "Australia": "Australia/Sydney",
    "India": "Asia/Kolkata", "Japan": "Asia/Tokyo", "France": "Europe/Paris", "Netherlands": "Europe/Amsterdam",
    "Brazil": "America/Sao_Paulo", "Spain": "Europe/Madrid", "Sweden": "Europe/Stockholm",
    "Mexico": "America/Mexico_City",
}  # fmt: skip
#: How likely someone is online in each local hour (0-23): office hours, then evenings.
LOCAL_HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.2, 2.5, 2.4,
    2.0, 2.2, 2.4, 2.3, 2.0, 1.6, 1.2, 1.0, 0.9, 0.8, 0.6, 0.4,
)  # fmt: skip
#: Relative arrival volume per weekday (Monday first).
WEEKDAY_FACTORS = (1.0, 1.05, 1.0, 0.95, 0.8, 0.3, 0.25)
