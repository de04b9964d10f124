"""Ops console, config editor (ops role): routing criteria and SLA policies as YAML, validated inline,
diffed against the active version, previewed on past handoffs, saved, activated and rolled back.

Everything goes through the routing package's services (``routing.versions.ConfigVersions`` and
``routing.simulate``); the validator is the one the routing API uses (``routing.views.config_validator``),
so the composition root's full-document validator (routing + SLA + cross-references) applies here too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from dashboard.auth.csrf import require_csrf
from dashboard.web.render import error_page, render
from dashboard.web.route import DashboardRoute
from dashboard.yamlpaths import line_of, line_text
from handoff.web import ClockDep, PrincipalDep, SessionDep
from routing.documents import parse_document, routing_config_of, structural_diff, text_diff
from routing.models import ConfigVersion
from routing.simulate import simulate
from routing.simulate_report import report_json
from routing.versions import MAX_DOCUMENT_BYTES, ConfigRejected, ConfigVersions, VersionNotFound
from routing.views import ValidatorDep

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
PATH = "/dashboard/ops/config"
PREVIEW_DAYS = (7, 30, 90)
PREVIEW_LISTED = 50
# A form shown again with its errors is a normal page (as Django and Rails answer it), not a failed load:
# nothing was saved and the page says so; 4xx would make browsers log every typo as a console error.
FORM_WITH_ERRORS = 200
STARTER = """\
# Route-ready criteria and SLA policies. Check & preview shows errors, the diff and the effect on past leads.
routing:
  segments: []
sla:
  policies: {}
