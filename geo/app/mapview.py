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

import functools
import html
import json
import math
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

import folium
from branca.element import Element, MacroElement
from folium.plugins import HeatMap
from folium.template import Template
from folium.utilities import JsCode

from ..export.geojson import point_feature
from ..extract.gazetteer import Gazetteer, haversine_km
from ..models import EVENT_TYPES, EventRecord, MentionRecord
from .viewport import STEP_OF_TILE

#: Where Streamlit serves ``static/`` when ``[server] enableStaticServing = true``.
STATIC_URL = "/app/static"
#: Used when the gazetteer has no ``damascus`` row.
DAMASCUS = (33.5102, 36.29128)
START_ZOOM = 12
#: The closest zoom when fitting the view to the events (one place would zoom in to the street).
FIT_MAX_ZOOM = 15
#: Maps narrower than this (a phone) start with the legend folded.
NARROW_PX = 520
#: Events farther than FIT_SPREAD times the distance holding 80 % of them (and than FIT_MIN_KM)
#: from their median point are left out of the fitted view, and named.
FIT_SPREAD = 3.0
FIT_MIN_KM = 5.0
FAR_PLACES_NAMED = 6
#: Above this many events the layer shows one aggregated marker per place.
AGGREGATE_ABOVE = 1500
#: Nor are reports read one by one (for event markers and their evidence) when more than this many are shown.
READ_REPORTS_MAX = 10_000
#: Evidence sentences shown in one popup.
POPUP_MENTIONS = 4

#: One colour per ACLED event type (colour-blind-safe Okabe-Ito palette).
TYPE_COLORS = dict(zip(EVENT_TYPES, ("#D55E00", "#E69F00", "#CC79A7", "#0072B2", "#56B4E9", "#009E73")))
#: Colour of place mentions that report no event.
MENTION_COLOR = "#6b6b6b"
#: Legend label of place mentions that report no event.
MENTION_LABEL = "place mention (no event)"
#: Place kinds named on the orientation layer (no tiles offline), each with the zoom from which
#: its name is shown; names that would overlap a bigger place's name or an event are hidden.
LABEL_MIN_ZOOM = {"city": 0, "town": 10, "mountain": 11, "camp": 12, "neighbourhood": 12}
LABEL_RADIUS_KM = 25
#: Uncertainty circles of places up to this size are filled; bigger ones (a city: 8 km) are
#: only outlined, so they do not tint the whole map.
FILL_CIRCLE_MAX_KM = 2.0
#: Playback: moving windows in days (None: cumulative), and seconds per step.
PLAY_WINDOWS = ((1, "1 day"), (3, "3 days"), (7, "a week"), (None, "cumulative"))
PLAY_SPEEDS = ((2.0, "slow"), (1.0, "normal"), (0.4, "fast"))
#: Beyond this many days between the first and last event, playback steps over days with events only.
PLAY_MAX_CALENDAR_DAYS = 400
#: Pixel spacing of markers spread around a shared point (the marker is 7 px in radius).
SPREAD_SPACING_PX = 17.0
SPREAD_RING_MAX = 9


def configure_offline(static_url: str = STATIC_URL) -> None:
    """Point folium at the Leaflet files under ``static/`` instead of CDNs.

    Call before building any map. Leaflet and its heat-map plugin are loaded (the
    plugin with the base map, so the base map stays the same whichever layer is
    shown); the map uses no jQuery, Bootstrap or icon fonts.
    """
    heat = ("leaflet-heat.js", f"{static_url}/leaflet-heat/leaflet-heat.js")
    folium.Map.default_js = [("leaflet", f"{static_url}/leaflet/leaflet.js"), heat]
    folium.Map.default_css = [("leaflet_css", f"{static_url}/leaflet/leaflet.css")]
    HeatMap.default_js = [heat]
    _reuse_templates()


#: Template texts longer than this are rendered output wrapped again (see :func:`_reuse_templates`).
LAZY_TEMPLATE_CHARS = 4_000


def _reuse_templates() -> None:
    """Compile each of branca's element templates once, and never compile rendered output unread.

    ``branca.element.Element.__init__`` compiles its template text with Jinja
    each time: the ~25 elements of one map cost ~0.1 s of every rerun. A
    compiled template renders any number of times, so equal texts share one.
    ``MacroElement.render`` also wraps each rendered script (for an event layer
    of 100,000 events, 1 MB holding every marker) in a new ``Element``, whose
    text Jinja compiled for 0.25 s (1.5 s on a busy machine) on every change,
    though st_folium never renders it: long texts are compiled only when used,
    and not kept.
    """
    import branca.element

    if not hasattr(branca.element.Template, "cache_info"):  # not yet wrapped (the page runs this often)
        compiled = functools.lru_cache(maxsize=512)(branca.element.Template)

        def template(source, *args, **kwargs):
            if isinstance(source, str) and len(source) > LAZY_TEMPLATE_CHARS and not args and not kwargs:
                return _LazyTemplate(compiled.__wrapped__, source)
            return compiled(source, *args, **kwargs)

        template.cache_info = compiled.cache_info
        branca.element.Template = template


class _LazyTemplate:
    """A Jinja template compiled on first use (rendered output wrapped in an Element is rarely used)."""

    def __init__(self, make, source: str):
        self._make, self._source, self._compiled = make, source, None

    def __getattr__(self, name):
        if self._compiled is None:
            self._compiled = self._make(self._source)
        return getattr(self._compiled, name)


def color_of(event_type: str | None) -> str:
    return TYPE_COLORS.get(event_type or "", MENTION_COLOR)


def center_of(gaz: Gazetteer | None) -> tuple[float, float]:
    place = gaz.get("damascus") if gaz is not None else None
    return (place.lat, place.lon) if place else DAMASCUS


def orientation_labels(gaz: Gazetteer, radius_km: float = LABEL_RADIUS_KM) -> list[dict]:
    """Names of neighbourhoods, camps and towns near Damascus, for a map without tiles.

    Bigger places first: the map names them first when names would overlap.
    """
    lat0, lon0 = center_of(gaz)
    rank = {kind: i for i, kind in enumerate(LABEL_MIN_ZOOM)}
    out = []
    for place in sorted(gaz.places.values(), key=lambda p: (rank.get(p.kind, len(rank)), p.id)):
        if place.kind in LABEL_MIN_ZOOM and haversine_km(lat0, lon0, place.lat, place.lon) <= radius_km:
            out.append({"name": place.name, "lat": place.lat, "lon": place.lon, "kind": place.kind})
    return out


