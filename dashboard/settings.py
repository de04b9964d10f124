"""What the dashboard needs to know about the deployment: its time zone and when waiting becomes leakage.

The composition root may put a ``DashboardSettings`` on ``app.state.dashboard_settings`` (for example
from the routing config's hold limit); without one the dashboard shows UTC and the default limits.
The ops console's validator and replay preview are injected the same way (see ``dashboard.ops``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request

from dashboard.metrics import StageLimits


@dataclass(frozen=True)
class DashboardSettings:
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    limits: StageLimits = field(default_factory=StageLimits)


def dashboard_settings(request: Request) -> DashboardSettings:
    found = getattr(request.app.state, "dashboard_settings", None)
    return found if isinstance(found, DashboardSettings) else DashboardSettings()


def now_of(request: Request) -> datetime:
    return request.app.state.clock()
