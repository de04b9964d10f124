"""The small REST resources: version list, resource directory, ``/limits`` and standard actions.

Reference §9: ``/limits`` reports ``DailyApiRequests {Max, Remaining}`` (the allocation this emulator
counts) next to other limits; ``GET /services/data/`` lists versions and is the one call without a limit
header. Reference §6: ``/actions/standard/convertLead`` does not exist on a real org (404 "Invalid Action
Type"), so it does not exist here either: conversion is the SOAP call.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sandbox.salesforce import errors
from sandbox.salesforce.rest import ApiCallDep, check_version, json_response

router = APIRouter()

VERSIONS = [f"{major}.0" for major in range(20, 67)]


@router.get("/services/data")
def versions() -> Response:
    return json_response([{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in VERSIONS])


@router.get("/services/data/v{version}")
def resources(call: ApiCallDep) -> Response:
    check_version(call.version)
    base = f"/services/data/v{call.version}"
    names = ["sobjects", "query", "queryAll", "limits", "composite"]
    return json_response({name: f"{base}/{name}" for name in names})


@router.get("/services/data/v{version}/limits")
def limits(call: ApiCallDep) -> Response:
    check_version(call.version)
    usage = call.state.usage
    remaining = usage.remaining(call.now)
    return json_response(
        {
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            "DailyApiRequests": {"Max": usage.maximum, "Remaining": remaining},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkApiRequests": {"Max": 5000, "Remaining": 5000},
            "DailyWorkflowEmails": {"Max": 1000, "Remaining": 1000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        }
    )


@router.api_route("/services/data/v{version}/actions/standard/{action}", methods=["GET", "POST"])
def standard_action(action: str, call: ApiCallDep) -> Response:
    raise errors.ApiError(404, "NOT_FOUND", "Invalid Action Type")
