"""Density layers for many events: hexagon bins, coloured by count and dominant type.

Bins are computed on a local flat projection around the events (kilometres
east and north of their mean point; exact enough over a city or a province),
in axial hexagon coordinates, then drawn back in WGS84 with shapely. A bin's
colour is its dominant event type (most events; ties in the codebook's order),
its opacity its count.

>>> from geo.models import EventRecord
>>> ev = lambda i, lat, t: EventRecord(f"e{i}", "p", "P", "town", lat, 36.3, 1, 1.0, None, None, t, None,
...                                   "2012-07-16", "day", None, ())
>>> bins = hex_bins([ev(1, 33.50, "Battles"), ev(2, 33.501, "Battles"), ev(3, 33.60, "Protests")], size_km=1.0)
>>> sorted((b["properties"]["count"], b["properties"]["dominant_type"]) for b in bins)
[(1, 'Protests'), (2, 'Battles')]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from shapely.geometry import Polygon, mapping

from ..models import EVENT_TYPES, EventRecord

KM_PER_DEG_LAT = 110.574
_SQRT3 = math.sqrt(3)
_ORDER = {t: i for i, t in enumerate(EVENT_TYPES)}


def _cube_round(q: float, r: float) -> tuple[int, int]:
    x, z = q, r
    y = -x - z
    rx, ry, rz = round(x), round(y), round(z)
    dx, dy, dz = abs(rx - x), abs(ry - y), abs(rz - z)
    if dx > dy and dx > dz:
        rx = -ry - rz
    elif dy <= dz:
        rz = -rx - ry
    return int(rx), int(rz)


def _dominant(types: Counter) -> str | None:
    return min(types, key=lambda t: (-types[t], _ORDER.get(t, len(_ORDER)), t or "")) if types else None


def hex_bins(events: Iterable[EventRecord], size_km: float = 1.0) -> list[dict]:
    """GeoJSON polygon features, one per non-empty hexagon of ``size_km`` (centre to corner).

    Properties: ``count`` (events), ``reports`` (mentions), ``dominant_type``,
    ``types`` ({type: events}), ``first`` and ``last`` day.
    """
    events = [e for e in events if e.lat is not None and e.lon is not None]
    if not events:
        return []
    lat0 = sum(e.lat for e in events) / len(events)
    lon0 = sum(e.lon for e in events) / len(events)
    km_per_deg_lon = 111.320 * math.cos(math.radians(lat0))
    cells: dict[tuple[int, int], list[EventRecord]] = {}
    cell_of: dict[tuple[float, float], tuple[int, int]] = {}  # many events share a point: bin each point once
    for e in events:
        if (e.lat, e.lon) not in cell_of:
            x, y = (e.lon - lon0) * km_per_deg_lon, (e.lat - lat0) * KM_PER_DEG_LAT
            cell_of[(e.lat, e.lon)] = _cube_round((_SQRT3 / 3 * x - y / 3) / size_km, (2 / 3 * y) / size_km)
        cells.setdefault(cell_of[(e.lat, e.lon)], []).append(e)
    features = []
    for (q, r), members in sorted(cells.items()):
        cx, cy = size_km * _SQRT3 * (q + r / 2), size_km * 1.5 * r
        corners = [
            (
                lon0 + (cx + size_km * math.cos(math.radians(60 * k - 30))) / km_per_deg_lon,
                lat0 + (cy + size_km * math.sin(math.radians(60 * k - 30))) / KM_PER_DEG_LAT,
            )
            for k in range(6)
        ]
        types = Counter(e.event_type for e in members)
        days = sorted(e.date for e in members if e.date)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(Polygon(corners)),
                "properties": {
                    "count": len(members),
                    "reports": sum(e.reports for e in members),
                    "dominant_type": _dominant(types),
                    "types": {t or "place mention": n for t, n in sorted(types.items(), key=lambda tn: -tn[1])},
                    "first": days[0] if days else None,
                    "last": days[-1] if days else None,
                },
            }
        )
    return features
