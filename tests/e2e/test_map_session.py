"""End to end: a reader's session on the map (playback, shared points, framing, a phone), offline.

Markers are counted from Leaflet's layers (the map draws on a canvas); a
marker hidden by the player is removed from its group, so counting what is
in the groups counts what is drawn.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ARTIFACTS, marker_count, open_page, open_tab, run_server, wait_idle

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# Every event marker on the map (drawn or hidden by the player), from the player's own list.
_MARKERS_JS = """() => {
    var groups = (window.feature_group || []).filter(fg => window.map.hasLayer(fg));
    var fg = groups[groups.length - 1], out = [];
    (fg._cmItems || []).forEach(function(it) {
        if (!it.marker) return;
        var p = it.layer.feature.properties, c = window.map.latLngToContainerPoint(it.layer.getLatLng());
        var o = p.offset || [0, 0];
        out.push({key: p.key, date: p.date || null, days: p.days, place: p.place, type: p.event_type || null,
                  x: c.x + o[0], y: c.y + o[1], lat: it.layer.getLatLng().lat, lng: it.layer.getLatLng().lng,
                  shown: it.parent.hasLayer(it.layer), r: it.layer.options.radius});
    });
    return out;
}"""


def offline(page) -> None:
    """Abort every request that does not go to this machine."""

    def route(r):
        url = r.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        r.continue_() if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost") else r.abort()

    page.route("**/*", route)


def folium_frame(page):
    return page.frame(url=lambda u: "streamlit_folium" in u)


def wait_map(page, timeout=20_000):
    """The map frame once its markers are drawn and the player knows them."""
    for _ in range(timeout // 250):
        frame = folium_frame(page)
        try:
            ready = "() => !!(window.cm && window.cm.layer && window.map.hasLayer(window.cm.layer))"
            if frame and marker_count(page) > 0 and frame.evaluate(ready):
                frame.evaluate("() => window.cm.visibleMarkers()")  # takes the player's list of markers
                return frame
        except Exception:
            pass
        page.wait_for_timeout(250)
    raise AssertionError("the map drew no markers")


def markers(frame) -> list[dict]:
    return frame.evaluate(_MARKERS_JS)


def day_label(frame) -> str:
    return frame.locator(".cm-play-day").inner_text()


def in_window(days: list[str], day: date, width: int | None) -> bool:
    first = date.min if width is None else day - timedelta(days=width - 1)
    return any(d and first <= date.fromisoformat(d) <= day for d in days)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_playback_moves_a_window_steps_both_ways_and_show_all_restores(page):
    frame = wait_map(page)
    everything = markers(frame)  # the seeds, and what other tests on this server added
    assert len(everything) >= 30
    first_day = min(date.fromisoformat(m["date"]) for m in everything if m["date"])
    seen_counts = []
    for step in range(6):  # one day at a time: the dots are those of the day shown, and change
        frame.locator(".cm-play-forward").click()
        day = date.fromisoformat(day_label(frame))
        assert day == first_day + timedelta(days=step)
        expected = sum(in_window([m["date"]], day, 1) for m in everything)
        assert marker_count(page) == expected, day
        assert all(m["date"] == day.isoformat() for m in markers(frame) if m["shown"])
        seen_counts.append(expected)
    assert len(set(seen_counts)) > 1 and 0 in seen_counts and max(seen_counts) > 0
    shot(page, "playback-day.png")

    frame.locator(".cm-play-back").click()
    frame.locator(".cm-play-back").click()
    day = date.fromisoformat(day_label(frame))
    assert day == first_day + timedelta(days=3)
    assert marker_count(page) == seen_counts[3]

    frame.locator(".cm-play-window").select_option("3")
    assert day_label(frame).endswith(day.isoformat())
    assert marker_count(page) == sum(in_window([m["date"]], day, 3) for m in everything)

    frame.locator(".cm-play-window").select_option("cumulative")
    cumulative = []
    for _ in range(4):
        frame.locator(".cm-play-forward").click()
        day = date.fromisoformat(day_label(frame).removeprefix("up to "))
        cumulative.append(marker_count(page))
        assert cumulative[-1] == sum(in_window([m["date"]], day, None) for m in everything)
    assert cumulative == sorted(cumulative) and cumulative[-1] > cumulative[0]
    shot(page, "playback-cumulative.png")

    # play on its own, fast, to the end of the days: the label moves on
    frame.locator(".cm-play-speed").select_option(label="fast")
    before = frame.locator(".cm-play-info").inner_text()
    frame.locator(".cm-play-button").click()
    page.wait_for_timeout(1500)
    assert frame.locator(".cm-play-info").inner_text() != before
    frame.locator(".cm-play-button").click()  # pause

    frame.locator(".cm-play-all").click()
    assert marker_count(page) == len(everything)
    assert f"{len(everything)} markers" in frame.locator(".cm-play-info").inner_text()


def test_every_event_at_a_shared_point_can_be_hovered_and_clicked(page):
    frame = wait_map(page)
    everything = markers(frame)
    by_point: dict = {}
    for m in everything:
        by_point.setdefault((m["lat"], m["lng"]), []).append(m)
    crowded = max(by_point.values(), key=len)
    assert len(crowded) >= 6  # the Damascus centre
    lat, lng = crowded[0]["lat"], crowded[0]["lng"]
    frame.evaluate(f"() => {{ window.map.setView([{lat}, {lng}], 14, {{animate: false}}); }}")
    page.wait_for_timeout(600)  # the map reports its new view (after 250 ms) and the page reruns: let it
    wait_idle(page)
    # The whole map in view first: a click would otherwise scroll the page to it between press and release.
    page.locator('iframe[title="streamlit_folium.st_folium"]').evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(400)
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    now = {m["key"]: m for m in markers(frame)}
    tips = set()
    for m in crowded:
        p = now[m["key"]]
        page.mouse.move(box["x"] + p["x"], box["y"] + p["y"])
        page.wait_for_timeout(200)  # Leaflet's canvas reads the mouse at most every 32 ms
        tip = frame.locator(".leaflet-tooltip.cm-tip")
        tip.wait_for(state="visible", timeout=3000)
        assert tip.count() == 1
        text = tip.inner_text()
        assert (m["date"] or "date not given") in text and (m["type"] or "") in text
        tips.add(text)
    assert len(tips) == len(crowded)  # as many different events, none hidden under another
    # The screenshot comes after the click: taking it may scroll the page under the mouse.
    last = now[crowded[-1]["key"]]
    page.mouse.click(box["x"] + last["x"], box["y"] + last["y"])
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=3000)
    assert (crowded[-1]["date"] or "date not given") in popup.inner_text()
    shot(page, "spread-hover.png")
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)  # the popup fades in
    shot(page, "spread-popup.png")


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and (a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])
    )


def _labels(frame) -> list[dict]:
    return frame.evaluate("""() => Array.from(document.querySelectorAll(".cm-label"))
        .filter(e => e.style.display !== "none")
        .map(e => { var r = e.getBoundingClientRect();
                    return {text: e.innerText, x: r.x, y: r.y, width: r.width, height: r.height}; })""")


def test_view_fits_the_events_labels_stay_clear_and_legend_lists_present_types(page):
    frame = wait_map(page)
    everything = markers(frame)
    size = frame.evaluate("() => window.map.getSize()")
    far_note = frame.locator(".cm-legend-far").inner_text()
    outside = [m for m in everything if not (0 <= m["x"] <= size["x"] and 0 <= m["y"] <= size["y"])]
    # every event is in the view but those named as far away
    assert f"{len(outside)} events far from the others" in far_note
    assert len(outside) < 6 and all(m["place"] in far_note for m in outside)
    legend = frame.locator(".cm-legend-row").all_inner_texts()
    assert sorted(legend) == sorted({m["type"] for m in everything})
    for zoom in (None, 13):
        if zoom:
            frame.evaluate(f"() => {{ window.map.setZoom({zoom}, {{animate: false}}); }}")
            page.wait_for_timeout(400)
        labels = _labels(frame)
        assert labels, "no place names at all"
        for i, a in enumerate(labels):
            assert not any(_overlap(a, b) for b in labels[i + 1 :]), a["text"]
        for m in markers(frame):
            dot = {"x": m["x"] - m["r"], "y": m["y"] - m["r"], "width": 2 * m["r"], "height": 2 * m["r"]}
            assert not any(_overlap(dot, lab) for lab in labels), (m["place"], zoom)
    shot(page, "framing.png")
    frame.locator(".cm-fit-all").click()
    page.wait_for_timeout(300)
    size = frame.evaluate("() => window.map.getSize()")
    assert all(0 <= m["x"] <= size["x"] and 0 <= m["y"] <= size["y"] for m in markers(frame))


def test_title_is_derived_from_the_data(page):
    wait_map(page)
    title = page.locator("h1").first.inner_text()
    assert "Damascus, 8–22 July 2012" in title


@pytest.fixture
def phone(browser, server):
    """The app on a 390 x 844 phone screen, offline."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = context.new_page()
    offline(pg)
    pg.goto(server, wait_until="domcontentloaded")
    wait_idle(pg)
    yield pg
    context.close()


