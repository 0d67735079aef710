"""geo.store on real SQLite files in a temporary folder."""

from __future__ import annotations

import re
import sqlite3

import pytest

from geo import store
from geo.errors import DocumentError, GazetteerError
from geo.extract.gazetteer import COLUMNS
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
        ({"lat": "10", "lon": "10"}, "3746 km from its parent 'damascus'"),
        ({"lat": "36.3", "lon": "33.5"}, "look swapped"),
        ({"match": "sometimes"}, "must be empty or 'cue'"),
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


# --- every store fault is a StoreError naming the fix ----------------------------------------


def _seeded_store(path, res):
    conn = store.connect(path)
    store.seed(conn, res)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, as after a clean stop
    conn.close()
    return path


def _garbage(path, res):
    path.write_bytes(bytes(range(256)) * 64)


def _torn_pages(path, res):
    _seeded_store(path, res)
    data = bytearray(path.read_bytes())
    data[4096:] = bytes((i * 7 + 3) % 256 for i in range(len(data) - 4096))  # page 1 intact, the rest not
    path.write_bytes(bytes(data))


def _sql(*statements):
    def damage(path, res):
        _seeded_store(path, res)
        raw = sqlite3.connect(path)
        for s in statements:
            raw.execute(s)
        raw.commit()
        raw.close()

    return damage


def _folder(path, res):
    path.mkdir()


STORE_FAULTS = {
    "garbage bytes": (_garbage, "is not a clashmap store"),
    "pages overwritten": (_torn_pages, "is damaged"),
    "missing column": (_sql("ALTER TABLE mentions DROP COLUMN match"), "lacks column\\(s\\) match"),
    "missing table": (_sql("DROP TABLE mentions"), "table 'mentions' is missing"),
    "newer version": (_sql("PRAGMA user_version = 7"), "newer clashmap"),
    "a folder": (_folder, "cannot be opened"),
}
FIXES = "restore the file from a backup|upgrade clashmap|set CLASHMAP_DB"


@pytest.mark.parametrize("fault", list(STORE_FAULTS))
def test_store_faults_are_store_errors_that_name_the_fix(tmp_path, res, fault):
    damage, what = STORE_FAULTS[fault]
    path = tmp_path / "db.sqlite"
    damage(path, res)
    with pytest.raises(store.StoreError, match=what) as err:
        conn = store.open_store(path, res)
        store.mentions_frame(conn)  # some damage only shows when the pages are read
        store.ingest_text(conn, TEXT, res, published="2012-07-17")
    assert str(path) in str(err.value)
    assert re.search(FIXES, str(err.value)), err.value


def test_damage_after_opening_is_a_store_error(tmp_path, res):
    conn = store.connect(tmp_path / "db.sqlite")
    sqlite3.connect(tmp_path / "db.sqlite").execute("DROP TABLE mentions")
    with pytest.raises(store.StoreError, match="is damaged.*no such table: mentions"):
        store.unresolved_frame(conn)


def test_read_only_store_reads_and_refuses_writes_with_the_fix(tmp_path, res, monkeypatch):
    path = _seeded_store(tmp_path / "db.sqlite", res)
    before = path.read_bytes()
    monkeypatch.setenv("CLASHMAP_DB_READONLY", "1")
    conn = store.open_store(path, res)
    arts = store.articles_frame(conn)
    assert len(arts) == 3 and store.seed(conn, res) == 0 and not store.mentions_frame(conn).empty
    for write in (
        lambda: store.ingest_text(conn, TEXT, res, published="2012-07-17"),
        lambda: store.reextract(conn, res),
        lambda: store.delete_article(conn, arts["doc_id"].iloc[0]),
    ):
        with pytest.raises(store.StoreError, match="is read-only.*make the file and its folder writable"):
            write()
    conn.close()
    assert path.read_bytes() == before


def test_read_only_store_of_an_older_version_says_it_needs_one_writable_open(tmp_path, res):
    path = tmp_path / "db.sqlite"
    _sql("PRAGMA user_version = 0")(path, res)
    with pytest.raises(store.StoreError, match="cannot be upgraded; open it once without CLASHMAP_DB_READONLY"):
        store.connect(path, readonly=True)


# --- the user gazetteer never disables itself --------------------------------------------------

NEW = {"id": "new-place", "name": "New", "kind": "neighbourhood", "parent": "damascus", "lat": 33.5, "lon": 36.3}


def _user_places(path, res):
    loaded, problems = store.load_user_gazetteer(path, res.gazetteer)
    return set(loaded.places) - set(res.gazetteer.places), problems


