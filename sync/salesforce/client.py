"""The Salesforce client every flow uses: sObject CRUD and upsert, collections, SOQL paging, limits.

Typed methods in, plain dicts of fields and typed results out; callers never see an error array or a
status code. Updates and upserts send ``Sforce-Auto-Assign: FALSE`` unless the caller passes another
``AutoAssign`` (reference/salesforce.md §5, §11). Every method takes a ``priority`` (the outbox's
``PRIORITY_*``): below the configured reserve of the daily allocation only routing work is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from handoff.clock import Clock, utcnow
from sync.config import SalesforceConnection
from sync.outbox import PRIORITY_SYNC
from sync.salesforce.auth import ClientCredentials, JwtBearer, TokenSource, load_private_key
from sync.salesforce.collections import check_name, check_record_id
from sync.salesforce.composite import CollectionsMixin
from sync.salesforce.errors import unexpected_reply
from sync.salesforce.headers import AutoAssign, DuplicateRuleHeader, query_options, request_headers


@dataclass(frozen=True)
class UpsertResult:
    id: str
    created: bool


def _fields_param(fields: Sequence[str] | None) -> dict[str, str]:
    if not fields:
        return {}
    return {"fields": ",".join(check_name(f, "field") for f in fields)}


def _clean(fields: Mapping[str, Any], what: str) -> dict[str, Any]:
    if not fields:
        raise ValueError(f"{what} needs at least one field")
    return {k: v for k, v in fields.items() if k != "attributes"}


class SalesforceClient(CollectionsMixin):
    """One org, one token, one allocation reading; safe to share between concurrent flows."""

    def __init__(
        self,
        connection: SalesforceConnection,
        *,
        private_key: str | SecretStr | None = None,
        client_secret: str | SecretStr | None = None,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utcnow,
        audience: str | None = None,
    ) -> None:
        login_url = str(connection.login_url).rstrip("/")
        grant: JwtBearer | ClientCredentials
        if connection.auth == "jwt":
            if not (connection.consumer_key and connection.username and private_key):
                raise ValueError("Salesforce JWT login needs consumer_key, username and the private key")
            grant = JwtBearer(
                consumer_key=connection.consumer_key,
                username=connection.username,
                private_key=load_private_key(private_key),
                audience=(audience or login_url).rstrip("/"),
            )
            token_url = f"{login_url}/services/oauth2/token"
        else:
            if not (connection.client_id and client_secret and connection.instance_url):
                raise ValueError(
                    "Salesforce client credentials need client_id, the client secret and instance_url "
                    "(the My Domain host: login hosts refuse this flow)"
                )
            secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
            grant = ClientCredentials(client_id=connection.client_id, client_secret=secret)
            token_url = f"{str(connection.instance_url).rstrip('/')}/services/oauth2/token"
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(
                timeout=connection.timeout_seconds,
                verify=connection.ca_file or True,
                transport=transport,
            )
        super().__init__(
            http=http,
            tokens=TokenSource(http, token_url, grant, clock=clock),
            api_version=connection.api_version,
            daily_reserve=connection.daily_reserve,
            clock=clock,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> SalesforceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- single records (§2) ------------------------------------------------------------------------

    async def create(
        self,
        sobject: str,
        fields: Mapping[str, Any],
        *,
        auto_assign: AutoAssign | None = None,
        duplicate_rule: DuplicateRuleHeader | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> str:
        """Create one record and return its id. Without ``auto_assign`` Salesforce runs the active rule."""
        response = await self.request(
            "POST",
            f"sobjects/{check_name(sobject)}/",
            endpoint="sobject.create",
            priority=priority,
            json_body=_clean(fields, f"creating a {sobject}"),
            headers=request_headers(auto_assign, duplicate_rule),
        )
        body = response.body
        if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
            raise unexpected_reply(body, context=f"create {sobject}")
        return body["id"]

    async def get(
        self,
        sobject: str,
        record_id: str,
        fields: Sequence[str] | None = None,
        *,
        priority: int = PRIORITY_SYNC,
    ) -> dict[str, Any]:
        """One record's fields (raises ``SalesforceNotFound`` if it is gone)."""
        response = await self.request(
            "GET",
            f"sobjects/{check_name(sobject)}/{check_record_id(record_id)}",
            endpoint="sobject.get",
            priority=priority,
            params=_fields_param(fields),
        )
        return self._record(response.body, f"get {sobject}")

    async def get_by_external_id(
        self,
        sobject: str,
        field: str,
        value: str,
        fields: Sequence[str] | None = None,
        *,
        priority: int = PRIORITY_SYNC,
    ) -> dict[str, Any]:
        response = await self.request(
            "GET",
            f"sobjects/{check_name(sobject)}/{check_name(field, 'field')}/{quote(str(value), safe='')}",
            endpoint="sobject.get_by_external_id",
            priority=priority,
            params=_fields_param(fields),
        )
        return self._record(response.body, f"get {sobject} by {field}")

    async def update(
        self,
        sobject: str,
        record_id: str,
        fields: Mapping[str, Any],
        *,
        auto_assign: AutoAssign = AutoAssign.FALSE,
        duplicate_rule: DuplicateRuleHeader | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> None:
        """PATCH changed fields; ``Sforce-Auto-Assign: FALSE`` by default so the owner is never overwritten."""
        await self.request(
            "PATCH",
            f"sobjects/{check_name(sobject)}/{check_record_id(record_id)}",
            endpoint="sobject.update",
            priority=priority,
            json_body=_clean(fields, f"updating a {sobject}"),
            headers=request_headers(auto_assign, duplicate_rule),
        )

    async def upsert(
        self,
        sobject: str,
        external_id_field: str,
        value: str,
        fields: Mapping[str, Any],
        *,
        auto_assign: AutoAssign = AutoAssign.FALSE,
        duplicate_rule: DuplicateRuleHeader | None = None,
        priority: int = PRIORITY_SYNC,
    ) -> UpsertResult:
        """Create or update by external id (201 created / 200 updated; 300 raises ``SalesforceMultipleMatches``).

        ``FALSE`` by default because the same call may update an owned record; pass a rule to route creates.
        """
        response = await self.request(
            "PATCH",
            f"sobjects/{check_name(sobject)}/{check_name(external_id_field, 'field')}/{quote(str(value), safe='')}",
            endpoint="sobject.upsert",
            priority=priority,
            json_body=_clean(fields, f"upserting a {sobject}"),
            headers=request_headers(auto_assign, duplicate_rule),
        )
        body = response.body
        if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
            raise unexpected_reply(body, context=f"upsert {sobject}")
        created = body.get("created")
        return UpsertResult(
            id=body["id"], created=created if isinstance(created, bool) else response.status == 201
        )

    async def delete(self, sobject: str, record_id: str, *, priority: int = PRIORITY_SYNC) -> None:
        await self.request(
            "DELETE",
            f"sobjects/{check_name(sobject)}/{check_record_id(record_id)}",
            endpoint="sobject.delete",
            priority=priority,
        )

    # -- SOQL (§3) and limits (§9) ------------------------------------------------------------------

    async def query(
        self,
        soql: str,
        *,
        batch_size: int | None = None,
        include_deleted: bool = False,
        priority: int = PRIORITY_SYNC,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record of a SOQL query, following ``nextRecordsUrl`` until ``done``."""
        if not soql.strip():
            raise ValueError("empty SOQL query")
        headers = query_options(batch_size)
        response = await self.request(
            "GET",
            "queryAll" if include_deleted else "query",
            endpoint="query",
            priority=priority,
            params={"q": soql},
            headers=headers,
        )
        while True:
            body = response.body
            if not isinstance(body, Mapping) or not isinstance(body.get("records"), list):
                raise unexpected_reply(body, context="query")
            for record in body["records"]:
                yield record
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) is True:
                return
            if not isinstance(next_url, str):
                raise unexpected_reply(body, context="query page without nextRecordsUrl")
            response = await self.request(
                "GET", next_url, endpoint="query.more", priority=priority, headers=headers
            )

    async def limits(self, *, priority: int = PRIORITY_SYNC) -> dict[str, Any]:
        """The org's limits (``DailyApiRequests`` etc.); the reading lags by up to 5 minutes (§9)."""
        response = await self.request("GET", "limits/", endpoint="limits", priority=priority)
        return self._record(response.body, "limits")

    @staticmethod
    def _record(body: Any, context: str) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise unexpected_reply(body, context=context)
        return dict(body)
