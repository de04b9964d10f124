"""The ``sla`` section of handoff.yaml (being built out by the SLA issue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SlaPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_touch_minutes: float = Field(gt=0)


class SlaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policies: dict[str, SlaPolicy] = Field(default_factory=dict)
