"""SLA: business calendars, the first-touch clock, escalation ladders and notification channels."""
