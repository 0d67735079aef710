"""End to end: the real page in headless chromium, with every non-local request blocked."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from conftest import ARTIFACTS, ROOT, marker_count, open_page, open_tab, run_server, wait_idle

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
    assert page.get_by_role("button", name="GeoJSON (RFC 7946)").count() == 0  # built only when asked
    page.get_by_role("button", name="Prepare GeoJSON / CSV / GeoPackage").click()
    page.get_by_role("button", name="GeoJSON (RFC 7946)").wait_for(timeout=30_000)
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


def fill_publication_date(page, year: str, month: str, day: str) -> None:
    """Type a date into the upload form's date field, as a reader does."""
    page.get_by_role("spinbutton", name="year, Publication date").click()
    page.keyboard.type(year)
    page.keyboard.type(month)
    page.keyboard.type(day)


def test_uploaded_article_with_markup_is_text_and_runs_nothing(page):
    wait_markers(page)
    open_tab(page, "Add articles")
    page.locator('input[data-testid="stFileUploaderDropzoneInput"][accept*=".txt"]').set_input_files(
        files=[{"name": "evil.txt", "mimeType": "text/plain", "buffer": EVIL_TEXT.encode()}]
    )
    page.wait_for_timeout(500)
    page.get_by_role("textbox", name="Title", exact=True).fill(EVIL_TITLE)
    page.get_by_role("textbox", name="Outlet", exact=True).fill("<script>alert('outlet')</script>")
    fill_publication_date(page, "2012", "07", "20")
    page.get_by_role("button", name="Process and add").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.get_by_text("Added evil.txt").is_visible()
    # the new event on the map: open its popup
    open_tab(page, "Map", exact=True)
    wait_markers(page)  # the map is drawn anew when its tab opens again
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
    open_tab(page, "Article", exact=True)
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


#: Elements that reader or article text must never become on the page.
MARKUP = (
    "a, img, code, pre, em, strong, del, h1, h2, h3, h4, h5, h6, blockquote, ul, ol, li, table, hr, "
    "script, iframe, svg, .katex, [style*='color']"
)
#: Where Streamlit puts rendered Markdown (captions have their own container).
TEXT_BOXES = "[data-testid='stMarkdownContainer'], [data-testid='stCaptionContainer']"
HOSTILE_NAME = "![x](https:evil.example) [click](javascript:alert(1)).txt"
HOSTILE_MD_TITLE = (
    "[t](https://evil.example/t) ![i](https://evil.example/i.png) <https://evil.example/a> www.evil.example"
)


def _normal(text: str) -> str:
    return " ".join(text.replace("\u2060", "").split())


def test_escaped_text_renders_as_itself(browser, escape_server):
    """Every hostile text of tests/test_app_text.py, through md() and Streamlit's own Markdown renderer."""
    from escape_page import CALLS

    from tests.test_app_text import HOSTILE

    with open_page(browser, escape_server) as pg:
        for i, text in enumerate(HOSTILE):
            shown = pg.locator(f".st-key-row{i}").locator(TEXT_BOXES)
            assert shown.count() == len(CALLS)
            for k in range(len(CALLS)):
                box = shown.nth(k)
                assert _normal(box.inner_text()) == _normal(text), (CALLS[k], text)
                assert box.locator(MARKUP).count() == 0, (CALLS[k], text, box.inner_html())
        assert pg.blocked == [] and pg.dialogs == []


