"""The first-character scanner finds exactly what the combined pattern finds."""

import pytest

from geo.extract.scan import Scanner, first_chars, top_alternatives
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
