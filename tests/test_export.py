import csv
import io
import json

import geopandas as gpd
import pytest

from geo.export.csv import CSVWriter
from geo.export.geojson import GeoJSONWriter
from geo.export.merge import merge_events
from geo.extract.documents import load_article, make_article
from geo.extract.pipeline import extract_article
from geo.extract.records import article_records

from .conftest import SEEDS

#: ACLED's own export columns we promise, in ACLED's order (from its codebook), before clashmap's.
ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
]


@pytest.fixture(scope="module")
def seed_records(res):
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        out.extend(article_records(extract_article(load_article(p), res), res.gazetteer))
    return out


@pytest.fixture(scope="module")
def seed_texts():
    return {p.stem: load_article(p).text for p in SEEDS.glob("*.txt")}


def _written(records, writer=GeoJSONWriter):
    buf = io.StringIO()
    with writer(buf) as w:
        for r in records:
            w.write(r)
    return buf.getvalue()


def _csv_rows(records) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_written(records, CSVWriter))))


def test_geojson_parses_with_geopandas_in_wgs84(seed_records, tmp_path):
    path = tmp_path / "seeds.geojson"
    path.write_text(_written(seed_records), encoding="utf-8")
    frame = gpd.read_file(path)
    assert len(frame) == len(seed_records) == 105
    assert frame.crs.to_epsg() == 4326  # RFC 7946: WGS84, read as such
    data = json.loads(path.read_text())
    assert "crs" not in data  # RFC 7946 has no crs member
    tadamon = frame[frame["place_id"] == "tadamon"].iloc[0]
    assert (round(tadamon.geometry.x, 5), round(tadamon.geometry.y, 5)) == (36.30944, 33.47778)


def test_points_lie_in_their_expected_bounding_box(seed_records):
    data = json.loads(_written(seed_records))
    damascus = [f for f in data["features"] if f["properties"]["admin1"] == "Damascus"]
    assert len(damascus) > 50
    for f in damascus:
        lon, lat = f["geometry"]["coordinates"]
        # [lon, lat] order: Damascus is at 36.3 E, 33.5 N.
        assert 36.1 < lon < 36.5 and 33.3 < lat < 33.7, f["properties"]["place"]


def test_every_feature_keeps_its_evidence(seed_records, seed_texts):
    for f in json.loads(_written(seed_records))["features"]:
        p = f["properties"]
        assert seed_texts[p["doc_id"]][p["start"] : p["end"]] == p["surface"]
        assert p["surface"] in p["sentence"] and p["outlet"] and p["published"]
        assert p["mention_id"] == f"{p['doc_id']}:{p['start']}-{p['end']}"
        assert p["place_source"] and p["geo_precision"] in (1, 2, 3)


def test_events_merge_and_count_sources(seed_records):
    events = merge_events(seed_records)
    assert len(events) == 30 < sum(r.is_event for r in seed_records)
    assert sum(len(e.mentions) for e in events) == sum(r.is_event and r.resolved for r in seed_records)
    for e in events:
        assert {(m.place_id, m.event_type, m.date) for m in e.mentions} == {(e.place_id, e.event_type, e.date)}
    tadamon = [e for e in events if e.place_id == "tadamon"]
    assert tadamon and all(e.corroboration == 1 for e in tadamon)
    props = events[0].properties()
    assert props["mention_ids"] == [m.mention_id for m in events[0].mentions] and props["sources"]
    assert len({e.event_id for e in events}) == len(events)
    dated = [e.date for e in events if e.date]
    assert dated == sorted(dated) and all(e.date is None for e in events[len(dated) :])


def test_merge_is_the_same_whatever_the_order(seed_records):
    import random

    shuffled = list(seed_records)
    random.Random(7).shuffle(shuffled)
    assert merge_events(shuffled) == merge_events(seed_records)


def test_out_of_core_merger_gives_what_merge_events_gives(seed_records):
    from geo.export.merge import EventMerger

    for events_only in (True, False):
        with EventMerger(events_only=events_only) as merger:
            for i in range(0, len(seed_records), 7):  # in batches, as the CLI adds them
                merger.add(seed_records[i : i + 7])
            assert list(merger.events()) == merge_events(seed_records, events_only=events_only)


def test_sub_event_tie_goes_to_the_codebook_order(seed_records):
    from dataclasses import replace

    m = next(r for r in seed_records if r.event_type == "Battles")
    a = replace(m, mention_id="a", doc_id="a", sub_event_type="Non-state actor overtakes territory")
    b = replace(m, mention_id="b", doc_id="b", sub_event_type="Armed clash")
    for order in ([a, b], [b, a]):
        (ev,) = merge_events(order)
        assert ev.sub_event_type == "Armed clash" and ev.corroboration == 1


def test_csv_columns_and_values(seed_records, seed_texts):
    rows = _csv_rows(seed_records)
    assert list(rows[0])[: len(ACLED_COLUMNS)] == ACLED_COLUMNS
    assert len(rows) == len(seed_records)
    for row, rec in zip(rows, seed_records):
        assert row["event_id_cnty"] == rec.mention_id and row["notes"] == rec.sentence
        assert seed_texts[row["doc_id"]][int(row["start"]) : int(row["end"])] == row["surface"]
        if rec.resolved:
            assert float(row["latitude"]) == pytest.approx(rec.lat) and float(row["longitude"]) == pytest.approx(
                rec.lon
            )
        if rec.date:
            assert row["event_date"] == rec.date and row["year"] == rec.date[:4] and row["time_precision"] == "1"


def test_csv_of_events_counts_outlets(seed_records):
    events = merge_events(seed_records)
    rows = _csv_rows(events)
    assert [r["event_id_cnty"] for r in rows] == [e.event_id for e in events]
    for row, ev in zip(rows, events):
        outlets = {m.outlet for m in ev.mentions}
        assert int(row["corroboration"]) == len(outlets) and row["source"] == "; ".join(sorted(outlets))
    assert {r["corroboration"] for r in rows} == {"1", "2"}  # the seeds are three outlets' reports


def test_csv_codes_a_known_week_at_its_middle(res):
    article = make_article("Troops shelled Qaboun last week.", "w", published="2012-07-22")
    (rec,) = article_records(extract_article(article, res), res.gazetteer)
    assert rec.date is None and rec.date_precision == "week"
    (row,) = _csv_rows([rec])
    assert row["event_date"] == "2012-07-12" and row["time_precision"] == "2"


def test_geopackage_of_events_opens_with_every_event(seed_records, tmp_path):
    from geo.export.parquet import write_geopackage

    events = merge_events(seed_records)
    path = tmp_path / "events.gpkg"
    assert write_geopackage(events, path) == 30
    frame = gpd.read_file(path, layer="events")
    assert frame.crs.to_epsg() == 4326 and list(frame["event_id"]) == [e.event_id for e in events]
    first = frame.iloc[0]
    assert first["mention_ids"] == "; ".join(m.mention_id for m in events[0].mentions)
    assert (round(first.geometry.x, 5), round(first.geometry.y, 5)) == (
        round(events[0].lon, 5),
        round(events[0].lat, 5),
    )
