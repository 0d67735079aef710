"""The folium map: one constant base map, and the filtered events as a layer.

streamlit-folium re-mounts the map frame whenever the base map's script
changes, so :func:`base_map` depends only on the gazetteer (never on filters,
time or chance); the filtered events travel as :func:`event_layer`, passed to
``st_folium(feature_group_to_add=...)``.

Every text that reaches HTML (tooltips, popups, the article view) is escaped
here with :func:`html.escape`; data reaches JavaScript only as JSON.

>>> configure_offline()
>>> folium.Map.default_js[0][1]
'/app/static/leaflet/leaflet.js'
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter

import folium
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import JsCode

from ..export.geojson import point_feature
from ..extract.gazetteer import Gazetteer, haversine_km
from ..models import EVENT_TYPES, EventRecord, MentionRecord

#: Where Streamlit serves ``static/`` when ``[server] enableStaticServing = true``.
STATIC_URL = "/app/static"
#: Used when the gazetteer has no ``damascus`` row.
DAMASCUS = (33.5102, 36.29128)
START_ZOOM = 12
#: Above this many events the layer shows one aggregated marker per place.
AGGREGATE_ABOVE = 1500
#: Evidence sentences shown in one popup.
POPUP_MENTIONS = 4

#: One colour per ACLED event type (colour-blind-safe Okabe-Ito palette).
TYPE_COLORS = dict(zip(EVENT_TYPES, ("#D55E00", "#E69F00", "#CC79A7", "#0072B2", "#56B4E9", "#009E73")))
#: Colour of place mentions that report no event.
MENTION_COLOR = "#6b6b6b"
#: Place kinds named on the orientation layer (no tiles offline).
LABEL_KINDS = ("neighbourhood", "camp", "city", "mountain", "town")
LABEL_RADIUS_KM = 25


def configure_offline(static_url: str = STATIC_URL) -> None:
    """Point folium at the Leaflet files under ``static/`` instead of CDNs.

    Call before building any map. Only Leaflet is loaded: the map uses no
    jQuery, Bootstrap or icon fonts.
    """
    folium.Map.default_js = [("leaflet", f"{static_url}/leaflet/leaflet.js")]
    folium.Map.default_css = [("leaflet_css", f"{static_url}/leaflet/leaflet.css")]


def color_of(event_type: str | None) -> str:
    return TYPE_COLORS.get(event_type or "", MENTION_COLOR)


def center_of(gaz: Gazetteer | None) -> tuple[float, float]:
    place = gaz.get("damascus") if gaz is not None else None
    return (place.lat, place.lon) if place else DAMASCUS


def orientation_labels(gaz: Gazetteer, radius_km: float = LABEL_RADIUS_KM) -> list[dict]:
    """Names of neighbourhoods, camps and towns near Damascus, for a map without tiles."""
    lat0, lon0 = center_of(gaz)
    out = []
    for place in sorted(gaz.places.values(), key=lambda p: p.id):
        if place.kind in LABEL_KINDS and haversine_km(lat0, lon0, place.lat, place.lon) <= radius_km:
            out.append({"name": place.name, "lat": place.lat, "lon": place.lon, "kind": place.kind})
    return out


_LABEL_JS = JsCode("""
function(feature, latlng) {
    var dot = L.circleMarker(latlng, {radius: 2, color: "#555", weight: 1, fillOpacity: 0.6,
                                      interactive: false});
    var span = document.createElement("span");
    span.textContent = feature.properties.name;
    dot.bindTooltip(span, {permanent: true, direction: "right", offset: [4, 0],
                           className: "cm-label", interactive: false});
    return dot;
}
""")

_CIRCLE_JS = JsCode("""
function(feature, latlng) {
    var p = feature.properties;
    return L.circle(latlng, {radius: p.radius_m, color: p.color, weight: 1, opacity: 0.5,
                             fillOpacity: 0.08, dashArray: "4 4", interactive: false});
}
""")

_MARKER_JS = JsCode("""
function(feature, latlng) {
    var p = feature.properties;
    return L.circleMarker(latlng, {radius: p.size, color: p.unverified ? "#222" : "#fff",
                                   weight: p.unverified ? 2 : 1, dashArray: p.unverified ? "2 2" : null,
                                   fillColor: p.color, fillOpacity: 0.9});
}
""")

# tip and popup are HTML built by this module with every text escaped.
_BIND_JS = JsCode("""
function(feature, layer) {
    layer.bindTooltip(feature.properties.tip, {direction: "top", className: "cm-tip"});
    layer.bindPopup(feature.properties.popup, {maxWidth: 380, className: "cm-popup"});
}
""")

_STYLE = """
<style>
.cm-label { background: rgba(255,255,255,0.6); border: none; box-shadow: none; padding: 0 2px;
            font: 11px/1.2 sans-serif; color: #333; }
.cm-label:before { display: none; }
.cm-popup .leaflet-popup-content { font: 13px/1.4 sans-serif; max-height: 320px; overflow-y: auto; }
.cm-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #ccc; }
.cm-popup mark { background: #ffe08a; padding: 0 1px; }
.cm-popup .cm-src { color: #555; font-size: 12px; }
.cm-legend, .cm-play { background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.5 sans-serif;
                       border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.cm-legend i { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
               margin-right: 5px; vertical-align: -1px; }
.cm-play button { margin-right: 4px; cursor: pointer; }
</style>
"""


class MapControls(MacroElement):
    """The legend and the day-by-day player, drawn in the browser.

    The player steps through the days of the events currently on the map
    (whatever the filters left), cumulative or one day at a time; day strings
    are compared as text, so no time zone shifts them.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var colors = {{ this.colors }};
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function() {
        var div = L.DomUtil.create("div", "cm-legend");
        var title = document.createElement("b");
        title.textContent = "Event type";
        div.appendChild(title);
        Object.keys(colors).forEach(function(name) {
            var row = document.createElement("div");
            var dot = document.createElement("i");
            dot.style.background = colors[name];
            row.appendChild(dot);
            row.appendChild(document.createTextNode(name));
            div.appendChild(row);
        });
        var note = document.createElement("div");
        note.textContent = "Dashed circle: how far the place may be from the point";
        note.style.maxWidth = "170px"; note.style.color = "#555";
        div.appendChild(note);
        return div;
    };
    legend.addTo(map);

    var player = L.control({position: "bottomleft"});
    var state = {timer: null, days: [], i: -1};
    function eventLayers() {
        var groups = window.feature_group || [], fg = null, out = [];
        for (var g = groups.length - 1; g >= 0; g--) { if (map.hasLayer(groups[g])) { fg = groups[g]; break; } }
        if (!fg) { return out; }
        (function walk(layer, parent) {
            if (layer.feature && layer.feature.properties && layer.feature.properties.days) {
                out.push({layer: layer, parent: parent, days: layer.feature.properties.days});
            } else if (layer.eachLayer) { layer.eachLayer(function(l) { walk(l, layer); }); }
        })(fg, null);
        return out;
    }
    function show(items, test) {
        items.forEach(function(it) {
            var on = it.days.some(test);
            if (on && !it.parent.hasLayer(it.layer)) { it.parent.addLayer(it.layer); }
            if (!on && it.parent.hasLayer(it.layer)) { it.parent.removeLayer(it.layer); }
        });
    }
    player.onAdd = function() {
        var div = L.DomUtil.create("div", "cm-play");
        var play = document.createElement("button"), reset = document.createElement("button");
        var mode = document.createElement("select"), label = document.createElement("span");
        play.textContent = "\u25b6 Play days"; play.className = "cm-play-button";
        reset.textContent = "Show all"; label.className = "cm-play-day";
        [["cumulative", "cumulative"], ["day", "one day at a time"]].forEach(function(o) {
            var opt = document.createElement("option"); opt.value = o[0]; opt.textContent = o[1];
            mode.appendChild(opt);
        });
        div.appendChild(play); div.appendChild(mode); div.appendChild(reset);
        div.appendChild(document.createElement("br")); div.appendChild(label);
        function stop() {
            if (state.timer) { clearInterval(state.timer); state.timer = null; }
            play.textContent = "\u25b6 Play days";
        }
        function step() {
            var items = eventLayers();
            state.i += 1;
            if (state.i >= state.days.length) { stop(); return; }
            var day = state.days[state.i];
            var cumulative = mode.value === "cumulative";
            show(items, function(d) { return cumulative ? d <= day : d === day; });
            label.textContent = day + "  (" + (state.i + 1) + " of " + state.days.length + ")";
        }
        play.onclick = function() {
            if (state.timer) { stop(); return; }
            var seen = {};
            eventLayers().forEach(function(it) { it.days.forEach(function(d) { if (d) { seen[d] = true; } }); });
            state.days = Object.keys(seen).sort();
            if (!state.days.length) { label.textContent = "no dated events on the map"; return; }
            if (state.i >= state.days.length - 1) { state.i = -1; }
            play.textContent = "\u23f8 Pause";
            step();
            state.timer = setInterval(step, {{ this.interval_ms }});
        };
        reset.onclick = function() {
            stop(); state.i = -1; label.textContent = "";
            show(eventLayers(), function() { return true; });
        };
        L.DomEvent.disableClickPropagation(div);
        return div;
    };
    player.addTo(map);
})();
{% endmacro %}
""")

    def __init__(self, interval_ms: int = 900):
        super().__init__()
        self._name = "MapControls"
        self.colors = json.dumps(TYPE_COLORS)
        self.interval_ms = int(interval_ms)


def base_map(labels: list[dict], center: tuple[float, float] = DAMASCUS) -> folium.Map:
    """The constant base map: tiles, the names of places, the legend and the player.

    Build a new one every run (st_folium mutates the map it is given); the
    same ``labels`` always give the same script, so the frame is kept.
    """
    configure_offline()
    m = folium.Map(
        location=list(center), zoom_start=START_ZOOM, tiles="OpenStreetMap", prefer_canvas=True, control_scale=True
    )
    m.get_root().header.add_child(Element(_STYLE), name="cm_style")
    if labels:
        data = {
            "type": "FeatureCollection",
            "features": [point_feature(lab["lat"], lab["lon"], {"name": lab["name"]}) for lab in labels],
        }
        folium.GeoJson(data, name="Place names", pointToLayer=_LABEL_JS, control=False).add_to(m)
    MapControls().add_to(m)
    return m


# --- popups and tooltips (escaped HTML) -----------------------------------------------------


def _e(value) -> str:
    """Escape any value for HTML; None and NaN are empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def highlight(sentence: str, start: int, end: int) -> str:
    """The sentence, escaped, with ``sentence[start:end]`` in ``<mark>``."""
    start, end = max(0, min(start, len(sentence))), max(0, min(end, len(sentence)))
    return f"{_e(sentence[:start])}<mark>{_e(sentence[start:end])}</mark>{_e(sentence[end:])}"


def tooltip_html(ev: EventRecord) -> str:
    kind = ev.event_type or "place mention (no event)"
    return f"<b>{_e(ev.place)}</b><br>{_e(kind)}<br>{_e(ev.date or 'date not given')}"


def _evidence(m: MentionRecord) -> str:
    """The sentence with the place marked."""
    return f"<blockquote>{highlight(m.sentence, m.start - m.sentence_start, m.end - m.sentence_start)}</blockquote>"


def popup_html(ev: EventRecord) -> str:
    """Popup of one event: place, type, date, and each piece of evidence with its source."""
    kind = ev.event_type or "Place mention (no event)"
    sub = f" — {_e(ev.sub_event_type)}" if ev.sub_event_type else ""
    parts = [
        f"<div><b>{_e(ev.place)}</b> <span class='cm-src'>({_e(ev.place_kind)}, "
        f"within {_e(ev.uncertainty_km)} km)</span></div>",
        f"<div>{_e(kind)}{sub}</div>",
        f"<div>Date: <b>{_e(ev.date or 'date not given')}</b> <span class='cm-src'>(precision: "
        f"{_e(ev.date_precision or 'unknown')}; basis: {_e(ev.date_basis or 'none')})</span></div>",
    ]
    if ev.unverified:
        parts.append("<div><b>Unverified</b> (the text says so)</div>")
    for m in ev.mentions[:POPUP_MENTIONS]:
        who = m.attribution or "the outlet itself (no source named)"
        parts.append(
            _evidence(m) + f"<div class='cm-src'><i>{_e(m.title or m.doc_id)}</i>, {_e(m.outlet or 'unknown outlet')}, "
            f"published {_e(m.published or 'date unknown')}. Reported by: {_e(who)}"
            f"{' (unverified)' if m.verified is False else ''}.</div>"
        )
    more = len(ev.mentions) - min(len(ev.mentions), POPUP_MENTIONS)
    if more > 0:
        parts.append(f"<div class='cm-src'>… and {more} more report(s) in the table.</div>")
    return "".join(parts)


def place_popup_html(place: str, counts: list[tuple[str | None, int]], days: list[str], examples) -> str:
    """Popup of an aggregated place marker: counts by type, dates, a few pieces of evidence."""
    rows = "".join(
        f"<div><i style='display:inline-block;width:9px;height:9px;border-radius:50%;"
        f"background:{color_of(t)}'></i> {_e(t or 'place mention (no event)')}: {n}</div>"
        for t, n in counts
    )
    span = " to ".join(_e(d) for d in dict.fromkeys([days[0], days[-1]] if days else [])) or "dates not given"
    parts = [f"<div><b>{_e(place)}</b>: {sum(n for _, n in counts)} reports, {span}</div>", rows]
    for m in examples:
        parts.append(
            _evidence(m) + f"<div class='cm-src'>{_e(m.outlet or 'unknown outlet')}, {_e(m.published or '')}</div>"
        )
    return "".join(parts)


# --- the filtered layer ---------------------------------------------------------------------


def event_features(events: list[EventRecord]) -> list[dict]:
    """One marker feature per event, with escaped ``tip`` and ``popup`` HTML."""
    return [
        point_feature(
            ev.lat,
            ev.lon,
            {
                "key": ev.event_id,
                "color": color_of(ev.event_type),
                "size": 7 if ev.is_event else 5,
                "unverified": ev.unverified,
                "days": [ev.date or ""],
                "event_type": ev.event_type,
                "date": ev.date,
                "place": ev.place,
                "tip": tooltip_html(ev),
                "popup": popup_html(ev),
            },
        )
        for ev in events
    ]


def _by_place(events: list[EventRecord]) -> dict[str, list[EventRecord]]:
    by_place: dict[str, list[EventRecord]] = {}
    for ev in events:
        by_place.setdefault(ev.place_id, []).append(ev)
    return by_place


def _type_counts(evs: list[EventRecord]) -> list[tuple[str | None, int]]:
    """Reports per type, most first; ties in the codebook's order (mere mentions last)."""
    counts = Counter()
    for ev in evs:
        counts[ev.event_type] += len(ev.mentions)
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    return sorted(counts.items(), key=lambda tn: (-tn[1], order.get(tn[0], len(order)), tn[0] or ""))


def place_features(events: list[EventRecord]) -> list[dict]:
    """One aggregated marker per place (for many events): size grows with the count."""
    out = []
    for pid, evs in sorted(_by_place(events).items()):
        counts = _type_counts(evs)
        total = sum(n for _, n in counts)
        days = sorted({ev.date for ev in evs if ev.date})
        first = evs[0]
        examples = [ev.mentions[0] for ev in evs[-2:]]
        out.append(
            point_feature(
                first.lat,
                first.lon,
                {
                    "key": pid,
                    "color": color_of(counts[0][0]),
                    "size": round(6 + 3 * math.log10(total), 1),
                    "unverified": False,
                    "days": days or [""],
                    "place": first.place,
                    "count": total,
                    "tip": f"<b>{_e(first.place)}</b><br>{total} reports",
                    "popup": place_popup_html(first.place, counts, days, examples),
                },
            )
        )
    return out


def uncertainty_features(events: list[EventRecord]) -> list[dict]:
    """One circle per place: the radius within which its events lie (from the place's kind)."""
    out = []
    for pid, evs in sorted(_by_place(events).items()):
        first = evs[0]
        top = Counter(ev.event_type for ev in evs).most_common()
        order = {t: i for i, t in enumerate(EVENT_TYPES)}
        top.sort(key=lambda tn: (-tn[1], order.get(tn[0], len(order))))
        out.append(
            point_feature(
                first.lat,
                first.lon,
                {
                    "key": pid,
                    "radius_m": float(first.uncertainty_km or 1.0) * 1000,
                    "color": color_of(top[0][0]),
                    "days": sorted({ev.date or "" for ev in evs}),
                },
            )
        )
    return out


def event_layer(events: list[EventRecord], aggregate_above: int = AGGREGATE_ABOVE) -> folium.FeatureGroup:
    """The filtered events as one FeatureGroup for ``st_folium(feature_group_to_add=...)``.

    Up to ``aggregate_above`` events: one marker per event. Above it: one
    marker per place, sized by its count, so the page stays usable.
    """
    fg = folium.FeatureGroup(name="Events")
    circles = uncertainty_features(events)
    markers = event_features(events) if len(events) <= aggregate_above else place_features(events)
    if circles:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": circles}, name="Uncertainty", pointToLayer=_CIRCLE_JS
        ).add_to(fg)
    if markers:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": markers},
            name="Markers",
            pointToLayer=_MARKER_JS,
            on_each_feature=_BIND_JS,
        ).add_to(fg)
    return fg


