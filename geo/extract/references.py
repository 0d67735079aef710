"""Reference rules: when a place mention only refers to a place.

A mention is not an event's place when it gives a speaker's location ("an
activist in Yarmouk"), is part of a compound ("Tadamon-based"), a possessive
("Russia's foreign ministry"), metonymy ("Moscow condemned"), a general
reference ("the situation in Syria"), a statement's place ("In Washington, a
spokesman said"), a locator ("the Damascus–Homs highway"), or a foreign place
named without a locative. The rules are data, in order, in
``data/reference_rules.json`` (each with an id, the mentions it applies to, its
window in words, its pattern or a named check from :data:`CHECKS`, why, and
example sentences); :func:`reference_reason` walks them and names the first that
fires. :mod:`geo.extract.events` uses it before looking for the event.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import LexiconError
from ..models import Span
from .lexicon import Condition, Lexicon, ReferenceRule
from .text import CONTEXT_CHARS, Sentence, clause_tail, context_start, lowered, tail_within

# "In Geneva, the UN office called for ...": a sentence that reports a statement.
STATEMENT = re.compile(
    r"\b(?:said|says|called|calls|urged|urges|condemned|condemns|announced|demanded|warned|told|stated|appealed"
    r"|agreed|signed|met|discussed|held talks|voted)\b"
)
# Earlier items of a list the mention ends: "in Turkey, Jordan, Lebanon and Iraq".
_LIST_HEAD = re.compile(r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s*(?:,\s*|\s+and\s+|\s+or\s+))+$")
# The words a mention's gates read before it (``last_word``, ``last_char``, ``keywords``).
GATE_WORDS = 30


def reference_reason(
    text: str,
    sentence: Sentence,
    span: Span,
    lex: Lexicon,
    foreign: bool,
    names_event: bool = False,
    reported_elsewhere: bool = False,
) -> str | None:
    """Why a mention only refers to a place: the id of the first reference rule that fires (None: none).

    The rules (``lex.reference_rules``, from ``reference_rules.json``) are tried in order; each
    rule's cheap gates (place kind, the word before, keywords) are asked before its patterns,
    since most mentions have neither a preposition nor a keyword before them.
    """
    at = _Mention(text, sentence, span, foreign, names_event, reported_elsewhere)
    windows = at.windows
    for rule, pattern_only in _plan(lex.reference_rules).admitted(at):
        cond = rule.pattern
        if cond is not None:  # the usual test, inline: most rules are one pattern in one window
            window = windows.get(cond.window)
            if cond.test(at.window(*cond.window) if window is None else window) is None:
                continue
            if pattern_only:
                return rule.id
        fired = _fires(rule, at, lex)
        if fired:
            return fired if isinstance(fired, str) else rule.id
    return None


class _Plan:
    """The rules of one lexicon sorted out by what their gates read.

    A rule's gates read a few features of a mention (the place's kind, the word before it,
    keywords near it, ...); mentions that agree on them are admitted by the same rules, so
    the gates are asked once per combination rather than once per mention and rule.
    """

    def __init__(self, rules: tuple[ReferenceRule, ...]) -> None:
        self.rules = rules
        self.last_words = frozenset().union(*(r.last_word for r in rules if r.last_word is not None))
        self.last_chars = "".join(r.last_char for r in rules)
        keywords = sorted({k for r in rules for k in r.keywords}, key=len, reverse=True)
        # Which keywords the words before hold, in one pass.
        self.keywords = re.compile("|".join(map(re.escape, keywords))) if keywords else None
        self.by_key: dict[tuple, tuple[tuple[ReferenceRule, bool], ...]] = {}

    def admitted(self, at: _Mention) -> tuple[tuple[ReferenceRule, bool], ...]:
        """The rules whose gates admit a mention, in order, each with whether it is only a pattern."""
        tail, last = at.tail, at.last
        end = tail.rstrip()[-1:]
        key = (
            at.kind,
            at.where,
            at.names_event,
            at.reported_elsewhere,
            at.head == at.sentence.start,
            not at.before.strip(),
            last if last in self.last_words else "",
            end if end and end in self.last_chars else "",
            frozenset(self.keywords.findall(tail)) if self.keywords is not None else None,
        )
        found = self.by_key.get(key)
        if found is None:
            if len(self.by_key) > 50_000:
                self.by_key.clear()
            found = self.by_key[key] = tuple((rule, rule.pattern_only) for rule in self.rules if _admits(rule, at))
        return found


_PLANS: dict[int, _Plan] = {}


def _plan(rules: tuple[ReferenceRule, ...]) -> _Plan:
    """The plan of a lexicon's reference rules, made once."""
    plan = _PLANS.get(id(rules))
    if plan is None or plan.rules is not rules:
        plan = _PLANS[id(rules)] = _Plan(rules)
    return plan


