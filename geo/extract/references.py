"""Reference rules: when a place mention only refers to a place.

A mention is not an event's place when it gives a speaker's location ("an
activist in Yarmouk"), is part of a compound ("Tadamon-based"), a possessive
("Russia's foreign ministry"), metonymy ("Moscow condemned"), a general
reference ("the situation in Syria"), a statement's place ("In Washington, a
spokesman said"), a locator ("the Damascus–Homs highway"), or a foreign place
named without a locative. :func:`reference_reason` names the rule that
applies; :mod:`geo.extract.events` uses it before looking for the event.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..models import Span
from .lexicon import Lexicon
from .text import CONTEXT_CHARS, Sentence, clause_tail, context_start, lowered

# Matched against lower-cased text (see text.lowered): re.IGNORECASE made this
# pattern, tried at every position of the window, ten times slower.
_LOCATIVE = re.compile(
    r"(?:\b(?:in|inside|into|to|from|across|throughout|near|at|within|around|outside|towards?|via|through|over)"
    r"\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}?"
    r"|\b(?:town|city|village|district|province|region|area|areas|suburb|neighbou?rhood|camp|port|stronghold"
    r"|outskirts|edge|edges|centre|center|heart|hills|countryside|streets) of\s+"
    r"|\b(?:above|below|beyond|behind|along|outside)\s+(?:the\s+)?)$"
)
# A wire dateline after the city: "DAMASCUS, Nov. 12 (Xinhua) --", "BEIRUT (Reuters) -".
_WIRE_DATELINE = re.compile(r"^(?:,\s*[A-Z][a-z]{2,}\.?\s+\d{1,2}\b|\s*\(\w+\)|\s*[-–—/]{1,2}\s)")
# Earlier items of a list the mention ends: "in Turkey, Jordan, Lebanon and Iraq".
_LIST_HEAD = re.compile(r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s*(?:,\s*|\s+and\s+|\s+or\s+))+$")
# "In Geneva, the UN office called for ...": where a statement was made.
_DATELINE = re.compile(r"^(?:In|At|From)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}$")
STATEMENT = re.compile(
    r"\b(?:said|says|called|calls|urged|urges|condemned|condemns|announced|demanded|warned|told|stated|appealed"
    r"|agreed|signed|met|discussed|held talks|voted)\b"
)
# A country or capital as the object of blame or appeal: "accused Damascus of ...".
_ADDRESSED = re.compile(
    r"\b(?:accus\w*|blam\w*|urg\w*|warn\w*|call\w* on|critici[sz]\w*|condemn\w*|press\w*|threaten\w*|"
    r"sanction\w*|ask\w*|told|tells?)\s+$",
    re.IGNORECASE,
)
# Roads named after the places they join: "the Damascus–Homs highway", "the road to the airport".
_ROAD_AFTER = re.compile(r"^\s*[-–—]\s*[A-Z][\w'’-]+\s+(?:highway|road|motorway|expressway|railway)\b", re.IGNORECASE)
_ROAD_BEFORE = re.compile(
    r"(?:\b(?:highway|road|motorway|expressway|railway)\s+(?:to|from|linking|between|towards?)\s+(?:the\s+)?"
    r"|[A-Z][\w'’-]+\s*[-–—]\s*)$"
)
_ROAD_TO_OF = re.compile(
    r"\b(?:highway|road|motorway|expressway|railway)\s+(?:to|from|towards?)\s+(?:[\w'’-]+\s+){1,4}of\s+$",
    re.IGNORECASE,
)
_PREP_END = frozenset(
    """in from of inside for on over about against toward towards across with into to near at the based
    nearby neighbouring neighboring adjacent southern northern eastern western central besieged
    rebel-held government-held embattled restive""".split()
)
_ROAD_PREPS = frozenset("to from linking between towards toward the".split())
# Places named only to locate others: "districts which lie between Sayyida Zeinab and the airport road".
_LOCATOR = re.compile(r"\b(?:lie|lies|lying|located|situated|sits|stands)\b[^,.;:]{0,60}$", re.IGNORECASE)
_SUBJECT_BEFORE = re.compile(
    r"(?:^|[,;:“\"(]|\b(?:and|but|while|that|as|when|after|because|since|though|although|however))\s*$",
    re.IGNORECASE,
)
# A speaker named after a quote or a comma ("..., said X, spokesman for the council in
# Damascus"); pronouns ("he said") name no place and are left out.
_SAID_TAIL = re.compile(
    r"(?:[”\"],?|,)\s+(?:said|says|added|told|according to)\b"
    r"(?!\s+(?:it|he|she|they|we|that|there|its|their|late|early|on|in|yesterday|today|last|this)\b)"
    r"|[”\"],?\s+[A-Z][^,.;“]{0,60}?\b(?:said|says|added|told)\b"
    r"|\baccording to\b",
    re.IGNORECASE,
)
_SPEAKER_AFTER = re.compile(
    r"^\s+(?:residents?|activists?|officials?|sources?|doctors?|witness(?:es)?|journalists?|correspondents?)\b",
    re.IGNORECASE,
)
_FINITE = re.compile(r"\b(?:had|has|have|was|were|is|are|would|will|could|did|do|does)\b", re.IGNORECASE)
# Where a statement was made: "said in Damascus", "told Reuters in Damascus".
_STATED_IN = re.compile(
    r"\b(?:said|says|told|tells|spoke|speaking|announced|declared)\s+(?:[A-Z][\w.]*\s+|journalists\s+|reporters\s+)?"
    r"(?:by\s+\w+\s+)?(?:in|from)\s+$"
)
# A meeting's place: "who met Lavrov and Biden in Munich".
_MEETING = re.compile(
    r"\b(?:met|meet|meets|meetings?|talks|summit|conference|visited|visiting|visit)\b[^,.;]{0,80}$", re.IGNORECASE
)
_TAIL_END = re.compile(r"\badding\b|\band added\b|\bwho said\b|[“\"]", re.IGNORECASE)
_BASED_IN = re.compile(r"\bbased\s+(?:in|at)\s+(?:the\s+)?(?:nearby\s+|neighbou?ring\s+)?$", re.IGNORECASE)
# "killed in the unrest in Latakia": deaths at the place, whatever the general word for their cause.
_DEATHS_IN = re.compile(r"\b(?:killed|died|dead|wounded|injured)\s+(?:\w+\s+){0,2}?in\s+(?:the\s+)?\w+\s+in\s+$")
_DESCRIPTION = re.compile(r",\s*one of (?:the\s+)?(?:[\w'’-]+\s+){0,3}$", re.IGNORECASE)
# One item of a list of areas, on the original text (names are capitalised): "Idleb", "Dayr Az Zor",
# "the country side of Damascus", "Damascus city"; and what joins two items.
_PARTICLE = r"(?:al|el|ez|az|as|ad|ar|an)"  # "Dayr Az Zor", "Deir ez-Zor", "al-Wafidin"
_AREA_NAME = rf"(?:[A-Z]|{_PARTICLE}-[A-Z])[\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|{_PARTICLE}(?:-[\w'’]+)?))*"
_AREA_ITEM = (
    r"(?:the\s+)?(?:(?:northern|southern|eastern|western|central)\s+)?"
    rf"(?:(?:country\s*side|outskirts|suburbs)\s+of\s+)?{_AREA_NAME}(?:\s+city)?"
)
_AREA_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)(?:to\s+a\s+(?:lesser|greater)\s+extent\s+in\s+)?"


def reference_reason(
    text: str,
    sentence: Sentence,
    span: Span,
    lex: Lexicon,
    foreign: bool,
    names_event: bool = False,
    reported_elsewhere: bool = False,
) -> str | None:
    """Why a mention only refers to a place (None: it may be an event's place)."""
    if sentence.heading:
        return "heading"
    # Bounded windows (the whole sentence when it is of news length): no rule
    # rescans a growing prefix of a long sentence for every mention.
    head = context_start(text, span.start, sentence.start)
    before = text[head : span.start]
    after = text[span.end : min(sentence.end, span.end + CONTEXT_CHARS)]
    if re.match(r"^-[a-z]", after):
        return "compound"  # "Tadamon-based", "UK-backed"
    if _BASED_IN.search(before[-30:]):
        return "based"  # "the airline, based in Dubai": where an actor sits, as "Dubai-based"
    if lex.title_after.match(after[:40]):
        return "title"  # "an Aleppo city council member": an office named after the place
    kind = span.place.kind if span.place else None
    if re.match(r"^['’]s?\b", after) and kind in ("country", "city", "governorate", "region", None):
        if kind == "country" or not lex.locational_after.match(lowered(after[:60])):
            return "possessive"  # "Russia's foreign ministry", "London's IISS" (not "the university's faculty")
    # Cheap tests first: most rules need the text before to end in a preposition
    # or to hold a keyword, and most mentions have neither.
    tail = lowered(before[-160:])
    words = tail.split()
    last = words[-1] if words else ""
    if last in ("and", "or") or tail.rstrip().endswith(","):
        listless = lowered(_LIST_HEAD.sub("", before[-160:]))
        last = (listless.split() or [""])[-1]
    else:
        listless = tail
    prep_end = last in _PREP_END
    if prep_end and lex.speaker.search(listless) and _holds(lex.speaker_verbs, sentence.lower):
        return "speaker"  # "said an activist in Yarmouk", "residents of the nearby Qassaa and Bab Touma districts"
    if _SPEAKER_AFTER.match(after) and _holds(lex.speaker_verbs, sentence.lower):
        return "speaker"  # "Damascus residents said ..."
    if last in ("in", "from") and _STATED_IN.search(before[-80:]):
        return "speaker"  # "Moallem said in Damascus", "a source told Reuters in Damascus"
    if prep_end and lex.combatant_from.search(tail) and not lex.movement.search(tail[-60:]):
        return "origin"  # "soldiers from Midan"
    if any(k in tail for k in ("said", "says", "added", "told", "according")) and _in_attribution(before, lex):
        return "attribution"  # "..., said X, spokesman for the council in Damascus"
    if kind in ("country", "city") and _ADDRESSED.search(before[-30:]):
        return "metonymy"  # "accused Damascus of ..."
    if kind in ("country", "city") and _SUBJECT_BEFORE.search(before[-40:]) and lex.speech_after.match(after):
        return "metonymy"  # "Moscow condemned", "Russia, ..., continued to resist"
    genre = _place_rule(before, after, lex)
    if genre is not None:
        return genre  # "Jaramana is hosting displaced families", "flights to Damascus"
    if lex.area_nouns and _in_area_list(before[-160:], after[:160], sentence.lower, lex.area_nouns):
        return "area-list"  # "clashes were reported in the provinces of Idleb, Homs and Hama"
    if "one of" in tail and _DESCRIPTION.search(before):
        return "description"  # "Midan, one of the first Damascus areas to rise up"
    if prep_end and lex.generic.search(tail) and not _DEATHS_IN.search(tail[-60:]):
        return "generic"  # "the situation in Syria", "the battle for Damascus"
    if prep_end and lex.solidarity.search(tail):
        return "solidarity"  # "chanting in solidarity with Daraya"
    if (tail.rstrip()[-1:] in "-–—" or last in _ROAD_PREPS) and _ROAD_BEFORE.search(before[-60:]):
        return "locator"
    if last == "of" and _ROAD_TO_OF.search(before[-80:]):
        return "locator"  # "the main highway to Syria's commercial capital of Aleppo"
    if after[:2].strip()[:1] in ("-", "–", "—") and _ROAD_AFTER.match(after):
        return "locator"  # "the Damascus–Homs highway", "the highway to Damascus International Airport"
    if any(k in tail for k in ("lie", "locat", "situat", "sits", "stand")) and _LOCATOR.search(before[-80:]):
        return "locator"  # "which lie between Sayyida Zeinab and the airport road"
    if (foreign or span.place is None) and _MEETING.search(before[-100:]):
        return "meeting"  # diplomacy: where talks were held
    if not before.strip() and (span.surface.isupper() and len(span.surface) > 3 or _WIRE_DATELINE.match(after)):
        return "wire dateline"  # "DAMASCUS, Nov. 12 (Xinhua) --", "BEIRUT (Reuters) -"
    if foreign and head == sentence.start and _DATELINE.match(before) and re.match(r"^[^,]{0,40},", after):
        if kind in ("city", "country"):
            return "statement"  # "In Washington, a spokesman said ...": where it was said
        if reported_elsewhere:
            return "dateline"  # "In Arsal, residents said helicopters fired at the town" may host it
    if foreign and not names_event and not _LOCATIVE.search(lowered(_LIST_HEAD.sub("", before[-160:]))):
        return "not located"  # a foreign place named without in/to/from
    return None


def _place_rule(before: str, after: str, lex: Lexicon) -> str | None:
    """The id of the first place rule (``lexicon.json``, ``place_rules``) the words beside a mention fit."""
    sides: dict[tuple[str, int], str] = {}  # rules share a few (side, words) windows: cut each once
    for rule in lex.place_rules:
        key = (rule.side, rule.words)
        if key not in sides:
            if rule.side == "before":
                sides[key] = " ".join(lowered(clause_tail(before[-12 * rule.words :])).split()[-rule.words :]) + " "
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
    return not _TAIL_END.search(segment)


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
