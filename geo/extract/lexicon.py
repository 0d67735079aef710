"""The event lexicon: trigger words and context cues, read from data.

The words live in ``geo/data/lexicon.json`` (see the README there); this
module only compiles them into regular expressions once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import LexiconError
from ..models import EVENT_TYPES
from .rules import fill
from .scan import Scanner, head_filter
from .words import WORD_LISTS

DEFAULT_LEXICON = Path(__file__).resolve().parent / "data" / "lexicon.json"
DEFAULT_REFERENCE_RULES = Path(__file__).resolve().parent / "data" / "reference_rules.json"


@dataclass(frozen=True)
class Trigger:
    """One compiled trigger pattern and the event it signals."""

    regex: re.Pattern
    id: str  # the rule's name, kept on every mention it makes an event ("shelling")
    event_type: str
    sub_event_type: str  # "ACTOR": decided by who acts (army regains / rebels overtake)
    family: str
    weak: bool


@dataclass(frozen=True)
class ContextRule:
    """A named rule that reads the words on one side of a trigger or a place.

    ``side`` is "before" (the pattern ends the last ``words`` words of the clause before)
    or "after" (it starts the first ``words`` words after). On a trigger it applies to the
    ``families`` listed (all when empty) except trigger words matching ``skip``, or only to
    the words matching ``only``.
    """

    id: str  # kept on the mention it decides (``reference_rule``)
    side: str
    words: int
    regex: re.Pattern
    families: frozenset[str] = frozenset()
    skip: re.Pattern | None = None  # trigger words the rule leaves alone
    only: re.Pattern | None = None  # the only trigger words it applies to


# What a reference rule reads: the words before a mention (``before-list``: with the earlier
# items of a list the mention ends set aside) or after it, lower-cased or as written.
SIDES = ("before", "before-list", "after")


@dataclass(frozen=True)
class Condition:
    """A pattern read in one window beside a place mention.

    ``side`` is one of :data:`SIDES`; ``words`` the window's length in words (None: the
    mention's whole context, to the start of its sentence); ``lower`` whether the text is
    lower-cased first (the pattern was written for lower-cased text).
    """

    side: str
    words: int | None
    lower: bool
    regex: re.Pattern
    anchored: bool  # the pattern starts with ^: tried at the window's start only
    window: tuple[str, int | None, bool]  # (side, words, lower): the key its cut is kept under
    test: Callable[[str], re.Match | None]  # the regex's match (anchored) or search, bound once


@dataclass(frozen=True)
class ReferenceRule:
    """One named rule of ``reference_rules.json``: when a place mention only refers to a place.

    The rule applies to the mentions its gates admit (place ``kinds``, ``places`` among
    foreign/domestic/unresolved, the ``last_word`` before the mention, ``keywords`` near it, ...);
    it fires when its ``pattern`` matches, ``with_`` matches too, ``unless`` does not, the
    sentence holds ``in_sentence`` and the named ``check`` (a function of
    :mod:`geo.extract.references`) agrees.
    """

    id: str
    why: str
    kinds: frozenset[str] | None = None  # place kinds; "unresolved": no place
    places: frozenset[str] | None = None  # "foreign", "domestic", "unresolved"
    last_word: frozenset[str] | None = None
    last_char: str = ""
    keywords: tuple[str, ...] = ()
    first_in_context: bool = False
    sentence_start: bool = False
    names_event: bool | None = None
    reported_elsewhere: bool | None = None
    pattern: Condition | None = None
    with_: Condition | None = None
    unless: tuple[Condition, ...] | None = None  # any one of them stops the rule
    in_sentence: re.Pattern | None = None
    check: str | None = None

    @property
    def pattern_only(self) -> bool:
        """The rule fires when its pattern matches: it has no other condition."""
        return self.with_ is None and self.unless is None and self.in_sentence is None and self.check is None


@dataclass(frozen=True)
class Lexicon:
    """Compiled trigger patterns and cue expressions."""

    triggers: tuple[Trigger, ...]
    any_trigger: re.Pattern
    government_actors: re.Pattern
    rebel_actors: re.Pattern
    anaphora: re.Pattern
    anaphoric_families: frozenset[str]
    country_families: frozenset[str]
    hypothetical: re.Pattern
    negation: re.Pattern
    movement: re.Pattern
    violent_types: frozenset[str]
    attribution: re.Pattern  # one alternation; group a<i> is the i-th source
    attribution_labels: tuple[str, ...]
    unverified: re.Pattern
    hedged: re.Pattern
    type_precedence: tuple[str, ...]  # ACLED's order when several kinds of violence bear on one place
    vague: re.Pattern  # trigger words that name no kind of violence ("attack", "assault")
    prevented: re.Pattern  # before a trigger: "police blocked activists from staging ..."
    attributive: re.Pattern  # after a trigger: "displaced families" describes people, tells no event
    attributive_words: frozenset[str]
    label_after: re.Pattern  # after a trigger noun: "the protest hub of Homs" labels a place, tells no event
    own_place: re.Pattern  # after a trigger: "shelling of inner districts" has a place of its own
    entry: re.Pattern  # forces entering or taking a place: a later sentence may give that act's day
    # Humanitarian reporting (UN situation reports, statements): what tells no event.
    trigger_blockers: tuple[ContextRule, ...] = ()  # "a convoy reached", "to verify reports of shelling"
    place_rules: tuple[ContextRule, ...] = ()  # "Jaramana is hosting displaced families", "flights to Damascus"
    long_period: re.Pattern | None = None  # "over the past three months": a count, not an event
    statistic: re.Pattern | None = None  # "600,000", "thousands of": the count a long period goes with
    # ``any_trigger``'s matches, found trying at each word only the triggers that can start with it.
    trigger_scan: Scanner | None = None
    area_nouns: str = ""  # "provinces|governorates": the head of a summary list of areas
    # When a place mention only refers to a place, in order (``reference_rules.json``).
    reference_rules: tuple[ReferenceRule, ...] = ()


_PATTERN_PARTS = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[^\\(]+|\(")


def _lc(pattern: str) -> str:
    """Lower-case a pattern's letters, leaving escapes (\\W, \\S) and group names as they are."""
    return _PATTERN_PARTS.sub(
        lambda m: m.group(0) if m.group(0).startswith(("\\", "(?P")) else m.group(0).lower(), pattern
    )


