"""Activity and lead-change paging: resumable tokens, empty pages with moreResult, nothing dropped silently."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.errors import PermanentError
from tests.sync.marketo.support import BASE, a_client, ok

ACTIVITIES = f"{BASE}/rest/v1/activities.json"


def open_email(n: int, date: str = "2026-11-02T08:59:10Z") -> dict:
    return {
        "id": 102988 + n,
        "marketoGUID": str(102988 + n),
        "leadId": n,
        "activityDate": date,
        "activityTypeId": 10,
        "primaryAttributeValueId": 71,
        "primaryAttributeValue": "Webinar invite",
        "attributes": [{"name": "Device", "value": "Desktop"}, {"name": "Is Mobile Device", "value": False}],
    }


async def test_paging_token_from_a_datetime(mkto, clock):
    route = mkto.get(f"{BASE}/rest/v1/activities/pagingtoken.json").mock(
        return_value=ok(nextPageToken="GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ")
    )
    async with a_client(clock) as client:
        token = await client.get_paging_token(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
        with pytest.raises(ValueError, match="timezone-aware"):
            await client.get_paging_token(datetime(2026, 11, 2, 8, 0))
    assert token == "GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ"
    assert route.calls.last.request.url.params["sinceDatetime"] == "2026-11-02T08:00:00Z"


async def test_pages_continue_through_empty_pages_while_more_result(mkto, clock):
    route = mkto.get(ACTIVITIES).mock(
        side_effect=[
            ok(
                [open_email(1), open_email(2, "2026-11-02T08:59:40+0000")],
                nextPageToken="T2",
                moreResult=True,
            ),
            ok(nextPageToken="T3", moreResult=True),  # Marketo scanning sparse blocks: no result at all
            ok([], nextPageToken="T4", moreResult=True),
            ok([open_email(3)], nextPageToken="T5", moreResult=False),
        ]
    )
    async with a_client(clock) as client:
        pages = [
            page async for page in client.activity_pages([10, 11, 2], next_page_token="T1", batch_size=300)
        ]
    assert [c.request.url.params["nextPageToken"] for c in route.calls] == ["T1", "T2", "T3", "T4"]
    assert route.calls[0].request.url.params["activityTypeIds"] == "10,11,2"
    assert [len(p.activities) for p in pages] == [2, 0, 0, 1]
    assert [p.next_page_token for p in pages] == ["T2", "T3", "T4", "T5"]
    first = pages[0].activities[0]
    assert first.marketo_guid == "102989" and first.lead_id == 1 and first.activity_type_id == 10
    assert first.activity_date == datetime(2026, 11, 2, 8, 59, 10, tzinfo=UTC)
    assert first.attributes == {"Device": "Desktop", "Is Mobile Device": False}
    assert pages[0].activities[1].activity_date == datetime(2026, 11, 2, 8, 59, 40, tzinfo=UTC)


async def test_a_poll_stops_after_max_pages_and_resumes_from_the_last_token(mkto, clock):
    route = mkto.get(ACTIVITIES).mock(
        side_effect=[
            ok(nextPageToken="T2", moreResult=True),
            ok(nextPageToken="T3", moreResult=True),
            ok([open_email(1)], nextPageToken="T4", moreResult=False),
        ]
    )
    async with a_client(clock) as client:
        first_poll = [p async for p in client.activity_pages([10], next_page_token="T1", max_pages=2)]
        cursor = first_poll[-1].next_page_token
        second_poll = [p async for p in client.activity_pages([10], next_page_token=cursor)]
    assert cursor == "T3"
    assert [p.next_page_token for p in second_poll] == ["T4"]
    assert route.call_count == 3


async def test_unreadable_records_are_returned_as_rejected(mkto, clock):
    no_guid = {**open_email(2)}
    del no_guid["marketoGUID"]
    mkto.get(ACTIVITIES).mock(
        return_value=ok(
            [open_email(1), no_guid, {**open_email(3), "activityDate": "yesterday"}], nextPageToken="T2"
        )
    )
    async with a_client(clock) as client:
        pages = [p async for p in client.activity_pages([10], next_page_token="T1")]
    assert len(pages[0].activities) == 1
    reasons = [r.reason for r in pages[0].rejected]
    assert reasons[0] == "no marketoGUID"
    assert len(reasons) == 2 and "yesterday" in reasons[1]


async def test_more_result_without_a_token_is_an_error(mkto, clock):
    mkto.get(ACTIVITIES).mock(return_value=ok([], moreResult=True))
    async with a_client(clock) as client:
        with pytest.raises(PermanentError, match="moreResult without a nextPageToken"):
            [p async for p in client.activity_pages([10], next_page_token="T1")]


async def test_lead_changes_carry_the_field_changes(mkto, clock):
    route = mkto.get(f"{BASE}/rest/v1/activities/leadchanges.json").mock(
        return_value=ok(
            [
                {
                    "id": 1078,
                    "marketoGUID": "1078",
                    "leadId": 775,
                    "activityDate": "2026-11-02T08:30:00Z",
                    "activityTypeId": 13,
                    "fields": [{"id": 48, "name": "leadScore", "newValue": "85", "oldValue": "40"}],
                    "attributes": [
                        {"name": "Reason", "value": "Web service API"},
                        {"name": "Source", "value": "Web service API"},
                    ],
                }
            ],
            nextPageToken="T2",
            moreResult=False,
        )
    )
    async with a_client(clock) as client:
        pages = [p async for p in client.lead_change_pages(["leadScore", "leadStatus"], next_page_token="T1")]
    change = pages[0].activities[0].changes[0]
    assert (change.name, change.old_value, change.new_value, change.field_id) == ("leadScore", "40", "85", 48)
    assert route.calls.last.request.url.params["fields"] == "leadScore,leadStatus"


@pytest.mark.parametrize(
    ("type_ids", "kwargs", "message"),
    [
        (list(range(1, 12)), {}, "between 1 and 10"),
        ([10], {"lead_ids": list(range(1, 32))}, "between 1 and 30"),
        ([10], {"batch_size": 301}, "batch_size"),
        ([10], {"next_page_token": ""}, "paging token is required"),
    ],
)
async def test_bad_activity_queries_are_refused(mkto, clock, type_ids, kwargs, message):
    kwargs.setdefault("next_page_token", "T1")
    async with a_client(clock) as client:
        with pytest.raises(ValueError, match=message):
            [p async for p in client.activity_pages(type_ids, **kwargs)]