def test_on_a_phone_the_legend_covers_neither_player_nor_data_and_popups_fit(phone):
    frame = wait_map(phone)
    iframe = phone.locator('iframe[title="streamlit_folium.st_folium"]')
    iframe.scroll_into_view_if_needed()
    rect = lambda sel: frame.locator(sel).bounding_box()  # noqa: E731
    legend, player = rect(".cm-legend"), rect(".cm-play")
    assert not _overlap(legend, player)
    box = iframe.bounding_box()
    assert legend["x"] + legend["width"] <= box["x"] + box["width"] and player["x"] >= box["x"]
    for m in markers(frame):
        if m["shown"]:
            point = {"x": box["x"] + m["x"], "y": box["y"] + m["y"], "width": 1, "height": 1}
            inside = 0 <= m["x"] <= box["width"] and 0 <= m["y"] <= box["height"]
            if inside:
                assert not _overlap(point, legend) and not _overlap(point, player), m["place"]
    shot(phone, "phone-map.png")
    m = next(m for m in markers(frame) if 0 < m["x"] < box["width"] and 0 < m["y"] < box["height"])
    frame.evaluate(f"""() => {{
        var groups = window.feature_group.filter(fg => window.map.hasLayer(fg));
        groups[groups.length - 1]._cmItems.find(it => it.marker && it.layer.feature.properties.key === "{m["key"]}")
            .layer.openPopup();
    }}""")
    popup = frame.locator(".leaflet-popup")
    popup.wait_for(state="visible", timeout=3000)
    page_box = popup.bounding_box()
    assert box["x"] - 1 <= page_box["x"] and page_box["x"] + page_box["width"] <= box["x"] + box["width"] + 1
    phone.wait_for_timeout(500)  # the map pans to show the whole popup
    page_box = popup.bounding_box()
    assert box["x"] - 1 <= page_box["x"] and page_box["x"] + page_box["width"] <= box["x"] + box["width"] + 1
    assert page_box["y"] >= box["y"] - 1
    assert not _overlap(page_box, rect(".leaflet-control-zoom"))
    shot(phone, "phone-popup.png")