#: "to prevent", "to head off" ...: the verbs after "to" that make the act they govern unreal.
PREVENT_VERBS = "prevent|avert|stop|head off|forestall"
#: What every match of ``Lexicon.prevented`` holds: a sentence without it needs no search.
PREVENTED_GATE = re.compile(r"from\s|to\s+(?:" + PREVENT_VERBS + r")\s")


def _c(pattern: str) -> re.Pattern:
    """Compile a pattern for lower-cased text (see :func:`geo.extract.text.lowered`)."""
    return re.compile(_lc(pattern))


def _at_word_starts(alternatives: str) -> re.Pattern:
    """``(?<!\\w)(?=\\w)(?:alternatives)`` for lower-cased text, tried only where one can begin.

    The look-ahead of :func:`~geo.extract.scan.head_filter` lets the engine pass over the
    other word starts without trying every alternative at each (a whole-text pass runs fast).
    """
    low = _lc(alternatives)
    return re.compile(r"(?<!\w)(?=\w)" + head_filter([low]) + "(?:" + low + ")")


def _words(pattern: str) -> re.Pattern:
    return _c(r"\b(?:" + pattern + r")\b")


def load_lexicon(path: str | Path = DEFAULT_LEXICON, rules_path: str | Path = DEFAULT_REFERENCE_RULES) -> Lexicon:
    """Read and compile the lexicon and the reference rules; a malformed file raises :class:`LexiconError`.

    Every pattern but ``speech_after`` is meant for lower-cased text.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon ({exc})") from None
    try:
        triggers = []
        for i, t in enumerate(data["triggers"]):
            etype, sub = t["event_type"], t["sub_event_type"]
            if etype not in EVENT_TYPES or (sub != "ACTOR" and sub not in EVENT_TYPES[etype]):
                raise LexiconError(f"{path}: trigger {i} has unknown type {etype!r}/{sub!r}")
            rule_id = t.get("id") or f"{t['family']}-{i}"
            triggers.append(Trigger(_words(t["pattern"]), rule_id, etype, sub, t["family"], bool(t.get("weak"))))
        # The combined pattern finds every trigger in one pass (first listed wins).
        # The leading look-around lets the engine skip positions inside words
        # before trying the alternatives: three times faster than a plain \b.
        any_trigger = _c(
            r"(?<![\w])(?=[^\W\d_])(?:"
            + "|".join(f"(?P<t{i}>(?:{t['pattern']})\\b)" for i, t in enumerate(data["triggers"]))
            + ")"
        )
        trigger_scan = Scanner(
            r"[^\W\d_]", [(f"t{i}", _lc(t["pattern"])) for i, t in enumerate(data["triggers"])], suffix=r"\b"
        )
        return Lexicon(
            triggers=tuple(triggers),
            any_trigger=any_trigger,
            government_actors=_words(data["government_actors"]),
            rebel_actors=_words(data["rebel_actors"]),
            anaphora=_c(r"\b(?:" + data["anaphora"] + r")\s+(?:[\w'’-]+\s+){0,2}$"),
            anaphoric_families=frozenset(data["anaphoric_families"]),
            country_families=frozenset(data["country_families"]),
            hypothetical=_words(data["hypothetical"]),
            negation=_words(data["negation"]),
            movement=_words(data["movement_verbs"]),
            violent_types=frozenset(data["violent_types"]),
            attribution=_at_word_starts(
                "|".join(f"(?P<a{i}>(?:{a['pattern']})\\b)" for i, a in enumerate(data["attribution"]))
            ),
            attribution_labels=tuple(a["label"] for a in data["attribution"]),
            unverified=_at_word_starts(data["unverified"]),
            hedged=_at_word_starts(data["hedged_reports"]),
            type_precedence=_precedence(data["type_precedence"], path),
            vague=_c(r"^(?:" + data["vague"] + r")$"),
            prevented=_c(
                r"(?:\b(?:" + data["prevented"] + r")\b[^,;.]{0,60}?\bfrom\s+|\bto\s+(?:" + PREVENT_VERBS + r")\s+)"
                r"(?:[\w'’-]+\s+){0,6}$"
            ),
            attributive=_c(r"^\s+(?:" + data["attributive"]["nouns"] + r")\b"),
            attributive_words=frozenset(data["attributive"]["words"].split("|")),
            label_after=_c(r"^\s+(?:" + data["label_nouns"] + r")\b"),
            own_place=_c(
                r"^\s+(?:(?:\w+\s+)?(?:of|on|in|at|across|against|into)\s+)?(?:the\s+|its\s+)?(?:[\w'’-]+\s+){0,2}?(?:"
                + data["own_place_nouns"]
                + r")\b"
            ),
            entry=_words(data["entry"]),
            trigger_blockers=tuple(_context_rule(r, path) for r in data.get("trigger_blockers", [])),
            place_rules=tuple(_context_rule(r, path) for r in data.get("place_rules", [])),
            long_period=_words(data["long_period"]) if "long_period" in data else None,
            statistic=_c(r"(?<![\w,.])(?:" + data["statistic"] + r")(?![\w])") if "statistic" in data else None,
            trigger_scan=trigger_scan,
            area_nouns=_area_nouns(data.get("area_nouns", ""), path),
            reference_rules=load_reference_rules(rules_path, data),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise LexiconError(f"{path}: malformed lexicon ({type(exc).__name__}: {exc})") from None


_GATES = frozenset(
    "kinds places last_word last_char keywords first_in_context sentence_start names_event reported_elsewhere".split()
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def load_reference_rules(path: str | Path, lexicon: dict) -> tuple[ReferenceRule, ...]:
    """Read and compile the ordered reference rules; a malformed rule raises :class:`LexiconError` naming it.

    ``{name}`` in a pattern (or in ``last_word``) stands for a shared word list of
    :mod:`geo.extract.words` or, in a pattern, an alternation of ``lexicon`` (``"speaker_nouns"``).
    """
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["rules"]
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise LexiconError(f"{path}: cannot read the reference rules ({exc})") from None
    rules = []
    for entry in entries:
        name = f"{path}: reference rule {entry.get('id')!r}"
        try:
            rules.append(_reference_rule(entry, lexicon))
        except LexiconError as exc:
            raise LexiconError(f"{name}: {exc}") from None
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise LexiconError(f"{name} is malformed ({type(exc).__name__}: {exc})") from None
    return tuple(rules)


def _reference_rule(entry: dict, lexicon: dict) -> ReferenceRule:
    """Compile one entry of ``reference_rules.json``."""
    gates = entry.get("applies_to", {})
    unknown = set(gates) - _GATES
    if unknown:
        raise LexiconError(f"unknown applies_to {sorted(unknown)}; use some of {sorted(_GATES)}")
    check = entry.get("check")  # a name of geo.extract.references.CHECKS, looked up when the rule is asked
    last_word = gates.get("last_word")
    return ReferenceRule(
        id=entry["id"],
        why=entry["why"],
        kinds=frozenset(gates["kinds"]) if "kinds" in gates else None,
        places=frozenset(gates["places"]) if "places" in gates else None,
        last_word=frozenset(_expand_words(last_word)) if last_word is not None else None,
        last_char=gates.get("last_char", ""),
        keywords=tuple(gates.get("keywords", ())),
        first_in_context=bool(gates.get("first_in_context")),
        sentence_start=bool(gates.get("sentence_start")),
        names_event=gates.get("names_event"),
        reported_elsewhere=gates.get("reported_elsewhere"),
        pattern=_condition(entry, lexicon) if "pattern" in entry else None,
        with_=_condition(entry["with"], lexicon) if "with" in entry else None,
        unless=_conditions(entry["unless"], lexicon) if "unless" in entry else None,
        in_sentence=_c(_fill(entry["in_sentence"], lexicon)) if "in_sentence" in entry else None,
        check=check,
    )


def _conditions(entry: dict | list[dict], lexicon: dict) -> tuple[Condition, ...]:
    """One condition or a list of them (an ``unless`` may name several ways a rule does not apply)."""
    return tuple(_condition(e, lexicon) for e in (entry if isinstance(entry, list) else [entry]))


def _condition(entry: dict, lexicon: dict) -> Condition:
    """Compile the ``side``/``window``/``text``/``pattern`` of a rule or of its ``with``/``unless``."""
    side = entry["side"]
    if side not in SIDES:
        raise LexiconError(f"side {side!r}; use one of {', '.join(SIDES)}")
    text = entry.get("text", "lower")
    if text not in ("lower", "original"):
        raise LexiconError(f'text {text!r}; use "lower" or "original"')
    source = _fill(entry["pattern"], lexicon)
    words = None if entry.get("window") is None else int(entry["window"])
    regex = _c(source) if text == "lower" else re.compile(source)
    return Condition(
        side=side,
        words=words,
        lower=text == "lower",
        regex=regex,
        anchored=source.startswith("^"),
        window=(side, words, text == "lower"),
        test=regex.match if source.startswith("^") else regex.search,
    )


def _expand_words(words: list[str]) -> list[str]:
    """Literal words, where ``"{name}"`` stands for the words of the list ``name``."""
    out: list[str] = []
    for word in words:
        found = _PLACEHOLDER.fullmatch(word)
        out.extend(_word_list(found.group(1)) if found else [word])
    return out


def _word_list(name: str) -> tuple[str, ...]:
    """The literal words of a shared word list (:data:`geo.extract.words.WORD_LISTS`)."""
    if name not in WORD_LISTS:
        raise LexiconError(f"no word list {name!r}; use one of {sorted(WORD_LISTS)} or add it to geo/extract/words.py")
    return WORD_LISTS[name]


def _fill(pattern: str, lexicon: dict) -> str:
    """Put the word lists in for the ``{name}`` placeholders of a pattern.

    A name is a shared word list (:data:`geo.extract.words.WORD_LISTS`) or an alternation of
    the lexicon (``"speaker_nouns"``).
    """
    alternations = {k: v for k, v in lexicon.items() if isinstance(v, str)}
    return fill(pattern, alternations, "an alternation of the lexicon")


def _context_rule(rule: dict, path: Path) -> ContextRule:
    """Compile one entry of ``trigger_blockers`` or ``place_rules``."""
    side = rule["side"]
    if side not in ("before", "after"):
        raise LexiconError(f'{path}: rule {rule.get("id")!r} has side {side!r}; use "before" or "after"')
    pattern = r"\b(?:" + rule["pattern"] + r")\s*$" if side == "before" else r"^\s*(?:" + rule["pattern"] + r")\b"
    return ContextRule(
        id=rule["id"],
        side=side,
        words=int(rule.get("words", 8)),
        regex=_c(pattern),
        families=frozenset(rule.get("families", ())),
        skip=_c(r"^(?:" + rule["skip"] + r")") if rule.get("skip") else None,
        only=_c(r"^(?:" + rule["only"] + r")$") if rule.get("only") else None,
    )


def _area_nouns(nouns: str, path: Path) -> str:
    """The ``area_nouns`` alternation, checked to compile (it is used inside larger patterns)."""
    if nouns:
        try:
            re.compile(nouns)
        except re.error as exc:
            raise LexiconError(f"{path}: area_nouns {nouns!r} is no regular expression ({exc}); use a|b|c") from None
    return nouns


def _precedence(order: list[str], path: Path) -> tuple[str, ...]:
    unknown = [t for t in order if t not in EVENT_TYPES]
    if unknown or set(order) != set(EVENT_TYPES):
        raise LexiconError(f"{path}: type_precedence must list each of {sorted(EVENT_TYPES)} once (bad: {unknown})")
    return tuple(order)
