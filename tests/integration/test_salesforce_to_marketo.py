"""Salesforce → Marketo through the wired service: Outbound Messages for a converted Lead (4.1) and a new
Account (4.5), received by the real app, processed by the jobs, visible in the Marketo sandbox."""

from __future__ import annotations

import pytest

from tests.integration.support import a_deployment

pytestmark = pytest.mark.storage

LEAD_OM_FIELDS = ["IsConverted", "ConvertedContactId", "ConvertedAccountId", "Email"]


async def test_a_converted_lead_updates_the_marketo_person_and_converts_the_handoff(engine, clock, tmp_path):
    async with a_deployment(engine, clock, tmp_path) as d:
        d.outbound_message("Lead", LEAD_OM_FIELDS, criteria={"IsConverted": True})
        person = d.a_person()
        d.qualify(person)
        await d.settle()
        [lead] = d.query("SELECT Id FROM Lead")

        clock.advance(minutes=20)
        converted = d.salesforce.convert_lead(lead["Id"])
        await d.settle()

        marketo_person = d.marketo.people.get(person)
        assert (
            marketo_person["sfdcContactId"],
            marketo_person["sfdcAccountId"],
            marketo_person["leadStatus"],
        ) == (
            converted.contact_id,
            converted.account_id,
            "SQL",
        )
        handoff = d.handoff()
        assert (handoff.state, handoff.sfdc_contact_id) == ("converted", converted.contact_id)
        assert d.events(handoff.id)[-1].kind == "converted"

        # Nobody chases a converted lead: at due its clock closes instead of breaching.
        clock.advance(minutes=15)
        await d.settle(jobs=("sla.tick",))
        [sla_clock] = d.clocks(handoff.id)
        assert sla_clock.status == "closed" and not sla_clock.breached
        assert d.handoff().state == "converted"
        assert d.query("SELECT Id FROM Task WHERE Subject LIKE '[Handoff]%'") == []
        assert d.dead_letters() == []


async def test_a_new_account_becomes_a_marketo_company(engine, clock, tmp_path):
    async with a_deployment(engine, clock, tmp_path) as d:
        d.outbound_message("Account", ["Name"], criteria=())
        account = d.salesforce.add_account(
            {"Name": "Acme", "Industry": "Manufacturing", "NumberOfEmployees": 120}
        )
        await d.settle()
        company = d.marketo.companies.by_external_id(account)
        assert company is not None
        assert (company["company"], company["industry"], company["numberOfEmployees"]) == (
            "Acme",
            "Manufacturing",
            120,
        )
