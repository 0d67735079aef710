"""End to end: the real page in headless chromium, with every non-local request blocked."""

from __future__ import annotations

import json

import pytest
from conftest import ARTIFACTS, marker_count, wait_idle

pytestmark = pytest.mark.e2e

EVIL_TITLE = "<img src=x onerror=alert('title')> Evil title"
EVIL_TEXT = (
    "<script>alert('script')</script><img src=x onerror=alert('img')>\n"
    "<b onmouseover=alert(2)>Damascus:</b> Clashes erupted in Barzeh on Monday, activists said."
)


def folium_frame(page):
    return page.frame(url=lambda u: "streamlit_folium" in u)


def wait_markers(page, expected=None, timeout=15_000):
    """Wait until the map shows markers (and, if given, a count other than ``expected``)."""
    page.wait_for_function("() => true")
    for _ in range(timeout // 250):
        try:
            n = marker_count(page)
        except Exception:
            n = -1
        if n > 0 and (expected is None or n != expected):
            return n
        page.wait_for_timeout(250)
    return marker_count(page)


def test_page_loads_with_seed_events_offline(page):
    assert wait_markers(page) == 30
    frame = folium_frame(page)
    assert "Event type" in frame.locator(".cm-legend").inner_text()
    assert frame.locator(".cm-play-button").is_visible()
    assert page.get_by_text("30 events at 19 places").is_visible()
    assert not [u for u in page.blocked if "tile.openstreetmap.org" not in u]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page.png"))


def test_date_range_changes_markers(page):
    before = wait_markers(page)
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    for _ in range(9):  # 2012-07-08 -> 2012-07-17
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    wait_idle(page)
    after = wait_markers(page, expected=before)
    assert 0 < after < before
    days = folium_frame(page).evaluate("""() => {
        var out = [];
        window.feature_group.filter(fg => window.map.hasLayer(fg)).forEach(function(fg) {
            (function walk(l) {
                if (l.feature && l.feature.properties.tip !== undefined) out.push(l.feature.properties.date);
                else if (l.eachLayer) l.eachLayer(walk);
            })(fg);
        });
        return out;
    }""")
    assert all(d is None or d >= "2012-07-17" for d in days)


def select_type(page, name):
    page.get_by_role("combobox", name="Event type", exact=True).click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    wait_idle(page)


def test_type_filter_and_geojson_download(page, tmp_path):
    before = wait_markers(page)
    select_type(page, "Battles")
    after = wait_markers(page, expected=before)
    assert 0 < after < before
    colors = folium_frame(page).evaluate("""() => {
        var out = new Set();
        window.feature_group.filter(fg => window.map.hasLayer(fg)).forEach(function(fg) {
            (function walk(l) {
                if (l.feature && l.feature.properties.tip !== undefined) out.add(l.feature.properties.event_type);
                else if (l.eachLayer) l.eachLayer(walk);
            })(fg);
        });
        return Array.from(out);
    }""")
    assert colors == ["Battles"]
    with page.expect_download() as info:
        page.get_by_role("button", name="GeoJSON (RFC 7946)").click()
    path = tmp_path / "out.geojson"
    info.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and data["features"]
    assert {f["properties"]["event_type"] for f in data["features"]} == {"Battles"}
    for f in data["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 35 < lon < 38 and 32 < lat < 35


def test_uploaded_article_with_markup_is_text_and_runs_nothing(page):
    wait_markers(page)
    page.get_by_role("tab", name="Add articles").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "evil.txt", "mimeType": "text/plain", "buffer": EVIL_TEXT.encode()}]
    )
    page.wait_for_timeout(500)
    page.get_by_role("textbox", name="Title", exact=True).fill(EVIL_TITLE)
    page.get_by_role("textbox", name="Outlet", exact=True).fill("<script>alert('outlet')</script>")
    page.get_by_role("spinbutton", name="year, Publication date").click()
    page.keyboard.type("2012")
    page.keyboard.type("07")
    page.keyboard.type("20")
    page.get_by_role("button", name="Process and add").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.get_by_text("Added evil.txt").is_visible()
    # the new event on the map: open its popup
    page.get_by_role("tab", name="Map", exact=True).click()
    frame = folium_frame(page)
    for _ in range(40):
        opened = frame.evaluate("""() => {
            var hit = null;
            window.feature_group.filter(fg => window.map.hasLayer(fg)).forEach(function(fg) {
                (function walk(l) {
                    if (l.feature && l.feature.properties.place === "Barzeh" && l.openPopup) hit = l;
                    else if (l.eachLayer) l.eachLayer(walk);
                })(fg);
            });
            if (hit) { hit.openPopup(); return true; }
            return false;
        }""")
        if opened:
            break
        page.wait_for_timeout(250)
    assert opened
    popup = frame.locator(".leaflet-popup-content")
    assert EVIL_TITLE in popup.inner_text()
    assert popup.locator("img, script, [onerror], [onmouseover]").count() == 0
    assert popup.locator("mark").inner_text() == "Barzeh"
    # the article view
    page.get_by_role("tab", name="Article", exact=True).click()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Article")
    box.click()
    page.get_by_role("option", name="Evil title").click()
    wait_idle(page)
    article = page.locator(".cm-article")
    article.wait_for()
    assert "Barzeh" in article.inner_text()
    assert article.locator("img, script, [onerror], [onmouseover]").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
