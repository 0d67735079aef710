"""The named context rules of the event and date stages, read from data.

``data/context_rules.json`` holds, for :mod:`geo.extract.events` and :mod:`geo.extract.dates`,
each language rule as a named entry: what it reads (beside a trigger, a place or a time
expression, or the whole sentence), on which side and how many words, its pattern, why,
and sentences on which it must and must not fire (``tests/test_context_rules.py`` runs them).
The code asks for a rule by its id (:func:`rule`); what is arithmetic on dates or a walk over
offsets stays code. The time-expression table of :mod:`geo.extract.dates` is there too
(``time_expressions``, in order of precedence).

The rules are package data, compiled once on first use (not at import).

>>> rule("ongoing").fires("rebels and troops are clashing", 22, 30)
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..errors import LexiconError
from .words import WORD_LISTS

DEFAULT_CONTEXT_RULES = Path(__file__).resolve().parent / "data" / "context_rules.json"

#: Where a rule reads, relative to the thing it applies to (``start``, ``end``).
SIDES = ("before", "after", "at", "sentence")
USES = ("search", "match", "fullmatch")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class NamedRule:
    """One context rule: a pattern read on one side of a trigger, a place or a time expression.

    ``side`` says where the window is: the ``before`` words before ``start`` or the ``after``
    words after ``end`` (None: to the sentence's edge), the span itself with those margins
    ("at", none when absent), or the whole sentence. ``unit`` is "words" (whitespace-separated
    tokens, the text between them kept as it is) or "chars" for the few rules that read
    characters (punctuation right before a trigger, an actor's name cut at a length).
    """

    id: str
    module: str
    applies_to: str  # "trigger", "place", "time" or "sentence"
    side: str
    before: int | None
    after: int | None
    unit: str
    use: str  # how the code asks the pattern: search, match (anchored at the window's start) or fullmatch
    regex: re.Pattern
    why: str
    must_fire: tuple[str, ...] = ()  # examples, the span in brackets
    must_not_fire: tuple[str, ...] = ()
    test: Callable[[str], re.Match | None] = field(init=False, repr=False, compare=False)
    window: Callable[[str, int, int], str] = field(init=False, repr=False, compare=False)
    """``window(text, start, end)``: the part of ``text`` this rule reads around ``start:end``."""

    def __post_init__(self) -> None:
        # Both chosen once: the code asks some rules once per trigger or time expression.
        object.__setattr__(self, "test", getattr(self.regex, self.use))
        object.__setattr__(self, "window", _cutter(self.side, self.before, self.after, self.unit))

    def fires(self, text: str, start: int = 0, end: int = 0) -> bool:
        """Whether the rule's pattern holds in its window around ``start:end``."""
        return self.test(self.window(text, start, end)) is not None


def _cutter(side: str, before: int | None, after: int | None, unit: str) -> Callable[[str, int, int], str]:
    """The function that cuts a rule's window out of a sentence."""
    if side == "sentence":
        return lambda text, start, end: text
    if side == "before":
        head = _head(before, unit, margin=False)
        return lambda text, start, end: head(text, start)
    if side == "after":
        tail = _tail(after, unit, margin=False)
        return lambda text, start, end: tail(text, end)
    head, tail = _head(before, unit, margin=True), _tail(after, unit, margin=True)
    return lambda text, start, end: head(text, start) + text[start:end] + tail(text, end)


def _head(n: int | None, unit: str, margin: bool) -> Callable[[str, int], str]:
    """What a window holds before ``start``: ``n`` words (or characters), else all (none for a margin)."""
    if n is None or n == 0:
        return (lambda text, start: "") if margin or n == 0 else (lambda text, start: text[:start])
    if unit == "chars":
        return lambda text, start: text[max(0, start - n) : start]
    words = _words(n).match

    def head(text: str, start: int) -> str:
        # The words are read backwards: on the reversed text they are the first ones.
        m = words(text[start - 1 :: -1]) if start else None
        return text[start - m.end() : start] if m else text[:start]

    return head


def _tail(n: int | None, unit: str, margin: bool) -> Callable[[str, int], str]:
    """What a window holds after ``end``: ``n`` words (or characters), else all (none for a margin)."""
    if n is None or n == 0:
        return (lambda text, end: "") if margin or n == 0 else (lambda text, end: text[end:])
    if unit == "chars":
        return lambda text, end: text[end : end + n]
    words = _words(n).match

    def tail(text: str, end: int) -> str:
        m = words(text, end)
        return text[end : m.end()] if m else text[end:]

    return tail


@cache
def _words(n: int) -> re.Pattern:
    """Up to ``n`` words from here, with the spaces before the first (a sentence's own spacing kept)."""
    return re.compile(rf"\s*\S+(?:\s+\S+){{0,{n - 1}}}")


@dataclass(frozen=True)
class TimePattern:
    """One entry of the time-expression table: its kind (what :func:`~geo.extract.dates.resolve` reads) and pattern."""

    id: str
    kind: str
    pattern: str  # placeholders filled, case as written (matched ignoring case)
    why: str
    must_fire: tuple[str, ...] = ()  # examples, the expected match in brackets
    must_not_fire: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContextRules:
    """The compiled registry: rules by id, and the time-expression table in order."""

    rules: dict[str, NamedRule]
    time_expressions: tuple[TimePattern, ...]


def load_context_rules(path: str | Path = DEFAULT_CONTEXT_RULES) -> ContextRules:
    """Read and compile the context rules; a malformed rule raises :class:`LexiconError` naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read the context rules ({exc})") from None
    fragments = data.get("fragments", {})
    rules: dict[str, NamedRule] = {}
    for entry in data.get("rules", []):
        try:
            compiled = _rule(entry, fragments)
        except (KeyError, TypeError, ValueError, re.error, LexiconError) as exc:
            raise LexiconError(f"{path}: context rule {entry.get('id')!r} is malformed ({exc})") from None
        if compiled.id in rules:
            raise LexiconError(f"{path}: context rule {compiled.id!r} is defined twice; give each rule its own id")
        rules[compiled.id] = compiled
    times = []
    for entry in data.get("time_expressions", []):
        try:
            pattern = fill(entry["pattern"], fragments)
            re.compile(pattern)
            examples = entry.get("examples", {})
            times.append(
                TimePattern(
                    entry["id"],
                    entry["kind"],
                    pattern,
                    entry["why"],
                    tuple(examples.get("fires", ())),
                    tuple(examples.get("does_not_fire", ())),
                )
            )
        except (KeyError, TypeError, re.error, LexiconError) as exc:
            raise LexiconError(f"{path}: time expression {entry.get('id')!r} is malformed ({exc})") from None
    return ContextRules(rules, tuple(times))


def _rule(entry: dict, fragments: dict[str, str]) -> NamedRule:
    side, use = entry["side"], entry.get("use", "search")
    if side not in SIDES:
        raise LexiconError(f"side {side!r}; use one of {', '.join(SIDES)}")
    if use not in USES:
        raise LexiconError(f"use {use!r}; use one of {', '.join(USES)}")
    window = entry.get("window", {})
    unit = window.get("unit", "words")
    if unit not in ("words", "chars"):
        raise LexiconError(f'window unit {unit!r}; use "words" or "chars"')
    flags = 0 if entry.get("case") == "exact" else re.IGNORECASE
    examples = entry.get("examples", {})
    return NamedRule(
        id=entry["id"],
        module=entry["module"],
        applies_to=entry["applies_to"],
        side=side,
        before=window.get("before"),
        after=window.get("after"),
        unit=unit,
        use=use,
        regex=re.compile(fill(entry["pattern"], fragments), flags),
        why=entry["why"],
        must_fire=tuple(examples.get("fires", ())),
        must_not_fire=tuple(examples.get("does_not_fire", ())),
    )


def fill(pattern: str, fragments: dict[str, str], where: str = "a fragment of the file") -> str:
    """Put the word lists (``{weekdays}``: ``monday|tuesday|...``) and fragments in for their placeholders.

    A name is a shared word list of :mod:`geo.extract.words` (escaped, joined with ``|``) or one
    of ``fragments`` (a pattern, put in as it is); ``where`` says what the fragments are, for the
    error an unknown name raises.
    """

    def alternation(m: re.Match) -> str:
        name = m.group(1)
        if name in WORD_LISTS:
            return "|".join(re.escape(w) for w in WORD_LISTS[name])
        if name in fragments:
            return fragments[name]
        raise LexiconError(
            f"pattern names {{{name}}}, which is neither a word list of geo/extract/words.py "
            f"({', '.join(sorted(WORD_LISTS))}) nor {where}"
        )

    return _PLACEHOLDER.sub(alternation, pattern)


@cache
def context_rules() -> ContextRules:
    """The package's context rules, compiled on first use."""
    return load_context_rules()


@cache
def rule(rule_id: str) -> NamedRule:
    """The context rule named ``rule_id``; an unknown id raises :class:`LexiconError`."""
    try:
        return context_rules().rules[rule_id]
    except KeyError:
        raise LexiconError(f"no context rule {rule_id!r} in {DEFAULT_CONTEXT_RULES.name}; add it there") from None
