"""geo.app.mapview: a constant base map, the event layer, escaped popups."""

from __future__ import annotations

import itertools
import math

import folium
from streamlit_folium import _get_feature_group_string, _get_map_string

from geo.app import mapview as MV
from geo.export.merge import merge_events
from geo.models import EventRecord, MentionRecord

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def record(**kw) -> MentionRecord:
    """A mention record as the store gives it; ``kw`` overrides fields."""
    values = dict(
        mention_id="d:11-18",
        doc_id="d",
        start=11,
        end=18,
        surface="Tadamon",
        place_id="tadamon",
        place="Tadamon",
        place_kind="neighbourhood",
        lat=33.47778,
        lon=36.30944,
        geo_precision=1,
        uncertainty_km=1.0,
        admin1="Damascus",
        country="Syria",
        place_source="test",
        is_event=True,
        event_type="Battles",
        sub_event_type="Armed clash",
        trigger="Clashes",
        date="2012-07-16",
        date_precision="day",
        date_basis="on Monday",
        date_start="2012-07-16",
        date_end="2012-07-16",
        sentence="Clashes in Tadamon on Monday.",
        sentence_start=0,
        attribution="activists",
        verified=None,
        title="T",
        outlet="AFP",
        url=None,
        published="2012-07-17",
        match="alias",
    )
    values.update(kw)
    return MentionRecord(**values)


def event(**kw) -> EventRecord:
    """The event the one merger makes of one such record."""
    (ev,) = merge_events([record(**kw)], events_only=False)
    return ev


def script(m: folium.Map) -> str:
    m.get_root().render()
    return _get_map_string(m)


def test_base_map_is_constant_and_offline(gaz):
    labels = MV.orientation_labels(gaz)
    assert any(lab["name"] == "Tadamon" for lab in labels)
    a, b = MV.base_map(labels, MV.center_of(gaz)), MV.base_map(labels, MV.center_of(gaz))
    assert script(a) == script(b)
    assert all(url.startswith("/app/static/") for _, url in folium.Map.default_js + folium.Map.default_css)
    assert a.location == [33.5102, 36.29128]


def test_popup_has_evidence_source_and_highlight():
    html = MV.popup_html(event())
    assert "Clashes in <mark>Tadamon</mark> on Monday." in html
    for text in ("AFP", "2012-07-17", "on Monday", "day", "activists", "Armed clash"):
        assert text in html
    assert "Tadamon" in MV.tooltip_html(event()) and "2012-07-16" in MV.tooltip_html(event())


def test_every_text_is_escaped():
    ev = event(place=EVIL, date_basis=EVIL, sentence=EVIL, title=EVIL, outlet=EVIL, attribution=EVIL, start=0, end=8)
    for html in (MV.popup_html(ev), MV.tooltip_html(ev)):
        assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    art = MV.article_html(
        EVIL + " in Tadamon",
        [{"start": len(EVIL) + 4, "end": len(EVIL) + 11, "place": EVIL, "event_type": "Battles", "is_event": True}],
    )
    assert "<script" not in art and "<img" not in art and "<mark" in art


def test_layer_has_one_marker_per_event_and_a_circle_per_place():
    evs = [event(), event(mention_id="k2", event_type="Explosions/Remote violence", date="2012-07-18")]
    fg = MV.event_layer(evs)
    layers = list(fg._children.values())
    circles, markers = (layer.data["features"] for layer in layers[:2])
    assert len(markers) == 2 and len(circles) == 1
    assert circles[0]["properties"]["radius_m"] == 1000
    assert markers[0]["geometry"]["coordinates"] == [36.30944, 33.47778]
    assert {f["properties"]["color"] for f in markers} == {
        MV.TYPE_COLORS["Battles"],
        MV.TYPE_COLORS["Explosions/Remote violence"],
    }


def test_city_level_event_has_a_city_sized_circle_outlined_only():
    fg = MV.event_layer([event(place_id="damascus", place="Damascus", place_kind="city", uncertainty_km=8.0)])
    circles = next(iter(fg._children.values())).data["features"]
    assert circles[0]["properties"]["radius_m"] == 8000
    assert circles[0]["properties"]["fill"] is False  # does not tint the whole map
    small = next(iter(MV.event_layer([event()])._children.values())).data["features"]
    assert small[0]["properties"]["fill"] is True


