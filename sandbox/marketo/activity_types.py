"""The standard activity types with their real ids (reference/marketo.md §4, "Standard type ids").

Adobe confirms 1, 2, 6, 7, 9, 10, 11, 12, 13, 37, 46 and 104; the rest come from the Talend table the
reference quotes. Attribute names follow the shapes shown in §4 (e.g. ``Webpage URL`` on type 1, the
``Old Status``/``New Status``/``Success``/``Acquired By``/``Program Member ID`` attributes of 104).
"""

from __future__ import annotations

from dataclasses import dataclass

VISIT_WEBPAGE = 1
FILL_OUT_FORM = 2
CLICK_LINK = 3
SEND_EMAIL = 6
EMAIL_DELIVERED = 7
EMAIL_BOUNCED = 8
UNSUBSCRIBE_EMAIL = 9
OPEN_EMAIL = 10
CLICK_EMAIL = 11
NEW_LEAD = 12
CHANGE_DATA_VALUE = 13
SYNC_LEAD_TO_SFDC = 19
CONVERT_LEAD = 21
CHANGE_SCORE = 22
CHANGE_OWNER = 23
ADD_TO_LIST = 24
REMOVE_FROM_LIST = 25
MERGE_LEADS = 32
DELETE_LEAD = 37
INTERESTING_MOMENT = 46
REQUEST_CAMPAIGN = 47
CHANGE_STATUS_IN_PROGRESSION = 104
CALL_WEBHOOK = 110


@dataclass(frozen=True)
class ActivityType:
    id: int
    name: str
    primary_attribute: tuple[str, str] | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def to_wire(self) -> dict[str, object]:
        body: dict[str, object] = {"id": self.id, "name": self.name, "description": self.name}
        if self.primary_attribute:
            name, data_type = self.primary_attribute
            body["primaryAttribute"] = {"name": name, "dataType": data_type}
        if self.attributes:
            body["attributes"] = [{"name": n, "dataType": t} for n, t in self.attributes]
        return body


_WEB = (("Query Parameters", "string"), ("Referrer URL", "string"), ("Client IP Address", "string"))
_AGENT = (("User Agent", "string"), ("Device", "string"), ("Is Mobile Device", "boolean"))
_MAIL = ("Mailing ID", "integer")
_SFDC = (("SFDC Activity ID", "string"), ("Subject", "string"))

