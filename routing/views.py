"""Ops API for routing: config versions (get, validate, propose, activate, roll back, diff), replay, explain.

Thin: each route parses, calls ``routing.versions`` / ``routing.simulate``, and shapes the answer. The
composition root includes ``router`` with the ops role guard and may override ``config_validator``
with the full-document validator (routing + SLA + cross-references):
``app.dependency_overrides[routing.views.config_validator] = lambda: full_validator``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from handoff.web import ClockDep, PrincipalDep, SessionDep
from routing import repository
from routing.documents import parse_document, routing_config_of, validate_routing_document
from routing.models import ConfigVersion, Handoff
from routing.simulate import simulate
from routing.simulate_report import report_json
from routing.versions import MAX_DOCUMENT_BYTES, ConfigRejected, ConfigVersions, Validator, VersionNotFound

router = APIRouter(prefix="/api/routing", tags=["routing"])


def config_validator() -> Validator:
    """The document validator; the composition root overrides it with the full one."""
    return validate_routing_document


ValidatorDep = Annotated[Validator, Depends(config_validator)]


class DocumentIn(BaseModel):
    document: str = Field(max_length=MAX_DOCUMENT_BYTES, description="YAML with routing (and sla) sections")
    comment: str | None = Field(default=None, max_length=2000)


class RollbackIn(BaseModel):
    to_version_id: int | None = None
    comment: str | None = Field(default=None, max_length=2000)


class SimulateIn(BaseModel):
    document: str | None = Field(default=None, max_length=MAX_DOCUMENT_BYTES)
    version_id: int | None = None
    since_days: float = Field(default=30, gt=0, le=400)
    max_listed: int = Field(default=1000, ge=0, le=10000)


class VersionRead(BaseModel):
    id: int
    status: str
    author: str
    comment: str | None
    created_at: datetime
    activated_at: datetime | None
    parent_id: int | None
    checksum: str
    document: str

    @classmethod
    def of(cls, version: ConfigVersion) -> VersionRead:
        return cls.model_validate(version, from_attributes=True)


def _errors(errors: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"path": path, "message": message} for path, message in errors]


def _rejected(exc: ConfigRejected) -> HTTPException:
    return HTTPException(
        422,
        {"message": f"the config has {len(exc.errors)} error(s)", "errors": _errors(exc.errors)},
    )


def _committed(session: Session, version: ConfigVersion) -> VersionRead:
    """Commit before answering: a yield dependency's exit (``SessionDep``'s commit) runs after the
    response is sent (FastAPI's default dependency scope), so a client's next request could miss it."""
    answer = VersionRead.of(version)
    session.commit()
    return answer


def _not_found(exc: VersionNotFound) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


@router.get("/config", response_model=VersionRead)
def active_config(session: SessionDep, clock: ClockDep) -> VersionRead:
    version = ConfigVersions(session, clock).active()
    if version is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no config version is active yet")
    return VersionRead.of(version)


@router.get("/config/versions", response_model=list[VersionRead])
def list_versions(
    session: SessionDep, clock: ClockDep, limit: int = Query(100, ge=1, le=1000)
) -> list[VersionRead]:
    return [VersionRead.of(v) for v in ConfigVersions(session, clock).list(limit)]


@router.get("/config/versions/{version_id}", response_model=VersionRead)
def get_version(version_id: int, session: SessionDep, clock: ClockDep) -> VersionRead:
    try:
        return VersionRead.of(ConfigVersions(session, clock).get(version_id))
    except VersionNotFound as exc:
        raise _not_found(exc) from exc


@router.post("/config/validate")
def validate(
    body: DocumentIn, session: SessionDep, clock: ClockDep, validator: ValidatorDep
) -> dict[str, Any]:
    errors = ConfigVersions(session, clock, validator).validate(body.document)
    return {"valid": not errors, "errors": _errors(errors)}


@router.post("/config/versions", response_model=VersionRead, status_code=status.HTTP_201_CREATED)
def propose(
    body: DocumentIn, session: SessionDep, clock: ClockDep, principal: PrincipalDep, validator: ValidatorDep
) -> VersionRead:
    try:
        version = ConfigVersions(session, clock, validator).propose(
            body.document, principal.username, body.comment
        )
    except ConfigRejected as exc:
        raise _rejected(exc) from exc
    return _committed(session, version)


@router.post("/config/versions/{version_id}/activate", response_model=VersionRead)
def activate(version_id: int, session: SessionDep, clock: ClockDep, validator: ValidatorDep) -> VersionRead:
    try:
        return _committed(session, ConfigVersions(session, clock, validator).activate(version_id))
    except VersionNotFound as exc:
        raise _not_found(exc) from exc
    except ConfigRejected as exc:
        raise _rejected(exc) from exc


@router.post("/config/rollback", response_model=VersionRead)
def rollback(
    body: RollbackIn, session: SessionDep, clock: ClockDep, principal: PrincipalDep, validator: ValidatorDep
) -> VersionRead:
    try:
        version = ConfigVersions(session, clock, validator).rollback(
            principal.username, body.to_version_id, body.comment
        )
    except VersionNotFound as exc:
        raise _not_found(exc) from exc
    except ConfigRejected as exc:
        raise _rejected(exc) from exc
    return _committed(session, version)


@router.get("/config/versions/{version_id}/diff")
def diff(
    version_id: int, session: SessionDep, clock: ClockDep, against: int | None = Query(None)
) -> dict[str, Any]:
    """Changes from ``against`` (default: the version it was proposed on top of) to this version."""
    try:
        return ConfigVersions(session, clock).diff(version_id, against).to_json()
    except VersionNotFound as exc:
        raise _not_found(exc) from exc


@router.post("/simulate")
def simulate_config(body: SimulateIn, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """Replay the last ``since_days`` of handoffs through a proposed document or a stored version."""
    versions = ConfigVersions(session, clock)
    if (body.document is None) == (body.version_id is None):
        raise HTTPException(422, "give either document or version_id")
    try:
        text = body.document if body.document is not None else versions.get(body.version_id).document  # type: ignore[arg-type]
    except VersionNotFound as exc:
        raise _not_found(exc) from exc
    parsed = parse_document(text)
    if parsed.routing is None:
        raise _rejected(ConfigRejected(parsed.errors))
    active = versions.active()
    baseline = routing_config_of(active.document) if active is not None else None
    now = clock()
    report = simulate(
        session,
        parsed.routing,
        now - timedelta(days=body.since_days),
        now,
        baseline=baseline,
        max_listed=body.max_listed,
    )
    return report_json(report)


@router.get("/handoffs/{handoff_id}/events")
def explain(handoff_id: int, session: SessionDep) -> dict[str, Any]:
    """Why did this lead go where it went: the handoff and its events, oldest first."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no handoff {handoff_id}")
    return {
        "handoff": handoff.model_dump(mode="json"),
        "events": [event.model_dump(mode="json") for event in repository.events_of(session, handoff_id)],
    }
