"""The store on a real PostgreSQL + PostGIS server started by the tests."""

from __future__ import annotations

import threading

import pytest

from geo import store
from geo.store import summary
from geo.store.bulk import load_records
from geo.store.postgis import POSTGIS_SCHEMA_VERSION, PostgisConnection

from .conftest import SEEDS
from .pgserver import postgis_server


@pytest.fixture(scope="module")
def url():
    with postgis_server() as u:
        yield u


@pytest.fixture
def conn(url):
    c = store.connect(url)
    with c:
        c.execute("TRUNCATE articles, mentions, meta CASCADE")
    yield c
    c.close()


def test_connect_creates_the_schema_with_a_spatial_index(conn):
    assert isinstance(conn, PostgisConnection)
    indexes = {
        r[0]: r[1] for r in conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mentions'")
    }
    assert "USING gist (geom)" in indexes["mentions_geom"]
    assert {"mentions_date", "mentions_type"} <= set(indexes)


def test_the_store_works_the_same_on_postgis(conn, res, tmp_path):
    assert store.seed(conn, res, SEEDS) == 3 and store.seed(conn, res, SEEDS) == 0
    result = store.ingest_text(conn, "Clashes erupted in Tadamon on Monday.", res, published="2012-07-17", title="T")
    with pytest.raises(store.DuplicateArticleError):
        store.ingest_text(conn, "Clashes erupted in Tadamon on Monday.\n", res, published="2012-07-17")

    sqlite = store.connect(tmp_path / "db.sqlite")
    store.seed(sqlite, res, SEEDS)
    store.ingest_text(sqlite, "Clashes erupted in Tadamon on Monday.", res, published="2012-07-17", title="T")
    assert store.mention_records(conn) == store.mention_records(sqlite)
    frame, frame_sqlite = store.mentions_frame(conn), store.mentions_frame(sqlite)
    assert list(frame.columns) == list(frame_sqlite.columns) and len(frame) == len(frame_sqlite) == 106
    assert list(store.articles_frame(conn)["doc_id"]) == list(store.articles_frame(sqlite)["doc_id"])
    assert store.get_article(conn, result.article.doc_id)["text"] == "Clashes erupted in Tadamon on Monday."
    assert store.unresolved_frame(conn).equals(store.unresolved_frame(sqlite))
    before = store.revision(conn)
    assert summary.drift(conn) == [] and summary.drift(sqlite) == []
    assert store.reextract(conn, res) == 106 and store.revision(conn) > before
    assert summary.drift(conn) == []
    assert store.delete_article(conn, result.article.doc_id)
    assert len(store.mention_records(conn)) == 105
    assert summary.drift(conn) == []
    # The summary's rows equal on both stores (their keys are spelled by each database).
    rows = f"SELECT {', '.join(summary.KEY)}, n FROM {summary.TABLE}"
    store.delete_article(sqlite, result.article.doc_id)
    assert sorted(map(tuple, conn.execute(rows)), key=repr) == sorted(sqlite.execute(rows), key=repr)


def test_a_version_1_store_gets_its_summary_counted_on_connect(url, conn, res):
    store.seed(conn, res, SEEDS)
    with conn:  # as a store written before the summary: no counts, version 1
        conn.execute(f"DELETE FROM {summary.TABLE}")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '1')")
    assert summary.drift(conn) != []
    again = store.connect(url)
    assert summary.drift(again) == []
    assert again.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        POSTGIS_SCHEMA_VERSION
    )
    # and the summary's index in the map's grouping order (version 3)
    assert again.execute("SELECT to_regclass('mention_counts_group')").fetchone()[0] is not None
    again.close()


def test_a_version_3_store_gets_the_indexes_that_count_a_view(url, conn, res):
    from geo.store import query as Q

    store.seed(conn, res, SEEDS)
    counted = Q.counts(conn, {})
    with conn:  # as a store of version 3: no index for counting articles or summing the summary
        conn.execute("DROP INDEX mentions_doc_filter")
        conn.execute(f"DROP INDEX {summary.TABLE}_filter")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '3')")
    again = store.connect(url)
    for name in ("mentions_doc_filter", f"{summary.TABLE}_filter"):
        assert again.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None, name
    assert Q.counts(again, {}) == counted and counted["articles"] == 3
    again.close()


