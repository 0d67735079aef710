"""Text utilities shared by the stages: folding, the toponym key, sentences.

The toponym key is the heart of transliteration-robust matching: spellings of
one Arabic name that English text produces (Kafr Sousa, Kafar Souseh, Kfar
Sousa; Qaboun, Al-Kaboun; Mezze, Mazzeh) reduce to the same or a very close
key, so the gazetteer need not list every spelling.

Time is linear in the text, whatever the text: sentence ends are found in one
pass, over-long sentences are cut into bounded pieces (:data:`MAX_SENTENCE_WORDS`)
and the rules that read around a mention get a bounded window
(:func:`context_start`), so no later stage rescans a growing prefix.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .words import MONTH_ABBREVIATIONS

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


# A blank line (only spaces or tabs between two line breaks) ends a paragraph;
# [^\S\n]* rather than \s* so that the look-ahead never runs past the next line break.
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![^\S\n]*\n)[^\n]+)*")
# A sentence end. The look-behind starts a match only at the first mark of a run and
# the possessive quantifiers never give back: a run of ten thousand dots is one
# failed attempt, not ten thousand.
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]++[\"”’)\]]*+\s++(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen lt col maj capt sgt st no vs rep sen gov prof brig adm cpl pvt sr jr mt ft inc co corp
    ltd u.s u.n u.k e.g i.e al approx est""".split()
) | frozenset(MONTH_ABBREVIATIONS)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# The word before a full stop is looked for in this many characters, not in the whole
# sentence so far: enough for any abbreviation or initial; a longer run of letters and
# dots is taken for neither.
_WORD_BEFORE_REACH = 24

#: A longer sentence (or a run of text without sentence ends) is cut into pieces of
#: at most this many words and characters, so that no later pass works on a
#: sentence of unbounded length. News sentences stay far below (the longest in
#: the test data has about 60 words and 400 characters).
MAX_SENTENCE_WORDS = 200
MAX_SENTENCE_CHARS = 2400
_WORD_START = re.compile(r"(?<!\S)\S")
_BLANKS = re.compile(r"\s*")


#: Rules that read the words around a mention look at most this far: the last
#: CONTEXT_WORDS words within CONTEXT_CHARS characters before it (and as many
#: characters after it), so their cost per mention does not grow with the sentence.
#: News sentences fit whole (see MAX_SENTENCE_WORDS).
CONTEXT_WORDS = 80
CONTEXT_CHARS = 600


def context_start(text: str, end: int, floor: int, words: int = CONTEXT_WORDS, max_chars: int = CONTEXT_CHARS) -> int:
    """Where the window of the last `words` words before `end` begins, never before `floor`.

    The window is at most `max_chars` characters long and starts at the first
    character of a word (so patterns starting with \\b see whole words).

    >>> text = "one two three four"
    >>> text[context_start(text, len(text), 0, words=2) :]
    'three four'
    """
    if end - floor <= max_chars and text.count(" ", floor, end) < words:
        return floor  # the usual case: the whole sentence so far
    lo = max(floor, end - max_chars)
    parts = text[lo:end].rsplit(None, words)
    if len(parts) > words:  # more words than wanted: start at the first of the last `words`
        return _BLANKS.match(text, lo + len(parts[0])).end()
    if lo == floor:
        return floor
    first = _WORD_START.search(text, lo, end)  # not the tail of a word cut at lo
    return first.start() if first else end


def sentences(text: str, keep: Sequence[tuple[int, int]] = ()) -> list[Sentence]:
    """Split text into sentences with offsets; paragraphs are blank-line blocks.

    Single line breaks inside a paragraph also end a sentence when the line
    looks complete (news text often puts captions and headings on lines).
    A sentence longer than :data:`MAX_SENTENCE_WORDS` words or
    :data:`MAX_SENTENCE_CHARS` characters is cut into pieces, preferably after
    a comma or semicolon and never inside one of the `keep` ranges ((start,
    end) offsets into `text`, such as place mentions).

    >>> [s.text for s in sentences("Mr. Assad spoke. Clashes hit Midan.")]
    ['Mr. Assad spoke.', 'Clashes hit Midan.']
    """
    out: list[Sentence] = []
    keep = sorted(keep)
    for p_index, para in enumerate(_PARAGRAPH.finditer(text)):
        for line in re.finditer(r"[^\n]+", para.group(0)):
            base = para.start() + line.start()
            _split_line(line.group(0), base, p_index, out, keep)
    return out