@pytest.fixture(scope="module")
def aggregating_server(tmp_path_factory, chromium_path):
    """A second server that shows one marker per place above 10 events."""
    with run_server(tmp_path_factory.mktemp("agg"), CLASHMAP_AGGREGATE_ABOVE="10") as url:
        yield url


def test_playback_with_one_marker_per_place(browser, aggregating_server):
    with open_page(browser, aggregating_server) as page:
        frame = wait_map(page)
        places = markers(frame)
        assert len(places) == 19  # 30 events at 19 places
        counts = []
        for _ in range(8):
            frame.locator(".cm-play-forward").click()
            day = date.fromisoformat(day_label(frame))
            # a place is shown when any of its days is the day shown
            assert marker_count(page) == sum(in_window(m["days"], day, 1) for m in places)
            counts.append(marker_count(page))
        assert len(set(counts)) > 1
        shot(page, "playback-places.png")
        frame.locator(".cm-play-all").click()
        assert marker_count(page) == 19


def test_chart_of_events_per_day_is_drawn(page):
    wait_map(page)
    page.get_by_role("tab", name="Table and chart").click()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(state="visible", timeout=10_000)
    page.wait_for_timeout(800)
    assert page.get_by_text("Events per day, by type").is_visible()
    chart.screenshot(path=str(ARTIFACTS / "chart.png"))


