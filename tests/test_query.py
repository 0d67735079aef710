"""geo.store.query: filtering and counting in SQL gives what the pandas path gives, on real stores.

The pandas path (geo.app.filters over every mention, merged by geo.export.merge)
is the reference; the same checks run on PostGIS in tests/test_postgis.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from geo import store
from geo.app import filters as F
from geo.app.density import hex_bins, hex_features
from geo.store import hexgrid, summary
from geo.store import query as Q
from geo.tools.appbench import fill

#: Filter states covering every key, alone and combined.
CASES = [
    {},
    {"events_only": False},
    {"start": date(2012, 7, 16), "end": date(2012, 7, 16)},
    {"start": date(2012, 7, 16), "end": date(2012, 7, 18), "include_undated": False},
    {"start": date(2012, 7, 20)},
    {"end": date(2012, 7, 10), "events_only": False},
    {"include_undated": False},
    {"event_types": ["Battles"]},
    {"event_types": ["Battles", "Protests"], "events_only": False},
    {"sub_event_types": ["Armed clash", "Shelling/artillery/missile attack"]},
    {"outlets": ["Financial Times", "Test Wire"]},
    {"doc_ids": ["001_20f08cea1cd5ca6c"]},
    {"attributions": [F.NO_ATTRIBUTION]},
    {"attributions": ["activists", F.NO_ATTRIBUTION], "events_only": False},
    {"attributions": ["state media"]},
    {"show_unverified": False},
    {"show_unverified": False, "events_only": False, "include_undated": False},
    {"event_types": ["Battles"], "start": date(2012, 7, 10), "end": date(2012, 7, 19), "outlets": ["AFP"]},
    # Articles counted by probing each one's mentions: filters its first mentions fail, and one none pass.
    {"event_types": ["Protests"], "start": date(2012, 7, 15), "include_undated": False},
    {"sub_event_types": ["Armed clash"], "attributions": ["activists"], "show_unverified": False},
    {"event_types": ["No such type"]},
]


def _event_view(ev) -> tuple:
    return (ev.event_id, ev.place_id, ev.place, ev.lat, ev.lon, ev.event_type, ev.date, ev.reports)


#: A part of the map (south, west, north, east): central Damascus, holding some of the places and not others.
BOX = (33.49, 36.26, 33.53, 36.32)


def _inside(lat, lon, box=BOX) -> bool:
    return lat is not None and lon is not None and box[0] <= lat <= box[2] and box[1] <= lon <= box[3]


def check_within(conn, f: dict, recs: list, events: list) -> None:
    """Records, events and hexagon bins inside a part of the map, as the pandas path gives them."""
    assert Q.records(conn, f, within=BOX) == [r for r in recs if _inside(r.lat, r.lon)], f
    inside = [e for e in events if _inside(e.lat, e.lon)]
    assert [_event_view(g) for g in Q.event_groups(conn, f, within=BOX)] == [_event_view(e) for e in inside], f
    # The store's bins (PostGIS: ST_HexagonGrid in SQL; SQLite: the same grid in Python) are those of the
    # events binned in memory, on the grid taken at their mean latitude.
    size = hexgrid.grid_size(1.0, round(sum(e.lat for e in inside) / len(inside)) if inside else 33)
    assert hex_features(Q.hexagon_cells(conn, f, size, BOX), size) == hex_bins(inside, 1.0), f


def check_agreement(conn, cases=CASES) -> int:
    """Assert that every SQL answer equals the pandas one for each case; the number of rows compared."""
    assert summary.drift(conn) == []  # the summary the unfiltered and type/date views read is right
    df = F.with_days(store.mentions_frame(conn))
    assert Q.date_span(conn) == F.date_span(df)
    assert Q.options(conn) == F.options(df)
    assert Q.options(conn, ["Battles"]) == F.options(df, ["Battles"])
    assert F.title_of(*Q.event_areas(conn), Q.date_span(conn)) == F.data_title(df)
    compared = 0
    for f in cases:
        shown = F.apply_filters(df, f)
        events = F.group_events(shown, events_only=f.get("events_only", True))
        recs = Q.records(conn, f)
        assert [r.mention_id for r in recs] == list(shown["mention_id"]), f
        assert recs == F.records(shown), f
        groups = Q.event_groups(conn, f)
        assert [_event_view(g) for g in groups] == [_event_view(e) for e in events], f
        check_within(conn, f, recs, events)
        assert Q.counts(conn, f) == {"reports": len(shown), "articles": shown["doc_id"].nunique()}, f
        assert Q.articles_probed(conn, f) == Q.articles_grouped(conn, f) == shown["doc_id"].nunique(), f
        expected = F.per_place(shown)
        got = F.per_place_rows(Q.place_type_counts(conn, f))
        assert got.to_dict("records") == expected.to_dict("records"), f
        assert F.per_day(groups).equals(F.per_day(F.group_events(shown))) or not f.get("events_only", True), f
        assert [r.mention_id for r in Q.records(conn, f, limit=5)] == list(shown["mention_id"][:5]), f
        for limit in (1, 150, 10**6):
            assert Q.first_records(conn, f, limit) == recs[:limit], (f, limit)
        compared += len(shown)
    return compared


@pytest.fixture(scope="module")
def seeded(seeded_store):
    return seeded_store


def test_sql_and_pandas_agree_on_the_seeds(seeded):
    assert check_agreement(seeded) > 100


def test_sql_and_pandas_agree_on_a_generated_store(tmp_path, res):
    conn = store.connect(tmp_path / "gen.sqlite")
    store.seed(conn, res)
    fill(conn, res.gazetteer, 3000, seed=7)
    assert check_agreement(conn) > 10_000
    conn.close()


def test_values_are_parameters_never_sql_text(seeded):
    evil = "x'); DROP TABLE mentions; --"
    cond, params = Q.where({"outlets": [evil], "event_types": ["Battles"]})
    assert evil not in cond and evil in params
    assert Q.records(seeded, {"outlets": [evil]}) == []
    assert Q.counts(seeded, {})["reports"] > 0  # the table is still there


def test_a_place_and_one_article(seeded):
    f = {"events_only": False}
    everything = Q.records(seeded, f)
    place = next(r.place_id for r in everything if r.place_id)
    assert Q.records(seeded, f, place_id=place) == [r for r in everything if r.place_id == place]
    doc = everything[0].doc_id
    assert Q.doc_records(seeded, doc) == sorted((r for r in everything if r.doc_id == doc), key=lambda r: r.start)


def test_the_summary_follows_ingests_deletes_and_re_extraction(tmp_path, res):
    conn = store.connect(tmp_path / "w.sqlite")
    store.seed(conn, res)
    added = store.ingest_text(conn, "Shelling hit Qaboun on Tuesday; clashes in Tadamon.", res, published="2012-07-19")
    assert summary.drift(conn) == []
    assert store.delete_article(conn, store.mention_records(conn)[0].doc_id)
    assert summary.drift(conn) == []
    assert store.reextract(conn, res) > 0
    assert summary.drift(conn) == []
    assert store.delete_article(conn, added.article.doc_id)
    assert summary.drift(conn) == []
    assert check_agreement(conn) > 0
    conn.close()
