"""geo.app.viewport: the reader's view, rounded so that small moves change nothing and big ones do."""

from __future__ import annotations

import pytest

from geo.app.viewport import rounded, step


def value(south: float, west: float, north: float, east: float, zoom: int) -> dict:
    return {
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": zoom,
    }


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {"bounds": None, "zoom": 12},
        value(33.5, 36.3, 33.4, 36.4, 12),
        value(float("nan"), 36.3, 33.6, 36.4, 12),
    ],
)
def test_no_view_before_the_map_reports_a_sound_one(bad):
    assert rounded(bad) is None


def test_the_rounded_view_holds_the_view_and_moves_only_past_its_grid():
    v = rounded(value(33.4812, 36.2513, 33.5318, 36.3344, 14))
    assert v.south <= 33.4812 and v.west <= 36.2513 and v.north >= 33.5318 and v.east >= 36.3344
    assert v.north - 33.5318 <= step(14) and 36.2513 - v.west <= step(14)
    assert rounded(value(33.4813, 36.2514, 33.5317, 36.3343, 14)) == v  # a nudge: the same view
    assert rounded(value(33.4812 + 2 * step(14), 36.2513, 33.5318 + 2 * step(14), 36.3344, 14)) != v  # a pan
    assert rounded(value(33.4812, 36.2513, 33.5318, 36.3344, 15)).zoom == 15  # a zoom


def test_the_view_stays_on_the_mercator_plane():
    v = rounded(value(-89.9, -181.0, 89.9, 181.0, 1))
    assert (v.south, v.west, v.north, v.east) == (-85.0511, -180.0, 85.0511, 180.0)