"""


def _problems(document: str, errors: list[tuple[str, str]]) -> list[dict[str, Any]]:
    found = []
    for path, message in errors:
        line = line_of(document, path, message)
        found.append(
            {"path": path, "message": message, "line": line, "text": line_text(document, line).strip()}
        )
    return sorted(found, key=lambda item: (item["line"] or 0, item["path"]))


def _diff(before: ConfigVersion | None, document: str) -> dict[str, Any]:
    before_text = before.document if before else ""
    before_data, after_data = parse_document(before_text).data, parse_document(document).data
    return {
        "against": before.id if before else None,
        "text": text_diff(
            before_text, document, f"version {before.id}" if before else "(nothing active)", "edited"
        ),
        "changes": structural_diff(before_data, after_data),
    }


def _editor(
    request: Request,
    versions: ConfigVersions,
    document: str,
    *,
    comment: str = "",
    problems: list[dict[str, Any]] | None = None,
    diff: dict[str, Any] | None = None,
    preview: dict[str, Any] | None = None,
    days: int = 30,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "ops/config.html",
        {
            "current": "ops_config",
            "document": document,
            "comment": comment,
            "problems": problems or [],
            "diff": diff,
            "preview": preview,
            "days": days,
            "preview_days": PREVIEW_DAYS,
            "active": versions.active(),
            "versions": versions.list(30),
            "notice": notice,
            "max_bytes": MAX_DOCUMENT_BYTES,
        },
        status_code=status_code,
        title="Routing & SLA config",
    )


@router.get(PATH)
def config_page(
    request: Request, session: SessionDep, clock: ClockDep, load: int | None = None, notice: str | None = None
) -> Response:
    versions = ConfigVersions(session, clock)
    try:
        chosen = versions.get(load) if load else versions.active()
    except VersionNotFound as exc:
        return error_page(request, 404, "No such version", str(exc))
    return _editor(request, versions, chosen.document if chosen else STARTER, notice=notice)


@router.post(PATH, dependencies=[Depends(require_csrf)])
def submit_config(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    validator: ValidatorDep,
    document: Annotated[str, Form(max_length=MAX_DOCUMENT_BYTES)],
    action: Annotated[Literal["check", "save", "activate"], Form()] = "check",
    comment: Annotated[str, Form(max_length=2000)] = "",
    days: Annotated[int, Form(ge=1, le=90)] = 30,
) -> Response:
    versions = ConfigVersions(session, clock, validator)
    document = document.replace("\r\n", "\n")
    errors = versions.validate(document)
    if errors:
        return _editor(
            request,
            versions,
            document,
            comment=comment,
            problems=_problems(document, errors),
            days=days,
            status_code=FORM_WITH_ERRORS,
        )
    if action == "check":
        active = versions.active()
        baseline = routing_config_of(active.document) if active else None
        now = clock()
        report = simulate(
            session,
            routing_config_of(document),
            now - timedelta(days=days),
            now,
            baseline=baseline,
            max_listed=PREVIEW_LISTED,
        )
        return _editor(
            request,
            versions,
            document,
            comment=comment,
            diff=_diff(active, document),
            preview=report_json(report),
            days=days,
        )
    try:
        version = versions.propose(document, principal.username, comment or None)
        if action == "activate":
            version = versions.activate(version.id)  # type: ignore[arg-type]
    except ConfigRejected as exc:
        return _editor(
            request,
            versions,
            document,
            comment=comment,
            problems=_problems(document, exc.errors),
            status_code=FORM_WITH_ERRORS,
        )
    done = "activated" if action == "activate" else "saved as a proposal"
    return RedirectResponse(
        f"{PATH}/versions/{version.id}?notice=Version+{version.id}+{done.replace(' ', '+')}", status_code=303
    )


@router.get(PATH + "/versions/{version_id}")
def version_page(
    request: Request, session: SessionDep, clock: ClockDep, version_id: int, notice: str | None = None
) -> Response:
    versions = ConfigVersions(session, clock)
    try:
        version = versions.get(version_id)
    except VersionNotFound as exc:
        return error_page(request, 404, "No such version", str(exc))
    active = versions.active()
    against = (
        active
        if active and active.id != version.id
        else (versions.get(version.parent_id) if version.parent_id else None)
    )
    return render(
        request,
        "ops/version.html",
        {
            "current": "ops_config",
            "version": version,
            "active": active,
            "diff": _diff(against, version.document),
            "notice": notice,
            "problems": [],
        },
        title=f"Config version #{version_id}",
    )


@router.post(PATH + "/versions/{version_id}/activate", dependencies=[Depends(require_csrf)])
def activate_version(
    request: Request, session: SessionDep, clock: ClockDep, validator: ValidatorDep, version_id: int
) -> Response:
    versions = ConfigVersions(session, clock, validator)
    try:
        versions.activate(version_id)
    except VersionNotFound as exc:
        return error_page(request, 404, "No such version", str(exc))
    except ConfigRejected as exc:
        version = versions.get(version_id)
        return render(
            request,
            "ops/version.html",
            {
                "current": "ops_config",
                "version": version,
                "active": versions.active(),
                "diff": None,
                "notice": None,
                "problems": _problems(version.document, exc.errors),
            },
            status_code=FORM_WITH_ERRORS,
            title=f"Config version #{version_id}",
        )
    return RedirectResponse(
        f"{PATH}/versions/{version_id}?notice=Version+{version_id}+activated", status_code=303
    )


@router.post(PATH + "/rollback", dependencies=[Depends(require_csrf)])
def rollback(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PrincipalDep,
    validator: ValidatorDep,
    to_version_id: Annotated[int | None, Form()] = None,
) -> Response:
    versions = ConfigVersions(session, clock, validator)
    try:
        version = versions.rollback(principal.username, to_version_id)
    except VersionNotFound as exc:
        return error_page(request, 409, "Nothing to roll back to", str(exc))
    except ConfigRejected as exc:
        message = "; ".join(f"{path}: {text}" for path, text in exc.errors)
        return error_page(request, 422, "That version is no longer valid", message)
    return RedirectResponse(
        f"{PATH}/versions/{version.id}?notice=Rolled+back:+version+{version.id}+is+active", status_code=303
    )
