"""The sample history: deterministic for a seed, consistent with itself, and within business hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dashboard.sample import SampleWorld
from dashboard.sample.hours import BusinessHours

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_same_seed_builds_the_same_history():
    first = list(SampleWorld(seed=5, now=NOW, days=20, handoffs=500).handoffs())
    again = list(SampleWorld(seed=5, now=NOW, days=20, handoffs=500).handoffs())
    other = list(SampleWorld(seed=6, now=NOW, days=20, handoffs=500).handoffs())
    assert first == again
    assert first != other


def test_rows_and_events_agree_and_nothing_happens_after_now():
    for row, events in SampleWorld(seed=9, now=NOW, days=40, handoffs=1500).handoffs():
        kinds = [event["kind"] for event in events]
        assert all(event["at"] <= NOW for event in events)
        assert [event["at"] for event in events] == sorted(event["at"] for event in events)
        assert (row["routed_at"] is not None) == ("routed" in kinds)
        assert (row["first_touch_at"] is not None) == ("touched" in kinds)
        assert row["breached"] == ("breached" in kinds)
        if row["first_touch_at"] is not None:
            assert row["touch_wall_seconds"] == (row["first_touch_at"] - row["routed_at"]).total_seconds()
            assert 0 <= row["touch_business_seconds"] <= row["touch_wall_seconds"]
        if row["state"] == "recycled":
            assert kinds[-1] == "recycled" and row["first_touch_at"] is None


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    st.floats(min_value=0, max_value=5 * 8 * 3600),
    st.sampled_from([-8, -5, 0, 1, 9]),
)
def test_business_time_added_is_business_time_elapsed(start, seconds, offset):
    hours = BusinessHours(offset)
    start = start.replace(tzinfo=UTC)
    end = hours.add(start, seconds)
    assert end >= start
    assert abs(hours.between(start, end) - seconds) < 1e-3
    local = end + timedelta(hours=offset)
    assert local.weekday() < 5 and 9 <= local.hour + local.minute / 60 <= 17
