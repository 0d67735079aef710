"""One pass over a text for a family of patterns, tried only where they can start.

A combined pattern ``(?<!\\w)(?=START)(?:(?P<a>pa)|(?P<b>pb)|...)`` makes the regex
engine try every alternative at every word start; most of them fail on their first
character, but trying hundreds of them costs more than the rest of the pass.
:class:`Scanner` finds the same matches (the first listed alternative wins at a
position, matches do not overlap, left to right) but, at a word starting with a given
character, tries only the alternatives that can start with it: one small pattern per
first character, chosen by a dictionary look-up.

>>> s = Scanner(r"[^\\W\\d_]", [("t0", "clash(?:es)?"), ("t1", "shell(?:ing|ed)")], suffix=r"\\b")
>>> [(m.group(0), m.lastgroup) for m in s.finditer("heavy clashes and shelling")]
[('clashes', 't0'), ('shelling', 't1')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

try:  # the parser behind ``re``; private, so without it every alternative is tried everywhere
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef]

#: Stands for "any character" in a set of first characters.
ANY = None


class Scanner:
    """Find what ``(?<!\\w)(?=start)(?:(?P<n0>(?:p0)suffix)|(?P<n1>(?:p1)suffix)|...)`` finds.

    Parameters
    ----------
    start:
        A character class every match starts with (``r"\\w"``, ``r"[^\\W\\d_]"``).
    patterns:
        ``(name, pattern)`` in order of precedence; each match's ``lastgroup`` is the
        name of the pattern that made it. Patterns are compiled without flags.
    suffix:
        What must follow each pattern (say ``r"\\b"``).

    No pattern may match the empty string (none of the lexicon's does).
    """

    def __init__(self, start: str, patterns: list[tuple[str, str]], suffix: str = ""):
        self._combined = rf"(?<!\w)(?={start})(?:" + "|".join(f"(?P<{n}>(?:{p}){suffix})" for n, p in patterns) + ")"
        # Only the word starts where some pattern can begin (its first two characters) are
        # visited: the regex engine rejects the others without a step of Python.
        self._starts = re.compile(rf"(?<!\w)(?={start})" + head_filter(p for _, p in patterns))
        alternatives = [(n, [(a, first_chars(a)) for a in top_alternatives(p)]) for n, p in patterns]
        known = {c for _, alts in alternatives for _, chars in alts if chars is not ANY for c in chars}
        self._by_char = {c: _compiled(alternatives, suffix, _fits(c)) for c in known}
        # Any other character: only the patterns that may start with anything.
        self._other = _compiled(alternatives, suffix, lambda chars: chars is ANY)

    @cached_property
    def combined(self) -> re.Pattern:
        """The one pattern whose matches :meth:`finditer` gives (compiled on first use)."""
        return re.compile(self._combined)

    def finditer(self, text: str) -> Iterator[re.Match]:
        """Matches in ``text``, left to right, as ``combined.finditer(text)`` gives them."""
        end = 0
        by_char, other = self._by_char, self._other
        for w in self._starts.finditer(text):
            pos = w.start()
            if pos < end:
                continue
            rx = by_char.get(text[pos], other)
            if rx is None:
                continue
            m = rx.match(text, pos)
            if m is not None:
                end = m.end()
                yield m


def _fits(c: str):
    """Whether an alternative with these first characters may start with ``c``."""
    return lambda chars: chars is ANY or c in chars


def _compiled(alternatives, suffix: str, fits) -> re.Pattern | None:
    groups = []
    for name, alts in alternatives:
        kept = [a for a, chars in alts if fits(chars)]
        if kept:
            groups.append(f"(?P<{name}>(?:{'|'.join(kept)}){suffix})")
    return re.compile("|".join(groups)) if groups else None


def top_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (split at ``|`` outside groups and classes).

    >>> top_alternatives(r"a(?:b|c)|[|]d|e\\|f")
    ['a(?:b|c)', '[|]d', 'e\\\\|f']
    """
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]" or pattern[i - 1] == "[" or pattern[i - 2 : i] == "[^"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


#: How many characters :func:`heads` reads of a match's beginning.
HEAD_DEPTH = 8
# More distinct beginnings than this make the filter slower than what it saves: read fewer characters.
_MAX_HEADS = 5000


def head_filter(patterns) -> str:
    r"""A look-ahead that holds wherever a match of one of ``patterns`` may begin ("" when anywhere).

    The beginnings (:func:`heads`) are arranged as a trie, ``(?=a(?:b|c)|d[0-9])``: at each
    level the engine turns an alternative down on its first character, so a position where no
    pattern can start costs a few comparisons, however many patterns there are.

    >>> head_filter(["shell(?:ing|ed)", "shot", "bomb"])
    '(?=bomb|sh(?:ell(?:ed|ing)|ot))'
    >>> head_filter([r"\d+ killed", "(?:the )?battle"])
    '(?=[\\d]|battle|the\\ batt)'
    >>> head_filter(["bombs?", "a?"])  # the second may match nothing, anywhere
    ''
    """
    patterns = list(patterns)
    for depth in range(HEAD_DEPTH, 0, -1):
        found: set[tuple[str, ...]] = set()
        for p in patterns:
            begins = heads(p, depth)
            if begins is ANY:
                return ""
            found |= begins
        if len(found) <= _MAX_HEADS or depth == 1:
            return f"(?={_trie(found)})" if found else ""
    return ""  # pragma: no cover - the loop always returns


def _trie(begins: set[tuple[str, ...]]) -> str:
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for b in begins:
        by_first.setdefault(b[0], set()).add(b[1:])
    parts = []
    for first in sorted(by_first):
        rest = by_first[first]
        if () in rest:  # a shorter beginning already admits every longer one
            parts.append(first)
        else:
            inner = _trie(rest)
            several = len({b[0] for b in rest}) > 1
            parts.append(first + (f"(?:{inner})" if several else inner))
    return "|".join(parts)


def heads(pattern: str, depth: int = HEAD_DEPTH) -> frozenset[tuple[str, ...]] | None:
    """How a match of ``pattern`` may begin: tuples of at most ``depth`` one-character patterns.

    Every match begins with one of them (a shorter tuple where the pattern's beginning is not
    followed further: a repetition, an unknown construct); None (:data:`ANY`) when a match
    may begin anywhere. Zero-width assertions are passed over (a weaker condition is safe).

    >>> sorted(heads("(?<!for )refugees?|air ?strikes?", depth=2))
    [('a', 'i'), ('r', 'e')]
    >>> heads(r"a?") is None
    True
    """
    return _begins(pattern, depth, _atom)


def _begins(pattern: str, depth: int, atom):
    """The beginnings of ``pattern``'s matches, each atom written by ``atom``; None when any may."""
    try:
        parsed = _sre_parse.parse(pattern)
        if parsed.state.flags & ~re.UNICODE:  # "(?i)" and the like
            return ANY
        states = _walk(list(parsed), {((), True)}, depth, atom)
    except Exception:  # noqa: BLE001 - a construct not understood here: a match may begin anywhere
        return ANY
    if states is ANY or any(not begin for begin, _ in states):
        return ANY
    return frozenset(begin for begin, _ in states)


def _walk(items, states: set, depth: int, atom):
    """Extend each open beginning (tuple, open) over a parsed sequence; None for unknown flags.

    ``atom`` turns one parsed character matcher into a tuple item (None: not known, stop there).
    """
    for op, arg in items:
        opened = {(b, o) for b, o in states if o and len(b) < depth}
        if not opened:
            break
        done = states - opened
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width: the next item begins the match
        if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            one = atom(name, arg)
            states = done | {(b + (one,), True) if one else (b, False) for b, _ in opened}
        elif name == "SUBPATTERN":
            if arg[1] or arg[2]:  # inline flags
                return ANY
            inner = _walk(arg[3], opened, depth, atom)
            if inner is ANY:
                return ANY
            states = done | inner
        elif name == "BRANCH":
            out = set(done)
            for branch in arg[1]:
                inner = _walk(branch, opened, depth, atom)
                if inner is ANY:
                    return ANY
                out |= inner
            states = out
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            once = _walk(arg[2], opened, depth, atom)
            if once is ANY:
                return ANY
            if arg[1] != 1:  # after one repetition more may follow: stop reading there
                once = {(b, False) for b, _ in once}
            states = done | once | (opened if arg[0] == 0 else set())
        else:  # GROUPREF and the like: stop reading
            states = done | {(b, False) for b, _ in opened}
    return states


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _atom(name: str, arg) -> str | None:
    """One parsed character matcher as a pattern of its own; None when it cannot be written back."""
    if name == "LITERAL":
        return re.escape(chr(arg))
    if name == "NOT_LITERAL":
        return f"[^\\U{arg:08x}]"
    if name == "ANY":
        return "."
    parts = []
    for op, av in arg:
        kind = str(op)
        if kind == "NEGATE" and not parts:
            parts.append("^")
        elif kind == "LITERAL":
            parts.append(f"\\U{av:08x}")
        elif kind == "RANGE":
            parts.append(f"\\U{av[0]:08x}-\\U{av[1]:08x}")
        elif kind == "CATEGORY" and str(av) in _CATEGORIES:
            parts.append(_CATEGORIES[str(av)])
        else:
            return None
    return "[" + "".join(parts) + "]"


def first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with; None (:data:`ANY`) when any may.

    The first items of :func:`heads`, read as sets of characters: look-behinds and other
    zero-width assertions are passed over (a superset is safe).

    >>> sorted(first_chars(r"(?<!for )refugees?|air ?strikes?|[bc]ombs?"))
    ['a', 'b', 'c', 'r']
    >>> first_chars(r"\\w+ killed") is None
    True
    """
    begins = _begins(pattern, 1, _atom_chars)
    if begins is ANY:
        return ANY
    return frozenset(c for (chars,) in begins for c in chars)


def _atom_chars(name: str, arg) -> frozenset[str] | None:
    """The characters one parsed character matcher admits; None when too many to list (``.``, ``\\w``)."""
    if name == "LITERAL":
        return frozenset(chr(arg))
    if name == "IN":
        chars = _class_chars(arg)
        return None if chars is ANY else frozenset(chars)
    return None  # ANY, NOT_LITERAL


def _class_chars(items) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(arg))
        elif name == "RANGE" and arg[1] - arg[0] < 256:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \w), wide ranges
            return ANY
    return chars
