"""Engagement activities a simulated person produces: page visits, form fills, email sends/opens/clicks.

The ids are the standard ones Handoff polls (reference/marketo.md §4 and DESIGN.md flow 4: 10 Open Email,
11 Click Email, 2 Fill Out Form — not 1, 2, 3). Assets (forms, emails, pages) get stable integer ids
per name, used as the primary attribute value id (§4 "Primary attribute: 1 Webpage ID; 2 Webform ID").
A form fill also writes the submitted lead fields (13 Change Data Value, reason "Form fill-out") before
the 2 Fill Out Form activity, so a "Fills Out Form" trigger sees the person as updated by the form.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sandbox.marketo import activity_types as types
from sandbox.marketo.activities import Activity
from sandbox.marketo.core import Core
from sandbox.marketo.people import People, UnknownLead


class Engagement:
    def __init__(self, core: Core, people: People) -> None:
        self._core = core
        self._people = people
        self._asset_ids: dict[tuple[str, str], int] = {}
        self._next_asset = itertools.count(1001)

    def asset_id(self, kind: str, name: str) -> int:
        """A stable id for a named asset (``form``, ``email``, ``page``, ``link``)."""
        with self._core.lock:
            key = (kind, name.lower())
            if key not in self._asset_ids:
                self._asset_ids[key] = next(self._next_asset)
            return self._asset_ids[key]

    def record(
        self,
        lead_id: int,
        activity_type_id: int,
        *,
        at: datetime | None = None,
        primary_attribute_value: str | None = None,
        primary_attribute_value_id: int | None = None,
        attributes: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        campaign_id: int | None = None,
    ) -> Activity:
        """Any standard activity for a live lead (unknown type ids are refused)."""
        if activity_type_id not in types.BY_ID:
            raise ValueError(f"unknown activity type {activity_type_id}")
        pairs = list(attributes.items()) if isinstance(attributes, Mapping) else list(attributes or ())
        with self._core.lock:
            if lead_id not in self._core.leads:
                raise UnknownLead(lead_id)
            return self._core.record(
                lead_id,
                activity_type_id,
                self._core.now(at),
                primary_attribute_value_id=primary_attribute_value_id,
                primary_attribute_value=primary_attribute_value,
                attributes=pairs,
                campaign_id=campaign_id,
            )

    def visit_webpage(
        self, lead_id: int, url: str, *, at: datetime | None = None, referrer: str | None = None
    ) -> Activity:
        attributes = [("Webpage URL", url)]
        if referrer:
            attributes.append(("Referrer URL", referrer))
        return self.record(
            lead_id,
            types.VISIT_WEBPAGE,
            at=at,
            primary_attribute_value=url,
            primary_attribute_value_id=self.asset_id("page", url),
            attributes=attributes,
        )

    def fill_out_form(
        self,
        lead_id: int,
        form_name: str,
        *,
        at: datetime | None = None,
        form_fields: Mapping[str, Any] | None = None,
        webpage_url: str | None = None,
    ) -> Activity:
        """Fill Out Form (2); submitted values that are lead fields update the person first."""
        submitted = dict(form_fields or {})
        with self._core.lock:
            when = self._core.now(at)
            lead_values = {k: v for k, v in submitted.items() if k in self._core.lead_schema and k != "id"}
            if lead_values:
                self._people.update(
                    lead_id,
                    lead_values,
                    at=when,
                    reason=f"Form fill-out, URL: {webpage_url or form_name}",
                    source="Web form fillout",
                )
            attributes: list[tuple[str, Any]] = [
                ("Form Fields", json.dumps(submitted, default=str, sort_keys=True))
            ]
            if webpage_url:
                attributes.append(("Webpage ID", self.asset_id("page", webpage_url)))
            return self.record(
                lead_id,
                types.FILL_OUT_FORM,
                at=when,
                primary_attribute_value=form_name,
                primary_attribute_value_id=self.asset_id("form", form_name),
                attributes=attributes,
            )

    def _email(
        self,
        lead_id: int,
        type_id: int,
        email_name: str,
        at: datetime | None,
        extra: Sequence[tuple[str, Any]] = (),
    ) -> Activity:
        return self.record(
            lead_id,
            type_id,
            at=at,
            primary_attribute_value=email_name,
            primary_attribute_value_id=self.asset_id("email", email_name),
            attributes=list(extra),
        )

    def send_email(self, lead_id: int, email_name: str, *, at: datetime | None = None) -> Activity:
        return self._email(lead_id, types.SEND_EMAIL, email_name, at)

    def email_delivered(self, lead_id: int, email_name: str, *, at: datetime | None = None) -> Activity:
        return self._email(lead_id, types.EMAIL_DELIVERED, email_name, at)

    def open_email(
        self, lead_id: int, email_name: str, *, at: datetime | None = None, device: str = "Desktop"
    ) -> Activity:
        return self._email(
            lead_id,
            types.OPEN_EMAIL,
            email_name,
            at,
            [("Device", device), ("Is Mobile Device", device != "Desktop")],
        )

    def click_email(
        self, lead_id: int, email_name: str, link: str, *, at: datetime | None = None, device: str = "Desktop"
    ) -> Activity:
        return self._email(
            lead_id,
            types.CLICK_EMAIL,
            email_name,
            at,
            [("Link", link), ("Device", device), ("Is Mobile Device", device != "Desktop")],
        )

    def interesting_moment(
        self, lead_id: int, description: str, *, moment_type: str = "Web", at: datetime | None = None
    ) -> Activity:
        return self.record(
            lead_id,
            types.INTERESTING_MOMENT,
            at=at,
            primary_attribute_value=description,
            attributes=[("Type", moment_type), ("Description", description), ("Source", "Web")],
        )