def spread_offsets(n: int, spacing: float = SPREAD_SPACING_PX) -> list[tuple[float, float]]:
    """Pixel offsets that spread ``n`` markers sharing one point, as a spiderfy does.

    Up to :data:`SPREAD_RING_MAX` markers sit on a ring around the point, more
    on a spiral; one marker stays on its point. The offsets are in screen
    pixels, so the spread keeps its size at every zoom.

    >>> spread_offsets(1)
    [(0.0, 0.0)]
    >>> len(set(spread_offsets(6)))
    6
    """
    if n <= 1:
        return [(0.0, 0.0)] * n
    if n <= SPREAD_RING_MAX:
        radius = max(11.0, n * spacing / (2 * math.pi))
        angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
        return [(round(radius * math.cos(a), 1), round(radius * math.sin(a), 1)) for a in angles]
    out, length, angle = [], 11.0, 0.0
    for _ in range(n):  # Archimedean spiral with the spacing between neighbours (markercluster's recipe)
        angle += spacing / length + 0.0005
        out.append((round(length * math.cos(angle), 1), round(length * math.sin(angle), 1)))
        length += 2 * math.pi * 0.7 * spacing / angle
    return out


# Places' names: a small dot and a permanent label. The controls' script thins the labels.
_LABEL_JS = JsCode("""
function(feature, latlng) {
    var dot = L.circleMarker(latlng, {radius: 2, color: "#555", weight: 1, fillOpacity: 0.6,
                                      interactive: false});
    var span = document.createElement("span");
    span.textContent = feature.properties.name;
    dot.bindTooltip(span, {permanent: true, direction: "right", offset: [4, 0],
                           className: "cm-label", interactive: false});
    dot.cmKind = feature.properties.kind;
    (window.cmLabels = window.cmLabels || []).push(dot);
    return dot;
}
""")

_CIRCLE_JS = JsCode("""
function(feature, latlng) {
    var p = feature.properties;
    return L.circle(latlng, {radius: p.radius_m, color: p.color, weight: 1, opacity: 0.5,
                             fill: p.fill, fillOpacity: 0.08, dashArray: "4 4", interactive: false});
}
""")

# A circle marker drawn `offset` pixels from its point, with a spoke back to it (canvas renderer).
_MARKER_JS = JsCode("""
function(feature, latlng) {
    var p = feature.properties;
    var options = {radius: p.size, color: p.unverified ? "#222" : "#fff",
                   weight: p.unverified ? 2 : 1, dashArray: p.unverified ? "2 2" : null,
                   fillColor: p.color, fillOpacity: 0.9, cmOffset: p.offset};
    return window.cmSpread ? window.cmSpread(latlng, options) : L.circleMarker(latlng, options);
}
""")

# tip and popup are HTML built by this module with every text escaped; popups fit a phone.
_BIND_JS = JsCode("""
function(feature, layer) {
    // clear of the zoom buttons and the folded legend on a phone too
    var width = Math.max(180, Math.min(380, document.documentElement.clientWidth - 110));
    layer.bindTooltip(feature.properties.tip, {direction: "top", className: "cm-tip"});
    layer.bindPopup(feature.properties.popup, {maxWidth: width, minWidth: Math.min(240, width),
                                               autoPanPaddingTopLeft: [52, 48], autoPanPaddingBottomRight: [10, 10],
                                               className: "cm-popup"});
}
""")

_STYLE = """
<style>
.cm-label { background: rgba(255,255,255,0.6); border: none; box-shadow: none; padding: 0 2px;
            font: 11px/1.2 sans-serif; color: #333; }
.cm-label:before { display: none; }
.leaflet-tooltip.cm-label { margin: 0; }  /* placed exactly where the thinning computed */
.cm-popup .leaflet-popup-content { font: 13px/1.4 sans-serif; max-height: 300px; overflow-y: auto;
                                   overflow-wrap: anywhere; }
.cm-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #ccc; }
.cm-popup mark { background: #ffe08a; padding: 0 1px; }
.cm-popup .cm-src { color: #555; font-size: 12px; }
.cm-popup table { border-collapse: collapse; }
.cm-popup td { padding: 1px 4px 1px 0; vertical-align: top; }
.cm-popup td i { display: inline-block; width: 9px; height: 9px; border-radius: 50%; }
.cm-legend, .cm-play { background: rgba(255,255,255,0.92); padding: 6px 8px; font: 12px/1.5 sans-serif;
                       border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.cm-legend i { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
               margin-right: 5px; vertical-align: -1px; }
.cm-legend-toggle { border: none; background: none; font: bold 12px sans-serif; padding: 0; cursor: pointer; }
.cm-legend-note { max-width: 180px; color: #555; }
.cm-play button { margin: 0 3px 3px 0; cursor: pointer; min-width: 30px; }
.cm-play select { margin: 0 3px 3px 0; }
.cm-play-day { font-weight: bold; }
@media (max-width: 520px) {
  .cm-legend, .cm-play { font-size: 11px; padding: 4px 6px; }
  .cm-legend-note { max-width: 140px; }
}
</style>
"""


