"""geo.filters over the seeds stored in a real temporary SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from geo import store
from geo.app import filters as F
from geo.export.merge import merge_events


@pytest.fixture(scope="module")
def df(seeded_store):
    return F.with_days(store.mentions_frame(seeded_store))


def test_days_are_calendar_dates(df):
    assert F.date_span(df) == (date(2012, 7, 8), date(2012, 7, 22))
    assert all(d is None or type(d) is date for d in df["day"])


def test_defaults_show_events_only(df):
    shown = F.apply_filters(df, {})
    assert shown["is_event"].all() and 0 < len(shown) < len(df)
    assert len(F.apply_filters(df, {"events_only": False})) == len(df)


def test_date_range(df):
    shown = F.apply_filters(df, {"start": date(2012, 7, 16), "end": date(2012, 7, 16), "include_undated": False})
    assert set(shown["date"]) == {"2012-07-16"}
    with_undated = F.apply_filters(df, {"start": date(2012, 7, 16), "end": date(2012, 7, 16)})
    assert len(with_undated) > len(shown) and with_undated["date"].isna().any()


def test_type_subtype_outlet_article_attribution(df):
    battles = F.apply_filters(df, {"event_types": ["Battles"]})
    assert set(battles["event_type"]) == {"Battles"}
    sub = F.apply_filters(df, {"sub_event_types": ["Armed clash"]})
    assert set(sub["sub_event_type"]) == {"Armed clash"}
    ft = F.apply_filters(df, {"outlets": ["Financial Times"]})
    assert set(ft["outlet"]) == {"Financial Times"}
    doc = F.apply_filters(df, {"doc_ids": ["001_20f08cea1cd5ca6c"]})
    assert set(doc["doc_id"]) == {"001_20f08cea1cd5ca6c"}
    sohr = F.apply_filters(df, {"attributions": ["Syrian Observatory for Human Rights"]})
    assert set(sohr["attribution"]) == {"Syrian Observatory for Human Rights"}
    none_named = F.apply_filters(df, {"attributions": [F.NO_ATTRIBUTION]})
    assert none_named["attribution"].isna().all() and len(none_named)


def test_unverified_hidden(df):
    all_ = F.apply_filters(df, {})
    assert (all_["verified"] == False).any()  # noqa: E712
    hidden = F.apply_filters(df, {"show_unverified": False})
    assert not (hidden["verified"] == False).any()  # noqa: E712
    assert len(hidden) < len(all_)


def test_options_follow_the_data(df):
    opts = F.options(df)
    assert opts["event_types"][0] == "Battles"
    assert "Test Wire" in opts["outlets"] and F.NO_ATTRIBUTION in opts["attributions"]
    assert set(F.options(df, ["Battles"])["sub_event_types"]) <= {
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    }


def test_group_events_merges_place_type_day(df):
    shown = F.apply_filters(df, {})
    events = F.group_events(shown)
    assert sum(len(e.mentions) for e in events) == shown["place_id"].notna().sum()
    keys = [(e.place_id, e.event_type, e.date) for e in events]
    assert len(keys) == len(set(keys))
    tadamon = next(e for e in events if e.place == "Tadamon" and e.event_type == "Battles")
    assert len(tadamon.mentions) > 1 and tadamon.mentions[0].sentence


def test_views(df):
    shown = F.apply_filters(df, {})
    counts = F.per_day(F.group_events(shown))
    assert list(counts.index) == sorted(counts.index)
    places = F.per_place(shown)
    assert places.iloc[0]["reports"] >= places.iloc[-1]["reports"]
    assert list(F.table(shown).columns[:6]) == ["place", "date", "type", "sub-type", "sentence", "source"]


def test_geojson_export_is_rfc7946_and_matches_filter(df):
    shown = F.apply_filters(df, {"event_types": ["Battles"]})
    gj = json.loads(F.to_geojson(shown))
    assert gj["type"] == "FeatureCollection" and "crs" not in gj
    assert len(gj["features"]) == len(shown)
    for feat in gj["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        assert 35 < lon < 38 and 32 < lat < 35  # [lon, lat] around Damascus, not swapped
        assert feat["properties"]["event_type"] == "Battles"


def test_chart_counts_merged_events_not_reports(df):
    shown = F.apply_filters(df, {})
    events = F.group_events(shown)
    counts = F.per_day(events)
    # the same events as the map: each merged event once, however many reports it has
    assert counts.values.sum() == sum(1 for e in events if e.date)
    assert counts.values.sum() < shown["date"].notna().sum()
    tadamon = next(e for e in events if e.place == "Tadamon" and e.event_type == "Battles" and len(e.mentions) > 1)
    day = counts.loc[tadamon.date]
    assert day["Battles"] == sum(1 for e in events if e.date == tadamon.date and e.event_type == "Battles")


def test_chart_axis_has_every_calendar_day(df):
    shown = F.apply_filters(df, {"start": date(2012, 7, 8), "end": date(2012, 7, 22), "include_undated": False})
    counts = F.per_day(F.group_events(shown))
    days = [d.date() for d in counts.index]
    assert days[0] == date(2012, 7, 8) and days[-1] == date(2012, 7, 22)
    assert len(days) == 15  # every day of the span, none skipped
    assert (counts.sum(axis=1) == 0).any()  # some days have no event: shown as zero, not left out
    assert list(counts.columns)[0] == "Battles"  # codebook order


def test_chart_of_nothing_dated_is_empty(df):
    shown = F.apply_filters(df, {})
    undated = [e for e in F.group_events(shown) if not e.date]
    assert F.per_day(undated).empty and F.per_day([]).empty


def test_csv_export_carries_each_mentions_event_corroboration(df):
    shown = F.apply_filters(df, {})
    rows = list(csv.DictReader(io.StringIO(F.to_csv(shown))))
    assert len(rows) == len(shown)
    by_mention = {m.mention_id: e.corroboration for e in F.group_events(shown) for m in e.mentions}
    assert all(r["corroboration"] == str(by_mention[r["event_id_cnty"]]) for r in rows)
    assert max(int(r["corroboration"]) for r in rows) > 1  # some events are reported by several outlets


def test_title_says_what_is_loaded(df):
    assert F.data_title(df) == "Damascus, 8–22 July 2012"
    later = df.assign(date=["2013-03-02" if d else None for d in df["date"]])
    assert F.data_title(F.with_days(later)) == "Damascus, 2 March 2013"
    empty = df.head(0)
    assert F.data_title(F.with_days(empty)) == ""


def test_csv_export(df):
    shown = F.apply_filters(df, {"outlets": ["Financial Times"]})
    rows = list(csv.DictReader(io.StringIO(F.to_csv(shown))))
    assert len(rows) == len(shown) and {r["source"] for r in rows} == {"Financial Times"}
    assert all(r["latitude"] for r in rows)


def test_unplaced_mentions_export_null_geometry(df):
    fake = df.head(1).copy()
    fake["place_id"], fake["lat"], fake["lon"] = None, None, None
    feat = json.loads(F.to_geojson(fake))["features"][0]
    assert feat["geometry"] is None and feat["properties"]["resolved"] is False


def test_article_labels_without_title_or_outlet(tmp_path, res):
    conn = store.connect(tmp_path / "db.sqlite")
    result = store.ingest_text(conn, "Clashes erupted in Barzeh on Monday.", res, published="2012-07-20")
    frame = F.with_days(store.mentions_frame(conn))
    conn.close()
    label = F.options(frame)["doc_labels"][result.article.doc_id]
    assert label == f"{result.article.doc_id} (no outlet)"
    assert any("give the publication date" in w for w in result.warnings) is False


def test_place_story_shows_agreement_and_where_outlets_differ(df):
    from dataclasses import replace

    events = F.group_events(F.apply_filters(df, {}))
    midan = F.place_story(events, "midan")
    assert midan["differ_date"] == [
        {
            "type": "Battles",
            "days": {"2012-07-16": ["AFP (newspaper print)"], "2012-07-18": ["Financial Times"]},
            "apart": 2,
        }
    ]
    assert len(midan["reports"]) == sum(len(e.mentions) for e in midan["events"])
    assert list(midan["per_day"].index.strftime("%Y-%m-%d"))[0] == "2012-07-16"
    damascus = F.place_story(events, "damascus")
    assert [(e.date, e.event_type, e.outlets) for e in damascus["agree"]] == [
        ("2012-07-18", "Explosions/Remote violence", ("Financial Times", "Times of Malta (opinion)"))
    ]
    # Two outlets giving one day's event at a place two types.
    tadamon = next(e for e in events if e.place_id == "tadamon" and e.date)
    other = replace(tadamon.mentions[0], mention_id="x:1-2", doc_id="x", outlet="Other wire", event_type="Protests")
    story = F.place_story(F.group_events(F.apply_filters(df, {})) + merge_events([other]), "tadamon")
    day = next(d for d in story["differ_type"] if d["day"] == tadamon.date)
    assert day["types"]["Protests"] == ["Other wire"] and tadamon.event_type in day["types"]
