"""geo.app.density: hexagon bins hold every event once, at the right place, coloured by the dominant type."""

from __future__ import annotations

import random

from shapely.geometry import Point, shape

from geo.app.density import hex_bins
from geo.extract.gazetteer import haversine_km
from geo.models import EventRecord


def ev(i: int, lat: float, lon: float, event_type: str | None = "Battles", day: str | None = "2012-07-16"):
    return EventRecord(
        f"e{i}", f"p{i}", "P", "town", lat, lon, 1, 1.0, None, None, event_type, None, day, "day", None, ()
    )


def test_every_event_in_exactly_the_bin_that_contains_it():
    rng = random.Random(3)
    events = [ev(i, 33.5 + rng.uniform(-0.1, 0.1), 36.3 + rng.uniform(-0.1, 0.1)) for i in range(500)]
    bins = hex_bins(events, size_km=2.0)
    assert sum(b["properties"]["count"] for b in bins) == 500
    polygons = [shape(b["geometry"]) for b in bins]
    for e in events:
        holding = [p for p in polygons if p.buffer(1e-9).contains(Point(e.lon, e.lat))]
        assert len(holding) >= 1
    # A hexagon of 2 km from centre to corner: its corners lie 2 km from its centre.
    p = polygons[0]
    lon, lat = p.exterior.coords[0]
    assert abs(haversine_km(p.centroid.y, p.centroid.x, lat, lon) - 2.0) < 0.05


def test_dominant_type_and_ties_in_codebook_order():
    same_place = [
        ev(1, 33.5, 36.3, "Protests"),
        ev(2, 33.5, 36.3, "Battles"),
        ev(3, 33.5, 36.3, "Protests", "2012-07-18"),
        ev(4, 33.5, 36.3, None, None),
    ]
    (b,) = hex_bins(same_place, size_km=1.0)
    props = b["properties"]
    assert props["dominant_type"] == "Protests" and props["count"] == 4
    assert props["types"] == {"Protests": 2, "Battles": 1, "place mention": 1}
    assert (props["first"], props["last"]) == ("2012-07-16", "2012-07-18")
    (tie,) = hex_bins(same_place[:2], size_km=1.0)
    assert tie["properties"]["dominant_type"] == "Battles"  # Battles comes before Protests in ACLED's codebook


def test_no_events_no_bins():
    assert hex_bins([]) == []