def test_zero_coordinates_are_numbers_not_empty(tmp_path, res):
    row = {**NEW, "parent": "", "kind": "landmark", "lat": 0.0, "lon": 0, "source": "x"}
    place = store.add_user_place(tmp_path / "user.csv", row, res.gazetteer)
    assert (place.lat, place.lon) == (0.0, 0.0)


def test_arabic_only_names_get_distinct_ids(tmp_path, res):
    path = tmp_path / "user.csv"
    for name in ("حي التضامن", "حي الميدان"):
        store.add_user_place(path, {**NEW, "id": store.slug(name), "name": name, "source": "x"}, res.gazetteer)
    ids, problems = _user_places(path, res)
    assert len(ids) == 2 and all(re.fullmatch(r"place-[0-9a-f]{8}", i) for i in ids) and not problems


def test_each_add_rewrites_the_file_with_its_own_header(tmp_path, res):
    path = tmp_path / "user.csv"
    old = "id,name,aliases,kind,parent,lat,lon,source,note\nold-one,Old One,,neighbourhood,damascus,33.5,36.3,x,"
    path.write_text(old)  # the older 9-column header and no final newline
    store.add_user_place(path, {**NEW, "source": "y"}, res.gazetteer)
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(lines) == 3 and path.read_text().endswith("\n")
    assert _user_places(path, res) == ({"old-one", "new-place"}, [])
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_bad_rows_are_listed_and_can_be_fixed_or_removed(tmp_path, res):
    path = tmp_path / "user.csv"
    far = "far,Far,,neighbourhood,damascus,10,10,x,,"
    comma = "comma,Bab, Touma,,neighbourhood,damascus,33.51,36.31,x,,end"
    path.write_text(",".join(COLUMNS) + f"\ngood,Good,,neighbourhood,damascus,33.5,36.3,x,,\n{far}\n{comma}\n")
    ids, problems = _user_places(path, res)
    assert ids == {"good"} and [p.index for p in problems] == [1, 2]
    rows = store.read_user_rows(path)
    with pytest.raises(GazetteerError, match="km from its parent"):
        store.replace_user_row(path, 1, rows[1].values, {**rows[1].values, "lat": "11"}, res.gazetteer)
    store.replace_user_row(path, 1, rows[1].values, {**rows[1].values, "lat": "33.52", "lon": "36.28"}, res.gazetteer)
    # the row with an unquoted comma was kept as written, extra field and all, until removed
    assert store.read_user_rows(path)[2].extra == ("end",)
    store.delete_user_row(path, 2, rows[2].values)
    assert _user_places(path, res) == ({"good", "far"}, [])


def test_an_edit_may_not_break_another_row(tmp_path, res):
    path = tmp_path / "user.csv"
    store.add_user_place(path, {**NEW, "id": "mid", "kind": "city", "source": "x"}, res.gazetteer)
    store.add_user_place(path, {**NEW, "id": "kid", "parent": "mid", "lat": 33.3, "source": "x"}, res.gazetteer)
    mid = store.read_user_rows(path)[0].values
    with pytest.raises(GazetteerError, match="row 2 .* would then not load: .*km from its parent 'mid'"):
        store.replace_user_row(path, 0, mid, {**mid, "lat": "33.75"}, res.gazetteer)


def test_an_edit_of_a_row_changed_meanwhile_is_refused(tmp_path, res):
    path = tmp_path / "user.csv"
    store.add_user_place(path, {**NEW, "source": "x"}, res.gazetteer)
    shown = {**store.read_user_rows(path)[0].values, "name": "Something else"}
    with pytest.raises(GazetteerError, match="changed meanwhile"):
        store.delete_user_row(path, 0, shown)


def test_adding_with_the_loaded_user_gazetteer_checks_the_file_again(tmp_path, res):
    """The app passes the gazetteer it loaded, user rows included: they are not counted twice."""
    path = tmp_path / "user.csv"
    store.add_user_place(path, {**NEW, "source": "x"}, res.gazetteer)
    loaded, _ = store.load_user_gazetteer(path, res.gazetteer)
    store.add_user_place(path, {**NEW, "id": "second", "name": "Second", "source": "x"}, loaded)
    with pytest.raises(GazetteerError, match="duplicate id 'second'"):
        store.add_user_place(path, {**NEW, "id": "second", "name": "Second", "source": "x"}, loaded)
    assert _user_places(path, res) == ({"new-place", "second"}, [])


def test_unwritable_user_gazetteer_is_a_gazetteer_error(tmp_path, res):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(GazetteerError, match="cannot write the user gazetteer .*CLASHMAP_USER_GAZETTEER"):
        store.add_user_place(blocker / "user.csv", {**NEW, "source": "x"}, res.gazetteer)
