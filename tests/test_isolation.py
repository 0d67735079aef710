"""One bad file never costs the others: one test per class of fault, on real files.

Each test puts two good articles beside one bad input, runs ``extract`` and
checks that every mention of the good articles is in the output, that the
message names the bad file, and the exit status (0 all read, 1 some refused,
2 nothing read).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from geo import store
from geo.extract.batch import extract_files
from geo.extract.documents import META_MAX_CHARS, make_article
from geo.tools.cli import main

GOOD = {
    "good1": ("Clashes erupted in Midan yesterday, activists said.\n", "2012-07-17"),
    "good2": ("Shelling hit Qaboun on Monday, residents said.\n", "2012-07-18"),
}
BAD_TEXT = "Rebels fought troops in Tadamon yesterday.\n"


def write_good(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for stem, (text, published) in GOOD.items():
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
        (folder / f"{stem}.meta.json").write_text(json.dumps({"published": published}))


def run(tmp_path: Path, *paths, capsys) -> tuple[int, str, list[dict]]:
    out = tmp_path / "out.geojson"
    status = main(["extract", "-o", str(out), *map(str, paths)])
    features = json.loads(out.read_text(encoding="utf-8"))["features"] if out.exists() else []
    return status, capsys.readouterr().err, features


@pytest.fixture
def good_ids(tmp_path_factory, capsys):
    """The mention ids of the good articles alone: each test expects all of them."""
    folder = tmp_path_factory.mktemp("clean")
    write_good(folder / "in")
    status, _, features = run(folder, folder / "in", capsys=capsys)
    assert status == 0 and len(features) == 2
    return {f["properties"]["mention_id"] for f in features}


@pytest.fixture
def folder(tmp_path):
    write_good(tmp_path / "in")
    return tmp_path / "in"


def ids(features: list[dict]) -> set[str]:
    return {f["properties"]["mention_id"] for f in features}


def error_line(err: str, name: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:") and name in line]
    assert len(lines) == 1, err
    return lines[0]


# Sidecars that are not a small regular JSON file: each refuses its article, and only it.
SIDECAR_FAULTS = {
    "fifo": (lambda p: os.mkfifo(p), "named pipe"),
    "dev-zero": (lambda p: os.symlink("/dev/zero", p), "is a device"),
    "folder": (lambda p: p.mkdir(), "is a folder"),
    "nested": (lambda p: p.write_text("[" * 200_000), "nested too deeply"),
    "too-large": (lambda p: p.write_text(json.dumps({"title": "T" * 10_000_000})), "limit for a sidecar"),
    "not-json": (lambda p: p.write_text("{published: 2012}"), "not valid JSON"),
}


@pytest.mark.parametrize("fault", sorted(SIDECAR_FAULTS))
def test_a_bad_sidecar_refuses_only_its_article(folder, tmp_path, good_ids, capsys, fault):
    make, reason = SIDECAR_FAULTS[fault]
    (folder / "bad.txt").write_text(BAD_TEXT, encoding="utf-8")
    make(folder / "bad.meta.json")
    status, err, features = run(tmp_path, folder, capsys=capsys)
    assert status == 1
    assert good_ids == ids(features)
    line = error_line(err, "bad.meta.json")
    assert reason in line and line.count("bad.meta.json") == 1
    assert "1 file(s) refused" in err


# Articles that are not regular files: refused with the reason, never read.
ARTICLE_FAULTS = {
    "fifo": (lambda p: os.mkfifo(p), "named pipe"),
    "dev-zero": (lambda p: os.symlink("/dev/zero", p), "is a device"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty"),
    "binary": (lambda p: p.write_bytes(bytes(range(32)) * 100), "binary data"),
}


@pytest.mark.parametrize("fault", sorted(ARTICLE_FAULTS))
@pytest.mark.parametrize("given", ["in-folder", "by-name"])
def test_a_bad_article_file_is_refused_alone(folder, tmp_path, good_ids, capsys, fault, given):
    make, reason = ARTICLE_FAULTS[fault]
    make(folder / "bad.txt")
    paths = [folder] if given == "in-folder" else [folder / "good1.txt", folder / "bad.txt", folder / "good2.txt"]
    status, err, features = run(tmp_path, *paths, capsys=capsys)
    assert status == 1
    assert good_ids == ids(features)
    line = error_line(err, "bad.txt")
    assert reason in line and line.count("bad.txt") == 1  # the name once, not "bad.txt: bad.txt: ..."


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_publication_date_out_of_range_is_refused_and_the_article_read(folder, tmp_path, good_ids, capsys, published):
    (folder / "bad.txt").write_text(BAD_TEXT + "More fighting is expected tomorrow.\n", encoding="utf-8")
    (folder / "bad.meta.json").write_text(json.dumps({"published": published}))
    status, err, features = run(tmp_path, folder, capsys=capsys)
    assert status == 0  # the date is refused, not the file
    assert good_ids < ids(features)
    bad = [f["properties"] for f in features if f["properties"]["doc_id"] == "bad"]
    assert bad and all(p["date"] is None and p["published"] is None for p in bad)
    warning = next(line for line in err.splitlines() if "outside 1900-01-01" in line)
    assert "bad.meta.json" in warning and published in warning


def test_published_option_out_of_range_is_a_usage_error(folder, tmp_path, capsys):
    status, err, features = run(tmp_path, "--published", "0001-01-01", folder, capsys=capsys)
    assert status == 2 and features == []
    assert "--published 0001-01-01 is outside 1900-01-01" in err


def test_latest_date_is_a_parameter_not_the_clock():
    text = "Clashes erupted in Midan yesterday."
    kept = make_article(text, "a", published="2012-07-18", latest=date(2012, 7, 18))
    refused = make_article(text, "a", published="2012-07-19", latest=date(2012, 7, 18))
    assert kept.published == date(2012, 7, 18) and refused.published is None
    assert any("2012-07-19 is outside 1900-01-01 .. 2012-07-18" in w for w in refused.warnings)


def test_a_file_name_that_is_not_utf8_gets_a_safe_id(folder, tmp_path, good_ids, capsys):
    raw = os.fsencode(folder)
    with open(os.path.join(raw, b"caf\xe9.txt"), "wb") as fh:
        fh.write(BAD_TEXT.encode())
    with open(os.path.join(raw, b"vide\xff.txt"), "wb") as fh:
        fh.write(b"")
    status, err, features = run(tmp_path, folder, capsys=capsys)
    assert status == 1  # the empty one is refused; the other is read
    assert good_ids < ids(features)
    assert {"caf\\xe9"} == {f["properties"]["doc_id"] for f in features} - set(GOOD)
    assert "vide\\xff.txt: the file is empty" in error_line(err, "vide")


def test_a_huge_title_is_cut_not_copied_into_every_feature(folder, tmp_path, capsys):
    (folder / "bad.txt").write_text(BAD_TEXT * 50, encoding="utf-8")
    (folder / "bad.meta.json").write_text(json.dumps({"published": "2012-07-17", "title": "T" * 900_000}))
    status, err, features = run(tmp_path, folder, capsys=capsys)
    assert status == 0
    titles = [f["properties"]["title"] for f in features if f["properties"]["doc_id"] == "bad"]
    assert len(titles) == 50 and {len(t) for t in titles} == {META_MAX_CHARS}
    assert "title cut from 900,000 to 1,000 characters" in err
    assert (tmp_path / "out.geojson").stat().st_size < 1_000_000


def test_a_huge_title_given_to_the_store_is_cut(tmp_path, res):
    conn = store.connect(tmp_path / "db.sqlite")
    result = store.ingest_text(conn, BAD_TEXT, res, published="2012-07-17", title="T" * 10_000_000)
    assert len(result.article.title) == META_MAX_CHARS
    assert store.get_article(conn, result.article.doc_id)["title"] == "T" * META_MAX_CHARS
    conn.close()


def test_a_date_out_of_range_given_to_the_store_is_refused(tmp_path, res):
    conn = store.connect(tmp_path / "db.sqlite")
    result = store.ingest_bytes(conn, BAD_TEXT.encode(), "up.txt", res, published="0001-01-01")
    assert result.article.published is None and all(m.date.date is None for m in result.mentions)
    assert any("outside 1900-01-01" in w for w in result.warnings)
    conn.close()


def explode_on_bad(result, res):
    """A ``per_article`` that fails on one article, as a bug met on one input would."""
    if result.article.doc_id == "bad":
        raise OverflowError("date value out of range")
    return [m.mention_id for m in result.mentions]


def test_an_unexpected_error_in_one_file_costs_only_that_file(folder):
    (folder / "bad.txt").write_text(BAD_TEXT, encoding="utf-8")
    done = list(extract_files([str(folder)], per_article=explode_on_bad, jobs=1))
    assert [d.doc_id for d in done] == ["bad", "good1", "good2"]
    assert done[0].failure.startswith(f"{folder / 'bad.txt'}: extraction failed (OverflowError")
    assert all(d.failure is None and d.output for d in done[1:])


def test_exit_status_when_nothing_is_read(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    assert run(tmp_path, tmp_path / "in", capsys=capsys)[0] == 2
    assert run(tmp_path, tmp_path / "missing", capsys=capsys)[0] == 2
    (tmp_path / "in" / "empty.txt").unlink()
    assert run(tmp_path, tmp_path / "in", capsys=capsys)[0] == 2


def test_unwritable_output_is_a_usage_error(folder, tmp_path, capsys):
    status = main(["extract", "-o", str(tmp_path / "no" / "such" / "dir" / "o.geojson"), str(folder)])
    assert status == 2 and "cannot write" in capsys.readouterr().err


def test_json_lines_get_the_same_checks(folder, tmp_path, good_ids, capsys):
    os.mkfifo(folder / "pipe.jsonl")
    line = {"text": BAD_TEXT, "published": "9999-12-31", "title": "T" * 5000}
    with open(os.path.join(os.fsencode(folder), b"wire\xe9.jsonl"), "w") as fh:
        fh.write(json.dumps(line) + "\n")
    status, err, features = run(tmp_path, folder, folder / "pipe.jsonl", capsys=capsys)
    assert status == 1 and good_ids < ids(features)
    assert "pipe.jsonl: is a named pipe" in error_line(err, "pipe.jsonl")
    wire = [f["properties"] for f in features if f["properties"]["doc_id"].startswith("wire\\xe9-1-")]
    assert wire and all(p["date"] is None and len(p["title"]) == META_MAX_CHARS for p in wire)
    assert "wire\\xe9.jsonl:1: published 9999-12-31 is outside 1900-01-01" in err
