"""The optional stand-in for Marketo's native CRM sync: a new MQL becomes a Salesforce Lead at once,
owned by whatever the active assignment rule gives it (``Sforce-Auto-Assign: TRUE``, reference/
salesforce.md §5), and the person gets ``sfdcLeadId`` back. Off by default: in the demo Handoff routes
MQLs; this lets tests and benchmarks see the sales team at work without Handoff in the loop.
"""

from __future__ import annotations

from datetime import datetime

from sandbox.marketo import MarketoState
from sandbox.salesforce import ApiError, SalesforceState
from sandbox.world.seed_salesforce import lead_values


def sync_new_mql(
    marketo: MarketoState, salesforce: SalesforceState, lead_id: int, at: datetime
) -> str | None:
    """Create the Lead of a person who just became an MQL; None when there is nothing to sync."""
    person = marketo.people.get(lead_id)
    if person is None or person.get("lifecycleStage") != "MQL":
        return None
    if person.get("sfdcLeadId") or person.get("sfdcContactId"):
        return None
    when = person.get("mqlDate") or at
    try:
        sfdc_id = salesforce.insert("Lead", lead_values(person), auto_assign=True, at=when)
    except ApiError:
        return None
    marketo.people.update(
        lead_id,
        {"sfdcLeadId": sfdc_id, "sfdcType": "Lead", "leadStatus": "Open - Not Contacted"},
        at=when,
        reason="Sync Person to SFDC",
        source="Salesforce",
    )
    return sfdc_id