def test_many_events_are_aggregated_per_place():
    evs = merge_events([record(mention_id=f"k{i}", start=i, date=f"2012-07-{1 + i % 28:02d}") for i in range(50)])
    fg = MV.event_layer(evs, aggregate_above=10)
    markers = list(fg._children.values())[1].data["features"]
    # 50 reports on 28 days: 28 merged events at one place, one marker
    assert len(markers) == 1 and markers[0]["properties"]["count"] == 28
    assert markers[0]["properties"]["reports"] == 50
    popup = markers[0]["properties"]["popup"]
    assert "28 events (50 reports)" in popup
    # the popup lists every event there with its type and date; the player sees every day
    assert all(f"<td>2012-07-{d:02d}</td><td>Battles</td>" in popup for d in range(1, 29))
    assert markers[0]["properties"]["days"] == [f"2012-07-{d:02d}" for d in range(1, 29)]


def test_layer_data_reaches_js_as_json():
    m = MV.base_map([])
    fg = MV.event_layer([event(place=EVIL)])
    fg.add_to(m)
    m.get_root().render()
    js = _get_map_string(m)
    assert "<script" not in js.split("L.map(")[1] and "<img" not in js


def test_events_at_one_point_are_spread_apart():
    evs = merge_events([record(mention_id=f"k{i}", start=i, date=f"2012-07-{10 + i:02d}") for i in range(6)])
    evs.append(event(place_id="yarmouk", place="Yarmouk", lat=33.47, lon=36.30))
    markers = list(MV.event_layer(evs)._children.values())[1].data["features"]
    offsets = [tuple(f["properties"]["offset"]) for f in markers]
    assert offsets[-1] == (0, 0)  # alone at its point: drawn on it
    ring = offsets[:6]
    assert len(set(ring)) == 6
    # every pair far enough apart that no marker (radius 7) hides another
    assert min(math.dist(a, b) for a, b in itertools.combinations(ring, 2)) >= 2 * 7
    assert all(f["geometry"]["coordinates"] == [36.30944, 33.47778] for f in markers[:6])  # the data keeps the point


def test_spread_of_many_events_never_hides_one():
    for n in (2, 9, 10, 40):
        offsets = MV.spread_offsets(n)
        assert len(offsets) == n
        assert min(math.dist(a, b) for a, b in itertools.combinations(offsets, 2)) >= 14


def test_layer_info_fits_the_events_and_lists_only_present_types():
    evs = [
        event(),
        event(mention_id="k2", place_id="barzeh", place="Barzeh", lat=33.56, lon=36.32, event_type="Protests"),
    ]
    info = MV.layer_info(evs)
    assert info["bounds"] == [[33.47778, 36.30944], [33.56, 36.32]]
    assert info["types"] == ["Battles", "Protests"] and info["mentions"] is False
    assert MV.layer_info([])["bounds"] is None
    mention = event(is_event=False, event_type=None)
    assert MV.layer_info([mention])["mentions"] is True
    # the info travels with the event layer, not with the base map
    m = MV.base_map([])
    base = script(m)
    js = _get_feature_group_string(MV.event_layer(evs), m)
    assert '"types": ["Battles", "Protests"]' in js and "window.cm.onLayer" in js
    assert '"types"' not in base


def test_popup_links_to_the_source_safely():
    html = MV.popup_html(event(url="https://example.org/news?a=1&b=<2>"))
    assert '<a href="https://example.org/news?a=1&amp;b=&lt;2&gt;" target="_blank" rel="noopener noreferrer">' in html
    for bad in ("javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/x", "//example.org/x", ""):
        assert "<a " not in MV.popup_html(event(url=bad)), bad
    assert "<a " not in MV.popup_html(event(url=None))
    evs = merge_events([record(url="http://example.org/p"), record(mention_id="k2", date="2012-07-18")])
    assert 'href="http://example.org/p"' in MV.place_popup_html(evs)


def test_labels_bigger_places_first(gaz):
    labels = MV.orientation_labels(gaz)
    kinds = [lab["kind"] for lab in labels]
    rank = list(MV.LABEL_MIN_ZOOM)
    assert kinds == sorted(kinds, key=rank.index)
    assert set(kinds) <= set(MV.LABEL_MIN_ZOOM)


def test_heat_sends_one_weighted_point_per_coordinate():
    """Leaflet.heat sums weights per cell: three events at one point weigh three, in one point."""
    evs = merge_events(
        [record(mention_id=f"h{i}", start=i, date=f"2012-07-{10 + i:02d}") for i in range(3)]
        + [record(mention_id="far", start=9, place_id="midan", place="Midan", lat=33.49, lon=36.29)]
    )
    heat = next(c for c in MV.heat_layer(evs)._children.values() if type(c).__name__ == "HeatMap")
    assert sorted(heat.data) == [[33.47778, 36.30944, 3.0], [33.49, 36.29, 1.0]]
