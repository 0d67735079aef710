"""Stores written by earlier versions open, upgraded in place, with every article kept.

``tests/data/stores/store-2026-11-22.sql`` is a dump of a real store written by the
2026-11-22 clashmap (its DDL had no schema version): the three seeds and one upload.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import store
from geo.store.schema import request_reextract

from .conftest import DATA, ROOT

OLD_DUMP = DATA / "stores" / "store-2026-11-22.sql"


def old_store(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(OLD_DUMP.read_text(encoding="utf-8"))
    conn.close()
    return path


def _snapshot(conn: sqlite3.Connection) -> tuple[list, list]:
    articles = conn.execute(
        "SELECT doc_id, sha256, title, outlet, published, text FROM articles ORDER BY seq"
    ).fetchall()
    mentions = conn.execute(
        "SELECT mention_id, place_id, event_type, date, sentence FROM mentions ORDER BY 1"
    ).fetchall()
    return articles, mentions


def test_the_old_store_is_the_unversioned_one(tmp_path):
    conn = sqlite3.connect(old_store(tmp_path / "old.sqlite"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert "published_basis" not in {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4


def test_old_store_upgrades_in_place_keeping_every_article(tmp_path, res):
    path = old_store(tmp_path / "old.sqlite")
    raw = sqlite3.connect(path)
    articles, mentions = _snapshot(raw)
    raw.close()

    conn = store.open_store(path, res)
    assert store.version(conn) == store.SCHEMA_VERSION
    assert _snapshot(conn)[0] == articles  # every article, unchanged
    # Version 2 records why each mention reads as it does, which old rows cannot say: the
    # mentions were re-extracted from the stored texts, so every article has them, with their why.
    records = store.mention_records(conn)
    assert {r.doc_id for r in records} == {a[0] for a in articles}
    assert all(r.event_rule for r in records if r.is_event)
    assert {r.mention_id for r in records} >= {m[0] for m in mentions if m[1] in ("tadamon", "qaboun")}
    assert store.seed(conn, res) == 0  # the seeds were loaded by the old version: not again
    conn.close()

    again = store.open_store(path, res)  # a second open changes nothing
    assert _snapshot(again) == _snapshot(store.connect(path))
    assert [r.mention_id for r in store.mention_records(again)] == [r.mention_id for r in records]
    result = store.ingest_text(again, "Clashes erupted in Midan on Monday.", res, published="2012-07-24")
    assert result.article.doc_id in set(store.articles_frame(again)["doc_id"])
    again.close()


def test_each_upgrade_step_alone_keeps_the_articles(tmp_path):
    from geo.store.schema import UPGRADES, _columns

    conn = sqlite3.connect(old_store(tmp_path / "old.sqlite"))
    articles, mentions = _snapshot(conn)
    for step in UPGRADES:
        step(conn)
        assert _snapshot(conn) == (articles, mentions)
    assert {"published_basis"} <= _columns(conn, "articles")
    assert {"event_rule", "alternatives", "place_basis"} <= _columns(conn, "mentions")


def test_an_upgrade_that_needs_new_columns_re_extracts_from_the_stored_texts(tmp_path, res):
    path = old_store(tmp_path / "old.sqlite")
    conn = store.open_store(path, res)
    articles, _ = _snapshot(conn)
    conn.execute("UPDATE mentions SET event_type = 'stale'")  # what an old extractor left
    with conn:
        request_reextract(conn)
    conn.close()

    conn = store.open_store(path, res)
    assert _snapshot(conn)[0] == articles
    types = {r.event_type for r in store.mention_records(conn)}
    assert "stale" not in types and "Battles" in types
    assert {r.doc_id for r in store.mention_records(conn)} == {a[0] for a in articles}


def test_a_store_from_a_newer_version_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(store.StoreError, match="newer clashmap.*upgrade clashmap"):
        store.connect(path)


def test_the_page_opens_an_old_store(tmp_path, monkeypatch):
    path = old_store(tmp_path / "old.sqlite")
    monkeypatch.setenv("CLASHMAP_DB", str(path))
    monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    summary = next(m.value for m in at.markdown if "places, from" in m.value)
    assert "from **4** articles" in summary
    feature_group = json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"]
    assert "Qaboun" in feature_group


def test_a_version_2_store_gets_the_map_index_and_keeps_its_mentions(tmp_path, res):
    path = tmp_path / "v2.sqlite"
    conn = store.open_store(path, res)
    store.seed(conn, res)
    conn.execute("DROP INDEX mentions_map")
    conn.execute("PRAGMA user_version = 2")
    before = [r.mention_id for r in store.mention_records(conn)]
    conn.close()

    conn = store.open_store(path, res)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert store.version(conn) == store.SCHEMA_VERSION and "mentions_map" in indexes
    assert [r.mention_id for r in store.mention_records(conn)] == before
    conn.close()


def test_a_version_3_store_gets_the_summary_counted_from_its_mentions(tmp_path, res):
    from geo.store import summary

    path = tmp_path / "v3.sqlite"
    conn = store.open_store(path, res)
    store.seed(conn, res)
    for name in ("insert", "delete", "update"):
        conn.execute(f"DROP TRIGGER {summary.TABLE}_{name}")
    conn.execute(f"DROP TABLE {summary.TABLE}")
    conn.execute("PRAGMA user_version = 3")
    conn.close()

    conn = store.open_store(path, res)
    assert store.version(conn) == store.SCHEMA_VERSION
    assert conn.execute(f"SELECT SUM(n) FROM {summary.TABLE}").fetchone()[0] == len(store.mention_records(conn))
    assert summary.drift(conn) == []
    store.delete_article(conn, store.mention_records(conn)[0].doc_id)  # and the triggers keep it from now on
    assert summary.drift(conn) == []
    conn.close()


def test_a_version_4_store_gets_the_summarys_grouping_index(tmp_path, res):
    from geo.store import summary

    path = tmp_path / "v4.sqlite"
    conn = store.open_store(path, res)
    store.seed(conn, res)
    conn.execute(f"DROP INDEX {summary.TABLE}_group")
    conn.execute("PRAGMA user_version = 4")
    conn.close()

    conn = store.open_store(path, res)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert store.version(conn) == store.SCHEMA_VERSION and f"{summary.TABLE}_group" in indexes
    assert summary.drift(conn) == []
    conn.close()


def test_a_version_5_store_gets_the_indexes_that_count_a_view(tmp_path, res):
    from geo.store import query as Q
    from geo.store import summary

    path = tmp_path / "v5.sqlite"
    conn = store.open_store(path, res)
    store.seed(conn, res)
    counted = Q.counts(conn, {})
    conn.execute("DROP INDEX mentions_doc_filter")
    conn.execute(f"DROP INDEX {summary.TABLE}_filter")
    conn.execute("PRAGMA user_version = 5")
    conn.close()

    conn = store.open_store(path, res)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert store.version(conn) == store.SCHEMA_VERSION
    assert {"mentions_doc_filter", f"{summary.TABLE}_filter"} <= indexes
    assert Q.counts(conn, {}) == counted and counted["articles"] == 3
    conn.close()
