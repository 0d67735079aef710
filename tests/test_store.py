"""geo.store on real SQLite files in a temporary folder."""

from __future__ import annotations

import pytest

from geo import store
from geo.errors import DocumentError, GazetteerError
from geo.extract.pipeline import load_resources
from geo.models import MentionRecord
from geo.store.schema import ARTICLE_FIELDS, MENTION_COLUMNS

TEXT = "Clashes erupted in Tadamon on Monday, activists said. Shelling hit Zorbania on Tuesday."


@pytest.fixture(scope="module")
def res():
    return load_resources()


@pytest.fixture
def conn(tmp_path):
    c = store.connect(tmp_path / "sub" / "db.sqlite")
    yield c
    c.close()


def test_seed_once_and_survives_reopen(tmp_path, res):
    path = tmp_path / "db.sqlite"
    conn = store.connect(path)
    assert store.seed(conn, res) == 3
    assert store.seed(conn, res) == 0
    n = len(store.mentions_frame(conn))
    conn.close()
    again = store.connect(path)
    assert len(store.articles_frame(again)) == 3
    assert len(store.mentions_frame(again)) == n > 50


def test_ingest_text_stores_article_and_mentions(conn, res):
    rev = store.revision(conn)
    result = store.ingest_text(conn, TEXT, res, published="2012-07-17", title="T", outlet="O")
    assert store.revision(conn) > rev
    df = store.mentions_frame(conn)
    assert list(df["doc_id"].unique()) == [result.article.doc_id]
    tadamon = df[df["place"] == "Tadamon"].iloc[0]
    assert tadamon["date"] == "2012-07-16" and tadamon["is_event"]
    assert tadamon["outlet"] == "O" and tadamon["lat"] == pytest.approx(33.47778)
    assert store.get_article(conn, result.article.doc_id)["text"] == TEXT


def test_duplicate_upload_is_recognised(conn, res):
    store.ingest_text(conn, TEXT, res, published="2012-07-17")
    with pytest.raises(store.DuplicateArticleError, match="already in the store"):
        store.ingest_text(conn, TEXT + "\n", res, published="2012-07-17")
    assert len(store.articles_frame(conn)) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x00\x01binary\x00", "binary"),
        (b"x" * 200, "larger than"),
    ],
)
def test_bad_bytes_leave_store_unchanged(conn, res, data, message):
    with pytest.raises(DocumentError, match=message):
        store.ingest_bytes(conn, data, "up.txt", res, max_bytes=100 if len(data) == 200 else 10_000)
    assert store.revision(conn) == 0 and store.articles_frame(conn).empty


def test_non_utf8_is_decoded_with_a_warning(conn, res):
    result = store.ingest_bytes(
        conn, "Fighting in Mezzeh on Sunday, café".encode("cp1252"), "a.txt", res, published="2012-07-17"
    )
    assert any("not valid UTF-8" in w for w in result.warnings)


def test_failed_ingest_rolls_back(conn, res):
    # A real failure half-way: the article row goes in, then SQLite refuses the first mention.
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON mentions BEGIN SELECT RAISE(ABORT, 'refused half-way'); END")
    with pytest.raises(store.StoreError, match="nothing was added"):
        store.ingest_text(conn, TEXT, res, published="2012-07-17")
    assert store.articles_frame(conn).empty and store.revision(conn) == 0


def test_html_is_stripped_keeping_offsets(conn, res):
    text = "<p>Clashes in <b>Tadamon</b> on Monday.</p><script>alert(1)</script>"
    result = store.ingest_text(conn, text, res, published="2012-07-17")
    stored = store.get_article(conn, result.article.doc_id)["text"]
    assert "<script>" not in stored and len(stored) == len(text)
    m = store.mentions_frame(conn).iloc[0]
    assert stored[m["start"] : m["end"]] == "Tadamon"


def test_user_place_then_reextract(tmp_path, conn, res):
    text = "Clashes erupted in Zorbania on Monday, activists said."
    store.ingest_text(conn, text, res, published="2012-07-17")
    assert "Zorbania" in set(store.unresolved_frame(conn)["surface"])
    user_csv = tmp_path / "user.csv"
    row = {
        "id": "zorbania",
        "name": "Zorbania",
        "aliases": "Zurbaniya",
        "kind": "neighbourhood",
        "parent": "damascus",
        "lat": 33.49,
        "lon": 36.3,
        "source": "test fixture",
        "note": "",
    }
    store.add_user_place(user_csv, row, res.gazetteer)
    from geo.extract.gazetteer import DEFAULT_GAZETTEER_DIR

    new_res = load_resources(gazetteer=[DEFAULT_GAZETTEER_DIR, user_csv])
    store.reextract(conn, new_res)
    df = store.mentions_frame(conn)
    assert "Zorbania" in set(df["place"]) and "Zorbania" not in set(store.unresolved_frame(conn)["surface"])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"source": ""}, "source"),
        ({"lat": "north"}, "decimal degrees"),
        ({"id": "damascus"}, "taken"),
        ({"parent": "atlantis"}, "parent"),
    ],
)
def test_user_place_is_validated(tmp_path, res, change, message):
    row = {
        "id": "new-place",
        "name": "New",
        "kind": "neighbourhood",
        "parent": "damascus",
        "lat": "33.5",
        "lon": "36.3",
        "source": "x",
        **change,
    }
    with pytest.raises(GazetteerError, match=message):
        store.add_user_place(tmp_path / "user.csv", row, res.gazetteer)
    assert not (tmp_path / "user.csv").exists()


def test_db_path_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("CLASHMAP_DB", str(tmp_path / "x.sqlite"))
    assert store.db_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("CLASHMAP_DB")
    assert store.db_path().name == "clashmap.sqlite"


def test_unwritable_store_names_the_fix(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(store.StoreError, match="CLASHMAP_DB"):
        store.connect(blocker / "db.sqlite")


def test_mentions_table_holds_every_stored_property(tmp_path):
    conn = store.connect(tmp_path / "db.sqlite")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(mentions)")}
    conn.close()
    assert columns == set(MENTION_COLUMNS) == set(MentionRecord.__dataclass_fields__) - set(ARTICLE_FIELDS)
