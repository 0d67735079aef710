import io
import json

import geopandas as gpd
import pytest

from geo.documents import load_article
from geo.export import CSV_COLUMNS, CSVWriter, EventMerger, GeoJSONWriter, event_feature, mention_feature
from geo.pipeline import extract_article

from .conftest import SEEDS


@pytest.fixture(scope="module")
def seed_results(res):
    return [extract_article(load_article(p), res) for p in sorted(SEEDS.glob("*.txt"))]


def _written(seed_results, gaz, writer=GeoJSONWriter):
    buf = io.StringIO()
    with writer(buf) as w:
        for r in seed_results:
            for m in r.mentions:
                w.write(mention_feature(m, r.article, gaz))
    return buf.getvalue()


def test_geojson_parses_with_geopandas_in_wgs84(seed_results, gaz, tmp_path):
    path = tmp_path / "seeds.geojson"
    path.write_text(_written(seed_results, gaz), encoding="utf-8")
    frame = gpd.read_file(path)
    assert len(frame) == sum(len(r.mentions) for r in seed_results)
    assert frame.crs is None or frame.crs.to_epsg() == 4326
    data = json.loads(path.read_text())
    assert "crs" not in data  # RFC 7946 has no crs member


def test_points_lie_in_their_expected_bounding_box(seed_results, gaz):
    data = json.loads(_written(seed_results, gaz))
    damascus = [f for f in data["features"] if f["properties"]["admin1"] == "Damascus"]
    assert damascus
    for f in damascus:
        lon, lat = f["geometry"]["coordinates"]
        # [lon, lat] order: Damascus is at 36.3 E, 33.5 N.
        assert 36.1 < lon < 36.5 and 33.3 < lat < 33.7, f["properties"]["place"]
    for f in data["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_every_feature_keeps_its_evidence(seed_results, gaz):
    texts = {r.article.doc_id: r.article.text for r in seed_results}
    for f in json.loads(_written(seed_results, gaz))["features"]:
        p = f["properties"]
        assert texts[p["doc_id"]][p["start"] : p["end"]] == p["surface"]
        assert p["surface"] in p["sentence"] and p["outlet"] and p["published"]
        for key in ("mention_id", "place_id", "geo_precision", "is_event", "date_precision", "verified"):
            assert key in p


def test_events_merge_and_count_sources(seed_results, gaz):
    merger = EventMerger()
    for r in seed_results:
        merger.add(r.mentions, r.article)
    events = merger.events()
    assert len(events) < sum(m.is_event for r in seed_results for m in r.mentions)
    tadamon = [e for e in events if e.place.id == "tadamon"]
    assert tadamon and all(e.corroboration == 1 for e in tadamon)
    feat = event_feature(events[0], gaz)
    assert feat["properties"]["mention_ids"] and feat["properties"]["sources"]
    assert len({e.event_id for e in events}) == len(events)


def test_csv_has_acled_columns(seed_results, gaz):
    header = _written(seed_results, gaz, CSVWriter).splitlines()[0].split(",")
    assert header == list(CSV_COLUMNS)
    assert "event_date" in header and "latitude" in header and "geo_precision" in header


def test_csv_codes_a_known_week_at_its_middle(res, gaz):
    from geo.documents import make_article

    article = make_article("Troops shelled Qaboun last week.", "w", published="2012-07-22")
    (m,) = extract_article(article, res).mentions
    assert m.date.date is None and m.date.precision == "week"
    buf = io.StringIO()
    with CSVWriter(buf) as w:
        w.write(mention_feature(m, article, gaz))
    row = buf.getvalue().splitlines()[1].split(",")
    header = list(CSV_COLUMNS)
    assert row[header.index("event_date")] == "2012-07-12"
    assert row[header.index("time_precision")] == "2"
