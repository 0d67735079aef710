import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.extract.text import (
    MAX_SENTENCE_CHARS,
    MAX_SENTENCE_WORDS,
    clause_tail,
    context_start,
    place_key,
    sentences,
    similarity,
    skeleton,
    tail_within,
)

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


def test_a_run_of_full_stops_is_one_failed_sentence_end():
    text = "Clashes hit Midan." + "." * 5000 + " Shelling hit Douma."
    out = sentences(text)
    assert out[-1].text == "Shelling hit Douma."
    for s in out:
        assert text[s.start : s.end] == s.text


def test_abbreviation_after_a_long_sentence_start_is_still_an_abbreviation():
    text = "Fighters " + "moved " * 50 + "with Gen. Tlas today. Clashes hit Midan."
    assert [s.text.split()[-1] for s in sentences(text)] == ["today.", "Midan."]


@pytest.mark.parametrize(
    "filler",
    ["word ", "A. ", "Mr. Smith ", "a, b; ", "x" * 7, ".", "\tx"],
    ids=["words", "initials", "abbreviations", "commas", "one long word", "dots", "tabs"],
)
def test_long_sentences_are_cut_into_bounded_pieces(filler):
    text = "Clashes hit Midan. " + filler * (30_000 // len(filler))
    out = sentences(text)
    assert len(out) > 2
    for s in out:
        assert text[s.start : s.end] == s.text
        assert len(s.text) <= MAX_SENTENCE_CHARS
        assert len(s.text.split()) <= MAX_SENTENCE_WORDS
    # Nothing but blanks is lost between the pieces.
    assert "".join(text[a.end : b.start] for a, b in zip(out, out[1:])).strip() == ""


def test_a_long_sentence_is_cut_after_a_comma():
    text = " ".join(["word"] * 150 + ["Homs,"] + ["word"] * 150)
    assert sentences(text)[0].text.endswith("Homs,")  # not at the 200th word


def test_a_long_sentence_is_never_cut_inside_a_kept_range():
    text = " ".join(["word"] * 199 + ["Kafar", "Souseh"] + ["word"] * 100)
    assert sentences(text)[0].text.endswith("Kafar")  # the 200th word
    name = text.index("Kafar Souseh")
    out = sentences(text, keep=[(name, name + len("Kafar Souseh"))])
    assert out[1].text.startswith("Kafar Souseh")


def test_blanks_after_a_sentence_do_not_make_it_long():
    text = "Clashes hit Midan." + "\t" * 10_000
    assert [s.text for s in sentences(text)] == ["Clashes hit Midan."]


def test_context_window_is_whole_words_and_bounded():
    text = "a " * 1000 + "Midan"
    start = context_start(text, len(text) - 5, 0, words=10, max_chars=100)
    assert text[start:] == "a " * 10 + "Midan"
    assert context_start(text, 10, 0) == 0  # a short sentence is read whole


NAME = "Kafar Souseh al Balad Jdeidet Yabous"  # six words: a cut between them is likely


@settings(max_examples=150, deadline=None)
@given(
    # No sentence ends or line breaks (those are tested above): one long sentence to cut.
    st.lists(st.sampled_from(["word", NAME, NAME, ",", "A.", "Mr.", " ", "\t", "x" * 300]), min_size=200, max_size=400)
)
def test_sentence_pieces_are_exact_bounded_and_keep_ranges_whole(parts):
    text = " ".join(parts)
    keep = [(i, i + len(NAME)) for i in range(len(text)) if text.startswith(NAME, i)]
    out = sentences(text, keep=keep)
    for s in out:
        assert text[s.start : s.end] == s.text == s.text.strip()
        assert len(s.text) <= MAX_SENTENCE_CHARS + len(NAME)
    for a, b in keep:
        assert not any(a < s.start < b or a < s.end < b for s in out), (a, b)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=list('ab ;:“”",.'), max_size=60),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=30),
)
def test_a_shorter_clause_tail_is_cut_from_a_longer_one(text, start, chars, more):
    start = min(start, len(text))
    longer = clause_tail(text[max(0, start - chars - more) : start])
    assert tail_within(longer, start, chars) == clause_tail(text[max(0, start - chars) : start])
