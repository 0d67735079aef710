"""Text utilities shared by the stages: folding, the toponym key, sentences.

The toponym key is the heart of transliteration-robust matching: spellings of
one Arabic name that English text produces (Kafr Sousa, Kafar Souseh, Kfar
Sousa; Qaboun, Al-Kaboun; Mezze, Mazzeh) reduce to the same or a very close
key, so the gazetteer need not list every spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

# Arabic article forms written before a name ("al-Midan", "el-Qaboun",
# "ash-Sham", "Ad-Dimas"), dropped when they precede another word.
ARTICLES = frozenset("al el ul il ad ed an en ar er as es ash esh at et az ez adh ath dh".split())

_APOSTROPHES = "'’‘`ʿʾʼ´"
_SPLIT = re.compile(r"[^a-z0-9]+")
# Vowel and digraph variants of transliteration, applied in this order.
_VARIANTS = (
    ("dj", "j"),  # French transliteration: Djobar, Djaramana
    ("ch", "sh"),  # French: Chaghour, Achrafieh
    ("q", "k"),
    ("ck", "k"),
    ("ph", "f"),
    ("ou", "u"),
    ("oo", "u"),
    ("o", "u"),
    ("ee", "i"),
    ("ei", "ay"),
    ("ey", "ay"),
    ("ai", "ay"),
    ("e", "a"),
    ("aa", "a"),
    ("ii", "i"),
    ("uu", "u"),
)
_DOUBLE = re.compile(r"([a-z])\1+")


def fold(text: str) -> str:
    """Lower-case ASCII folding: strip diacritics and apostrophes (ayn, hamza)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return text.lower()


def lowered(text: str) -> str:
    """Lower-cased text of the same length, so offsets into it are offsets into `text`.

    Matching lower-cased text against lower-case patterns is much faster than
    re.IGNORECASE; the few characters whose lower case is longer stay as they are.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=200_000)
def place_key(name: str) -> str:
    """The transliteration-insensitive key of a place name.

    Drops Arabic article prefixes, spaces and hyphens; unifies vowel variants
    (ou/oo/o/u, ei/ey/ai/ay, e/a), q/k, doubled letters and a final h after a
    vowel.

    >>> place_key("Kafar Souseh") == place_key("Kafarsouseh")
    True
    >>> place_key("Al-Hajar Al-Aswad") == place_key("Hajar Aswad")
    True
    >>> place_key("Qaboun") == place_key("al-Kaboun")
    True
    """
    tokens = [t for t in _SPLIT.split(fold(name)) if t]
    if len(tokens) > 1:
        kept = [t for t in tokens[:-1] if t not in ARTICLES]
        # An article written into a later word: "Khan Alshih" is "Khan al-Shih".
        last = tokens[-1]
        if len(last) > 4 and last.startswith("al") and last[2] not in "aeiouy":
            last = last[2:]
        tokens = kept + [last]
    return "".join(_token_key(t) for t in tokens)


@lru_cache(maxsize=200_000)
def _token_key(token: str) -> str:
    for old, new in _VARIANTS:
        token = token.replace(old, new)
    token = _DOUBLE.sub(r"\1", token)
    if len(token) > 3 and token.endswith("h") and token[-2] in "aiuy":
        token = token[:-1]
    return token


def skeleton(key: str) -> str:
    """Consonant skeleton of a key, the index for fuzzy look-up ("kafarsusa" -> "kfrss")."""
    if not key:
        return key
    return key[0] + re.sub(r"[aiuy]", "", key[1:])


def similarity(a: str, b: str) -> float:
    """1 - normalised Levenshtein distance of two keys."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


# --- sentences -------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A sentence with its offsets into the article text."""

    start: int
    end: int
    text: str
    paragraph: int  # index of the paragraph (block of lines) it belongs to
    heading: bool = False  # a short line without closing punctuation

    @cached_property
    def lower(self) -> str:
        """The text lower-cased, offsets unchanged (see :func:`lowered`)."""
        return lowered(self.text)


_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj capt sgt st jan feb mar apr jun jul aug sep sept
    oct nov dec no vs rep sen gov prof brig adm cpl pvt sr jr mt ft inc co corp
    ltd u.s u.n u.k e.g i.e al approx est""".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences with offsets; paragraphs are blank-line blocks.

    Single line breaks inside a paragraph also end a sentence when the line
    looks complete (news text often puts captions and headings on lines).
    """
    out: list[Sentence] = []
    for p_index, para in enumerate(_PARAGRAPH.finditer(text)):
        for line in re.finditer(r"[^\n]+", para.group(0)):
            base = para.start() + line.start()
            _split_line(line.group(0), base, p_index, out)
    return out


def _split_line(line: str, base: int, paragraph: int, out: list[Sentence]) -> None:
    stripped = line.rstrip()
    words = len(stripped.split())
    # A heading or headline: one short line with no full stop, question or exclamation
    # mark anywhere ("Syria crisis: air strikes on Douma – live updates").
    heading = bool(stripped) and not re.search(r"[.!?]", stripped) and words <= 20
    start = 0
    for match in _BOUNDARY.finditer(line):
        head = line[start : match.start() + 1]
        before = _WORD_BEFORE.search(head)
        if before and before.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if before and len(before.group(1)) == 1 and before.group(1).isupper():
            continue  # an initial: "George W. Bush"
        _emit(line, base, start, match.end(), paragraph, False, out)
        start = match.end()
    _emit(line, base, start, len(line), paragraph, heading, out)


def _emit(line: str, base: int, s: int, e: int, paragraph: int, heading: bool, out: list) -> None:
    chunk = line[s:e]
    lead = len(chunk) - len(chunk.lstrip())
    chunk = chunk.strip()
    if chunk:
        start = base + s + lead
        out.append(Sentence(start, start + len(chunk), chunk, paragraph, heading))
