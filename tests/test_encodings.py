"""Decoding article bytes: UTF-8 with bad bytes, UTF-16/32, legacy encodings, control characters."""

from __future__ import annotations

import codecs

import pytest

from geo.errors import DocumentError
from geo.extract.documents import decode_bytes, doc_id_for, load_article, make_article, safe_text, shown
from geo.extract.pipeline import extract_article

from .conftest import SEEDS

TEXT = "Clashes erupted in Tadamon and Qaboun on Monday, activists said. اشتباكات في حي التضامن\n"
QUOTED = "“Shelling hit Tadamon,” a resident of Syria’s capital said. “It was heavy in Qaboun.”\n"


def places(text: str, res) -> list[str]:
    article = make_article(text, "t", published="2012-07-17")
    return [m.place.id for m in extract_article(article, res).mentions if m.place]


def test_utf8_with_a_few_bad_bytes_stays_utf8(res):
    good = (QUOTED * 30).encode()
    first, second = good.index(b"capital", 400), good.index(b"heavy", 1200)  # between characters
    data = good[:first] + b"\xff" + good[first:second] + b"\xc3" + good[second:]
    text, warnings = decode_bytes(data, "stray.txt")
    assert text.count("\ufffd") == 2
    assert text.replace("\ufffd", "") == good.decode()
    assert "Syria’s" in text and "“Shelling" in text
    assert len(warnings) == 1 and f"stray.txt: 2 byte(s) not valid UTF-8 (the first at byte {first})" in warnings[0]
    assert places(text, res) == places(good.decode(), res)


def test_utf8_bom_is_dropped():
    text, warnings = decode_bytes(codecs.BOM_UTF8 + TEXT.encode(), "bom.txt")
    assert text == TEXT and warnings == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom(codec):
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    bom |= {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
    data = bom.get(codec, b"") + TEXT.encode(codec)
    assert decode_bytes(data, "wide.txt") == (TEXT, [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [TEXT, "Clashes erupted in Midan.\n", "اشتباكات في حي التضامن، دمشق. " * 5])
def test_utf16_without_a_bom_is_recognised_by_its_nuls(codec, text):
    decoded, warnings = decode_bytes(text.encode(codec), "wide.txt")
    assert decoded == text
    assert warnings == [f"wide.txt: no byte-order mark; read as {codec.upper()} from its NUL bytes: check the text"]


@pytest.mark.parametrize("encoding", ["cp1256", "cp1252"])
@pytest.mark.parametrize("times", [1, 20])
def test_text_clearly_not_utf8_is_decoded_as_a_legacy_encoding(encoding, times):
    text = "Clashes erupted in Tadamon, " + ("حي التضامن" if encoding == "cp1256" else "café owners said") + ".\n"
    decoded, warnings = decode_bytes((text * times).encode(encoding), "old.txt")
    assert decoded == text * times  # short texts too: no mac_iceland for Arabic
    assert len(warnings) == 1 and "old.txt: not valid UTF-8" in warnings[0] and "decoded as" in warnings[0]


def test_nul_and_control_characters_are_blanked_everywhere(tmp_path):
    body = "Clashes erupted in Midan. " * 4000  # past the first 64 KB
    raw = body + "Shelling\x00 hit\x07 Qaboun\x1b today\x85.\tThen\r\nmore.\n"
    (tmp_path / "n.txt").write_bytes(raw.encode())
    article = load_article(tmp_path / "n.txt", published="2012-07-17")
    assert len(article.text) == len(raw)  # one character for one: offsets do not move
    assert article.text.endswith("Shelling  hit  Qaboun  today .\tThen\r\nmore.\n")
    assert any("n: 4 control characters" in w for w in article.warnings)


def test_binary_is_still_refused():
    with pytest.raises(DocumentError, match="bin.txt: binary data"):
        decode_bytes(bytes(range(256)) * 40, "bin.txt")
    with pytest.raises(DocumentError, match="binary data"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "png.txt")


def test_lone_surrogates_in_a_text_become_replacement_characters():
    article = make_article("Clashes in Midan\udce9 today.", "s", published="2012-07-17")
    assert article.text == "Clashes in Midan\ufffd today."
    article.text.encode("utf-8")


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"caf\xe9.txt", "caf\\xe9"),
        (b"new\nline.txt", "new\\nline"),
        (b"\xd8\xaf\xd9\x85\xd8\xb4\xd9\x82.txt", "دمشق"),
        (b"000_9b595a6530a4b0e5.txt", "000_9b595a6530a4b0e5"),
    ],
)
def test_ids_and_shown_names_are_safe_for_any_file_name(raw, expected):
    assert doc_id_for(raw.decode("utf-8", "surrogateescape")) == expected
    name = shown(raw.decode("utf-8", "surrogateescape"))
    assert name == expected + ".txt"
    name.encode("utf-8")  # writable whatever the input


def test_safe_text_is_idempotent():
    once = safe_text("a\udce9\x00\u2028b\ud800")
    assert once == "a\\xe9\\x00\\u2028b\\ud800" and safe_text(once) == once


def test_one_stray_byte_in_a_seed_costs_no_mention(tmp_path, res):
    seed = SEEDS / "002_aab31fb640a810ee.txt"
    data = seed.read_bytes()
    cut = data.index(b". ", 2000) + 1
    (tmp_path / "s.txt").write_bytes(data[:cut] + b"\x92" + data[cut:])
    clean = extract_article(load_article(seed, published="2012-07-22"), res).mentions
    stray = extract_article(load_article(tmp_path / "s.txt", published="2012-07-22"), res).mentions
    assert [m.surface for m in stray] == [m.surface for m in clean]
    at = len(data[:cut].decode())  # in characters
    assert [m.start for m in stray] == [m.start + (m.start >= at) for m in clean]  # U+FFFD takes one place


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Des affrontements à Homs, près de la frontière; les rebelles ont été repoussés.", "latin-1"),
        ("Enfrentamientos en Alepo: el ejército bombardeó el barrio, según la oposición. Año difícil.", "cp1252"),
        ("Confrontos em Damasco não param; a oposição diz que são milhões de deslocados.", "cp1252"),
        ("Halep'te çatışmalar: muhalifler şehrin güneyinde ağır çatışmalar bildiriyor.", "cp1254"),
        ("Boje v Aleppu: povstalci hlásí těžké střety na jihu města, řekl mluvčí.", "cp1250"),
        ("Бои в Алеппо: повстанцы сообщают о тяжёлых столкновениях на юге города.", "cp1251"),
    ],
    ids=["french", "spanish", "portuguese", "turkish", "czech", "russian"],
)
def test_a_legacy_text_is_decoded_in_the_encoding_of_its_language(text, encoding):
    # The detector scores cp1250 and cp1252 alike on Latin texts: "à" must not come back as "ŕ".
    decoded, warnings = decode_bytes(text.encode(encoding), "old.txt")
    assert decoded == text and len(warnings) == 1