class MapControls(MacroElement):
    """The legend, the player and the place names' thinning, drawn in the browser.

    This script is part of the constant base map; what changes with the
    filters arrives with the event layer, which calls ``window.cm.onLayer``
    (see :class:`LayerInfo`) to fit the view, rebuild the legend and reset
    the player.

    The player is a moving window (1 day, 3 days, a week) or cumulative over
    the days of the events on the map, with play/pause, a step back and
    forward, a speed and "Show all". Markers are hidden by removing them from
    their group, so the list of markers is taken once per event layer (a
    removed marker is no longer in its group: walking the group again would
    lose it for good). Days are whole UTC days numbered from ISO strings, so
    no time zone shifts them.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var colors = {{ this.colors }};
    var conf = {{ this.conf }};
    var DAY = 86400000;
    var cm = window.cm = {};
    function dayNum(d) { return Math.round(Date.parse(d + "T00:00:00Z") / DAY); }
    function dayStr(n) { return new Date(n * DAY).toISOString().slice(0, 10); }
    function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) { e.className = cls; }
        if (text !== undefined) { e.textContent = text; }
        return e;
    }

    // --- markers spread around a shared point, each with a spoke to it
    window.cmSpread = function(latlng, options) { return new Spread(latlng, options); };
    var Spread = L.CircleMarker.extend({
        _project: function() {
            L.CircleMarker.prototype._project.call(this);
            var o = this.options.cmOffset;
            this._hub = null;
            if (o && (o[0] || o[1])) {
                this._hub = this._point;
                this._point = this._point.add(L.point(o[0], o[1]));
                this._updateBounds();
            }
        },
        _updateBounds: function() {
            L.CircleMarker.prototype._updateBounds.call(this);
            if (this._hub) { this._pxBounds.extend(this._hub); }
        },
        _updatePath: function() {
            var ctx = this._renderer && this._renderer._ctx;
            if (this._hub && ctx && this._renderer._drawing && !this._empty()) {
                ctx.beginPath(); ctx.moveTo(this._hub.x, this._hub.y); ctx.lineTo(this._point.x, this._point.y);
                ctx.strokeStyle = "rgba(40,40,40,0.6)"; ctx.lineWidth = 1; ctx.setLineDash([]); ctx.stroke();
            }
            L.CircleMarker.prototype._updatePath.call(this);
        }
    });

    // --- the event layer st_folium added last, and its items (taken once: see the docstring)
    function group() {
        var groups = window.feature_group || [];
        for (var g = groups.length - 1; g >= 0; g--) { if (map.hasLayer(groups[g])) { return groups[g]; } }
        return null;
    }
    function items() {
        var fg = group();
        if (!fg) { return []; }
        if (!fg._cmItems) {
            var out = [];
            (function walk(layer, parent) {
                var p = layer.feature && layer.feature.properties;
                if (p && p.days) {
                    out.push({layer: layer, parent: parent, marker: p.tip !== undefined,
                              days: p.days.filter(function(d) { return !!d; }).map(dayNum)});
                } else if (layer.eachLayer) { layer.eachLayer(function(l) { walk(l, layer); }); }
            })(fg, null);
            fg._cmItems = out;
        }
        return fg._cmItems;
    }
    function show(test) {
        items().forEach(function(it) {
            var on = test(it.days);
            if (on && !it.parent.hasLayer(it.layer)) { it.parent.addLayer(it.layer); }
            if (!on && it.parent.hasLayer(it.layer)) { it.parent.removeLayer(it.layer); }
        });
        declutter();
    }
    function visibleMarkers() {
        return items().filter(function(it) { return it.marker && it.parent.hasLayer(it.layer); });
    }
    cm.visibleMarkers = function() { return visibleMarkers().length; };

    // --- legend: the types on the map only; folded on a narrow map
    var legendBody = el("div", "cm-legend-body");
    var legend = L.control({position: "topright"});
    legend.onAdd = function() {
        var div = L.DomUtil.create("div", "cm-legend");
        var toggle = el("button", "cm-legend-toggle", "Event type \u25be");
        toggle.type = "button";
        toggle.onclick = function() {
            var open = legendBody.style.display === "none";
            legendBody.style.display = open ? "" : "none";
            toggle.textContent = open ? "Event type \u25be" : "Event type \u25b8";
        };
        if (map.getSize().x < conf.narrow_px) {
            legendBody.style.display = "none"; toggle.textContent = "Event type \u25b8";
        }
        div.appendChild(toggle);
        div.appendChild(legendBody);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo(map);
    function setLegend(info) {
        legendBody.textContent = "";
        var names = info.types.slice();
        if (info.mentions) { names.push(conf.mention_label); }
        if (!names.length) { legendBody.appendChild(el("div", "cm-legend-note", "Nothing on the map")); }
        names.forEach(function(name) {
            var row = el("div", "cm-legend-row"), dot = el("i");
            dot.style.background = colors[name] || conf.mention_color;
            row.appendChild(dot);
            row.appendChild(document.createTextNode(name));
            legendBody.appendChild(row);
        });
        if (info.circles) {
            legendBody.appendChild(el("div", "cm-legend-note",
                "Dashed circle: how far the place may be from the point (outline only for big places)"));
        }
        if (info.far && info.far.events) {
            var far = el("div", "cm-legend-note cm-legend-far",
                info.far.events + (info.far.events === 1 ? " event" : " events") + " far from the others, outside "
                + "this view (" + info.far.places.join(", ")
                + (info.far.more ? " and " + info.far.more + " more places" : "") + "). ");
            var all = el("a", "cm-fit-all", "Fit all");
            all.href = "#"; all.onclick = function(e) { e.preventDefault(); fit(true); };
            far.appendChild(all);
            legendBody.appendChild(far);
        }
        if (info.spread) {
            legendBody.appendChild(el("div", "cm-legend-note",
                "Dots on spokes: events at one place, spread around it"));
        }
    }

    // --- fit the view to the events, clear of the controls
    var lastInfo = null;
    function fit(everything) {
        var bounds = lastInfo && (everything ? lastInfo.all_bounds : lastInfo.bounds);
        if (!bounds) { return; }
        var legendBox = legend.getContainer(), playBox = player.getContainer();
        var right = legendBox ? legendBox.offsetWidth + 20 : 20;
        var top = legendBox ? legendBox.offsetHeight + 20 : 20;
        var bottom = playBox ? playBox.offsetHeight + 30 : 20;
        // A folded legend is a short button: room above the points is enough.
        if (right > map.getSize().x / 2) { right = 20; }
        else if (right > 60) { top = 20; }
        map.fitBounds(bounds, {paddingTopLeft: [20, top], paddingBottomRight: [right, bottom],
                                        maxZoom: conf.fit_max_zoom, animate: false});
    }

    // --- place names: from their zoom up, never over a bigger place's name or an event
    function boxes(a, b) { return a[0] < b[2] + 1 && b[0] < a[2] + 1 && a[1] < b[3] + 1 && b[1] < a[3] + 1; }
    function declutter() {
        var labels = window.cmLabels || [], zoom = map.getZoom(), taken = [], dots = [];
        var probe = labels.length && labels[0].getTooltip().getElement();
        // leaflet.css arrives after this script: names cannot be measured before it applies
        if (probe && getComputedStyle(probe).position !== "absolute") { setTimeout(declutter, 100); return; }
        visibleMarkers().forEach(function(it) {
            var c = map.latLngToContainerPoint(it.layer.getLatLng()), o = it.layer.options.cmOffset || [0, 0];
            var r = (it.layer.options.radius || 6) + 2, x = c.x + o[0], y = c.y + o[1];
            taken.push([x - r, y - r, x + r, y + r]);
            dots.push({x: c.x, y: c.y, reach: Math.sqrt(o[0] * o[0] + o[1] * o[1]) + r});
        });
        var frame = map.getContainer().getBoundingClientRect();  // nor go under the controls
        map.getContainer().querySelectorAll(".leaflet-control").forEach(function(c) {
            var r = c.getBoundingClientRect();
            taken.push([r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top]);
        });
        labels.forEach(function(lab) {  // a place's dot shows from its zoom up; names never cover one
            var shown = zoom >= (conf.label_min_zoom[lab.cmKind] || 0);
            if (lab._cmShown !== shown) { lab.setStyle({opacity: shown ? 1 : 0, fillOpacity: shown ? 0.6 : 0}); }
            lab._cmShown = shown;
            var q = map.latLngToContainerPoint(lab.getLatLng());
            if (shown) { taken.push([q.x - 2, q.y - 2, q.x + 2, q.y + 2]); }
        });
        labels.forEach(function(lab) {
            var tip = lab.getTooltip(), node = tip && tip.getElement();
            if (!node) { return; }
            node.style.display = "";
            var w = node.offsetWidth, h = node.offsetHeight, placed = null;
            var p = map.latLngToContainerPoint(lab.getLatLng()), clear = 4;
            dots.forEach(function(d) {
                if (Math.abs(d.x - p.x) < 3 && Math.abs(d.y - p.y) < 3) { clear = Math.max(clear, d.reach + 2); }
            });
            var spots = [["right", [clear, 0], [p.x + clear, p.y - h / 2, p.x + clear + w, p.y + h / 2]],
                         ["left", [-clear, 0], [p.x - clear - w, p.y - h / 2, p.x - clear, p.y + h / 2]],
                         ["bottom", [0, clear], [p.x - w / 2, p.y + clear, p.x + w / 2, p.y + clear + h]],
                         ["top", [0, -clear], [p.x - w / 2, p.y - clear - h, p.x + w / 2, p.y - clear]]];
            if (lab._cmShown) {
                for (var s = 0; s < spots.length && !placed; s++) {
                    if (!taken.some(function(b) { return boxes(b, spots[s][2]); })) { placed = spots[s]; }
                }
            }
            node.style.display = placed ? "" : "none";
            if (placed) {
                taken.push(placed[2]);
                if (tip.options.direction !== placed[0] || tip.options.offset[0] !== placed[1][0]
                        || tip.options.offset[1] !== placed[1][1]) {
                    tip.options.direction = placed[0]; tip.options.offset = L.point(placed[1]);
                    tip.update();
                }
            }
        });
    }
    map.on("zoomend moveend resize", declutter);

    // --- the player
    var player = L.control({position: "bottomleft"});
    var state = {timer: null, days: [], i: -1, every: true};
    var ui = {};
    function stepDays() {
        var seen = {};
        items().forEach(function(it) { if (it.marker) { it.days.forEach(function(d) { seen[d] = true; }); } });
        var days = Object.keys(seen).map(Number).sort(function(a, b) { return a - b; });
        if (days.length && days[days.length - 1] - days[0] < conf.max_calendar_days) {
            var all = [];
            for (var d = days[0]; d <= days[days.length - 1]; d++) { all.push(d); }
            return {days: all, every: true};
        }
        return {days: days, every: false};
    }
    function windowDays() { return ui.mode.value === "cumulative" ? null : Number(ui.mode.value); }
    function render() {
        if (state.i < 0) { return; }
        var day = state.days[state.i], w = windowDays();
        show(function(days) {
            return days.some(function(d) { return d <= day && (w === null || d > day - w); });
        });
        var when = w === null ? "up to " + dayStr(day)
                 : (w === 1 ? dayStr(day) : dayStr(day - w + 1) + " \u2013 " + dayStr(day));
        var n = visibleMarkers().length;
        ui.day.textContent = when;
        ui.info.textContent = " (day " + (state.i + 1) + " of " + state.days.length
            + (state.every ? "" : ", days with events only") + "): " + n + (n === 1 ? " marker" : " markers");
    }
    function stop() {
        if (state.timer) { clearInterval(state.timer); state.timer = null; }
        ui.play.textContent = "\u25b6 Play";
    }
    function ensureDays() {
        if (state.fg !== group() || !state.days.length) {
            var s = stepDays();
            state.days = s.days; state.every = s.every; state.fg = group(); state.i = -1;
        }
        if (!state.days.length) { ui.day.textContent = "no dated events on the map"; ui.info.textContent = ""; }
        return state.days.length > 0;
    }
    function go(i) {
        if (!ensureDays()) { return; }
        state.i = Math.max(0, Math.min(state.days.length - 1, i));
        render();
    }
    function tick() {
        if (state.i >= state.days.length - 1) { stop(); return; }
        go(state.i + 1);
    }
    function start() {
        if (!ensureDays()) { return; }
        if (state.i >= state.days.length - 1) { state.i = -1; }
        ui.play.textContent = "\u23f8 Pause";
        tick();
        state.timer = setInterval(tick, Number(ui.speed.value) * 1000);
    }
    function showAll() {
        stop(); state.i = -1;
        show(function() { return true; });
        var n = visibleMarkers().length;
        ui.day.textContent = "All days"; ui.info.textContent = ": " + n + (n === 1 ? " marker" : " markers");
    }
    function button(cls, text, title, onclick) {
        var b = el("button", cls, text);
        b.type = "button"; b.title = title; b.setAttribute("aria-label", title); b.onclick = onclick;
        return b;
    }
    function select(cls, label, options, value) {
        var s = el("select", cls);
        s.setAttribute("aria-label", label); s.title = label;
        options.forEach(function(o) {
            var opt = el("option", null, o[1]); opt.value = o[0] === null ? "cumulative" : String(o[0]);
            s.appendChild(opt);
        });
        s.value = value;
        return s;
    }
    player.onAdd = function() {
        var div = L.DomUtil.create("div", "cm-play");
        ui.back = button("cm-play-back", "\u00ab Back", "Step back a day", function() { stop(); go(state.i - 1); });
        ui.play = button("cm-play-button", "\u25b6 Play", "Play the days",
                         function() { if (state.timer) { stop(); } else { start(); } });
        ui.fwd = button("cm-play-forward", "Next \u00bb", "Step forward a day",
                        function() { stop(); go(state.i + 1); });
        ui.all = button("cm-play-all", "Show all", "Show every event again", showAll);
        ui.mode = select("cm-play-window", "Time window", conf.windows, "1");
        ui.speed = select("cm-play-speed", "Speed", conf.speeds, "1.0");
        ui.mode.onchange = render;
        ui.speed.onchange = function() { if (state.timer) { stop(); start(); } };
        ui.day = el("span", "cm-play-day"); ui.info = el("span", "cm-play-info");
        var row1 = el("div"), row2 = el("div"), row3 = el("div");
        [ui.back, ui.play, ui.fwd, ui.all].forEach(function(b) { row1.appendChild(b); });
        row2.appendChild(document.createTextNode("window ")); row2.appendChild(ui.mode);
        row2.appendChild(document.createTextNode(" speed ")); row2.appendChild(ui.speed);
        row3.appendChild(ui.day); row3.appendChild(ui.info);
        div.appendChild(row1); div.appendChild(row2); div.appendChild(row3);
        L.DomEvent.disableClickPropagation(div);
        return div;
    };
    player.addTo(map);

    // --- the view sent back to the page (st_folium's value): only one that moved past the page's
    // rounding (geo.app.viewport), so a nudge reruns nothing; and none before the first layer is
    // fitted, so a page load reruns once, for the fitted view, not also for the view before it
    var S = window.Streamlit, sentKey = null, settled = false;
    function viewKey(v) {
        var b = v && v.bounds;
        if (!b || v.zoom === undefined) { return null; }
        var sw = b._southWest, ne = b._northEast, d = 360 / Math.pow(2, v.zoom) * conf.view_step;
        return [v.zoom, Math.floor(sw.lat / d), Math.floor(sw.lng / d),
                Math.ceil(ne.lat / d), Math.ceil(ne.lng / d)].join(",");
    }
    if (S && S.setComponentValue && !S.cmWrapped) {
        var send = S.setComponentValue.bind(S);
        S.setComponentValue = function(value) {
            var key = viewKey(value);
            if (key === null) { return send(value); }  // not a view: as st_folium sends it
            if (!settled || key === sentKey) { return; }
            sentKey = key;
            return send(value);
        };
        S.cmWrapped = true;
    }
    function sendView() {
        settled = true;
        if (S && S.setComponentValue) { S.setComponentValue({bounds: map.getBounds(), zoom: map.getZoom()}); }
    }

    // --- called by each new event layer (LayerInfo)
    cm.onLayer = function(fg, info) {
        if (state.timer) { stop(); }
        state.i = -1; state.days = []; state.fg = null;
        ui.day.textContent = ""; ui.info.textContent = "";
        lastInfo = info;
        setLegend(info);
        // A layer without a fit key (or with a new one: other filters) fits the view; a layer redrawn
        // for the reader's new view keeps it (fitting would move the view, report it, and redraw again).
        // A map drawn anew where the reader left it (back from another tab) takes its first key as fitted.
        if (info.keep && cm.fitted === undefined) { cm.fitted = info.fit; }
        else if (info.fit === undefined || info.fit !== cm.fitted) { cm.fitted = info.fit; fit(); }
        setTimeout(sendView, 0);
        declutter();
        cm.layer = fg;  // ready: fitted, legend and player set for this layer
        // Layers drawn so far, on the frame's body once the next frame is painted: the browser
        // benchmark (geo.tools.browserbench) times a filter change until this count moves.
        requestAnimationFrame(function() {
            cm.drawn = (cm.drawn || 0) + 1;
            document.body.setAttribute("data-cm-drawn", String(cm.drawn));
        });
    };
})();
{% endmacro %}
""")

    def __init__(self):
        super().__init__()
        self._name = "MapControls"
        self.colors = json.dumps(TYPE_COLORS)
        self.conf = json.dumps(
            {
                "mention_label": MENTION_LABEL,
                "mention_color": MENTION_COLOR,
                "label_min_zoom": LABEL_MIN_ZOOM,
                "windows": [list(w) for w in PLAY_WINDOWS],
                "speeds": [[f"{s:.1f}", name] for s, name in PLAY_SPEEDS],
                "max_calendar_days": PLAY_MAX_CALENDAR_DAYS,
                "fit_max_zoom": FIT_MAX_ZOOM,
                "narrow_px": NARROW_PX,
                "view_step": STEP_OF_TILE,
            }
        )


