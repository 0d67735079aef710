"""End to end, offline: the analyst's layers: hexagon density, an ACLED export beside the events, GeoPackage."""

from __future__ import annotations

import geopandas as gpd
import pytest
from conftest import ARTIFACTS, marker_count, open_page, open_tab, run_server, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def analyst_server(tmp_path_factory, chromium_path):
    """A server of its own (seeds only): the counts below do not depend on what other tests add."""
    with run_server(tmp_path_factory.mktemp("analyst")) as url:
        yield url


@pytest.fixture
def page(browser, analyst_server):
    with open_page(browser, analyst_server) as pg:
        yield pg


# Made-up rows in ACLED's export format: one near the seeds' Tadamon battle of 16 July 2012, one in Aleppo
# that nothing extracted matches, and one that cannot be read.
ACLED_CSV = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,admin1,location,latitude,longitude,source,notes\n"
    "SYR9001,2012-07-17,2012,Battles,Armed clash,Damascus,Tadamon,33.4790,36.3100,Test,Fighting in the south.\n"
    "SYR9002,2012-07-17,2012,Battles,Armed clash,Aleppo,Salaheddine,36.1867,37.1278,Test,Fighting in Aleppo.\n"
    "SYR9003,2012-07-40,2012,Battles,Armed clash,Damascus,Midan,33.49,36.30,Test,Bad date.\n"
)


def map_layers(page) -> dict:
    """What the event layer on the map holds: polygons, event markers, ACLED circles (agreeing or not)."""
    frame = page.frame(url=lambda u: "streamlit_folium" in u)
    return frame.evaluate("""() => {
        var out = {polygons: 0, markers: 0, acled_agrees: 0, acled_only: 0};
        (window.feature_group || []).filter(fg => window.map.hasLayer(fg)).forEach(function(fg) {
            (function walk(l) {
                if (l.feature && l.feature.properties) {
                    var p = l.feature.properties;
                    if (l.feature.geometry.type === "Polygon") out.polygons += 1;
                    else if (p.agrees === true) out.acled_agrees += 1;
                    else if (p.agrees === false) out.acled_only += 1;
                    else if (p.tip !== undefined) out.markers += 1;
                } else if (l.eachLayer) { l.eachLayer(walk); }
            })(fg);
        });
        return out;
    }""")


def wait_for(page, test, timeout_ms: int = 20_000):
    for _ in range(timeout_ms // 250):
        try:
            found = map_layers(page)
        except Exception:
            found = None
        if found and test(found):
            return found
        page.wait_for_timeout(250)
    return map_layers(page)


def test_hexagon_density_layer(page):
    wait_for(page, lambda f: f["markers"] > 0)
    page.get_by_text("Hexagon density", exact=True).click()
    wait_idle(page)
    found = wait_for(page, lambda f: f["polygons"] > 0)
    assert found["polygons"] >= 5 and found["markers"] == 0
    page.screenshot(path=str(ARTIFACTS / "density-hexagons.png"))
    page.get_by_text("Events", exact=True).first.click()
    wait_idle(page)
    assert wait_for(page, lambda f: f["markers"] == 30)["polygons"] == 0


def test_acled_export_beside_the_events(page, tmp_path):
    wait_for(page, lambda f: f["markers"] > 0)
    open_tab(page, "Compare with ACLED")
    csv_path = tmp_path / "acled.csv"
    csv_path.write_text(ACLED_CSV, encoding="utf-8")
    page.get_by_role("tabpanel").locator('input[type="file"]').set_input_files(str(csv_path))
    page.get_by_text("row(s) of the file could not be read").wait_for(timeout=30_000)
    wait_idle(page)
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == ["1", "29", "1"]  # agree, only extracted, only ACLED
    page.screenshot(path=str(ARTIFACTS / "acled-compare.png"), full_page=True)
    open_tab(page, "Map", exact=True)
    found = wait_for(page, lambda f: f["acled_agrees"] + f["acled_only"] == 2)
    assert (found["acled_agrees"], found["acled_only"], found["markers"]) == (1, 1, 30)
    page.screenshot(path=str(ARTIFACTS / "acled-map.png"))
    # Offline: the only outside requests tried are the map tiles (blocked; the map draws without them).
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in page.blocked), page.blocked


def test_geopackage_download_of_what_is_shown(page, tmp_path):
    wait_for(page, lambda f: f["markers"] > 0)
    assert marker_count(page) == 30
    page.get_by_role("button", name="Prepare GeoJSON / CSV / GeoPackage").click()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="GeoPackage (events)").click()
    path = tmp_path / "events.gpkg"
    info.value.save_as(path)
    frame = gpd.read_file(path, layer="events")
    assert len(frame) == 30 and frame.crs.to_epsg() == 4326
    assert {"event_id", "event_type", "corroboration", "sources"} <= set(frame.columns)


def test_a_place_story(page):
    wait_for(page, lambda f: f["markers"] > 0)
    open_tab(page, "Places")
    page.get_by_text("A place's story").wait_for(timeout=20_000)
    panel = page.get_by_role("tabpanel", name="Places")
    # The place with the most events comes first: its chart by type and every report behind it.
    charts = panel.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')
    charts.first.wait_for(timeout=20_000)  # the chart draws after the heading
    assert charts.count() >= 1
    assert "reported by" in panel.inner_text() or "differ" in panel.inner_text()
    page.get_by_text("A place's story").hover()  # over the page, not over the table, which scrolls itself
    page.mouse.wheel(0, 650)  # Streamlit scrolls its main section, not the window
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "place-story.png"))


def test_heatmap_layer_draws_offline(page):
    wait_for(page, lambda f: f["markers"] > 0)
    page.get_by_text("Heatmap", exact=True).click()
    wait_idle(page)
    frame = page.frame(url=lambda u: "streamlit_folium" in u)
    for _ in range(60):
        if frame.evaluate("() => document.querySelectorAll('canvas.leaflet-heatmap-layer').length") == 1:
            break
        page.wait_for_timeout(250)
    assert frame.evaluate("() => document.querySelectorAll('canvas.leaflet-heatmap-layer').length") == 1
    assert map_layers(page)["markers"] == 0
    page.screenshot(path=str(ARTIFACTS / "heatmap.png"))
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in page.blocked), page.blocked
