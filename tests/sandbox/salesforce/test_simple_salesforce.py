"""The proof: unmodified simple-salesforce, over real HTTPS on loopback, against the sandbox.

It logs in with the JWT bearer flow, creates, reads, updates, upserts and deletes Leads, pages through
more than 2,000 records with ``query_all``, sends ``Sforce-Auto-Assign`` and gets the owner the rule
says, and receives the real errors (missing required field, JWT signed with the wrong key).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from sandbox.salesforce import connected_app_key_pair
from tests.sandbox.salesforce.support import Org, TlsServer, an_org, jwt_client, org_server


@pytest.fixture
def org() -> Org:
    org = an_org()
    org.state.define_field("Lead", "Marketo_Id__c", external_id=True)
    return org


@pytest.fixture
def server(org: Org, tmp_path: Path) -> Iterator[TlsServer]:
    with org_server(org, tmp_path) as server:
        yield server


@pytest.fixture
def sf(org: Org, server: TlsServer, tmp_path: Path) -> Iterator[Salesforce]:
    client = jwt_client(org, server, tmp_path)
    yield client
    # ``pytest.raises`` keeps tracebacks whose frames hold response sockets alive in reference cycles;
    # collecting them lets the server's shutdown see every connection closed.
    gc.collect()
    client.session.close()


def test_jwt_login_gives_a_session_on_the_sandbox_instance(
    sf: Salesforce, org: Org, server: TlsServer
) -> None:
    assert sf.session_id.startswith(org.state.org_id[:15] + "!")
    assert server.base_url.endswith(sf.sf_instance)


def test_lead_lifecycle_create_read_update_delete(sf: Salesforce, org: Org) -> None:
    created = sf.Lead.create({"LastName": "Doe", "Company": "Acme", "Email": "doe@acme.example"})
    assert created["success"] is True and created["errors"] == []
    lead_id = created["id"]
    assert len(lead_id) == 18 and lead_id.startswith("00Q")

    lead = sf.Lead.get(lead_id)
    assert lead["attributes"] == {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{lead_id}"}
    assert lead["Status"] == "Open - Not Contacted"
    assert lead["CreatedDate"].endswith(".000+0000") or lead["CreatedDate"][-5:] == "+0000"

    assert sf.Lead.update(lead_id, {"Title": "CTO"}, headers={"Sforce-Auto-Assign": "FALSE"}) == 204
    assert sf.Lead.get(lead_id)["Title"] == "CTO"

    assert sf.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as deleted:
        sf.Lead.delete(lead_id)
    assert deleted.value.content == [
        {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}
    ]


def test_upsert_by_external_id_creates_then_updates_then_refuses_ambiguity(sf: Salesforce, org: Org) -> None:
    body = {"LastName": "Roe", "Company": "Initech"}
    assert sf.Lead.upsert("Marketo_Id__c/MKT-1", body, headers={"Sforce-Auto-Assign": "FALSE"}) == 201
    assert (
        sf.Lead.upsert("Marketo_Id__c/MKT-1", {"Title": "VP"}, headers={"Sforce-Auto-Assign": "FALSE"}) == 200
    )
    lead = sf.Lead.get_by_custom_id("Marketo_Id__c", "MKT-1")
    assert (lead["LastName"], lead["Title"], lead["Marketo_Id__c"]) == ("Roe", "VP", "MKT-1")

    org.state.add_lead({"LastName": "Twin", "Company": "Initech", "Marketo_Id__c": "MKT-1"})
    with pytest.raises(SalesforceMoreThanOneRecord) as ambiguous:
        sf.Lead.upsert("Marketo_Id__c/MKT-1", {"Title": "CEO"})
    assert ambiguous.value.status == 300
    assert len(ambiguous.value.content) == 2
    assert all(url.startswith("/services/data/v59.0/sobjects/Lead/00Q") for url in ambiguous.value.content)


def test_query_all_pages_through_more_than_two_thousand_leads(sf: Salesforce, org: Org) -> None:
    for number in range(2345):
        org.state.add_lead({"LastName": f"Lead {number:04d}", "Company": "Bulk Co", "LeadSource": "Import"})

    first_page = sf.query("SELECT Id, Name FROM Lead WHERE LeadSource = 'Import'")
    assert first_page["totalSize"] == 2345 and first_page["done"] is False
    assert len(first_page["records"]) == 2000
    assert first_page["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")

    everything = sf.query_all(
        "SELECT Id, Name, Owner.Name FROM Lead WHERE LeadSource = 'Import' ORDER BY Name"
    )
    assert everything["totalSize"] == 2345
    names = [record["Name"] for record in everything["records"]]
    assert names == sorted(names) and len(set(names)) == 2345
    assert everything["records"][0]["Owner"]["attributes"]["type"] == "Name"


def test_sforce_auto_assign_gives_the_owner_the_rule_says(sf: Salesforce, org: Org) -> None:
    german = sf.Lead.create(
        {"LastName": "Weber", "Company": "GmbH", "Country": "DE"}, headers={"Sforce-Auto-Assign": "TRUE"}
    )
    american = sf.Lead.create(
        {"LastName": "Smith", "Company": "Inc", "Country": "US"}, headers={"Sforce-Auto-Assign": org.rule_id}
    )
    french = sf.Lead.create({"LastName": "Martin", "Company": "SA", "Country": "FR"})
    unassigned = sf.Lead.create(
        {"LastName": "Kept", "Company": "Ltd", "Country": "DE"}, headers={"Sforce-Auto-Assign": "FALSE"}
    )

    owners = sf.query_all(
        "SELECT Id, OwnerId, Owner.Type FROM Lead WHERE Id IN ('{}')".format(
            "','".join(r["id"] for r in (german, american, french, unassigned))
        )
    )["records"]
    by_id = {record["Id"]: record for record in owners}
    assert by_id[german["id"]]["OwnerId"] == org.ann
    assert by_id[american["id"]]["OwnerId"] == org.bob
    assert by_id[french["id"]]["OwnerId"] == org.fallback_queue
    assert by_id[french["id"]]["Owner"]["Type"] == "Queue"
    assert by_id[unassigned["id"]]["OwnerId"] == org.state.integration_user_id


def test_a_patch_without_the_header_reruns_the_rule_and_overwrites_the_owner(
    sf: Salesforce, org: Org
) -> None:
    lead_id = sf.Lead.create({"LastName": "Weber", "Company": "GmbH", "Country": "DE"})["id"]
    sf.Lead.update(lead_id, {"OwnerId": org.bob})
    assert sf.Lead.get(lead_id)["OwnerId"] == org.ann, "absent Sforce-Auto-Assign means TRUE on update (§5)"

    sf.Lead.update(lead_id, {"OwnerId": org.bob}, headers={"Sforce-Auto-Assign": "FALSE"})
    assert sf.Lead.get(lead_id)["OwnerId"] == org.bob


def test_missing_required_field_is_the_real_error(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Lead.create({"LastName": "NoCompany"})
    assert refused.value.status == 400
    assert refused.value.content == [
        {
            "message": "Required fields are missing: [Company]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["Company"],
        }
    ]


def test_jwt_signed_with_the_wrong_key_is_refused(org: Org, server: TlsServer, tmp_path: Path) -> None:
    stranger = connected_app_key_pair("stranger")

    def refusal() -> tuple[object, str]:
        try:
            jwt_client(org, server, tmp_path, private_key_pem=stranger.private_key_pem)
        except SalesforceAuthenticationFailed as refused:
            return refused.code, refused.auth_message
        raise AssertionError("a JWT signed with the wrong key was accepted")

    assert refusal() == ("invalid_grant", "invalid assertion")
    gc.collect()


def test_limit_header_is_parsed_by_the_client(sf: Salesforce, org: Org) -> None:
    sf.query("SELECT Id FROM Lead LIMIT 1")
    usage = sf.api_usage["api-usage"]
    assert usage.total == 15000 and 1 <= usage.used < 15000


def test_updated_and_deleted_windows(sf: Salesforce, org: Org) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    kept = sf.Lead.create({"LastName": "Kept", "Company": "Acme"}, headers={"Sforce-Auto-Assign": "FALSE"})[
        "id"
    ]
    gone = sf.Lead.create({"LastName": "Gone", "Company": "Acme"}, headers={"Sforce-Auto-Assign": "FALSE"})[
        "id"
    ]
    sf.Lead.delete(gone)
    end = datetime.now(UTC) + timedelta(minutes=5)
    assert kept in sf.Lead.updated(start, end)["ids"]
    assert [row["id"] for row in sf.Lead.deleted(start, end)["deletedRecords"]] == [gone]