class _Mention:
    """The text around one place mention, each window cut once and only when a rule asks."""

    def __init__(self, text, sentence, span, foreign, names_event, reported_elsewhere) -> None:
        self.sentence, self.span = sentence, span
        self.foreign, self.names_event, self.reported_elsewhere = foreign, names_event, reported_elsewhere
        self.kind = span.place.kind if span.place else "unresolved"
        self.where = "foreign" if foreign else "unresolved" if span.place is None else "domestic"
        # Bounded windows (the whole sentence when it is of news length): no rule
        # rescans a growing prefix of a long sentence for every mention.
        self.head = context_start(text, span.start, sentence.start)
        self.before = text[self.head : span.start]
        self.after = text[span.end : min(sentence.end, span.end + CONTEXT_CHARS)]
        self.low_before, self.low_after = lowered(self.before), lowered(self.after)
        start = len(self.before) - len(last_words(self.before, GATE_WORDS))
        self._starts: dict[int | None, int] = {GATE_WORDS: start}  # where the last n words before begin
        # What the gates read, for every mention: the last words before, and the last word
        # with the earlier items of a list the mention ends set aside.
        self.tail = self.low_before[start:]
        self.windows: dict[tuple[str, int | None, bool], str] = {("before", GATE_WORDS, True): self.tail}
        ends = self.tail.rstrip()
        last = ends.rsplit(None, 1)[-1:]
        if ends.endswith(",") or last in (["and"], ["or"]):
            last = self.window("before-list", GATE_WORDS, True).rsplit(None, 1)[-1:]
        self.last = last[0] if last else ""

    def window(self, side: str, words: int | None, lower: bool) -> str:
        """The first (after) or last (before) ``words`` words beside the mention, as written or lower-cased."""
        if side == "after":
            end = len(first_words(self.after, words))
            found = (self.low_after if lower else self.after)[:end]
        else:
            start = self._starts.get(words)
            if start is None:
                start = self._starts[words] = len(self.before) - len(last_words(self.before, words))
            found = (self.low_before if lower else self.before)[start:]
            if side == "before-list":
                ends = found.rstrip()
                if ends.endswith(",") or ends.rsplit(None, 1)[-1:] in (["and"], ["or"]):
                    # Only a list's end can match: cheap test first. Lowered keeps lengths.
                    found = found[: len(_LIST_HEAD.sub("", self.before[start:]))]
        self.windows[(side, words, lower)] = found
        return found


def _admits(rule: ReferenceRule, at: _Mention) -> bool:
    """Whether a rule applies to a mention: its gates, cheapest first."""
    return not (
        (rule.kinds is not None and at.kind not in rule.kinds)
        or (rule.places is not None and at.where not in rule.places)
        or (rule.names_event is not None and rule.names_event != at.names_event)
        or (rule.reported_elsewhere is not None and rule.reported_elsewhere != at.reported_elsewhere)
        or (rule.sentence_start and at.head != at.sentence.start)
        or (rule.first_in_context and at.before.strip())
        or (rule.last_word is not None and at.last not in rule.last_word)
        or (rule.last_char and at.tail.rstrip()[-1:] not in rule.last_char)
        or (rule.keywords and not any(k in at.tail for k in rule.keywords))
    )


def _fires(rule: ReferenceRule, at: _Mention, lex: Lexicon) -> bool | str:
    """Whether an admitted rule whose pattern matched fires: its other patterns, the sentence, the named check."""
    if rule.with_ is not None and not _matches(rule.with_, at):
        return False
    if rule.unless is not None and any(_matches(cond, at) for cond in rule.unless):
        return False
    if rule.in_sentence is not None and not _holds(rule.in_sentence, at.sentence.lower):
        return False
    if rule.check is not None:
        try:
            check = CHECKS[rule.check]
        except KeyError:
            raise LexiconError(
                f"reference rule {rule.id!r} names the check {rule.check!r}; use one of {sorted(CHECKS)}"
            ) from None
        return check(at, lex) or False
    return True


def _matches(cond: Condition, at: _Mention) -> bool:
    """Whether a condition's pattern matches in its window."""
    window = at.windows.get(cond.window)
    return cond.test(at.window(*cond.window) if window is None else window) is not None


def last_words(text: str, n: int | None) -> str:
    """The last ``n`` words of ``text`` with the spaces between and after them, as written (None: all).

    >>> last_words("troops shelled the town of ", 2)
    'town of '
    """
    if n is None:
        return text
    parts = text.rsplit(None, n)  # splits n times from the end only: as cheap for a long text
    if len(parts) <= n:
        return text
    return text[len(parts[0]) :].lstrip()