def is_aggregated(events: list, aggregate_above: int = AGGREGATE_ABOVE) -> bool:
    return len(events) > aggregate_above


# --- the article view -----------------------------------------------------------------------


def article_html(text: str, mentions: list[dict]) -> str:
    """The full text, escaped, with every mention highlighted and labelled.

    ``mentions`` are dicts with start, end, surface, place, event_type, date,
    is_event. Overlapping mentions are skipped after the first.
    """
    parts, pos = [], 0
    for m in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        start, end = int(m["start"]), int(m["end"])
        if start < pos or end > len(text):
            continue
        placed = m.get("place") or "not placed"
        kind = m.get("event_type") if m.get("is_event") else "mention"
        label = f"{placed} · {kind or 'mention'}" + (f" · {m['date']}" if m.get("date") else "")
        color = color_of(m.get("event_type")) if m.get("is_event") else MENTION_COLOR
        style = (
            f"border-bottom:3px solid {color};background:{color}22"
            if m.get("place")
            else "border-bottom:3px dotted #b00;background:#fdd"
        )
        parts.append(_e(text[pos:start]))
        parts.append(
            f"<mark class='cm-m' style='{style}' title='{_e(label)}'>{_e(text[start:end])}"
            f"<sup style='color:{color};font-size:70%'> [{_e(label)}]</sup></mark>"
        )
        pos = end
    parts.append(_e(text[pos:]))
    return (
        "<div class='cm-article' style='white-space:pre-wrap;font:15px/1.6 Georgia,serif;"
        "max-height:640px;overflow-y:auto;padding:8px;border:1px solid #ddd;border-radius:4px'>"
        + "".join(parts)
        + "</div>"
    )
