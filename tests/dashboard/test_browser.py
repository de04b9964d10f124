"""The dashboard in a real Chromium against a live server on loopback: pages, charts, filters, exports,
the ops console, and a viewer kept out of it. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlmodel import Session, select

from routing.models import ConfigVersion
from tests.dashboard.conftest import OPS, VIEWER, Watched, browser_sign_in, screenshot
from tests.dashboard.support import INVALID_CONFIG, VALID_CONFIG

pytestmark = pytest.mark.browser

PAGES = {
    "overview": "/dashboard/",
    "speed": "/dashboard/speed?by=team",
    "sla": "/dashboard/sla",
    "leakage": "/dashboard/leakage",
    "conversion": "/dashboard/conversion",
    "leads": "/dashboard/leads?metric=leaked",
}


def charts_rendered(watched: Watched) -> int:
    """Wait until every chart of the page has been drawn by plotly.js; return how many there are."""
    page = watched.page
    plots = page.locator(".plot")
    count = plots.count()
    for index in range(count):
        plots.nth(index).locator(".main-svg").first.wait_for(state="attached")
        assert plots.nth(index).get_attribute("data-rendered") == "true"
    return count


def test_every_page_renders_its_charts_offline_without_errors(watched: Watched):
    browser_sign_in(watched, *VIEWER)
    page = watched.page
    for name, path in PAGES.items():
        page.goto(watched.base_url + path)
        expected = page.locator("script.figure-data").count()
        assert charts_rendered(watched) == expected
        if name != "leads":
            assert expected >= 1, f"{name} has no chart"
        assert page.locator("h1").first.is_visible()
        screenshot(watched, name)
    page.goto(watched.base_url + "/dashboard/leads?metric=leaked")
    page.locator("table.leads tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/dashboard/leads/\d+$"))
    assert page.get_by_role("heading", name="Timeline").is_visible()
    assert page.locator("ol.timeline li").count() >= 2
    screenshot(watched, "lead")
    assert watched.console_errors == []
    assert watched.outside_requests == []


def test_a_click_on_a_funnel_bar_lists_the_leads_behind_it(watched: Watched):
    browser_sign_in(watched, *VIEWER, path="/dashboard/leakage")
    page = watched.page
    charts_rendered(watched)
    figure = json.loads(page.locator('script[data-target="funnel"]').text_content() or "{}")
    index = figure["data"][0]["y"].index("Routed, untouched")
    box = page.locator("#funnel .trace.bars .point path").nth(index).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r".*/dashboard/leads\?.*stage=untouched"))
    assert "stage: untouched" in page.locator(".page-head").inner_text()
    stages = page.locator("table.leads .stage-badge").all_inner_texts()
    assert stages and set(stages) == {"Routed, untouched"}
    assert watched.console_errors == []


def test_a_filter_narrows_the_figures_and_the_csv_export_follows_it(watched: Watched):
    browser_sign_in(watched, *VIEWER)
    page = watched.page
    charts_rendered(watched)
    everyone = int(page.locator("#kpi-mqls .kpi-value").inner_text().replace("\u202f", ""))
    page.get_by_label("Segment").select_option("Tier A")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r".*segment=Tier\+A.*"))
    charts_rendered(watched)
    tier_a = int(page.locator("#kpi-mqls .kpi-value").inner_text().replace("\u202f", ""))
    assert 0 < tier_a < everyone
    screenshot(watched, "overview-tier-a")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("handoff-overview-")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0] == ["metric", "current", "previous", "change"]
    assert ["MQLs", str(tier_a)] == rows[1][:2]
    assert watched.console_errors == [] and watched.outside_requests == []


def test_ops_sees_a_config_error_inline_then_activates_a_valid_config(watched: Watched, seeded_engine):
    browser_sign_in(watched, *OPS, path="/dashboard/ops/config")
    page = watched.page
    screenshot(watched, "ops-config")
    page.get_by_label("Routing criteria and SLA policies (YAML)").fill(INVALID_CONFIG)
    page.get_by_role("button", name="Check & preview").click()
    errors = page.locator("#config-errors")
    errors.wait_for()
    assert "Line 4" in errors.inner_text()
    assert 'unknown policy "gold"' in errors.inner_text()
    assert (
        page.get_by_label("Routing criteria and SLA policies (YAML)").get_attribute("aria-invalid") == "true"
    )
    screenshot(watched, "ops-config-error")

    page.get_by_label("Routing criteria and SLA policies (YAML)").fill(VALID_CONFIG)
    page.get_by_label("What changes and why").fill("Tier A gets its 15 minute SLA")
    page.get_by_role("button", name="Check & preview").click()
    page.get_by_role("heading", name=re.compile("Changes against version #4")).wait_for()
    preview = page.locator("section", has=page.get_by_role("heading", name="Replay preview"))
    assert re.search(r"[1-9]\d* lead\(s\) decided in the last 30 days replayed", preview.inner_text())
    screenshot(watched, "ops-config-preview")
    page.get_by_role("button", name="Save and activate").click()
    page.wait_for_url(re.compile(r".*/dashboard/ops/config/versions/5\?notice=.*"))
    assert "Version 5 activated" in page.locator(".notice").inner_text()
    screenshot(watched, "ops-config-activated")
    with Session(seeded_engine) as session:
        active = session.exec(select(ConfigVersion).where(ConfigVersion.status == "active")).one()
    assert (active.id, active.author, active.comment) == (5, OPS[0], "Tier A gets its 15 minute SLA")
    assert active.document == VALID_CONFIG

    page.goto(watched.base_url + "/dashboard/ops/dead-letters")
    screenshot(watched, "ops-dead-letters")
    page.goto(watched.base_url + "/dashboard/ops/sync")
    screenshot(watched, "ops-sync")
    assert watched.console_errors == [] and watched.outside_requests == []


def test_a_viewer_is_refused_the_ops_console(watched: Watched):
    browser_sign_in(watched, *VIEWER)
    page = watched.page
    assert page.get_by_role("link", name="Ops console").count() == 0
    response = page.goto(watched.base_url + "/dashboard/ops/config")
    assert response is not None and response.status == 403
    assert "needs the ops role" in page.locator("main").inner_text()
    screenshot(watched, "forbidden")


def test_small_screens_get_one_column(watched: Watched):
    browser_sign_in(watched, *VIEWER, path="/dashboard/speed")
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    charts_rendered(watched)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot(watched, "speed-phone")
    assert watched.console_errors == []
