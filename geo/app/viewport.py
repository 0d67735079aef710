"""The part of the map the reader looks at, as the page reacts to it.

st_folium returns the map's bounds and zoom after every pan and zoom (each
one reruns the page). The page reacts to the view only through
:func:`rounded`: the bounds widened to a grid of a quarter map tile at the
view's zoom, so small moves give the same view, the same layer, and no new
drawing (a new drawing never moves the map, so it cannot start a loop).

>>> value = {"bounds": {"_southWest": {"lat": 33.481, "lng": 36.251},
...                     "_northEast": {"lat": 33.532, "lng": 36.334}}, "zoom": 14}
>>> rounded(value)
View(zoom=14, south=33.4808, west=36.2494, north=33.5358, east=36.3373)
>>> rounded(value) == rounded({**value, "bounds": {"_southWest": {"lat": 33.4812, "lng": 36.2513},
...                                                "_northEast": {"lat": 33.5318, "lng": 36.3344}}})
True
"""

from __future__ import annotations

import math
from typing import NamedTuple

#: Views are widened to multiples of this share of a map tile at their zoom.
STEP_OF_TILE = 0.25
#: Web Mercator's latitude limit.
MAX_LAT = 85.0511


class View(NamedTuple):
    """A rounded view of the map: the zoom and its bounds in WGS84 degrees."""

    zoom: int
    south: float
    west: float
    north: float
    east: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        """``(south, west, north, east)``, as the store's queries take it."""
        return (self.south, self.west, self.north, self.east)

    @property
    def lat(self) -> int:
        """The view's latitude to the degree (the hexagon grid's scale is taken there)."""
        return round((self.south + self.north) / 2)


def step(zoom: int) -> float:
    """Degrees of longitude in :data:`STEP_OF_TILE` of a 256-pixel tile at ``zoom``."""
    return 360.0 / 2**zoom * STEP_OF_TILE


def rounded(value: dict | None) -> View | None:
    """The view in st_folium's returned ``value`` (bounds and zoom) widened to the grid, or None without one."""
    try:
        sw, ne = value["bounds"]["_southWest"], value["bounds"]["_northEast"]
        zoom = int(value["zoom"])
        south, west, north, east = float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"])
    except (TypeError, KeyError, ValueError):
        return None  # before the map has reported its view (or a value of another shape)
    if not all(math.isfinite(v) for v in (south, west, north, east)) or south >= north or west >= east:
        return None
    d = step(zoom)
    return View(
        zoom,
        round(max(-MAX_LAT, math.floor(south / d) * d), 4),
        round(max(-180.0, math.floor(west / d) * d), 4),
        round(min(MAX_LAT, math.ceil(north / d) * d), 4),
        round(min(180.0, math.ceil(east / d) * d), 4),
    )


def bounds_box(points) -> tuple[float, float, float, float] | None:
    """``(south, west, north, east)`` around ``(lat, lon)`` points, or None for none."""
    points = list(points)
    if not points:
        return None
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return (min(lats), min(lons), max(lats), max(lons))


class Kept(NamedTuple):
    """Where the map stood when the reader last saw it: its centre and zoom, under filters ``fkey``."""

    fkey: str
    lat: float
    lon: float
    zoom: int


def left_at(value: dict | None, fkey: str) -> Kept | None:
    """The map's exact view in st_folium's ``value`` (not rounded), to come back to; None without one.

    >>> left_at({"bounds": {"_southWest": {"lat": 33.4, "lng": 36.2},
    ...                     "_northEast": {"lat": 33.6, "lng": 36.4}}, "zoom": 13}, "f")
    Kept(fkey='f', lat=33.5, lon=36.3, zoom=13)
    """
    if rounded(value) is None:
        return None
    sw, ne = value["bounds"]["_southWest"], value["bounds"]["_northEast"]
    return Kept(fkey, round((sw["lat"] + ne["lat"]) / 2, 6), round((sw["lng"] + ne["lng"]) / 2, 6), int(value["zoom"]))


def mounted_at(session, fkey: str) -> Kept | None:
    """Where a map drawn in this run starts: where the reader left it, if the filters are the same.

    ``session`` (the page's session state) holds ``"map"``, st_folium's last value (it outlives the
    map: a plain key, not the widget's own); ``"map_off"``, set by the page while another tab is open
    (the map is off the page, and drawn anew when it comes back); ``"map_left"``, the last view seen;
    and ``"map_mounted"``, the start chosen when the map last came on the page. The start is chosen
    only then and kept while the map stays: a changed base map would be drawn anew, losing the view
    the reader moved to.
    """
    if session.pop("map_off", False) or "map_mounted" not in session:
        left = session.get("map_left")
        session["map_mounted"] = left if left is not None and left.fkey == fkey else None
    left = left_at(session.get("map"), fkey)
    if left is not None:
        session["map_left"] = left
    return session["map_mounted"]
