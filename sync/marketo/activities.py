"""Activities and lead changes, page by page from a paging token (reference/marketo.md §4).

Each ``ActivityPage`` carries the token to resume **after** it, so a poller stores that token in the same
transaction as the page's inbox rows and a crash resumes exactly there. Pages continue while Marketo says
``moreResult`` — including empty pages, which Marketo returns while it scans sparse activity blocks.
Records are keyed by ``marketoGUID`` (``id`` may be missing or exceed int32). A record that cannot be read
is returned in ``rejected`` with the reason, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.errors import PermanentError
from sync.marketo.envelope import Envelope
from sync.marketo.errors import SYSTEM
from sync.marketo.transport import MarketoTransport
from sync.outbox import PRIORITY_SYNC

MAX_TYPE_IDS = 10
MAX_LEAD_IDS = 30


@dataclass(frozen=True)
class FieldChange:
    name: str
    new_value: Any
    old_value: Any
    field_id: int | None = None


@dataclass(frozen=True)
class Activity:
    marketo_guid: str
    lead_id: int
    activity_date: datetime
    activity_type_id: int
    primary_attribute_value: str | None = None
    primary_attribute_value_id: int | None = None
    campaign_id: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    changes: tuple[FieldChange, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, record: Mapping[str, Any]) -> Activity:
        """Parse one activity; raises ``ValueError`` naming what is missing or unreadable."""
        guid = record.get("marketoGUID")
        if guid in (None, ""):
            raise ValueError("no marketoGUID")
        lead_id = record.get("leadId")
        type_id = record.get("activityTypeId")
        if not isinstance(lead_id, int) or not isinstance(type_id, int):
            raise ValueError("leadId and activityTypeId must be integers")
        date = record.get("activityDate")
        if not isinstance(date, str):
            raise ValueError("no activityDate")
        # Both "…Z" and "…+0000" occur on the wire (§4).
        activity_date = datetime.fromisoformat(date)
        if activity_date.tzinfo is None:
            raise ValueError(f"activityDate without an offset: {date!r}")
        attributes = {
            str(a["name"]): a.get("value")
            for a in record.get("attributes") or ()
            if isinstance(a, Mapping) and "name" in a
        }
        changes = tuple(
            FieldChange(
                name=str(f.get("name")),
                new_value=f.get("newValue"),
                old_value=f.get("oldValue"),
                field_id=f.get("id") if isinstance(f.get("id"), int) else None,
            )
            for f in record.get("fields") or ()
            if isinstance(f, Mapping) and "name" in f
        )
        primary = record.get("primaryAttributeValue")
        primary_id = record.get("primaryAttributeValueId")
        campaign = record.get("campaignId")
        return cls(
            marketo_guid=str(guid),
            lead_id=lead_id,
            activity_date=activity_date,
            activity_type_id=type_id,
            primary_attribute_value=None if primary is None else str(primary),
            primary_attribute_value_id=primary_id if isinstance(primary_id, int) else None,
            campaign_id=campaign if isinstance(campaign, int) else None,
            attributes=attributes,
            changes=changes,
            raw=dict(record),
        )


@dataclass(frozen=True)
class RejectedRecord:
    record: Any
    reason: str


@dataclass(frozen=True)
class ActivityPage:
    activities: list[Activity]
    next_page_token: str
    more_result: bool
    request_id: str | None = None
    rejected: tuple[RejectedRecord, ...] = ()


def _page(envelope: Envelope, sent_token: str) -> ActivityPage:
    if envelope.more_result and not envelope.next_page_token:
        raise PermanentError(
            "Marketo activities: moreResult without a nextPageToken",
            code="MALFORMED_ENVELOPE",
            request_id=envelope.request_id,
            system=SYSTEM,
        )
    activities: list[Activity] = []
    rejected: list[RejectedRecord] = []
    for record in envelope.result:
        try:
            if not isinstance(record, Mapping):
                raise ValueError("not an object")
            activities.append(Activity.from_wire(record))
        except ValueError as exc:
            rejected.append(RejectedRecord(record, str(exc)))
    return ActivityPage(
        activities=activities,
        next_page_token=envelope.next_page_token or sent_token,
        more_result=envelope.more_result,
        request_id=envelope.request_id,
        rejected=tuple(rejected),
    )


def _ids(values: Sequence[int], limit: int, what: str) -> str:
    if not values or len(values) > limit:
        raise ValueError(f"between 1 and {limit} {what} per call, not {len(values)}")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise ValueError(f"{what} must be integers")
    return ",".join(str(v) for v in values)


def _batch_size(value: int | None) -> dict[str, str]:
    if value is None:
        return {}
    if not 1 <= value <= 300:
        raise ValueError(f"batch_size must be between 1 and 300, not {value}")
    return {"batchSize": str(value)}


class ActivitiesMixin(MarketoTransport):
    async def get_paging_token(self, since: datetime, *, priority: int = PRIORITY_SYNC) -> str:
        """A token for activities at or after ``since`` (an aware datetime)."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        envelope = await self.call(
            "GET",
            "/rest/v1/activities/pagingtoken.json",
            endpoint="activities.pagingtoken",
            priority=priority,
            params={"sinceDatetime": since.isoformat().replace("+00:00", "Z")},
            expect="token",
        )
        assert envelope.next_page_token is not None
        return envelope.next_page_token

    async def activity_pages(
        self,
        activity_type_ids: Sequence[int],
        *,
        next_page_token: str,
        lead_ids: Sequence[int] | None = None,
        list_id: int | None = None,
        batch_size: int | None = None,
        max_pages: int | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> AsyncIterator[ActivityPage]:
        """Pages of activities of up to 10 types from ``next_page_token`` until ``moreResult`` is false.

        ``max_pages`` bounds one poll; the last page's token resumes the next one.
        """
        params = {
            "activityTypeIds": _ids(activity_type_ids, MAX_TYPE_IDS, "activity type ids"),
            **_batch_size(batch_size),
        }
        if lead_ids is not None and list_id is not None:
            raise ValueError("pass lead_ids or list_id, not both")
        if lead_ids is not None:
            params["leadIds"] = _ids(lead_ids, MAX_LEAD_IDS, "lead ids")
        if list_id is not None:
            params["listId"] = str(list_id)
        async for page in self._pages(
            "/rest/v1/activities.json", "activities", params, next_page_token, max_pages, priority
        ):
            yield page

    async def lead_change_pages(
        self,
        fields: Sequence[str],
        *,
        next_page_token: str,
        lead_ids: Sequence[int] | None = None,
        batch_size: int | None = None,
        max_pages: int | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> AsyncIterator[ActivityPage]:
        """Pages of New Lead (12) and Change Data Value (13) activities with ``changes`` for ``fields``."""
        if not fields:
            raise ValueError("lead changes need the fields to watch")
        params = {"fields": ",".join(fields), **_batch_size(batch_size)}
        if lead_ids is not None:
            params["leadIds"] = _ids(lead_ids, MAX_LEAD_IDS, "lead ids")
        async for page in self._pages(
            "/rest/v1/activities/leadchanges.json",
            "activities.leadchanges",
            params,
            next_page_token,
            max_pages,
            priority,
        ):
            yield page

    async def _pages(
        self,
        path: str,
        endpoint: str,
        params: dict[str, str],
        token: str,
        max_pages: int | None,
        priority: int,
    ) -> AsyncIterator[ActivityPage]:
        if not token:
            raise ValueError("a paging token is required (get one with get_paging_token)")
        pages = 0
        while True:
            envelope = await self.call(
                "GET", path, endpoint=endpoint, priority=priority, params={**params, "nextPageToken": token}
            )
            page = _page(envelope, token)
            yield page
            pages += 1
            if not page.more_result or (max_pages is not None and pages >= max_pages):
                return
            token = page.next_page_token