# Counts the page's script runs from now on (Streamlit marks the app "running" during each).
_COUNT_RUNS_JS = """() => {
    window.cmRuns = 0;
    var app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(function() {
        if (app.getAttribute("data-test-script-state") === "running") { window.cmRuns += 1; }
    }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""


def _view(frame) -> tuple:
    return tuple(frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"))


def test_zooming_in_shows_single_events_and_a_still_view_reruns_nothing(browser, aggregating_server):
    with open_page(browser, aggregating_server) as page:
        frame = wait_map(page)
        places = markers(frame)
        assert len(places) == 19 and not any(m["type"] for m in places)  # one marker per place
        busiest = max(places, key=lambda m: m["r"])  # sized by its events
        page.evaluate(_COUNT_RUNS_JS)
        frame.evaluate(
            "([lat, lng]) => { window.map.setView([lat, lng], 17, {animate: false}); }",
            [busiest["lat"], busiest["lng"]],
        )
        zoomed = []
        for _ in range(80):  # the view goes back to the server, which sends the events in it
            page.wait_for_timeout(250)
            try:
                zoomed = markers(folium_frame(page))
            except Exception:
                continue
            if zoomed and all(m["type"] for m in zoomed):
                break
        assert zoomed and all(m["type"] for m in zoomed), zoomed  # events, each with its type
        assert len(zoomed) > 1 and {m["place"] for m in zoomed} >= {busiest["place"]}
        wait_idle(page)
        shot(page, "zoom-single-events.png")
        # The new layer left the view where the reader put it, and a still view asks nothing more.
        view, runs = _view(frame), page.evaluate("() => window.cmRuns")
        assert view[2] == 17 and abs(view[0] - busiest["lat"]) < 1e-6 and runs >= 1
        page.wait_for_timeout(3000)
        assert page.evaluate("() => window.cmRuns") == runs and _view(frame) == view
        # Zoomed out again: places.
        frame.evaluate("() => { window.map.setView(window.map.getCenter(), 12, {animate: false}); }")
        for _ in range(80):
            page.wait_for_timeout(250)
            if not any(m["type"] for m in markers(folium_frame(page))):
                break
        assert len(markers(folium_frame(page))) == 19


def test_the_map_comes_back_where_the_reader_left_it(page):
    frame = wait_map(page)
    fitted = _view(frame)
    page.evaluate(_COUNT_RUNS_JS)
    frame.evaluate("() => { window.map.setView([33.4950, 36.3010], 15, {animate: false}); }")
    for _ in range(40):  # the moved view goes back to the page, which keeps it
        page.wait_for_timeout(250)
        if page.evaluate("() => window.cmRuns") >= 1:
            break
    wait_idle(page)
    open_tab(page, "Table and chart")
    open_tab(page, "Map")
    frame = wait_map(page)
    page.wait_for_timeout(1000)  # the first layer settled: a fit would have moved the view by now
    wait_idle(page)
    view = _view(folium_frame(page))
    assert view[2] == 15 and abs(view[0] - 33.4950) < 1e-3 and abs(view[1] - 36.3010) < 1e-3, (view, fitted)
