import json
import time
from datetime import date

import pytest

from geo.errors import DocumentError, MetadataError
from geo.extract.documents import (
    META_MAX_CHARS,
    decode_bytes,
    latest_published,
    load_article,
    make_article,
    parse_date,
    strip_markup,
)

TEXT = "Clashes erupted in Kafr Sousa, activists said. كفر سوسة\n"


def test_utf8_with_sidecar(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps({"published": "2012-07-17", "outlet": "AFP"}))
    art = load_article(tmp_path / "a.txt")
    assert art.doc_id == "a" and art.outlet == "AFP" and str(art.published) == "2012-07-17"
    assert art.warnings == ()


def test_empty_file(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"  \n")
    with pytest.raises(DocumentError, match="empty"):
        load_article(tmp_path / "e.txt")


def test_binary_file(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(DocumentError, match="binary"):
        load_article(tmp_path / "b.txt")


@pytest.mark.parametrize("encoding", ["cp1256", "latin-1"])
def test_legacy_encodings_decode_with_a_warning(tmp_path, encoding):
    text = TEXT if encoding == "cp1256" else "Clashes erupted in Kafr Sousa, café owners said.\n"
    (tmp_path / "l.txt").write_bytes(text.encode(encoding))
    art = load_article(tmp_path / "l.txt", published="2012-07-17")
    assert "Kafr Sousa" in art.text
    assert any("not valid UTF-8" in w for w in art.warnings)


def test_too_large_file(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"Clashes in Midan. " * (20_000_000 // 18))
    with pytest.raises(DocumentError, match="larger than"):
        load_article(tmp_path / "big.txt")


def test_invalid_or_missing_date_is_a_warning(tmp_path):
    (tmp_path / "d.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "d.meta.json").write_text(json.dumps({"published": "17/07/2012"}))
    art = load_article(tmp_path / "d.txt")
    assert art.published is None
    assert any("YYYY-MM-DD" in w and "left unresolved" in w for w in art.warnings)
    assert any("no publication date" in w for w in make_article(TEXT, "x").warnings)


def test_malformed_sidecar(tmp_path):
    (tmp_path / "m.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "m.meta.json").write_text("{not json")
    with pytest.raises(MetadataError, match="m.meta.json: not valid JSON"):
        load_article(tmp_path / "m.txt")


def test_markup_is_blanked_keeping_offsets():
    raw = 'In <b>Midan</b> <script>alert("x")</script><img src=x onerror=alert(1)> clashes.'
    clean, count = strip_markup(raw)
    assert len(clean) == len(raw) and count == 4
    assert "<" not in clean and "alert" not in clean
    assert clean[raw.index("Midan") :].startswith("Midan")


def test_decode_bytes_names_the_source():
    with pytest.raises(DocumentError, match="upload.txt"):
        decode_bytes(b"", "upload.txt")


def test_entities_are_decoded_with_markup_keeping_offsets():
    raw = "<p>Shelling hit Tadamon &amp; Qaboun, activists&#39; sources said &nbsp;&notit; &#x27;x&#0;</p>"
    clean, _ = strip_markup(raw)
    assert len(clean) == len(raw)
    assert clean[raw.index("Qaboun") :].startswith("Qaboun")
    assert "Tadamon &     Qaboun, activists'     sources" in clean
    assert "&notit;" in clean and "'     x\ufffd   " in clean and "\xa0     " in clean


def test_entities_stay_in_plain_text():
    assert strip_markup("Tom &amp; Jerry") == ("Tom &amp; Jerry", 0)


@pytest.mark.parametrize(
    "raw",
    [
        "<script>var a = '<b>';</script>In Midan.",
        "<!-- a <b> comment -->In Midan.",
        "<script>In Midan. <!-- never closed",
        "<STYLE type=x>p {}</style\n>In Midan.",
    ],
)
def test_scripts_styles_and_comments_are_blanked_whole(raw):
    clean, count = strip_markup(raw)
    assert len(clean) == len(raw) and count >= 1
    assert clean.strip().startswith("In Midan.") or "In Midan." in clean
    assert "var" not in clean and "comment" not in clean and "{}" not in clean


def _cpu_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        strip_markup(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("pattern", ["<script>", "<!--", "<style x>", "<a ", "<b>x</b>", "</script", "&amp;<i>"])
def test_markup_stripping_is_linear(pattern):
    # Ten times the text may take at most ~15 times as long (quadratic would be ~100x).
    # The small text's time has a floor of 20 ms: below it, timer and cache noise decide the ratio, and
    # a quadratic scan of the large text would still take seconds.
    small, large = (("Clashes in Midan. " + pattern * (n // len(pattern))) for n in (40_000, 400_000))
    assert _cpu_seconds(large) <= 15 * max(_cpu_seconds(small), 0.02)


def test_publication_dates_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="0001-01-01 is outside 1900-01-01"):
        parse_date("0001-01-01", "published")
    with pytest.raises(ValueError, match="2012-07-19 is outside 1900-01-01 .. 2012-07-18"):
        parse_date("2012-07-19", "published", latest=latest_published(date(2012, 7, 17)))
    for bad in (date(1, 1, 1), date(9999, 12, 31), "9999-12-31"):
        article = make_article(TEXT, "d", published=bad)
        assert article.published is None
        assert any("outside 1900-01-01" in w and "left unresolved" in w for w in article.warnings)


def test_metadata_fields_are_cleaned_and_capped():
    art = make_article(TEXT, "m", title="A\x00title\n", outlet="O" * 5000, url=["not", "text"])
    assert art.title == "A title" and art.outlet == "O" * META_MAX_CHARS and art.url is None
    assert any("outlet cut from 5,000 to 1,000" in w for w in art.warnings)
    assert any("url must be text" in w for w in art.warnings)


def test_folders_are_listed_in_sorted_order_one_folder_at_a_time(tmp_path):
    import tracemalloc

    from geo.extract.documents import article_paths

    tree = ["a.txt", "a/b.txt", "a-b/c.txt", "a/z/y.txt", "b.TXT", "c.txt/inner.txt", "d/e.meta.json", "Z.txt"]
    for name in tree:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)  # not followed, as rglob
    expected = sorted(p for p in tmp_path.rglob("*.txt") if not p.is_dir())
    assert list(article_paths([tmp_path])) == expected
    assert [p.relative_to(tmp_path).as_posix() for p in expected] == [
        "Z.txt",
        "a/b.txt",
        "a/z/y.txt",
        "a-b/c.txt",
        "a.txt",
        "c.txt/inner.txt",
    ]

    # 6,000 files in 60 folders: the listing holds one folder's entries, not every path.
    big = tmp_path / "big"
    for d in range(60):
        folder = big / f"f{d:02d}"
        folder.mkdir(parents=True)
        for i in range(100):
            (folder / f"article-with-a-long-name-{i:04d}.txt").touch()

    def peak(consume) -> int:
        tracemalloc.start()
        consume()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    streamed = peak(lambda: sum(1 for _ in article_paths([big])))
    listed = peak(lambda: len(sorted(big.rglob("*.txt"))))
    assert streamed * 5 < listed, (streamed, listed)
