"""Density layers for many events: hexagon bins, coloured by count and dominant type.

Bins are the cells of one hexagon grid (:mod:`geo.store.hexgrid`: PostGIS's
``ST_HexagonGrid`` in Web Mercator), so the store's bins within the map's view
(:func:`geo.store.query.hexagon_cells`) and bins of events held in memory
(:func:`hex_bins`) fall on the same hexagons, which stay put while the reader
pans. A bin's colour is its dominant event type (most events; ties in the
codebook's order), its opacity its count.

>>> from geo.models import EventRecord
>>> ev = lambda i, lat, t: EventRecord(f"e{i}", "p", "P", "town", lat, 36.3, 1, 1.0, None, None, t, None,
...                                   "2012-07-16", "day", None, ())
>>> bins = hex_bins([ev(1, 33.50, "Battles"), ev(2, 33.501, "Battles"), ev(3, 33.60, "Protests")], size_km=1.0)
>>> sorted((b["properties"]["count"], b["properties"]["dominant_type"]) for b in bins)
[(1, 'Protests'), (2, 'Battles')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from shapely.geometry import Polygon, mapping

from ..models import EVENT_TYPES, EventRecord
from ..store.hexgrid import cell_of, corners, grid_size, mercator
from ..store.query import HexCell

_ORDER = {t: i for i, t in enumerate(EVENT_TYPES)}


def _dominant(types: Counter) -> str | None:
    return min(types, key=lambda t: (-types[t], _ORDER.get(t, len(_ORDER)), t or "")) if types else None


def hex_features(cells: Iterable[HexCell], size: float) -> list[dict]:
    """GeoJSON polygon features, one per hexagon holding events, from the cells of a grid of ``size``.

    ``cells`` are events counted per hexagon and type (the store's
    :func:`~geo.store.query.hexagon_cells`). Properties: ``count`` (events),
    ``reports`` (mentions), ``dominant_type``, ``types`` ({type: events}),
    ``first`` and ``last`` day.
    """
    per_hex: dict[tuple[int, int], list[HexCell]] = {}
    for c in cells:
        per_hex.setdefault((c.i, c.j), []).append(c)
    features = []
    for (i, j), members in sorted(per_hex.items()):
        types = Counter({c.event_type: c.events for c in members})
        firsts, lasts = [c.first for c in members if c.first], [c.last for c in members if c.last]
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(Polygon(corners(i, j, size))),
                "properties": {
                    "count": sum(types.values()),
                    "reports": sum(c.reports for c in members),
                    "dominant_type": _dominant(types),
                    "types": {t or "place mention": n for t, n in sorted(types.items(), key=lambda tn: -tn[1])},
                    "first": min(firsts, default=None),
                    "last": max(lasts, default=None),
                },
            }
        )
    return features


def bin_events(events: Iterable, size: float) -> list[HexCell]:
    """Events held in memory (records or the store's groups) counted per hexagon of the grid of ``size`` and type.

    What :func:`geo.store.query.hexagon_cells` counts in the store, for events the page already holds.
    """
    cells: dict[tuple, HexCell] = {}
    for e in events:
        if e.lat is None or e.lon is None:
            continue
        i, j = cell_of(*mercator(e.lat, e.lon), size)
        had = cells.get((i, j, e.event_type)) or HexCell(i, j, e.event_type, 0, 0, None, None)
        days = [d for d in (had.first, had.last, e.date) if d]
        cells[(i, j, e.event_type)] = had._replace(
            events=had.events + 1,
            reports=had.reports + e.reports,
            first=min(days, default=None),
            last=max(days, default=None),
        )
    return list(cells.values())


def hex_bins(events: Iterable[EventRecord], size_km: float = 1.0) -> list[dict]:
    """:func:`hex_features` of events held in memory, in hexagons ``size_km`` across (centre to corner).

    The grid's scale is taken at the events' mean latitude, to the degree.
    """
    events = [e for e in events if e.lat is not None and e.lon is not None]
    if not events:
        return []
    size = grid_size(size_km, round(sum(e.lat for e in events) / len(events)))
    return hex_features(bin_events(events, size), size)
