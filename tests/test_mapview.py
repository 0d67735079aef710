"""geo.app.mapview: a constant base map, the event layer, escaped popups."""

from __future__ import annotations

import folium
from streamlit_folium import _get_map_string

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
    circles, markers = (layer.data["features"] for layer in layers)
    assert len(markers) == 2 and len(circles) == 1
    assert circles[0]["properties"]["radius_m"] == 1000
    assert markers[0]["geometry"]["coordinates"] == [36.30944, 33.47778]
    assert {f["properties"]["color"] for f in markers} == {
        MV.TYPE_COLORS["Battles"],
        MV.TYPE_COLORS["Explosions/Remote violence"],
    }


def test_city_level_event_has_a_city_sized_circle():
    fg = MV.event_layer([event(place_id="damascus", place="Damascus", place_kind="city", uncertainty_km=8.0)])
    circles = next(iter(fg._children.values())).data["features"]
    assert circles[0]["properties"]["radius_m"] == 8000


def test_many_events_are_aggregated_per_place():
    evs = merge_events([record(mention_id=f"k{i}", start=i, date=f"2012-07-{1 + i % 28:02d}") for i in range(50)])
    fg = MV.event_layer(evs, aggregate_above=10)
    markers = list(fg._children.values())[1].data["features"]
    assert len(markers) == 1 and markers[0]["properties"]["count"] == 50
    assert "50 reports" in markers[0]["properties"]["popup"]


def test_layer_data_reaches_js_as_json():
    m = MV.base_map([])
    fg = MV.event_layer([event(place=EVIL)])
    fg.add_to(m)
    m.get_root().render()
    js = _get_map_string(m)
    assert "<script" not in js.split("L.map(")[1] and "<img" not in js
