"""The hexagon grid the map bins events in: PostGIS's ``ST_HexagonGrid`` in Web Mercator, in Python.

PostGIS tiles the plane of EPSG:3857 with flat-topped hexagons of ``size``
(centre to corner, in the projection's metres) from the origin: cell
``(i, j)`` has its centre at ``x = 1.5 size i`` and
``y = sqrt(3) size (j + (|i| mod 2) / 2)``. The PostGIS store bins in SQL
(``ST_HexagonGrid`` over the map's view); SQLite bins per-place counts here
with the same maths, so both stores give the same cells for the same data
(``tests/test_postgis.py`` checks it against a real server).

Mercator stretches distances by ``1 / cos(latitude)``: :func:`grid_size`
turns a size on the ground into the grid's size at a latitude.

>>> cell_of(*mercator(33.5, 36.3), 1000.0)
(2694, 2287)
>>> from shapely.geometry import Point, Polygon
>>> Polygon(corners(2694, 2287, 1000.0)).contains(Point(36.3, 33.5))
True
"""

from __future__ import annotations

import math

#: The sphere's radius of EPSG:3857, in metres.
EARTH_RADIUS_M = 6378137.0
_SQRT3 = math.sqrt(3)
#: Corners of a flat-topped hexagon around its centre, in units of (size, height), as PostGIS draws them.
_CORNERS = ((-1.0, 0.0), (-0.5, -0.5), (0.5, -0.5), (1.0, 0.0), (0.5, 0.5), (-0.5, 0.5), (-1.0, 0.0))


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """``(x, y)`` in EPSG:3857 metres of a WGS84 point."""
    return EARTH_RADIUS_M * math.radians(lon), EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def unmercator(x: float, y: float) -> tuple[float, float]:
    """``(lat, lon)`` in WGS84 of a point in EPSG:3857 metres."""
    return math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2), math.degrees(x / EARTH_RADIUS_M)


def grid_size(size_km: float, lat: float) -> float:
    """The grid's size in EPSG:3857 metres for hexagons ``size_km`` across (centre to corner) at ``lat``.

    Give a rounded latitude (the view's, to the degree), so the grid stays put while the reader pans.
    """
    return size_km * 1000.0 / math.cos(math.radians(lat))


def cell_of(x: float, y: float, size: float) -> tuple[int, int]:
    """The ``(i, j)`` of the grid's hexagon holding the point ``(x, y)`` (EPSG:3857 metres)."""
    q = x / (1.5 * size)  # fractional axial coordinates, then the nearest hexagon's centre
    r = y / (_SQRT3 * size) - q / 2
    i, r_ = _cube_round(q, r)
    return i, r_ + (i - abs(i) % 2) // 2


def _cube_round(q: float, r: float) -> tuple[int, int]:
    s = -q - r
    rq, rr, rs = round(q), round(r), round(s)
    dq, dr, ds = abs(rq - q), abs(rr - r), abs(rs - s)
    if dq > dr and dq > ds:
        rq = -rr - rs
    elif dr > ds:
        rr = -rq - rs
    return int(rq), int(rr)


def corners(i: int, j: int, size: float) -> list[tuple[float, float]]:
    """The closed ring of hexagon ``(i, j)`` as WGS84 ``(lon, lat)`` pairs (GeoJSON's order)."""
    height = _SQRT3 * size
    cx, cy = 1.5 * size * i, height * j + 0.5 * height * (abs(i) % 2)
    ring = []
    for dx, dy in _CORNERS:
        lat, lon = unmercator(cx + size * dx, cy + height * dy)
        ring.append((lon, lat))
    return ring