def _split_line(line: str, base: int, paragraph: int, out: list[Sentence], keep: Sequence[tuple[int, int]]) -> None:
    stripped = line.rstrip()
    # A heading or headline: one short line with no full stop, question or exclamation
    # mark anywhere ("Syria crisis: air strikes on Douma – live updates").
    heading = bool(stripped) and not re.search(r"[.!?]", stripped) and len(stripped.split()) <= 20
    start = 0
    for match in _BOUNDARY.finditer(line):
        head = line[max(start, match.start() + 1 - _WORD_BEFORE_REACH) : match.start() + 1]
        before = _WORD_BEFORE.search(head)
        if before and before.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if before and len(before.group(1)) == 1 and before.group(1).isupper():
            continue  # an initial: "George W. Bush"
        _emit_capped(line, base, start, match.end(), paragraph, False, out, keep)
        start = match.end()
    _emit_capped(line, base, start, len(line), paragraph, heading, out, keep)


def _emit_capped(
    line: str, base: int, s: int, e: int, paragraph: int, heading: bool, out: list, keep: Sequence[tuple[int, int]]
) -> None:
    """Emit line[s:e] as one sentence, or as several when it is too long."""
    chunk = line[s:e]  # blanks around the sentence do not count towards its length
    s, e = s + len(chunk) - len(chunk.lstrip()), s + len(chunk.rstrip())
    # Counting spaces is the cheap test for the usual sentence; words separated
    # otherwise (tabs) are still bounded by the character cap.
    if e - s <= MAX_SENTENCE_CHARS and line.count(" ", s, e) < MAX_SENTENCE_WORDS:
        _emit(line, base, s, e, paragraph, heading, out)
        return
    starts = [m.start() for m in _WORD_START.finditer(line, s, e)]
    k = 0  # index in starts of the first word at or after s
    while True:
        while k < len(starts) and starts[k] < s:
            k += 1
        if e - s <= MAX_SENTENCE_CHARS and len(starts) - k <= MAX_SENTENCE_WORDS:
            break
        limit = min(
            s + MAX_SENTENCE_CHARS, starts[k + MAX_SENTENCE_WORDS] if k + MAX_SENTENCE_WORDS < len(starts) else e
        )
        cut = _cut(line, s, limit, starts, k)
        cut = _outside(cut, s, e, base, keep)
        _emit(line, base, s, cut, paragraph, heading, out)
        s = cut
    _emit(line, base, s, e, paragraph, heading, out)


def _cut(line: str, s: int, limit: int, starts: list[int], k: int) -> int:
    """Where to end a piece that starts at s and may not go past limit.

    Before a word that follows a comma, semicolon or colon in the second half of
    the piece; else before the last word; else (one very long word) at the limit.
    """
    j = bisect_right(starts, limit, lo=k) - 1  # the last word starting at or before limit
    last = starts[j] if j >= k and starts[j] > s else None
    while j >= k and starts[j] - s >= (limit - s) // 2:
        word = starts[j]
        if line[max(s, word - 8) : word].rstrip()[-1:] in (",", ";", ":"):
            return word
        j -= 1
    return last if last is not None else limit


def _outside(cut: int, s: int, e: int, base: int, keep: Sequence[tuple[int, int]]) -> int:
    """Move a cut out of a range to keep whole: to its start, or to its end when it starts the piece."""
    i = bisect_right(keep, (base + cut, base + cut)) - 1
    if i >= 0 and keep[i][0] < base + cut < keep[i][1]:
        moved = keep[i][0] - base if keep[i][0] - base > s else keep[i][1] - base
        if s < moved < e:
            return moved
    return cut


def _emit(line: str, base: int, s: int, e: int, paragraph: int, heading: bool, out: list) -> None:
    chunk = line[s:e]
    lead = len(chunk) - len(chunk.lstrip())
    chunk = chunk.strip()
    if chunk:
        start = base + s + lead
        out.append(Sentence(start, start + len(chunk), chunk, paragraph, heading))


#: Marks that end the clause a word's context is read in.
CLAUSE_MARKS = ';:“”"'


def clause_tail(head: str) -> str:
    """What follows the last clause mark in ``head``: the clause a following word belongs to.

    >>> clause_tail('activists said: "troops shelled')
    'troops shelled'
    """
    return head[max(map(head.rfind, CLAUSE_MARKS)) + 1 :]


def tail_within(tail: str, start: int, chars: int) -> str:
    """``clause_tail(text[max(0, start - chars) : start])``, given that of a reach of at least ``chars``.

    Both windows end at ``start``: the shorter one is the last characters of the longer one, so
    its clause tail is the longer tail's end, unless that tail is shorter (a clause mark lies
    within the shorter window, and cuts both at the same place).

    >>> text = "after talks; troops shelled the town"
    >>> tail_within(clause_tail(text[:-9]), len(text) - 9, 10) == clause_tail(text[-19:-9])
    True
    """
    reach = min(start, chars)
    return tail[len(tail) - reach :] if len(tail) > reach else tail