class LayerInfo(MacroElement):
    """Sent with the event layer: the bounds to fit and what the legend lists.

    Added to the FeatureGroup, so it travels with ``feature_group_to_add``
    and runs whenever the filtered events change, never on a mere rerun; the
    base map stays the same.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function(fg, info) {
    // st_folium adds the group to the map after this script: act once it is there
    setTimeout(function() { if (window.cm && window.cm.onLayer) { window.cm.onLayer(fg, info); } }, 0);
})({{ this._parent.get_name() }}, {{ this.info }});
{% endmacro %}
""")

    def __init__(self, info: dict):
        super().__init__()
        self._name = "LayerInfo"
        self.info = json.dumps(info)


def base_map(labels: list[dict], center: tuple[float, float] = DAMASCUS, zoom: int = START_ZOOM) -> folium.Map:
    """The constant base map: tiles, the names of places, the legend and the player.

    Build a new one every run (st_folium mutates the map it is given); the
    same ``labels``, ``center`` and ``zoom`` always give the same script, so the frame is kept.
    """
    configure_offline()
    m = folium.Map(
        location=list(center), zoom_start=zoom, tiles="OpenStreetMap", prefer_canvas=True, control_scale=True
    )
    m.get_root().header.add_child(Element(_STYLE), name="cm_style")
    if labels:
        data = {
            "type": "FeatureCollection",
            "features": [
                point_feature(lab["lat"], lab["lon"], {"name": lab["name"], "kind": lab["kind"]}) for lab in labels
            ],
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


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address with a host, else None (no ``javascript:``, ``data:``...).

    >>> safe_url("https://example.org/a?b=1"), safe_url("javascript:alert(1)"), safe_url("/local")
    ('https://example.org/a?b=1', None, None)
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def source_link(url: str | None, text: str = "source") -> str:
    """A link to the source article that opens in a new tab without giving it this page, or ''."""
    url = safe_url(url)
    if url is None:
        return ""
    return f' <a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(text)}</a>'


def highlight(sentence: str, start: int, end: int) -> str:
    """The sentence, escaped, with ``sentence[start:end]`` in ``<mark>``."""
    start, end = max(0, min(start, len(sentence))), max(0, min(end, len(sentence)))
    return f"{_e(sentence[:start])}<mark>{_e(sentence[start:end])}</mark>{_e(sentence[end:])}"


def tooltip_html(ev: EventRecord) -> str:
    kind = ev.event_type or MENTION_LABEL
    return f"<b>{_e(ev.place)}</b><br>{_e(kind)}<br>{_e(ev.date or 'date not given')}"


def _evidence(m: MentionRecord) -> str:
    """The sentence with the place marked."""
    return f"<blockquote>{highlight(m.sentence, m.start - m.sentence_start, m.end - m.sentence_start)}</blockquote>"


def popup_html(ev: EventRecord) -> str:
    """Popup of one event: place, type, date, and each piece of evidence with its source (linked)."""
    kind = ev.event_type or "Place mention (no event)"
    sub = f" — {_e(ev.sub_event_type)}" if ev.sub_event_type else ""
    parts = [
        f"<div><b>{_e(ev.place)}</b> <span class='cm-src'>({_e(ev.place_kind)}, "
        f"within {_e(ev.uncertainty_km)} km)</span></div>",
        f"<div>{_e(kind)}{sub}</div>",
        f"<div>Date: <b>{_e(ev.date or 'date not given')}</b> <span class='cm-src'>(precision: "
        f"{_e(ev.date_precision or 'unknown')}; basis: {_e(ev.date_basis or 'none')})</span></div>",
        f"<div class='cm-src'>Reported by {ev.corroboration} outlet(s): {_e(', '.join(ev.outlets))}</div>",
    ]
    if ev.unverified:
        parts.append("<div><b>Unverified</b> (the text says so)</div>")
    for m in ev.mentions[:POPUP_MENTIONS]:
        who = m.attribution or "the outlet itself (no source named)"
        parts.append(
            _evidence(m) + f"<div class='cm-src'><i>{_e(m.title or m.doc_id)}</i>, {_e(m.outlet or 'unknown outlet')}, "
            f"published {_e(m.published or 'date unknown')}. Reported by: {_e(who)}"
            f"{' (unverified)' if m.verified is False else ''}.{source_link(m.url)}</div>"
        )
    more = len(ev.mentions) - min(len(ev.mentions), POPUP_MENTIONS)
    if more > 0:
        parts.append(f"<div class='cm-src'>… and {more} more report(s) in the table.</div>")
    return "".join(parts)


def group_popup_html(ev) -> str:
    """Popup of an event the store counted without reading its reports (a zoomed view of many events)."""
    kind = ev.event_type or "Place mention (no event)"
    return (
        f"<div><b>{_e(ev.place)}</b> <span class='cm-src'>({_e(ev.place_kind)}, within {_e(ev.uncertainty_km)} km)"
        f"</span></div><div>{_e(kind)}</div><div>Date: <b>{_e(ev.date or 'date not given')}</b></div>"
        f"<div class='cm-src'>{ev.reports} report(s): see the place's story under Places, or narrow the "
        "filters to read them here.</div>"
    )


def place_popup_html(evs: list[EventRecord], max_rows: int = 40) -> str:
    """Popup of an aggregated place marker: its events per type, the first ``max_rows`` with type and date.

    Rows are kept short (the dot's style is the page's CSS): at 100,000 events
    the map sends one such popup for each of a hundred places.
    """
    first = evs[0]
    days = sorted({ev.date for ev in evs if ev.date})
    span = " to ".join(_e(d) for d in dict.fromkeys([days[0], days[-1]] if days else [])) or "dates not given"
    reports = sum(ev.reports for ev in evs)
    rows = "".join(
        f"<tr><td><i style='background:{color_of(ev.event_type)}'></i></td><td>{_e(ev.date or 'no date')}</td>"
        f"<td>{_e(ev.event_type or MENTION_LABEL)}</td><td class='cm-src'>{ev.reports} report(s)</td></tr>"
        for ev in evs[:max_rows]
    )
    per_type = ", ".join(f"{_e(t or MENTION_LABEL)} {n}" for t, n in _type_counts(evs))
    parts = [
        f"<div><b>{_e(first.place)}</b>: {len(evs)} events ({reports} reports), {span}</div>",
        f"<div class='cm-src'>{per_type}</div>" if len(evs) > max_rows else "",
        f"<table>{rows}</table>",
    ]
    if len(evs) > max_rows:
        parts.append(f"<div class='cm-src'>… and {len(evs) - max_rows} more events in the table.</div>")
    for ev in [ev for ev in evs[-2:] if ev.mentions]:  # the store's aggregates carry no reports
        m = ev.mentions[0]
        where = f"{_e(m.outlet or 'unknown outlet')}, {_e(m.published or '')}"
        parts.append(_evidence(m) + f"<div class='cm-src'>{where}{source_link(m.url)}</div>")
    return "".join(parts)


# --- the filtered layer ---------------------------------------------------------------------


def event_features(events: list[EventRecord]) -> list[dict]:
    """One marker feature per event, with escaped ``tip`` and ``popup`` HTML.

    Events at one point get an ``offset`` in pixels (:func:`spread_offsets`)
    so that each can be seen, hovered and clicked.
    """
    offsets: dict[str, tuple[float, float]] = {}
    for evs in _by_point(events).values():
        for ev, off in zip(evs, spread_offsets(len(evs))):
            offsets[ev.event_id] = off
    return [
        point_feature(
            ev.lat,
            ev.lon,
            {
                "key": ev.event_id,
                "color": color_of(ev.event_type),
                "size": 7 if ev.is_event else 5,
                "unverified": getattr(ev, "unverified", False),  # the store's groups do not say
                "days": [ev.date or ""],
                "event_type": ev.event_type,
                "date": ev.date,
                "place": ev.place,
                "offset": list(offsets[ev.event_id]),
                "tip": tooltip_html(ev),
                "popup": popup_html(ev) if ev.mentions else group_popup_html(ev),
            },
        )
        for ev in events
    ]


def _by_point(events: list[EventRecord]) -> dict[tuple[float, float], list[EventRecord]]:
    """Events grouped by their exact point (several places may share one coordinate)."""
    out: dict[tuple[float, float], list[EventRecord]] = {}
    for ev in events:
        out.setdefault((ev.lat, ev.lon), []).append(ev)
    return out


def _by_place(events: list[EventRecord]) -> dict[str, list[EventRecord]]:
    by_place: dict[str, list[EventRecord]] = {}
    for ev in events:
        by_place.setdefault(ev.place_id, []).append(ev)
    return by_place


def _type_counts(evs: list[EventRecord]) -> list[tuple[str | None, int]]:
    """Events per type, most first; ties in the codebook's order (mere mentions last)."""
    counts = Counter(ev.event_type for ev in evs)
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    return sorted(counts.items(), key=lambda tn: (-tn[1], order.get(tn[0], len(order)), tn[0] or ""))


def place_features(events: list[EventRecord]) -> list[dict]:
    """One aggregated marker per place (for many events): size grows with the count of events.

    Its ``days`` are every day of its events: the player shows the place
    while any of them is in the window.
    """
    out = []
    for pid, evs in sorted(_by_place(events).items()):
        counts = _type_counts(evs)
        days = sorted({ev.date for ev in evs if ev.date})
        first = evs[0]
        out.append(
            point_feature(
                first.lat,
                first.lon,
                {
                    "key": pid,
                    "color": color_of(counts[0][0]),
                    "size": round(6 + 3 * math.log10(len(evs)), 1),
                    "unverified": False,
                    "days": days or [""],
                    "place": first.place,
                    "count": len(evs),
                    "reports": sum(ev.reports for ev in evs),
                    "offset": [0, 0],
                    "tip": f"<b>{_e(first.place)}</b><br>{len(evs)} events",
                    "popup": place_popup_html(evs),
                },
            )
        )
    return out


def uncertainty_features(events: list[EventRecord]) -> list[dict]:
    """One circle per place: the radius within which its events lie (from the place's kind).

    Circles of places bigger than :data:`FILL_CIRCLE_MAX_KM` are outlines only.
    """
    out = []
    for pid, evs in sorted(_by_place(events).items()):
        first = evs[0]
        radius_km = float(first.uncertainty_km or 1.0)
        out.append(
            point_feature(
                first.lat,
                first.lon,
                {
                    "key": pid,
                    "radius_m": radius_km * 1000,
                    "fill": radius_km <= FILL_CIRCLE_MAX_KM,
                    "color": color_of(_type_counts(evs)[0][0]),
                    "days": sorted({ev.date or "" for ev in evs}),
                },
            )
        )
    return out


def fit_points(events: list[EventRecord]) -> tuple[list[EventRecord], list[EventRecord]]:
    """The events the view is fitted to, and those left outside it (far from all the others).

    An event is far when it lies more than :data:`FIT_SPREAD` times the
    distance that holds 80 % of the events from their median point (and more
    than :data:`FIT_MIN_KM`): one report of Paris must not shrink Damascus to
    a dot. The reader is told which events lie outside and can fit them all.
    """
    far = _far_points(Counter((ev.lat, ev.lon) for ev in events))
    return [ev for ev in events if (ev.lat, ev.lon) not in far], [ev for ev in events if (ev.lat, ev.lon) in far]


def _far_points(per_point: Counter) -> set[tuple[float, float]]:
    """The points :func:`fit_points` leaves outside, from the events counted per point.

    Counted per point, not per event: many events share a place (the
    store's groups, at 100,000 events), and the medians and quantile of the
    points weighted by their events are those of the events.
    """
    total = sum(per_point.values())
    if total < 3:
        return set()
    lats, lons = Counter(), Counter()
    for (lat, lon), n in per_point.items():
        lats[lat] += n
        lons[lon] += n
    lat0, lon0 = _nth(lats, total // 2), _nth(lons, total // 2)
    reach_of = {pt: haversine_km(lat0, lon0, *pt) for pt in per_point}
    dists = Counter()
    for pt, n in per_point.items():
        dists[reach_of[pt]] += n
    reach = max(FIT_MIN_KM, FIT_SPREAD * _nth(dists, math.ceil(0.8 * total) - 1))
    return {pt for pt, d in reach_of.items() if d > reach}


def _nth(counts: Counter, k: int) -> float:
    """The ``k``-th (from 0) of the counted values in order: ``sorted(counts.elements())[k]``, without the list."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > k:
            return value
    raise IndexError(k)


def _bounds(points) -> list[list[float]] | None:
    points = list(points)
    if not points:
        return None
    lats, lons = [lat for lat, _ in points], [lon for _, lon in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def layer_info(events: list[EventRecord]) -> dict:
    """What the browser needs besides the markers: bounds to fit, types for the legend.

    ``bounds`` is ``[[south, west], [north, east]]`` over the events' points
    but those far from the rest (:func:`fit_points`), ``all_bounds`` over
    every point, ``far`` names the places left outside (None without events);
    ``types`` are the event types present in the codebook's order;
    ``mentions`` says whether mere mentions are shown.
    """
    per_point = Counter((ev.lat, ev.lon) for ev in events)
    far = _far_points(per_point)
    far_places = sorted({ev.place for ev in events if (ev.lat, ev.lon) in far}) if far else []
    more = max(0, len(far_places) - FAR_PLACES_NAMED)
    present = {ev.event_type for ev in events}
    return {
        "bounds": _bounds(pt for pt in per_point if pt not in far),
        "all_bounds": _bounds(per_point),
        "far": {"events": sum(per_point[pt] for pt in far), "places": far_places[:FAR_PLACES_NAMED], "more": more},
        "types": [t for t in EVENT_TYPES if t in present],
        "mentions": None in present,
        "circles": bool(events),
        "spread": any(n > 1 for n in per_point.values()),
    }


def event_layer(
    events: list[EventRecord], aggregate_above: int = AGGREGATE_ABOVE, agreement=None, fit: Fit | None = None
) -> folium.FeatureGroup:
    """The filtered events as one FeatureGroup for ``st_folium(feature_group_to_add=...)``.

    Up to ``aggregate_above`` events: one marker per event, spread around
    shared points. Above it: one marker per place, sized by its count, so the
    page stays usable. The group carries :class:`LayerInfo` (fit, legend);
    ``fit`` says what to fit the view to, and when (see :class:`Fit`).
    """
    fg = folium.FeatureGroup(name="Events")
    circles = uncertainty_features(events)
    aggregated = is_aggregated(events, aggregate_above)
    markers = place_features(events) if aggregated else event_features(events)
    if circles:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": circles}, name="Uncertainty", pointToLayer=_CIRCLE_JS
        ).add_to(fg)
    _points_layer(fg, markers, "Markers", _MARKER_JS)
    return _finish(fg, events, agreement, spread=not aggregated, fit=fit)


_ACLED_JS = JsCode("""
function(feature, latlng) {
    var p = feature.properties;
    return L.circleMarker(latlng, {radius: 6, color: p.color, weight: 3, fill: false,
                                   dashArray: p.agrees ? null : "3 3"});
}
""")

#: Outline colours of ACLED's events: one that an extracted event matches, one only ACLED reports.
ACLED_AGREES = "#1b7837"
ACLED_ONLY = "#222222"


def hexagon_features(bins: list[dict]) -> list[dict]:
    """Hexagon bins (:mod:`geo.app.density`) styled by dominant type and count, with escaped tips."""
    most = max((b["properties"]["count"] for b in bins), default=1)
    for b in bins:
        p = b["properties"]
        rows = "".join(f"<div>{_e(t)}: {n}</div>" for t, n in p["types"].items())
        span = " to ".join(_e(d) for d in dict.fromkeys([p["first"], p["last"]]) if d) or "dates not given"
        p["tip"] = f"<b>{p['count']} events</b> ({p['reports']} reports)<br>{span}{rows}"
        p["color"] = color_of(p["dominant_type"])
        p["opacity"] = round(0.25 + 0.55 * p["count"] / most, 3)
    return bins


def acled_features(agreement) -> list[dict]:
    """ACLED's events as outlined circles: green where an extracted event agrees, dashed where only ACLED has it."""
    partner = {id(a): (ours, km, days) for ours, a, km, days in agreement.both}
    out = []
    for a in [a for _, a, _, _ in agreement.both] + list(agreement.only_acled):
        match = partner.get(id(a))
        said = f"ACLED {_e(a.event_id)}: {_e(a.event_type)}" + (
            f" — {_e(a.sub_event_type)}" if a.sub_event_type else ""
        )
        where = f"{_e(a.location or '')} {_e(a.date)}"
        if match:
            ours, km, days = match
            note = (
                f"Agrees with the extracted event at {_e(ours.place)} on {_e(ours.date)} ({km} km, {days} day(s) apart)"
            )
        else:
            note = "Only ACLED reports this (no extracted event of this type nearby within the tolerance)"
        popup = f"<div><b>{said}</b></div><div>{where}</div><div>{note}</div>"
        if a.notes:
            popup += f"<blockquote>{_e(a.notes)}</blockquote>"
        if a.source:
            popup += f"<div class='cm-src'>Source: {_e(a.source)}</div>"
        out.append(
            point_feature(
                a.lat,
                a.lon,
                {
                    "days": [a.date],
                    "color": ACLED_AGREES if match else ACLED_ONLY,
                    "agrees": bool(match),
                    "tip": f"{said}<br>{where}<br>{'agrees' if match else 'only ACLED'}",
                    "popup": popup,
                },
            )
        )
    return out


def density_layer(
    bins: list[dict], events: list[EventRecord], agreement=None, fit: Fit | None = None
) -> folium.FeatureGroup:
    """Hexagon bins (:func:`geo.app.density.hex_features`) as a layer, plus ACLED's layer when given.

    ``events`` are those the bins count (for the fit and the legend).
    """
    fg = folium.FeatureGroup(name="Events")
    bins = hexagon_features(bins)
    if bins:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": bins},
            name="Density",
            style_function=lambda f: {
                "color": f["properties"]["color"],
                "weight": 1,
                "fillColor": f["properties"]["color"],
                "fillOpacity": f["properties"]["opacity"],
            },
            on_each_feature=JsCode(
                """function(feature, layer) {
                    layer.bindTooltip(feature.properties.tip, {sticky: true, className: "cm-tip"});
                }"""
            ),
        ).add_to(fg)
    return _finish(fg, events, agreement, spread=False, fit=fit)


def heat_layer(events: list[EventRecord], agreement=None, fit: Fit | None = None) -> folium.FeatureGroup:
    """The filtered events as a heat map (each event weighs one), plus ACLED's layer when given."""
    fg = folium.FeatureGroup(name="Events")
    # One weighted point per coordinate: Leaflet.heat sums the weights of the points in each of its
    # cells, so this draws what one point per event draws, in a page ~300 times smaller at 100,000 events.
    per_point = Counter((ev.lat, ev.lon) for ev in events if ev.lat is not None and ev.lon is not None)
    points = [[lat, lon, float(n)] for (lat, lon), n in sorted(per_point.items())]
    if points:
        HeatMap(points, name="Heat", radius=22, blur=18, min_opacity=0.35, max_zoom=14).add_to(fg)
    return _finish(fg, events, agreement, spread=False, fit=fit)


def _points_layer(fg: folium.FeatureGroup, features: list[dict], name: str, point_js: JsCode) -> None:
    """Point features drawn by ``point_js``, with their escaped tooltip and popup, added to ``fg``."""
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=name,
            pointToLayer=point_js,
            on_each_feature=_BIND_JS,
        ).add_to(fg)


