import pytest

from geo.extract.text import place_key, sentences, similarity, skeleton

# Spellings of one name that English text produces, and the key they share.
VARIANTS = [
    ("Kafar Souseh", "Kafersouseh", "Kafarsouseh"),
    ("Yarmouk", "Yarmuk", "Al-Yarmouk"),
    ("Hajar Aswad", "Al-Hajar Al-Aswad", "al-Hajar al-Aswad", "Hajar al-Aswad"),
    ("Tadamon", "Tadamun", "Tadamoun", "al-Tadamon"),
    ("Qadam", "Kadam", "al-Qadam"),
    ("Qaboun", "Al-Kaboun", "Kaboun", "Qabun"),
    ("Sayyida Zaynab", "Sayyidah Zaynab", "Sayida Zaynab"),
    ("Nahr Ayshe", "Nahr Aisha", "Nahr Aysha"),
    ("Mezze", "Mazzeh", "Mezzeh", "Mazze", "al-Mazzeh"),
    ("Midan", "Al-Midan", "al Midan"),
    ("Daff al-Shok", "Daf al-Shouk", "Daff Shok"),
    ("Douma", "Duma", "Doumah"),
    ("Deir al-Zour", "Deir el-Zour", "Dayr al-Zour"),
]


@pytest.mark.parametrize("spellings", VARIANTS, ids=lambda v: v[0])
def test_variants_share_one_key(spellings):
    keys = {place_key(s) for s in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    "a,b",
    [
        ("Midan", "Medina"),
        ("Hama", "Home"),
        ("Homs", "Hums Road"),
        ("Damascus", "Damascus province"),
        ("Syria", "Syrian"),
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert place_key(a) != place_key(b)


def test_kfar_and_kafar_are_close_but_not_equal():
    a, b = place_key("Kfar Sousa"), place_key("Kafar Souseh")
    assert a != b
    assert skeleton(a) == skeleton(b)
    assert similarity(a, b) >= 0.8


def test_sentences_keep_offsets_and_abbreviations():
    text = "Mr. Assad spoke. Clashes hit Midan on Monday.\n\nGen. Tlas defected to Paris!"
    out = sentences(text)
    assert [s.text for s in out] == ["Mr. Assad spoke.", "Clashes hit Midan on Monday.", "Gen. Tlas defected to Paris!"]
    for s in out:
        assert text[s.start : s.end] == s.text
    assert out[2].paragraph == 1


def test_short_line_without_full_stop_is_a_heading():
    out = sentences("Fighting reaches Damascus\n\nClashes erupted in Midan.")
    assert out[0].heading and not out[1].heading