def test_connecting_to_a_current_store_does_not_wait_for_readers(url, conn):
    store.connect(url).close()  # the store is current (version written)
    reader = store.connect(url)
    reader.raw.execute("BEGIN")
    reader.raw.execute("SELECT COUNT(*) FROM mentions")  # an open read holds its lock on the mentions
    opened: list = []
    worker = threading.Thread(target=lambda: opened.append(store.connect(url)), daemon=True)
    worker.start()
    worker.join(20)  # rebuilding the summary's triggers would wait until the reader ends
    try:
        assert opened, "a second connection waited for a reader: the schema was rebuilt on a current store"
    finally:
        reader.raw.execute("ROLLBACK")
        reader.close()
        worker.join(20)
        for c in opened:
            c.close()


def test_points_are_kept_by_the_database(conn, res):
    store.ingest_text(conn, "Clashes erupted in Tadamon on Monday.", res, published="2012-07-17")
    (x, y), *_ = conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM mentions WHERE place_id = 'tadamon'").fetchall()
    assert (round(x, 5), round(y, 5)) == (36.30944, 33.47778)
    # A viewport query on the spatial index: the Damascus box holds it, a box over Aleppo does not.
    box = "SELECT count(*) FROM mentions WHERE geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)"
    assert conn.execute(box, (36.2, 33.4, 36.4, 33.6)).fetchone()[0] == 1
    assert conn.execute(box, (37.0, 36.1, 37.3, 36.3)).fetchone()[0] == 0


def test_bulk_load_with_copy(conn, res):
    from geo.extract.documents import load_article
    from geo.extract.pipeline import extract_article
    from geo.extract.records import article_records

    records = [r for p in sorted(SEEDS.glob("*.txt")) for r in article_records(extract_article(load_article(p), res))]
    assert load_records(conn, iter(records)) == 105
    assert store.mention_records(conn) == records
    assert conn.execute("SELECT count(*) FROM mentions WHERE geom IS NOT NULL").fetchone()[0] == 105
    assert summary.drift(conn) == []  # one COPY: counted once by the statement trigger


def test_two_connections_see_each_other_and_concurrent_ingests_lose_nothing(url, conn, res):
    texts = [f"Clashes erupted in Tadamon on Monday, report {i}." for i in range(12)]

    def ingest(chunk):
        c = store.connect(url)
        for t in chunk:
            store.ingest_text(c, t, res, published="2012-07-17")
        c.close()

    threads = [threading.Thread(target=ingest, args=(texts[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other = store.connect(url)
    assert len(store.articles_frame(other)) == 12
    assert {r.doc_id for r in store.mention_records(other)} == set(store.articles_frame(other)["doc_id"])
    assert summary.drift(other) == []
    other.close()


def test_load_a_geoparquet_extraction_into_either_store(url, conn, tmp_path, capsys):
    from geo.export.parquet import read_mention_records
    from geo.tools.cli import main

    out = tmp_path / "seeds.parquet"
    assert main(["extract", str(SEEDS), "-o", str(out), "-q"]) == 0
    records = list(read_mention_records(out))
    assert len(records) == 105
    for target in (url, str(tmp_path / "db.sqlite")):
        assert main(["load", str(out), "--db", target]) == 0
        assert "loaded 105 mentions" in capsys.readouterr().err
        c = store.connect(target)
        assert store.mention_records(c) == records
        assert summary.drift(c) == []
        c.close()
        assert main(["load", str(out), "--db", target]) == 2  # twice: refused, nothing changed
        assert "already in the store; nothing was loaded" in capsys.readouterr().err
        c = store.connect(target)
        assert len(store.mention_records(c)) == 105
        c.close()


def test_filtering_and_counting_in_sql_agree_with_pandas_on_postgis(conn, res):
    from geo.tools.appbench import fill

    from .test_query import check_agreement

    store.seed(conn, res)
    store.ingest_text(
        conn, "Unverified reports said shelling hit Mezzeh on Monday.", res, published="2012-07-20", outlet="Test Wire"
    )
    fill(conn, res.gazetteer, 2000, seed=3)
    assert check_agreement(conn) > 5000
    indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'mentions'")}
    assert "mentions_map" in indexes