def test_hostile_file_name_and_title_make_no_link_and_no_request(page):
    """The issue's latin-1 file named with Markdown, and a pasted title made of links: text on the page."""
    wait_markers(page)
    open_tab(page, "Add articles")
    data = "Clashes erupted in Midan on Monday near the caf\xe9, residents said.".encode("latin-1")
    page.locator('input[data-testid="stFileUploaderDropzoneInput"][accept*=".txt"]').set_input_files(
        files=[{"name": HOSTILE_NAME, "mimeType": "text/plain", "buffer": data}]
    )
    page.wait_for_timeout(500)
    page.get_by_role("textbox", name="Title", exact=True).fill(HOSTILE_MD_TITLE)
    fill_publication_date(page, "2012", "07", "17")
    page.get_by_role("button", name="Process and add").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    alerts = page.locator('[data-testid="stAlert"]')
    texts = [_normal(t) for t in alerts.all_inner_texts()]
    assert any(t.startswith(f"Added {HOSTILE_NAME} as {_normal(HOSTILE_MD_TITLE)}") for t in texts), "\n".join(texts)
    assert any(t.startswith(f"{HOSTILE_NAME}: not valid UTF-8") for t in texts), "\n".join(texts)
    assert alerts.locator(MARKUP).count() == 0
    _assert_nothing_from_the_name(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile_name_added.png"), full_page=True)
    # the stored article's warnings, in the Article tab
    open_tab(page, "Article", exact=True)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Article").click()
    page.get_by_role("option", name="[t](https://evil.example/t)").click()
    wait_idle(page)
    _assert_nothing_from_the_name(page)
    warned = page.locator('[data-testid="stAlert"]').filter(has_text="not valid UTF-8")
    warned.first.wait_for()
    assert HOSTILE_NAME in _normal(warned.first.inner_text())
    assert warned.locator(MARKUP).count() == 0
    page.screenshot(path=str(ARTIFACTS / "hostile_name_article.png"), full_page=True)


def _assert_nothing_from_the_name(page) -> None:
    page.wait_for_timeout(500)
    assert not [u for u in page.blocked if "tile.openstreetmap.org" not in u], page.blocked
    outside = "a[href*='evil'], img[src*='evil'], a[href^='javascript'], [src^='https:evil']"
    assert page.locator(outside).count() == 0
    assert page.dialogs == []


def test_other_readers_pages_answer_while_uploads_are_extracted(browser, tmp_path):
    """Three long uploads keep one reader's session extracting for a while (each up to a 10 s budget):
    meanwhile the health check and a second reader's whole page answer, and each upload ends with a
    message (added, or stopped at the budget)."""
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    files = [
        {"name": f"long{i}.txt", "mimeType": "text/plain", "buffer": (f"Report {i}.\n\n" + seed * 600).encode()}
        for i in range(3)
    ]
    with run_server(tmp_path, CLASHMAP_EXTRACT_SECONDS="10") as url, open_page(browser, url) as busy:
        open_tab(busy, "Add articles")
        busy.locator('input[data-testid="stFileUploaderDropzoneInput"][accept*=".txt"]').set_input_files(files=files)
        for i in range(3):
            busy.get_by_text(f"long{i}.txt", exact=True).wait_for(timeout=60_000)
        busy.wait_for_timeout(2000)  # the uploads reach the server
        fill_publication_date(busy, "2012", "07", "17")
        busy.get_by_role("button", name="Process and add").click()
        busy.locator('[data-testid="stSpinner"]').wait_for(timeout=60_000)
        start = time.perf_counter()
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=60) as r:
            assert r.status == 200
        health = time.perf_counter() - start
        with open_page(browser, url) as other:  # returns once that page's script has run
            assert other.get_by_text("30 events at 19 places").is_visible()
        second_page = time.perf_counter() - start
        assert busy.locator('[data-testid="stApp"][data-test-script-state="running"]').count() == 1
        wait_idle(busy, timeout=300_000)
        busy_for = time.perf_counter() - start
        texts = [_normal(t) for t in busy.locator('[data-testid="stAlert"]').all_inner_texts()]
        for i in range(3):
            assert any(
                t.startswith(f"Added long{i}.txt") or t.startswith(f"long{i}.txt: finding places and events took")
                for t in texts
            ), "\n".join(texts)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "responsiveness.txt").write_text(
            f"health check {health:.2f} s, second page {second_page:.2f} s, "
            f"while one session extracted for {busy_for:.1f} s\n",
            encoding="utf-8",
        )
