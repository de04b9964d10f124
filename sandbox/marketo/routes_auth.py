"""``/identity/oauth/token``: the client-credentials grant (reference/marketo.md §1).

GET or POST with query parameters (a form body is accepted too; §1 leaves it unverified). The answer is
plain JSON, not the envelope. Bad credentials get HTTP 401 with an OAuth-style body (§1: the exact body
is unverified; marketorestpython reads ``error`` / ``error_description``). Token calls are outside the
REST limits and quota (§1 "Not counted against the daily limit").
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.marketo.envelope import json_response
from sandbox.marketo.routes_common import marketo

router = APIRouter()


@router.api_route("/identity/oauth/token", methods=["GET", "POST"])
async def token(request: Request) -> Response:
    params = dict(request.query_params)
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        params.update({k: str(v) for k, v in form.items()})
    state = marketo(request)
    if params.get("grant_type") != "client_credentials":
        return json_response(
            {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}, 401
        )
    if not state.credentials_match(params.get("client_id"), params.get("client_secret")):
        return json_response({"error": "invalid_client", "error_description": "Bad client credentials"}, 401)
    now = state.clock()
    issued = state.tokens.issue(state.client_id, now)
    return json_response(
        {
            "access_token": issued.value,
            "token_type": "bearer",
            "expires_in": issued.expires_in(now),
            "scope": f"apis@{state.munchkin_id.lower()}.sandbox",
        }
    )
