"""Shared pieces of the REST routers: the per-request call context, JSON bodies and responses.

The middleware has already authenticated the caller and counted the call; a route reads
``ApiCall`` (org, session, API version, the time now, the request headers) and answers with
``json_response``. Routes raise ``ApiError`` and the app's handler turns it into the reference §2 array.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from sandbox.salesforce import errors
from sandbox.salesforce.assignment import AutoAssign
from sandbox.salesforce.dml import WriteOptions
from sandbox.salesforce.duplicates import parse_rule_header
from sandbox.salesforce.sessions import Session
from sandbox.salesforce.state import SalesforceState

MAX_BODY_BYTES = 8 * 1024 * 1024


@dataclass
class ApiCall:
    state: SalesforceState
    session: Session
    version: str
    now: datetime
    request: Request

    @property
    def user_id(self) -> str:
        return self.session.user_id

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def write_options(self) -> WriteOptions:
        """Options for a write: the session's user, and the §5 / §2 request headers."""
        return WriteOptions(
            user_id=self.user_id,
            now=self.now,
            api_version=self.version,
            auto_assign=AutoAssign.from_header(self.header("Sforce-Auto-Assign")),
            allow_duplicates=parse_rule_header(self.header("Sforce-Duplicate-Rule-Header")),
        )

    def url(self, sobject: str, record_id: str) -> str:
        return f"/services/data/v{self.version}/sobjects/{sobject}/{record_id}"


def api_call(request: Request) -> ApiCall:
    state: SalesforceState = request.app.state.salesforce
    session = getattr(request.state, "sf_session", None)
    if session is None:
        raise errors.invalid_session()
    version = request.path_params.get("version", state.settings.api_version)
    return ApiCall(state, session, version, state.clock(), request)


ApiCallDep = Annotated[ApiCall, Depends(api_call)]


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(content, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json;charset=UTF-8", headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise errors.ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body is too large")
    if not raw.strip():
        raise errors.json_parser_error("No content to map due to end-of-input")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.json_parser_error(f"Unexpected character: {exc}") from None


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise errors.json_parser_error(
            "Cannot deserialize instance of SObject from START_ARRAY value [ or request may be missing a required field"
        )
    return body


def check_version(version: str) -> None:
    major, _, minor = version.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise errors.not_found()
