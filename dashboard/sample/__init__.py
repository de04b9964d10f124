"""A seeded sample history for the dashboard: ``SampleWorld`` builds it, ``insert_sample`` stores it."""

from dashboard.sample.store import insert_sample, snapshot_for
from dashboard.sample.world import SampleWorld

__all__ = ["SampleWorld", "insert_sample", "snapshot_for"]