class Fit(NamedTuple):
    """What a layer fits the view to, and when.

    The browser fits the view to ``events`` (all the filtered events, also when
    the layer shows only those in the view) when ``key`` differs from the last
    layer's: give the filter's key, so a filter change fits the map to the
    data and a layer redrawn for a new view (zoom) leaves the view alone; a
    view that moved a new layer would report a new view, and so on.
    """

    key: str
    events: list
    #: The map was just drawn where the reader left it (another tab was open): take this key as
    #: already fitted instead of fitting the view away from where the reader was.
    keep: bool = False


def _finish(
    fg: folium.FeatureGroup, events: list[EventRecord], agreement, spread: bool, fit: Fit | None = None
) -> folium.FeatureGroup:
    """Every layer's tail: ACLED's events when loaded (they play with the days too), then the fit and legend."""
    if agreement is not None:
        _points_layer(fg, acled_features(agreement), "ACLED", _ACLED_JS)
    info = layer_info(events)
    info["spread"] = info["spread"] and spread
    if fit is not None:
        whole = layer_info(fit.events) if fit.events is not events else info
        info.update(bounds=whole["bounds"], all_bounds=whole["all_bounds"], far=whole["far"], fit=fit.key)
        if fit.keep:
            info["keep"] = True
    LayerInfo(info).add_to(fg)
    return fg


def is_aggregated(events: list, aggregate_above: int = AGGREGATE_ABOVE) -> bool:
    return len(events) > aggregate_above


def one_by_one(events: int, reports: int, aggregate_above: int = AGGREGATE_ABOVE) -> bool:
    """Whether the page reads the shown reports and draws each event (else one marker per place).

    Few events, and not too many reports behind them (a million-event store
    can put 30,000 reports behind 1,000 events).
    """
    return events <= aggregate_above and reports <= READ_REPORTS_MAX


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
