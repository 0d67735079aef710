"""The event lexicon: trigger words and context cues, read from data.

The words live in ``geo/data/lexicon.json`` (see the README there); this
module only compiles them into regular expressions once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LexiconError
from ..models import EVENT_TYPES
from .scan import Scanner

DEFAULT_LEXICON = Path(__file__).resolve().parent / "data" / "lexicon.json"


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
    speaker: re.Pattern
    speaker_verbs: re.Pattern
    combatant_from: re.Pattern
    movement: re.Pattern
    generic: re.Pattern
    solidarity: re.Pattern
    violent_types: frozenset[str]
    locational_after: re.Pattern
    speech_after: re.Pattern
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
    title_after: re.Pattern  # after a place: "the Aleppo city council" names an office, not a place
    # Humanitarian reporting (UN situation reports, statements): what tells no event.
    trigger_blockers: tuple[ContextRule, ...] = ()  # "a convoy reached", "to verify reports of shelling"
    place_rules: tuple[ContextRule, ...] = ()  # "Jaramana is hosting displaced families", "flights to Damascus"
    long_period: re.Pattern | None = None  # "over the past three months": a count, not an event
    statistic: re.Pattern | None = None  # "600,000", "thousands of": the count a long period goes with
    # ``any_trigger``'s matches, found trying at each word only the triggers that can start with it.
    trigger_scan: Scanner | None = None
    area_nouns: str = ""  # "provinces|governorates": the head of a summary list of areas


_PATTERN_PARTS = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[^\\(]+|\(")


def _lc(pattern: str) -> str:
    """Lower-case a pattern's letters, leaving escapes (\\W, \\S) and group names as they are."""
    return _PATTERN_PARTS.sub(
        lambda m: m.group(0) if m.group(0).startswith(("\\", "(?P")) else m.group(0).lower(), pattern
    )


def _c(pattern: str) -> re.Pattern:
    """Compile a pattern for lower-cased text (see :func:`geo.extract.text.lowered`)."""
    return re.compile(_lc(pattern))


def _words(pattern: str) -> re.Pattern:
    return _c(r"\b(?:" + pattern + r")\b")


def load_lexicon(path: str | Path = DEFAULT_LEXICON) -> Lexicon:
    """Read and compile the lexicon; a malformed file raises :class:`LexiconError`.

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
        speaker = _c(
            r"\b(?:" + data["speaker_nouns"] + r")(?:\s+at\s+the\s+[\w ]{2,40}?(?=\s+in\b))?"
            r"(?:,?\s+(?:speaking|talking|writing|calling|reached|contacted)"
            r"(?:\s+by\s+\w+)?,?(?=\s+(?:from|in)\b))?"
            r"(?:\s+who\s+(?:identified|introduced|described|named|called)\s+"
            r"(?:himself|herself|themselves)\s+as\s+[^,;:.]{1,40}?|\s+who\s+(?:lives|lived|works|worked|is|was))?"
            r"\s+(?:based\s+)?(?:in|from|inside|of)\s+"
            r"(?:the\s+)?(?:(?:nearby|neighbou?ring|adjacent|southern|northern|eastern|western|central|besieged|"
            r"rebel-held|government-held|embattled|restive)\s+)*"
            r"(?:(?:[\w'’-]+\s+){0,2}(?:district|neighbou?rhood|town|city|suburb|camp|area|"
            r"village|quarter)\s+of\s+)?$"
        )
        combatant_from = _c(r"\b(?:" + data["combatant_nouns"] + r")\s+from\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?$")
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
            speaker=speaker,
            speaker_verbs=_words(data["speaker_verbs"]),
            combatant_from=combatant_from,
            movement=_words(data["movement_verbs"]),
            generic=_c(
                r"\b(?:"
                + data["generic_nouns"]
                + r")\s+(?:in|for|of|on|over|about|against|towards?|across|inside|with)"
                r"\s+(?:the\s+)?(?:liberation\s+of\s+)?$"
            ),
            solidarity=_c(r"\b(?:" + data["solidarity"] + r")\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?(?:in\s+|of\s+)?$"),
            violent_types=frozenset(data["violent_types"]),
            locational_after=_c(r"^['’]s?\s+(?:[\w-]+\s+){0,1}(?:" + data["locational_nouns"] + r")\b"),
            # On the original text: "and China" needs its capital.
            speech_after=re.compile(
                r"^(?:\s*,[^,.;]{1,80},)?(?:\s+and\s+[A-Z][\w-]+)?\s+(?:(?:has|have|had|also|again|once again|"
                r"strongly|firmly|repeatedly|still|already|quickly|then|now|publicly|officially)\s+)*(?:"
                + data["speech_verbs"]
                + r")\b"
            ),
            attribution=_c(
                r"(?<!\w)(?=\w)(?:"
                + "|".join(f"(?P<a{i}>(?:{a['pattern']})\\b)" for i, a in enumerate(data["attribution"]))
                + ")"
            ),
            attribution_labels=tuple(a["label"] for a in data["attribution"]),
            unverified=_c(r"(?<!\w)(?=\w)(?:" + data["unverified"] + ")"),
            hedged=_c(r"(?<!\w)(?=\w)(?:" + data["hedged_reports"] + ")"),
            type_precedence=_precedence(data["type_precedence"], path),
            vague=_c(r"^(?:" + data["vague"] + r")$"),
            prevented=_c(
                r"(?:\b(?:"
                + data["prevented"]
                + r")\b[^,;.]{0,60}?\bfrom\s+|\bto\s+(?:prevent|avert|stop|head off|forestall)\s+)"
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
            title_after=re.compile(r"^\s+(?:" + data["title_after"] + r")\b", re.IGNORECASE),
            trigger_blockers=tuple(_context_rule(r, path) for r in data.get("trigger_blockers", [])),
            place_rules=tuple(_context_rule(r, path) for r in data.get("place_rules", [])),
            long_period=_words(data["long_period"]) if "long_period" in data else None,
            statistic=_c(r"(?<![\w,.])(?:" + data["statistic"] + r")(?![\w])") if "statistic" in data else None,
            trigger_scan=trigger_scan,
            area_nouns=_area_nouns(data.get("area_nouns", ""), path),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise LexiconError(f"{path}: malformed lexicon ({type(exc).__name__}: {exc})") from None


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
