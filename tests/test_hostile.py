"""A hostile user's inputs at every entry point: each gets a message naming the problem, never a traceback.

One test per case the audit found open: the CLI's evaluate and load given
files that are not what they expect, an input with nothing to read, a sidecar
given as an article, the page's CSV download, a copy refused before its
extraction, refusals in a multi-file upload, bidirectional overrides in names,
and gazetteer rows a spreadsheet would run.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import store
from geo.app import acled as acled_module
from geo.app.text import md
from geo.errors import DuplicateArticleError, GazetteerError
from geo.extract.documents import doc_id_for, shown
from geo.tools.cli import main

from .conftest import DATA, SEEDS
from .test_app import _page

GOLD = str(DATA / "seeds.gold.json")


# --- CLI ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read (No such file or directory)"),
        (b"not json at all", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b'{"type": "FeatureCollection", "features": "none"}', "not a GeoJSON FeatureCollection"),
        (b"[1, 2]", "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [{"properties": {"doc_id": "a"}}]}', "feature 0 is not a mention"),
        (b'{"type": "FeatureCollection", "features": [7]}', "feature 0 is not a mention"),
    ],
)
def test_evaluate_refuses_a_file_that_is_not_an_extraction(tmp_path, capsys, content, message):
    path = tmp_path / "pred.geojson"
    if content is not None:
        path.write_bytes(content)
    assert main(["evaluate", GOLD, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and message in err and "clashmap extract" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "gold, message",
    [
        ({"documents": ["01"], "mentions": []}, "'documents' must map each document id to its metadata"),
        ({"documents": {"01": "2012-07-18"}, "mentions": []}, "'documents' must map each document id"),
        ({"documents": {"01": {}}, "mentions": {"doc": "01"}}, "'mentions' must be a list of objects"),
        ({"documents": {"01": {}}}, "not a gold file with 'documents' and 'mentions'"),
    ],
)
def test_evaluate_refuses_a_gold_file_of_another_shape(tmp_path, capsys, gold, message):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    assert main(["evaluate", str(path), str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file or folder"),
        (lambda p: p.mkdir(), "no .parquet parts"),
        (lambda p: (p.mkdir(), (p / "part-0.parquet").write_bytes(b"PK")), "not a readable GeoParquet file"),
        (lambda p: p.write_text("id,name\n1,x\n"), "not a readable GeoParquet file"),
    ],
)
def test_load_refuses_what_is_not_a_geoparquet_extraction(tmp_path, capsys, make, message):
    folder = tmp_path / "out.parquet"
    make(folder)
    assert main(["load", str(folder), "--db", str(tmp_path / "db.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {folder}") and message in err and "clashmap extract -o OUT.parquet" in err


def test_a_folder_without_articles_is_named(tmp_path, capsys):
    empty = tmp_path / "nothing here"
    empty.mkdir()
    (empty / "notes.md").write_text("Clashes in Midan.")
    assert main(["extract", str(empty), "-o", str(tmp_path / "o.geojson")]) == 2
    err = capsys.readouterr().err
    assert f"error: no .txt or .jsonl file in {empty}; give article files or the folders" in err


def test_a_folder_of_json_lines_alone_is_read(tmp_path, capsys):
    folder = tmp_path / "wire"
    folder.mkdir()
    line = {"id": "w1", "text": "Clashes erupted in Tadamon on Monday.", "published": "2012-07-17"}
    (folder / "wire.jsonl").write_text(json.dumps(line) + "\n")
    assert main(["extract", str(folder), "-o", str(tmp_path / "o.geojson"), "-q"]) == 0
    assert "no .txt" not in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--articles", "--jobs"])
@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_bench_counts_must_be_positive(capsys, option, value):
    with pytest.raises(SystemExit) as stop:
        main(["bench", option, value])
    assert stop.value.code == 2
    assert f"{value!r} is not a whole number above zero" in capsys.readouterr().err


def test_extract_jobs_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["extract", str(SEEDS), "--jobs", "0", "-o", str(tmp_path / "o.geojson")])
    assert "'0' is not a whole number above zero" in capsys.readouterr().err


def test_a_sidecar_given_as_an_article_is_refused_not_read(tmp_path, capsys):
    # `clashmap extract folder/*` names the sidecars too; their JSON (a title naming places) is no article.
    (tmp_path / "a.txt").write_text("Clashes erupted in Tadamon on Monday.")
    (tmp_path / "a.meta.json").write_text(json.dumps({"published": "2012-07-17", "title": "Shelling in Homs"}))
    out = tmp_path / "o.geojson"
    assert main(["extract", str(tmp_path / "a.txt"), str(tmp_path / "a.meta.json"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"a.meta.json: is a sidecar (the metadata of {tmp_path / 'a.txt'}), not an article" in err
    features = json.loads(out.read_text())["features"]
    assert {f["properties"]["doc_id"] for f in features} == {"a"}  # Homs, from the title, is not a mention


def test_bidirectional_overrides_in_file_names_are_escaped(tmp_path):
    # "evil\u202etxt.exe" would display as "evilexe.txt" in a terminal, a log or the page.
    name = tmp_path / "evil\u202egnp.txt"
    assert doc_id_for(name) == "evil\\u202egnp"
    assert "\u202e" not in shown(name)
    assert md("evil\u202egnp.txt") == "evil\\<U\\+202E\\>gnp\\.txt"
    assert "\u2067" not in md("a\u2067b") and "\u200f" in md("\u200fشارع")  # a right-to-left mark is kept


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","x")', "@SUM(1)", "+1+1", "-1+1"])
def test_the_pages_csv_download_neutralises_formulas(res, value):
    from geo.app.filters import csv_text
    from geo.extract.documents import make_article
    from geo.extract.pipeline import extract_article
    from geo.extract.records import article_records

    article = make_article(
        value + " Clashes erupted in Tadamon on Monday.",
        "x",
        published="2012-07-17",
        title=value,
        outlet=value,
        url=value,
    )
    recs = article_records(extract_article(article, res), res.gazetteer)
    rows = list(csv.DictReader(io.StringIO(csv_text(recs))))
    assert rows
    for row in rows:
        assert row["source"] == row["url"] == "'" + value
        assert row["notes"].startswith("'" + value)
        assert not any(str(cell).startswith(("=", "+", "@")) for cell in row.values())


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def page(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch)
    at.session_state["tab"] = "Add articles"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at, files=None, paste: str = "") -> AppTest:
    at.text_area(key="paste").input(paste)
    at.date_input(key="up_date").set_value(date(2012, 7, 17))
    at.file_uploader(key="files").set_value(files)
    next(b for b in at.get("button") if b.proto.label == "Process and add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def test_a_copy_is_refused_before_it_is_extracted(page, monkeypatch):
    text = b"Shelling hit Qaboun on Tuesday, activists said."
    _submit(page, [("first.txt", text, "text/plain")])
    assert any("Added first.txt" in _plain(s.value) for s in page.success)
    # A budget no extraction can meet: a copy refused after extraction would time out instead.
    monkeypatch.setenv("CLASHMAP_EXTRACT_SECONDS", "0.000001")
    _submit(page, [("again.txt", text, "text/plain")])
    errors = [_plain(e.value) for e in page.error]
    assert any(e.startswith("again.txt: this text is already in the store") for e in errors), errors
    _submit(page, None, paste=text.decode() + "\n")  # the same text pasted, with a final line break
    assert any("pasted text: this text is already in the store" in _plain(e.value) for e in page.error)
    assert not any("took longer" in _plain(e.value) for e in page.error)


def test_refusals_in_a_multi_file_upload_are_still_shown_after_the_others_are_added(page):
    _submit(
        page,
        [
            ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "text/plain"),
            ("good.txt", b"Clashes erupted in Tadamon on Monday.", "text/plain"),
            ("copy.txt", b"Clashes erupted in Tadamon on Monday.", "text/plain"),
            ("empty.txt", b"", "text/plain"),
        ],
    )
    errors = [_plain(e.value) for e in page.error]
    assert any(e.startswith("picture.txt: binary data") for e in errors), errors
    assert any(e.startswith("copy.txt: this text is already in the store") for e in errors), errors
    assert any(e.startswith("empty.txt: the file is empty") for e in errors), errors
    assert any("Added good.txt" in _plain(s.value) for s in page.success)


def test_refusals_alone_are_shown_at_once(page):
    _submit(page, [("nul.txt", b"\x00" * 500, "text/plain")])
    assert any(_plain(e.value).startswith("nul.txt: binary data") for e in page.error)


def test_upload_text_and_refuse_stored(tmp_path, res):
    conn = store.connect(tmp_path / "db.sqlite")
    text, warnings = store.upload_text("a.txt", "Clashes in Midan on Monday.".encode("utf-16"), None)
    assert text == "Clashes in Midan on Monday." and warnings == []
    store.ingest_text(conn, text, res, published="2012-07-17")
    with pytest.raises(DuplicateArticleError, match="already in the store"):
        store.refuse_stored(conn, "\r\n" + text + "\r\n")
    store.refuse_stored(conn, text + " More.")  # another text: no error
    with pytest.raises(Exception, match="larger than the 0.0 MB limit"):
        store.upload_text("pasted text", None, "x" * 100, max_bytes=10)
    conn.close()


# --- the readers' gazetteer --------------------------------------------------------------------

ROW = {
    "id": "new-place",
    "name": "New Place",
    "aliases": "",
    "kind": "neighbourhood",
    "parent": "damascus",
    "lat": 33.5,
    "lon": 36.3,
    "source": "https://example.org/map",
    "note": "",
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": '=HYPERLINK("http://evil.example")'}, "name '=HYPERLINK"),
        ({"name": "@SUM(1)"}, "starts with '@', which a spreadsheet runs as a formula"),
        ({"aliases": "Other Name|+cmd"}, "aliases '+cmd' starts with '+'"),
        ({"source": "-2+3"}, "source '-2+3' starts with '-'"),
        ({"name": "Two\nLines"}, "holds a line break or a control character; write it on one line"),
        ({"note": "bell\x07"}, "note 'bell\\x07' holds a line break"),
        ({"name": "N" * 5000}, "name is 5,000 characters long, more than 300; shorten it"),
    ],
)
def test_a_gazetteer_row_a_spreadsheet_would_run_or_split_is_refused(tmp_path, gaz, change, message):
    path = tmp_path / "user.csv"
    with pytest.raises(GazetteerError, match="cannot add the place") as refused:
        store.add_user_place(path, {**ROW, **change}, gaz)
    assert message in str(refused.value)
    assert not path.exists()


def test_a_negative_coordinate_and_markup_in_a_name_are_kept(tmp_path, gaz):
    # A minus sign on a number is not a formula; markup in a name is escaped where shown, not refused.
    path = tmp_path / "user.csv"
    place = store.add_user_place(path, {**ROW, "name": "<img src=x onerror=alert(1)>", "lon": 36.3}, gaz)
    assert place.name == "<img src=x onerror=alert(1)>"
    row = {**ROW, "id": "south", "name": "South Place", "lat": -0.0001, "lon": -0.0001, "parent": ""}
    assert store.add_user_place(path, row, gaz).lat == pytest.approx(-0.0001)


# --- ACLED exports -----------------------------------------------------------------------------

ACLED_HEADER = "event_id_cnty,event_date,year,event_type,sub_event_type,admin1,location,latitude,longitude,source,notes"
ACLED_ROW = "SYR1,2012-07-16,2012,Battles,Armed clash,Damascus,Tadamon,33.4778,36.3094,AFP,Clashes."


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-16"),  # a spreadsheet's "Unicode text"
        lambda t: t.encode("utf-16-le"),
        lambda t: t.replace(",", ";").encode("utf-8"),  # re-saved in a locale whose separator is ';'
        lambda t: t.replace(",", "\t").encode("utf-8"),
        lambda t: t.encode("utf-8-sig"),
    ],
    ids=["utf-16", "utf-16-le without a mark", "semicolons", "tabs", "utf-8 with a mark"],
)
def test_an_acled_export_resaved_by_a_spreadsheet_is_read(encode):
    from geo.app.acled import read_acled_csv

    events, problems = read_acled_csv(encode(f"{ACLED_HEADER}\n{ACLED_ROW}\n"), "export.csv")
    assert [(e.event_id, e.location, e.lat) for e in events] == [("SYR1", "Tadamon", 33.4778)] and problems == []


def test_an_acled_export_with_formulas_keeps_them_as_text_and_names_bad_rows():
    from geo.app.acled import read_acled_csv

    rows = [
        '"=HYPERLINK(""http://evil.example"",""x"")",2012-07-16,2012,Battles,,D,@SUM(1),33.4,36.3,+cmd,-2+3',
        "SYR2,2012-07-16,2012,Battles,,D,Midan,=1+1,36.3,,",
    ]
    events, problems = read_acled_csv(("\n".join([ACLED_HEADER, *rows]) + "\n").encode(), "export.csv")
    assert [(e.event_id[:10], e.location, e.source, e.notes) for e in events] == [
        ("=HYPERLINK", "@SUM(1)", "+cmd", "-2+3")  # shown as text in the page, never exported
    ]
    assert problems == ["line 3: latitude '=1+1' is not a number; row left out"]


def test_reading_acled_grows_linearly(tmp_path):
    import time

    from geo.app.acled import read_acled_csv

    def seconds(n: int) -> float:
        rows = "".join(
            f"S{i},2012-07-{1 + i % 28:02d},2012,Battles,,D,L{i},{33 + i % 97 / 100},{36 + i % 89 / 100},,\n"
            for i in range(n)
        )
        data = (ACLED_HEADER + "\n" + rows).encode()
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            events, _ = read_acled_csv(data)
            best = min(best, time.process_time() - start)
        assert len(events) == n
        return best

    small, large = seconds(5_000), seconds(50_000)
    assert large < 20 * small, (small, large)


def test_an_acled_file_with_no_readable_row_is_said_so_in_the_page(page):
    page.session_state["tab"] = "Compare with ACLED"
    page.run()
    bad = f"{ACLED_HEADER}\nA1,2012-07-16,2012,Fighting,,D,Midan,33.49,36.30,,\nA2,2012-07-40,2012,Battles,,D,x,1,2,,\n"
    page.file_uploader(key="acled_file").set_value(("acled.csv", bad.encode(), "text/csv")).run()
    assert not page.exception, [e.value for e in page.exception]
    warned = [_plain(w.value) for w in page.warning]
    assert any("acled.csv: no event could be read: all 2 rows were left out" in w for w in warned), warned
    page.file_uploader(key="acled_file").set_value(("empty.csv", (ACLED_HEADER + "\n").encode(), "text/csv")).run()
    assert any("empty.csv: no event could be read: it holds no rows" in _plain(w.value) for w in page.warning)


def test_a_document_id_given_twice_is_refused_not_shared(tmp_path, capsys):
    # The same stem in two folders given separately, and a JSON line whose "id" repeats it.
    for folder, text in (("x", "Clashes erupted in Tadamon on Monday."), ("y", "Shelling hit Qaboun on Tuesday.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(text)
    lines = [{"id": "a", "text": "Clashes in Midan on Monday."}, {"id": "b", "text": "Bombing in Douma on Friday."}]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "o.geojson"
    args = [str(tmp_path / "x" / "a.txt"), str(tmp_path / "y"), str(tmp_path / "wire.jsonl")]
    assert main(["extract", *args, "-o", str(out), "--published", "2012-07-17", "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("document id 'a' was already given to an earlier article") == 2
    features = json.loads(out.read_text())["features"]
    ids = [f["properties"]["mention_id"] for f in features]
    assert len(ids) == len(set(ids)) and {f["properties"]["surface"] for f in features} == {"Tadamon", "Douma"}


@pytest.mark.parametrize(
    "data, message",
    [
        (
            "".join(json.dumps({"text": f"Clashes in Midan, day {i}."}) + "\n" for i in range(50)).encode("utf-16"),
            "UTF-16",
        ),
        (json.dumps({"text": "Clashes in Midan."}).encode("utf-16-le") * 20, "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 200, "binary data, not JSON Lines"),
    ],
    ids=["utf-16", "utf-16-le without a mark", "binary"],
)
def test_a_json_lines_file_that_is_not_utf8_text_is_refused_once(tmp_path, capsys, data, message):
    (tmp_path / "wire.jsonl").write_bytes(data)
    assert main(["extract", str(tmp_path / "wire.jsonl"), "-o", str(tmp_path / "o.geojson"), "-q"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"wire.jsonl: {message}" in errors[0], errors


def test_a_broken_json_line_says_where_and_why(tmp_path, capsys):
    lines = [b'{"text": "Clashes in Midan on Monday."}', b'{"text": "cut short', b'{"text": "caf\xe9"}']
    (tmp_path / "wire.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert main(["extract", str(tmp_path / "wire.jsonl"), "-o", str(tmp_path / "o.geojson"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "wire.jsonl:2: not valid JSON (" in err and "fix or remove the line" in err
    assert "wire.jsonl:3: not valid UTF-8 (byte 13); fix the line or save the file as UTF-8" in err


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path):
    import subprocess
    import sys

    for args in (["-o", "/dev/full"], ["--format", "csv"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "geo", "extract", str(SEEDS), "-q", *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parent.parent,
            )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "(No space left on device); what was written is incomplete: free some space" in done.stderr


def test_a_closed_pipe_is_a_message_not_a_traceback():
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "extract", str(SEEDS), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    err = proc.stderr.read().decode()
    assert proc.wait() == 2 and "Traceback" not in err and "Exception ignored" not in err, err
    assert "standard output was closed by the program reading it" in err


def test_a_text_with_a_lone_surrogate_is_stored_not_a_traceback(tmp_path, res):
    # Python strings (the library's callers) may hold one; the stored text gets U+FFFD in its place.
    conn = store.connect(tmp_path / "db.sqlite")
    result = store.ingest_text(conn, "Clashes erupted in Tadamon \ud800 on Monday.", res, published="2012-07-17")
    assert "\ufffd" in result.article.text and [m.surface for m in result.mentions] == ["Tadamon"]
    with pytest.raises(DuplicateArticleError):
        store.refuse_stored(conn, "Clashes erupted in Tadamon \ud800 on Monday.")
    conn.close()


def test_a_damaged_part_loads_nothing(tmp_path, capsys):
    # The first part is good, a later one damaged: the load is one transaction, so nothing stays half-loaded.
    out = tmp_path / "out.parquet"
    assert main(["extract", str(SEEDS), "-o", str(out), "-q"]) == 0
    (out / "zz-damaged.parquet").write_bytes(b"PAR1" + b"\x00" * 64)
    db = tmp_path / "db.sqlite"
    assert main(["load", str(out), "--db", str(db)]) == 2
    assert "zz-damaged.parquet: not a readable GeoParquet file" in capsys.readouterr().err
    conn = store.connect(db)
    assert conn.execute("SELECT count(*) FROM mentions").fetchone() == (0,)
    conn.close()


def test_a_big_acled_file_is_paired_once_and_drawn_within_the_limit(page, monkeypatch):
    calls = []
    real = acled_module.compare
    monkeypatch.setattr(acled_module, "compare", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(acled_module, "DRAW_LIMIT", 50)
    page.session_state["tab"] = "Compare with ACLED"
    page.run()
    row = "A{i},2012-07-{day:02d},2012,Battles,,D,x,{lat:.4f},36.3,,\n"
    rows = "".join(row.format(i=i, day=8 + i % 14, lat=33.4 + i / 5000) for i in range(300))
    page.file_uploader(key="acled_file").set_value(("big.csv", (ACLED_HEADER + "\n" + rows).encode(), "text/csv")).run()
    assert not page.exception, [e.value for e in page.exception]
    page.session_state["tab"] = "Map"
    page.run()
    page.run()  # a rerun with the same filters (the map reporting its view) pairs nothing anew
    assert not page.exception, [e.value for e in page.exception]
    assert len(calls) == 1
    said = " ".join(_plain(c.value) for c in page.caption)
    assert "Drawn: the 50 at most in this view" in said and "more are not drawn" in said, said