ACTIVITY_TYPES: tuple[ActivityType, ...] = (
    ActivityType(1, "Visit Webpage", ("Webpage ID", "integer"), (("Webpage URL", "string"), *_WEB)),
    ActivityType(
        2,
        "Fill Out Form",
        ("Webform ID", "integer"),
        (("Form Fields", "text"), ("Webpage ID", "integer"), *_WEB),
    ),
    ActivityType(3, "Click Link", ("Link ID", "integer"), (("Webpage ID", "integer"), *_WEB)),
    ActivityType(6, "Send Email", _MAIL, (("Campaign Run ID", "integer"), ("Step ID", "integer"))),
    ActivityType(7, "Email Delivered", _MAIL, (("Campaign Run ID", "integer"), ("Step ID", "integer"))),
    ActivityType(
        8, "Email Bounced", _MAIL, (("Category", "string"), ("Details", "string"), ("Email", "email"))
    ),
    ActivityType(9, "Unsubscribe Email", _MAIL, (("Campaign Run ID", "integer"),)),
    ActivityType(10, "Open Email", _MAIL, (("Campaign Run ID", "integer"), *_AGENT)),
    ActivityType(11, "Click Email", _MAIL, (("Link", "string"), ("Campaign Run ID", "integer"), *_AGENT)),
    ActivityType(
        12,
        "New Lead",
        None,
        (
            ("Source Type", "string"),
            ("Form Name", "string"),
            ("Lead Source", "string"),
            ("Created Date", "date"),
        ),
    ),
    ActivityType(
        13,
        "Change Data Value",
        ("Attribute Name", "string"),
        (("New Value", "string"), ("Old Value", "string"), ("Reason", "string"), ("Source", "string")),
    ),
    ActivityType(19, "Sync Lead to SFDC", None, (("Assign To", "string"), ("Notify", "boolean"))),
    ActivityType(
        21,
        "Convert Lead",
        None,
        (("Converted Status", "string"), ("Account ID", "string"), ("Contact ID", "string")),
    ),
    ActivityType(
        22,
        "Change Score",
        ("Score Name", "string"),
        (
            ("Change Value", "string"),
            ("Old Value", "integer"),
            ("New Value", "integer"),
            ("Reason", "string"),
        ),
    ),
    ActivityType(23, "Change Owner", None, (("Old Value", "string"), ("New Value", "string"))),
    ActivityType(24, "Add to List", ("List ID", "integer"), (("Source", "string"),)),
    ActivityType(25, "Remove from List", ("List ID", "integer"), (("Source", "string"),)),
    ActivityType(26, "SFDC Activity", None, _SFDC),
    ActivityType(27, "Email Bounced Soft", _MAIL, (("Category", "string"), ("Details", "string"))),
    ActivityType(29, "Delete Lead from SFDC", None),
    ActivityType(30, "SFDC Activity Updated", None, _SFDC),
    ActivityType(
        32,
        "Merge Leads",
        ("Lead ID", "integer"),
        (("Merge IDs", "string"), ("Merged in Sales", "boolean"), ("Master Updated", "boolean")),
    ),
    ActivityType(34, "Add to Opportunity", ("Opportunity ID", "integer")),
    ActivityType(35, "Remove from Opportunity", ("Opportunity ID", "integer")),
    ActivityType(36, "Update Opportunity", ("Opportunity ID", "integer")),
    ActivityType(37, "Delete Lead", ("Lead ID", "integer"), (("Remove from CRM", "boolean"),)),
    ActivityType(38, "Send Alert", _MAIL, (("Send To Owner", "string"),)),
    ActivityType(39, "Send Sales Email", ("Template ID", "integer")),
    ActivityType(40, "Open Sales Email", ("Artifact ID", "integer")),
    ActivityType(41, "Click Sales Email", ("Artifact ID", "integer")),
    ActivityType(42, "Add to SFDC Campaign", ("Campaign ID", "integer"), (("Status", "string"),)),
    ActivityType(43, "Remove from SFDC Campaign", ("Campaign ID", "integer")),
    ActivityType(
        44,
        "Change Status in SFDC Campaign",
        ("Campaign ID", "integer"),
        (("New Status", "string"), ("Old Status", "string")),
    ),
    ActivityType(45, "Receive Sales Email", ("Artifact ID", "integer")),
    ActivityType(
        46,
        "Interesting Moment",
        ("Marketo Asset Name", "string"),
        (("Type", "string"), ("Description", "string"), ("Source", "string")),
    ),
    ActivityType(47, "Request Campaign", ("Campaign ID", "integer"), (("Source", "string"),)),
    ActivityType(48, "Sales Email Bounced", ("Artifact ID", "integer")),
    ActivityType(
        100, "Change Lead Partition", None, (("New Partition ID", "integer"), ("Old Partition ID", "integer"))
    ),
    ActivityType(
        101,
        "Change Revenue Stage",
        ("Model ID", "integer"),
        (("New Stage ID", "integer"), ("Old Stage ID", "integer")),
    ),
    ActivityType(
        102,
        "Change Revenue Stage Manually",
        ("Model ID", "integer"),
        (("New Stage ID", "integer"), ("Old Stage ID", "integer")),
    ),
    ActivityType(
        104,
        "Change Status in Progression",
        ("Program ID", "integer"),
        (
            ("Old Status ID", "integer"),
            ("New Status ID", "integer"),
            ("Old Status", "string"),
            ("New Status", "string"),
            ("Success", "boolean"),
            ("Acquired By", "boolean"),
            ("Program Member ID", "integer"),
            ("Reason", "string"),
        ),
    ),
    ActivityType(106, "Enrich with Data.com", None),
    ActivityType(108, "Change Segment", ("Segmentation ID", "integer"), (("New Segment ID", "integer"),)),
    ActivityType(
        110,
        "Call Webhook",
        ("Webhook ID", "integer"),
        (("Webhook Response", "text"), ("Response Code", "integer"), ("Error Type", "string")),
    ),
    ActivityType(111, "Sent Forward to Friend Email", _MAIL),
    ActivityType(112, "Received Forward to Friend Email", _MAIL),
    ActivityType(113, "Add to Nurture", ("Program ID", "integer"), (("Track ID", "integer"),)),
    ActivityType(
        114,
        "Change Nurture Track",
        ("Program ID", "integer"),
        (("New Track ID", "integer"), ("Previous Track ID", "integer")),
    ),
    ActivityType(
        115,
        "Change Nurture Cadence",
        ("Program ID", "integer"),
        (("New Nurture Cadence", "string"), ("Previous Nurture Cadence", "string")),
    ),
)

BY_ID: dict[int, ActivityType] = {kind.id: kind for kind in ACTIVITY_TYPES}
