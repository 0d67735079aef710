"""The first-character scanner finds exactly what the combined pattern finds."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.extract import dates
from geo.extract.lexicon import DEFAULT_LEXICON, _lc
from geo.extract.scan import Scanner, first_chars, head_filter, heads, top_alternatives
from geo.extract.text import lowered

from .conftest import DATA, SEEDS

# Written for the scanner: first listed wins at a position, look-behinds, digits, words
# that only start like a pattern, non-ASCII letters and marks.
TEXTS = [
    "Heavy clashes and shelling hit the town; the clash-weary residents fled.",
    "Shells fell on the refugees' camp, not the Palestinian refugees in it.",
    "Éclats of shell-fire; 12 mortar rounds landed at dawn, ١٢ more later.",
    "car bombs, a car-bomb and a bomb: suicide car bombers struck twice",
    "",
    "troops shelled;shelling!(shelled) «clashes» clashes_ clashes9 9clashes",
]


def _combined_vs_scanner(scanner: Scanner, text: str):
    combined = [(m.span(), m.lastgroup) for m in scanner.combined.finditer(text)]
    scanned = [(m.span(), m.lastgroup) for m in scanner.finditer(text)]
    return combined, scanned


@pytest.mark.parametrize("text", TEXTS)
def test_scanner_finds_what_the_combined_pattern_finds(text):
    scanner = Scanner(
        r"[^\W\d_]",
        [
            ("t0", "suicide (?:car )?bomb(?:ers?)?|car[- ]?bombs?"),
            ("t1", "bombs?|shell(?:s|ed|ing)?|(?<!palestinian )refugees?"),
            ("t2", r"(?:clash|mortar)(?:es)?|\w+ rounds"),
            ("t3", "clashes"),  # never wins: t2 is listed first
        ],
        suffix=r"\b",
    )
    combined, scanned = _combined_vs_scanner(scanner, lowered(text))
    assert scanned == combined


def test_first_listed_pattern_wins():
    scanner = Scanner(r"\w", [("a", "clash"), ("b", "clashes")])
    assert [m.lastgroup for m in scanner.finditer("clashes")] == ["a"]


def test_lexicon_triggers_scan_as_the_combined_pattern(res):
    lex = res.lexicon
    texts = [p.read_text(encoding="utf-8") for p in [*SEEDS.glob("*.txt"), *DATA.rglob("*.txt")]]
    assert texts
    for text in texts:
        low = lowered(text)
        combined = [(m.span(), m.lastgroup) for m in lex.any_trigger.finditer(low)]
        assert [(m.span(), m.lastgroup) for m in lex.trigger_scan.finditer(low)] == combined


@pytest.mark.parametrize(
    "pattern,chars",
    [
        ("(?<!for )refugees?|air ?strikes?", {"r", "a"}),
        ("[b-d]ombs?", {"b", "c", "d"}),
        ("(?:the )?battle", {"t", "b"}),
        (r"\d+ killed", None),
        ("[^a]x", None),
        ("(?i)x", None),
        ("a?", None),  # may match nothing: may start anywhere
    ],
)
def test_first_chars(pattern, chars):
    assert first_chars(pattern) == (frozenset(chars) if chars is not None else None)


def test_top_alternatives_split_outside_groups_and_classes():
    assert top_alternatives(r"a(?:b|c)|[|]d|[]|]e|f\|g") == ["a(?:b|c)", "[|]d", "[]|]e", r"f\|g"]


@pytest.mark.parametrize(
    "pattern,begins",
    [
        ("(?<!for )refugees?|air ?strikes?", {"refugee", "refugees", "air\\ stri", "airstrik"}),
        ("(?:the )?battle", {"the\\ batt", "battle"}),  # an optional part is read both ways
        ("shell(?:s|ing)+", {"shells", "shelling"}),  # after one repetition, reading stops
        (r"\bclash\b", {"clash"}),  # assertions are passed over
        ("[bc]ombs?", {("[\\U00000062\\U00000063]", "o", "m", "b", "s"), ("[\\U00000062\\U00000063]", "o", "m", "b")}),
        (r"\d+ killed", {(r"[\d]",)}),
        ("(?i)x", None),  # flags: unknown
        ("a?", None),  # may match nothing: may begin anywhere
        ("(a)\\1", {("a",)}),  # a back-reference stops the reading
    ],
)
def test_heads(pattern, begins):
    found = heads(pattern)
    if begins is None:
        assert found is None
    else:
        assert {"".join(b) for b in found} == {b if isinstance(b, str) else "".join(b) for b in begins}


def _unfiltered(pattern: re.Pattern) -> re.Pattern:
    """The same pattern without its head filter (the look-ahead after the word-start test)."""
    text = pattern.pattern
    head = r"(?<!\w)(?=\w)"
    assert text.startswith(head + "(?=")
    depth, i = 0, len(head)
    while True:  # the filter's closing parenthesis
        i += 1 if text[i] != "\\" else 2
        if text[i - 1] == "(" and text[i - 2 : i] != "\\(":
            depth += 1
        elif text[i - 1] == ")" and text[i - 2 : i] != "\\)":
            depth -= 1
            if depth == 0:
                return re.compile(head + text[i:])


def _texts() -> list[str]:
    return TEXTS + [p.read_text(encoding="utf-8") for p in [*SEEDS.glob("*.txt"), *DATA.rglob("*.txt")]]


def test_time_pattern_with_head_filter_finds_what_it_finds_without():
    table = dates.time_table()
    plain = re.compile(r"(?<!\w)(?=\w)(?:" + "|".join(f"(?:{p})" for p in table.lower_patterns) + ")")
    for text in _texts():
        low = lowered(text)
        assert [m.span() for m in table.regex.finditer(low)] == [m.span() for m in plain.finditer(low)]


@pytest.mark.parametrize("name", ["attribution", "hedged", "unverified"])
def test_lexicon_passes_with_head_filter_find_what_they_find_without(res, name):
    filtered = getattr(res.lexicon, name)
    plain = _unfiltered(filtered)
    for text in _texts():
        low = lowered(text)
        assert [(m.span(), m.lastgroup) for m in filtered.finditer(low)] == [
            (m.span(), m.lastgroup) for m in plain.finditer(low)
        ]


_PATTERNS = [
    "suicide (?:car )?bomb(?:ers?)?|car[- ]?bombs?",
    "(?<!palestinian )refugees?|shell(?:s|ed|ing)?",
    r"(?:clash|mortar)(?:es)?|\d+ rounds|a[bc]-\d",
    "last (?:night|week)|(?:early |late )?on (?:mon|tues)day",
]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("abcdeilmnorstuwy0123456789 -'\n.,é"), max_size=80))
def test_head_filter_never_turns_down_a_match(text):
    plain = re.compile(r"(?<!\w)(?=\w)(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + ")")
    filtered = re.compile(r"(?<!\w)(?=\w)" + head_filter(_PATTERNS) + plain.pattern[len(r"(?<!\w)(?=\w)") :])
    seeded = text + " car bombers last night shelled 12 rounds ab-1 on tuesday carbombs " + text
    for sample in (text, seeded):
        assert [m.span() for m in filtered.finditer(sample)] == [m.span() for m in plain.finditer(sample)]


def test_the_lexicon_triggers_get_a_filter():
    # The filter is derived from the patterns when the lexicon loads (new rule data needs no code);
    # one pattern that may begin anywhere would switch it off for all of them.
    data = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    assert head_filter([_lc(t["pattern"]) for t in data["triggers"]]) != ""
