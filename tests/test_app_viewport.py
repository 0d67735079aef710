"""geo.app.viewport: the reader's view, rounded so that small moves change nothing and big ones do."""

from __future__ import annotations

import pytest

from geo.app.viewport import Kept, mounted_at, rounded, step


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


def test_the_map_comes_back_where_the_reader_left_it_under_the_same_filters():
    session: dict = {}
    assert mounted_at(session, "f1") is None  # first drawing: the default view, fitted to the data
    session["map"] = value(33.40, 36.20, 33.60, 36.40, 13)
    assert mounted_at(session, "f1") is None  # the same map stays on the page: its start is kept
    session["map"] = value(33.48, 36.26, 33.52, 36.30, 15)  # the reader zoomed in
    assert mounted_at(session, "f1") is None
    session["map_off"] = True  # another tab was open; the map's last value stays in the session
    start = mounted_at(session, "f1")
    assert start == Kept("f1", 33.5, 36.28, 15)
    assert mounted_at(session, "f1") == start  # kept while the map stays, so its frame is not rebuilt
    session["map"] = value(33.0, 36.0, 34.0, 37.0, 10)  # zoomed out again: a later return goes there
    assert mounted_at(session, "f1") == start
    session["map_off"] = True
    assert mounted_at(session, "f1") == Kept("f1", 33.5, 36.5, 10)


def test_filters_changed_on_another_tab_fit_the_map_to_the_data_again():
    session: dict = {"map": value(33.48, 36.26, 33.52, 36.30, 15)}
    mounted_at(session, "f1")
    session["map_off"] = True
    assert mounted_at(session, "f2") is None
    assert session["map_mounted"] is None


def test_a_view_of_another_shape_is_not_kept():
    session: dict = {"map": {"zoom": 12}}
    assert mounted_at(session, "f1") is None
    assert "map_left" not in session