def first_words(text: str, n: int | None) -> str:
    """The first ``n`` words of ``text`` with the spaces before and after them (None: all).

    >>> first_words(" residents said on Monday", 2)
    ' residents said '
    """
    if n is None:
        return text
    parts = text.split(None, n)  # the rest after n words is the last part, as written
    return text if len(parts) <= n else text[: len(text) - len(parts[-1])]


# The checks a rule may name (``"check"`` in reference_rules.json): each asks one thing
# that a pattern cannot say well, of the mention and its text.


def _in_heading(at: _Mention, lex: Lexicon) -> bool:
    """The mention is in a headline or a heading."""
    return at.sentence.heading


def _attribution_check(at: _Mention, lex: Lexicon) -> bool:
    """The mention is in the description of a report's source (see :func:`_in_attribution`)."""
    return _in_attribution(at.before, lex)


def _place_rules_check(at: _Mention, lex: Lexicon) -> str | None:
    """The id of the first of the lexicon's ``place_rules`` that fits the mention."""
    return _place_rule(at.before, at.after, lex)


def _area_list_check(at: _Mention, lex: Lexicon) -> bool:
    """The mention is one item of a summary list of areas (see :func:`_in_area_list`)."""
    if not lex.area_nouns:
        return False
    before, after = at.window("before", GATE_WORDS, False), at.window("after", GATE_WORDS, False)
    return _in_area_list(before, after, at.sentence.lower, lex.area_nouns)


def _capitals_check(at: _Mention, lex: Lexicon) -> bool:
    """The mention is written in capitals, as a wire dateline ("DAMASCUS")."""
    return at.span.surface.isupper() and len(at.span.surface) > 3


CHECKS = {
    "in_heading": _in_heading,
    "in_attribution": _attribution_check,
    "place_rules": _place_rules_check,
    "in_area_list": _area_list_check,
    "surface_in_capitals": _capitals_check,
}


# A speaker named after a quote or a comma ("..., said X, spokesman for the council in
# Damascus"); pronouns ("he said") name no place and are left out.
_SAID_TAIL = re.compile(
    r"(?:[”\"],?|,)\s+(?:said|says|added|told|according to)\b"
    r"(?!\s+(?:it|he|she|they|we|that|there|its|their|late|early|on|in|yesterday|today|last|this)\b)"
    r"|[”\"],?\s+[A-Z][^,.;“]{0,60}?\b(?:said|says|added|told)\b"
    r"|\baccording to\b",
    re.IGNORECASE,
)
_FINITE = re.compile(r"\b(?:had|has|have|was|were|is|are|would|will|could|did|do|does)\b", re.IGNORECASE)
# What was said, not who said it: a bare subject of up to four words, then a verb in the past tense
# ("troops stormed", "government forces shelled", "rebels overran"); not "a resident ...", not a clause.
_CONTENT_CLAUSE = re.compile(
    r"\s*(?!an?\b)(?:the\s+)?(?:(?!who\b|which\b|where\b|whose\b)[\w'’-]+\s+){1,4}?"
    r"(?P<verb>[a-z]+ed|fought|overran|took|drove|hit|shot|struck|blew|fell|stormed|seized)\b"
)
_TAIL_END = re.compile(r"\badding\b|\band added\b|\bwho said\b|[“\"]", re.IGNORECASE)
# One item of a list of areas, on the original text (names are capitalised): "Idleb", "Dayr Az Zor",
# "the country side of Damascus", "Damascus city"; and what joins two items.
_PARTICLE = r"(?:al|el|ez|az|as|ad|ar|an)"  # "Dayr Az Zor", "Deir ez-Zor", "al-Wafidin"
_AREA_NAME = rf"(?:[A-Z]|{_PARTICLE}-[A-Z])[\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|{_PARTICLE}(?:-[\w'’]+)?))*"
_AREA_ITEM = (
    r"(?:the\s+)?(?:(?:northern|southern|eastern|western|central)\s+)?"
    rf"(?:(?:country\s*side|outskirts|suburbs)\s+of\s+)?{_AREA_NAME}(?:\s+city)?"
)
_AREA_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)(?:to\s+a\s+(?:lesser|greater)\s+extent\s+in\s+)?"


