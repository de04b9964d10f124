"""The ``routing`` section of handoff.yaml (being built out by the routing issue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    sla: str | None = Field(
        default=None, description="Name of the SLA policy (sla.policies) for this segment."
    )


class RoutingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segments: list[Segment] = Field(default_factory=list)
