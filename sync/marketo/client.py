"""The Marketo client every flow uses: leads, activities, lead changes, program members, companies.

Build one per Marketo instance and share it (or at least its ``Throttle``) between all flows of the
process: the throttle is what keeps the instance under 100 calls / 20 s and 10 in flight (marketo.md §7).
Methods take the outbox's ``PRIORITY_*`` so routing calls overtake backfills and keep the daily reserve.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
from pydantic import SecretStr

from handoff.clock import Clock, utcnow
from sync.config import MarketoConnection
from sync.marketo.activities import ActivitiesMixin
from sync.marketo.auth import MarketoTokenSource
from sync.marketo.errors import RESET_ZONE
from sync.marketo.leads import LeadsMixin
from sync.marketo.programs import ProgramsMixin
from sync.marketo.throttle import Sleep, Throttle, ThrottleLimits
from sync.outbox import PRIORITY_SYNC


class MarketoClient(LeadsMixin, ActivitiesMixin, ProgramsMixin):
    def __init__(
        self,
        connection: MarketoConnection,
        *,
        client_secret: str | SecretStr,
        throttle: Throttle | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
        max_retries: int = 2,
    ) -> None:
        secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        if not secret.get_secret_value():
            raise ValueError("the Marketo client secret is empty (set HANDOFF_MARKETO_CLIENT_SECRET)")
        base_url = str(connection.base_url).rstrip("/")
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(
                timeout=connection.timeout_seconds,
                verify=connection.ca_file or True,
                transport=transport,
                limits=httpx.Limits(max_connections=connection.max_in_flight + 2),
            )
        super().__init__(
            http=http,
            base_url=base_url,
            tokens=MarketoTokenSource(http, base_url, connection.client_id, secret, clock=clock),
            throttle=throttle
            or Throttle(ThrottleLimits.from_connection(connection), clock=clock, sleep=sleep),
            clock=clock,
            sleep=sleep,
            max_retries=max_retries,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> MarketoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def refresh_daily_usage(self, *, priority: int = PRIORITY_SYNC) -> int | None:
        """Read today's call count from ``/rest/v1/stats/usage.json`` (§7) and raise the throttle's count to it.

        The daily quota is shared with every other integration of the instance; our own count only sees
        our calls. Returns today's total, or None if Marketo has no entry for today yet.
        """
        envelope = await self.call(
            "GET", "/rest/v1/stats/usage.json", endpoint="stats.usage", priority=priority
        )
        today = self._clock().astimezone(RESET_ZONE).date().isoformat()
        for entry in envelope.result:
            if (
                isinstance(entry, Mapping)
                and entry.get("date") == today
                and isinstance(entry.get("total"), int)
            ):
                await self.throttle.record_usage(entry["total"])
                return int(entry["total"])
        return None