def _place_rule(before: str, after: str, lex: Lexicon) -> str | None:
    """The id of the first place rule (``lexicon.json``, ``place_rules``) the words beside a mention fit."""
    sides: dict[tuple[str, int], str] = {}  # rules share a few (side, words) windows: cut each once
    tail = None  # the clause before the mention, cut once for the longest window (see tail_within)
    for rule in lex.place_rules:
        key = (rule.side, rule.words)
        if key not in sides:
            if rule.side == "before":
                if tail is None:
                    reach = 12 * max(r.words for r in lex.place_rules if r.side == "before")
                    tail = clause_tail(before[-reach:])
                part = tail_within(tail, len(before), 12 * rule.words)
                sides[key] = " ".join(lowered(part).split()[-rule.words :]) + " "
            else:
                sides[key] = " " + " ".join(lowered(after[: 12 * rule.words]).split()[: rule.words])
        if rule.regex.search(sides[key]):
            return rule.id
    return None


def _in_area_list(before: str, after: str, sentence_lower: str, nouns: str) -> bool:
    """Whether the mention is one item of a summary list of areas (``area_nouns`` in ``lexicon.json``).

    UN and agency reports sum up where violence went on by listing provinces: "clashes have been
    reported in the provinces of Idleb, Homs and Hama", "violence continued in Homs, Damascus and
    Dar'a governorates". Such a list tells where the conflict is, not an act at each place. A list
    under a plural head ("the provinces of X") counts whatever its length; a list closed by the plural
    noun ("X, Y and Z governorates") needs three names, so "Idlib and Hama provinces" stays an event.
    The caller keeps events when the sentence names a day.
    """
    if not any(n.rstrip("s") in sentence_lower for n in nouns.split("|")):
        return False  # cheap test first: most sentences name no province at all
    head, prefix, tail = _area_patterns(nouns)
    if head.search(before):
        return True
    closing = tail.match(after)
    if closing is None:
        return False
    joined = prefix.search(before)
    seps = len(re.findall(_AREA_SEP, (joined.group(0) if joined else "") + closing.group(0)))
    return seps >= 2


@lru_cache(maxsize=4)
def _area_patterns(nouns: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """The list patterns for one set of area nouns: headed ("the provinces of ..."), list start, closing noun."""
    noun = rf"(?i:{nouns})"
    lead = r"(?:the\s+)?(?:(?:country\s*side|outskirts|suburbs)\s+of\s+)?"  # "..., the country side of" Damascus
    return (
        re.compile(rf"\b{noun}\s+of\s+(?:{_AREA_ITEM}{_AREA_SEP})*{lead}$"),
        re.compile(rf"(?:{_AREA_ITEM}{_AREA_SEP})+$"),
        re.compile(rf"(?:{_AREA_SEP}{_AREA_ITEM})*\s+{noun}\b"),
    )


@lru_cache(maxsize=256)
def _holds(pattern: re.Pattern, text: str) -> bool:
    """Whether a pattern occurs in a sentence, asked once per sentence rather than once per mention."""
    return pattern.search(text) is not None


def _in_attribution(before: str, lex: Lexicon) -> bool:
    """True when the text before a mention ends inside a said-/according-to segment.

    ", said Ahmed al-Khatib, spokesman for the council in Damascus" is one;
    ", said most fighters had withdrawn from Yabroud" reports content (a verb
    follows), and ", said a woman who fled from Yabroud" tells a movement.
    """
    last = None
    for m in _SAID_TAIL.finditer(before):
        last = m
    if last is None:
        return False
    segment = before[last.end() :]
    if last.group(0).lower() == "according to":
        return _according_segment_open(segment)
    if _FINITE.search(segment) or lex.movement.search(lowered(segment)):
        return False
    if _reports_an_act(segment, lex):
        return False
    return not _TAIL_END.search(segment)


def _reports_an_act(segment: str, lex: Lexicon) -> bool:
    """What follows "said" opens with a subject and a past-tense trigger verb: ", said troops stormed Barzeh".

    A speaker's description ("said a resident reached by phone in Douma", "said Abu Omar, a fighter
    in the besieged district") has no such verb right after a bare subject.
    """
    m = _CONTENT_CLAUSE.match(segment)
    if m is None:
        return False
    low = lowered(segment)
    return lex.any_trigger.match(low, m.start("verb")) is not None


def _according_segment_open(rest: str) -> bool:
    """Is a mention after "According to <rest>" still inside the source's description?"""
    for comma in _COMMA.finditer(rest):
        # Matched in place (not on a copy of the rest): one pass over the segment.
        at = comma.end()
        if not _DESCRIBER.match(rest, at):
            return False
        if _THE.match(rest, at) and not _THE_OF.match(rest, at):
            return False
    return True


_COMMA = re.compile(r",\s*")
_DESCRIBER = re.compile(r"(?:which|who|whose|where|a|an|the|an?\s+\w+)\b", re.IGNORECASE)
_THE = re.compile(r"the\b", re.IGNORECASE)
_THE_OF = re.compile(r"the\s+\w+\s+(?:of|for)\b")
