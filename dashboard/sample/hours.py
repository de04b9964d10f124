"""Working hours for synthetic reps: Monday to Friday, 09:00 to 17:00, at a fixed UTC offset."""

from __future__ import annotations

from datetime import datetime, timedelta


class BusinessHours:
    """Monday-Friday 09:00-17:00 at a fixed UTC offset: enough for synthetic data (the SLA package owns
    real calendars with DST and holidays)."""

    OPEN, CLOSE = 9 * 3600, 17 * 3600

    def __init__(self, utc_offset_hours: int) -> None:
        self.offset = timedelta(hours=utc_offset_hours)

    def _next_open(self, moment: datetime) -> datetime:
        local = moment + self.offset
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        if local.weekday() < 5 and self.OPEN <= seconds < self.CLOSE:
            return moment
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local.weekday() < 5 and seconds < self.OPEN:
            return day + timedelta(seconds=self.OPEN) - self.offset
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day + timedelta(seconds=self.OPEN) - self.offset

    def add(self, start: datetime, business_seconds: float) -> datetime:
        moment = self._next_open(start)
        remaining = business_seconds
        while True:
            local = moment + self.offset
            closing = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=self.CLOSE)
            available = (closing - local).total_seconds()
            if remaining <= available:
                return moment + timedelta(seconds=remaining)
            remaining -= available
            moment = self._next_open(closing - self.offset)

    def between(self, start: datetime, end: datetime) -> float:
        total, moment = 0.0, self._next_open(start)
        while moment < end:
            local = moment + self.offset
            closing = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(seconds=self.CLOSE)
            stop = min(end, closing - self.offset)
            total += (stop - moment).total_seconds()
            moment = self._next_open(closing - self.offset)
        return total
