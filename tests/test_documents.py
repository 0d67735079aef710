import json

import pytest

from geo.errors import DocumentError, MetadataError
from geo.extract.documents import decode_bytes, load_article, make_article, strip_markup

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
