"""Extraction time grows linearly with the text, whatever the text.

Each pathological pattern is repeated after a normal sentence to two sizes ten
times apart; the larger may take at most LIMIT times as long as the smaller (a
quadratic pass takes a hundred times as long). Times are CPU seconds of this
process, the best of a few runs, so other work on the machine hardly counts.
A fuzz test then mixes place names, triggers, dates, punctuation, line breaks
and markup, and checks that offsets and sentences stay exact.
"""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import DocumentError
from geo.extract.documents import make_article
from geo.extract.events import ToldEvents
from geo.extract.pipeline import extract_article

LEAD = "Clashes erupted in Tadamon on Monday, activists said. "
SMALL, LARGE = 5_000, 50_000
LIMIT = 15  # ten times the text; linear work takes about ten times as long
MIN_SECONDS = 0.02  # repeat a short run until it lasts this long, so the small figure is not noise

# (what the pattern attacks, the pattern)
PATTERNS = [
    ("sentence-end run", "."),
    ("exclamation run", "!"),
    ("initials without sentence ends", "A. "),
    ("abbreviation and name, never a sentence end", "Mr. Smith "),
    ("abbreviated country, dense foreign mentions", "U.S. "),
    ("one sentence of events and dates", "clashes in Damascus on Monday, "),
    ("speaker segments", "said Damascus, "),
    ("according-to segments", "according to Midan, "),
    ("descriptions", "Midan, one of the "),
    ("asides", ", which clashed in Douma"),
    ("place lists", "Damascus, Homs, Aleppo and "),
    ("time expressions", "on Monday last week two days ago "),
    ("anaphora over a long story", "The bombing in Douma killed ten. Clashes hit Homs on Monday. "),
    ("lines with blank-looking breaks", "x \n \n"),
    ("words without sentence ends", "the fighters went "),
]


def _cpu_seconds(text: str, res, runs: int = 3) -> float:
    """CPU seconds of one extraction: the best of `runs`, each long enough to measure."""
    article = make_article(text, "x", published="2012-07-17")
    best = float("inf")
    reps = 1
    for _ in range(runs):
        start = time.process_time()
        for _ in range(reps):
            extract_article(article, res)
        spent = time.process_time() - start
        while spent < MIN_SECONDS:  # too short to trust: measure more repetitions
            reps *= 2
            start = time.process_time()
            for _ in range(reps):
                extract_article(article, res)
            spent = time.process_time() - start
        best = min(best, spent / reps)
    return best


@pytest.mark.parametrize("pattern", [p for _, p in PATTERNS], ids=[name for name, _ in PATTERNS])
def test_time_grows_linearly(res, pattern):
    figures = []
    for _attempt in range(2):  # a second measurement when the first looks bad: a shared machine is noisy
        small = _cpu_seconds(LEAD + pattern * (SMALL // len(pattern)), res)
        large = _cpu_seconds(LEAD + pattern * (LARGE // len(pattern)), res, runs=2)
        figures.append(f"{small:.4f} s -> {large:.4f} s")
        if large <= LIMIT * small:
            return
    pytest.fail(f"{SMALL} -> {LARGE} characters took more than {LIMIT} times as long: {'; '.join(figures)}")


def test_long_run_still_finds_the_leading_event(res):
    # The pieces a long run is cut into do not change what the normal sentence says.
    text = LEAD + "." * 20_000 + " Shelling hit Douma on Tuesday."
    mentions = extract_article(make_article(text, "x", published="2012-07-17"), res).mentions
    assert [(m.surface, m.is_event, str(m.date.date)) for m in mentions] == [
        ("Tadamon", True, "2012-07-16"),
        ("Douma", True, "2012-07-17"),
    ]


def test_recall_takes_the_latest_event_of_a_family():
    told = ToldEvents()
    told.append(("blast", "d1", "Explosions/Remote violence", "x", "douma"))
    told.append(("clash", "d2", "Battles", "y", "homs"))
    told.append(("attack", "d3", "Violence against civilians", "z", None))
    assert told.latest(["blast", "attack"])[1] == "d3"
    assert told.latest([("blast", "douma"), ("attack", "douma")])[1] == "d1"
    assert told.latest(["shelling"]) is None
    assert len(told) == 3 and told[1][0] == "clash"  # still the list it was


# --- fuzz: random mixes of what articles are made of --------------------------------

FRAGMENTS = [
    # places, known and unknown, in several spellings
    "Damascus",
    "Homs",
    "Midan",
    "Kafar Souseh",
    "al-Qaboun",
    "Douma",
    "Yarmouk",
    "Hajar al-Aswad",
    "Syria",
    "Russia",
    "U.S.",
    "Lebanon",
    "Qusourxy",
    "Jdeidet Yabous",
    "Hospital",
    "mosque",
    "district",
    "Al-",
    "Abu",
    "DAMASCUS",
    "Homs's",
    # triggers and cues
    "clashes",
    "shelling",
    "killed",
    "bombing",
    "fled to",
    "retook",
    "stormed",
    "battle for",
    "no clashes",
    "in",
    "near",
    "the district of",
    "said",
    "according to",
    "one of the",
    "which",
    "residents of",
    # time expressions
    "on Monday",
    "yesterday",
    "July 15",
    "2012-07-16",
    "two days ago",
    "last week",
    "since March 2011",
    # punctuation, abbreviations, line breaks
    ".",
    ". ",
    "!",
    "?",
    ",",
    ";",
    " - ",
    "–",
    "(",
    ")",
    "“",
    "”",
    '"',
    "...",
    "Mr.",
    "Gen.",
    "A.",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    " \n ",
    # markup and entities
    "<p>",
    "</p>",
    "<b>",
    "&amp;",
    "<!-- note -->",
    "<script>x</script>",
    "<br/>",
]
_pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4))
_texts = st.builds(
    lambda parts, seps, times: (" ".join(parts) if seps else "".join(parts)) * times,
    st.lists(_pieces, min_size=1, max_size=60),
    st.booleans(),
    st.integers(min_value=1, max_value=40),  # repeated: long sentences and runs get cut into pieces
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_fuzz_offsets_and_sentences_stay_exact(res, text):
    if not text.strip():
        return  # an empty text is refused before extraction (tested in test_documents)
    try:
        article = make_article(text, "x", published="2012-07-17")
    except DocumentError as exc:  # nothing but markup: refused with a message, before extraction
        assert "nothing but markup or control characters" in str(exc)
        return
    result = extract_article(article, res)
    body = article.text
    for m in result.mentions:
        assert body[m.start : m.end] == m.surface
        assert body[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence
        assert m.sentence_start <= m.start and m.end <= m.sentence_start + len(m.sentence), (m.surface, m.sentence)
