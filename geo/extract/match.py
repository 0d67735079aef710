"""Place mentions: find candidate spans, resolve overlaps, check each one.

Following spaCy's matcher design the work is split into
:func:`find_candidates` (every span whose toponym key is in the gazetteer),
:func:`filter_spans` (longest wins) and :func:`check_candidates` (drop spans
that are part of a person's or an organisation's name); :func:`resolve_homonyms`
chooses among places that share a name by the text's other places; then
:func:`find_unresolved` reports unknown place-like names after locative cues.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from functools import cache, lru_cache

from ..models import PLACE_KINDS, Place, Span
from .gazetteer import Gazetteer, haversine_km
from .text import ARTICLES, fold, place_key, similarity, skeleton
from .words import MONTHS, PLACE_NOUNS, WEEKDAYS

MAX_TOKENS = 6
FUZZY_MIN_SIMILARITY = 0.8

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][^\W_]*(?:['’‘`ʿʾ][^\W\d_]+)*|\d+")
_POSSESSIVE = re.compile(r"['’](?:s\b)?")
# What may stand between two tokens of one name: a space or a hyphen.
# What may stand between two words of one name; an apostrophe is an ayn ("Bab 'Amr", "Ras al-‘Ain").
_JOIN = re.compile(r"^(?: |-|- | -| ['’‘`ʿʾ]|-['’‘`ʿʾ])$")
# Capitalised words that may stand before a place name without being part of
# a person's or organisation's name.
_FREE_BEFORE = frozenset(
    """in at from the a an this that these those its his her their our and but near of to on for as while when
    after before since outside
    inside across around through throughout meanwhile elsewhere also then yet so if
    greater central eastern western northern southern old new rural upper lower downtown
    south north east west mount jabal jebel province governorate region rebel rebels activists troops
    however although though despite during between against into toward towards like
    via both including besides beyond under over within without amid among whereas
    where residents people fighting shelling clashes""".split()
) | frozenset(PLACE_NOUNS)
# Capitalised words that may follow a place name without making it part of a
# longer proper name ("Damascus Sunday", "Douma District").
_FREE_AFTER = frozenset(
    """province governorate countryside suburbs area region valley outskirts""".split()
) | frozenset(WEEKDAYS + MONTHS + PLACE_NOUNS)
# Words that make a country's name part of a title: "Jordan Times", "Qatar Airways".
_MEDIA_WORDS = frozenset(
    "times post news daily today tribune herald airways air airlines bank telecom radio tv".split()
)
_MONTHS_DAYS = frozenset(WEEKDAYS + MONTHS)
# Capitalised words never taken as unknown place names after a cue.
_NOT_PLACES = (
    frozenset(
        """the a an this that these those his her its their our my your mr mrs ms dr gen
    general president minister prime colonel col lt major brig sheikh imam king prince
    english arabic french
    reuters afp ap bbc cnn god islam allah ramadan eid christmas
    observatory army council committee ministry party government regime opposition
    parliament assembly nations union league court bank agency council congress senate cabinet
    kremlin pentagon""".split()
    )
    | _MONTHS_DAYS
)
_TITLES = frozenset(
    """mr mrs ms dr gen general president minister prime colonel col lt major brig sheikh imam
    king prince queen lord sir secretary ambassador envoy commander captain sergeant""".split()
)
_CUE_BEFORE = re.compile(
    r"\b(?:(?:"
    + "|".join(PLACE_NOUNS)
    + r"|area|quarter|region|province|governorate|municipality|locality|hamlet)s? of|in|near|outside|into|around|"
    r"towards?|across|entered|stormed|shelled|bombarded|bombed|pounded|besieged|encircled|overran|retook|recaptured)"
    r"\s+(?:the\s+)?$"
)
# Names and the words that qualify them stay on one line: "Qusour\nReuters" is two lines, not a name.
# Words inside a name that say what kind of place it is, in English or in the Arabic
# that English reporting keeps ("Masaken Hanano": the Hanano housing blocks; "Hay al-Waer").
_KIND_WORDS = frozenset(
    (*PLACE_NOUNS, "quarter", "area", "masaken", "masakin", "hay", "harat", "mukhayam", "mukhayyam")
)
_CUE_AFTER = re.compile(r"^[ \t]+(?:district|neighbou?rhood|suburb|camp|quarter|area)\b", re.I)
# A named facility is a place mention too ("the al-Taqwa mosque", "Mouwasat Hospital").
_FACILITY_AFTER = re.compile(
    r"^[ \t]+(?:mosque|hospital|square|street|roundabout|bridge|airport|airbase|air base|prison|school|university"
    r"|church|cathedral|stadium|market|souk|bakery|shrine|palace|hotel)\b",
    re.I,
)
_NAME = re.compile(r"(?:(?:[Aa]l|[Ee]l)-)?[A-Z][\w'’-]*(?:[ \t]+(?:(?:al|el|Al|El)-)?[A-Z][\w'’-]*){0,2}")
_ADJECTIVE = re.compile(r"(?:ian|ite|ese|ish|an|i)$")
_KIND_RANK = {kind: rank for rank, kind in enumerate(PLACE_KINDS)}


def tokens(text: str) -> list[tuple[int, int]]:
    """Word tokens as (start, end), with possessive 's and trailing ' cut off."""
    out = [m.span() for m in _TOKEN.finditer(text)]
    if "'" in text or "’" in text:
        for k, (start, end) in enumerate(out):
            word = text[start:end]
            if word[-1] in "'’" or word[-2:] in ("'s", "’s"):
                cut = _POSSESSIVE.search(word, len(word) - 2 if len(word) > 2 else 0)
                if cut and cut.end() == len(word) and cut.start() > 0:
                    out[k] = (start, start + cut.start())
    return out


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def find_candidates(text: str, gaz: Gazetteer, toks: list[tuple[int, int]] | None = None) -> list[Span]:
    """Every span whose key is a gazetteer key (all lengths; overlaps kept)."""
    toks = tokens(text) if toks is None else toks
    out: list[Span] = []
    prefixes, by_key = gaz.prefixes, gaz.by_key
    n = len(toks)
    # Names start capitalised, or with an article, or (lower-case landmarks) with one of
    # a few known words: skip every other token in one pass.
    lower_starts = gaz.any_case_first | ARTICLES
    starts = [i for i, (s, e) in enumerate(toks) if text[s].isupper() or text[s:e] in lower_starts]
    for i in starts:
        s, e = toks[i]
        word = text[s:e]
        if word in gaz.abbreviations:
            out.append(Span(s, e, word, gaz.abbreviations[word], "alias"))
            continue
        is_article = False
        if not word[0].isupper():
            first = word.lower()
            # An article starts a name only as "al-"/"el-" or joined by a hyphen
            # ("as-Suwayda"): "at London", "as Russia" are English.
            is_article = first in ARTICLES and (first in ("al", "el") or text[e : e + 1] == "-")
            if not (is_article or first in gaz.any_case_first):
                continue
        else:
            is_article = word in ("Al", "El") or (word.lower() in ARTICLES and text[e : e + 1] == "-")
        for j in range(i, min(n, i + MAX_TOKENS)):
            if j > i and not _JOIN.match(text[toks[j - 1][1] : toks[j][0]]):
                break
            end = toks[j][1]
            surface = text[s:end]
            key = place_key(surface)
            last_is_article = text[toks[j][0] : end].lower() in ARTICLES
            if key not in prefixes and not last_is_article:
                break
            places = by_key.get(key)
            if places and not (is_article and j == i):
                if _case_ok(text, toks, i, j, key, gaz):
                    out.append(Span(s, end, surface, _choose(places, surface), "key"))
    return out


def _case_ok(text: str, toks, i: int, j: int, key: str, gaz: Gazetteer) -> bool:
    """Place names are capitalised; multi-word landmark names may not be."""
    if key in gaz.any_case:
        return True
    for k in range(i, j + 1):
        word = text[toks[k][0] : toks[k][1]]
        if word.lower() not in ARTICLES:
            return _capitalised(word)
    return False


def _choose(places: tuple[Place, ...], surface: str) -> Place:
    """Among places sharing a key, the one the name means without context.

    An exact spelling narrows the choice; then the gazetteer's ``default`` row,
    then the larger kind. :func:`resolve_homonyms` may revise it by the text's other places.
    """
    if len(places) == 1:
        return places[0]
    return _by_default(candidates(places, surface))


def candidates(places: tuple[Place, ...], surface: str) -> tuple[Place, ...]:
    """The places a name may denote: those spelled exactly so, else all sharing its key."""
    if len(places) == 1:
        return places
    folded = fold(surface)
    exact = tuple(p for p in places if folded in _folded_names(p))
    return exact or places


def _by_default(pool: tuple[Place, ...]) -> Place:
    # max() keeps the first of equals: gazetteer order breaks the remaining ties.
    return max(pool, key=lambda p: (p.is_default, _KIND_RANK.get(p.kind, 0)))


@cache
def _folded_names(place: Place) -> frozenset[str]:
    return frozenset(fold(a) for a in (place.name, *place.aliases))


def filter_spans(spans: Iterable[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (earliest on ties), in text order."""
    chosen: list[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if taken.isdisjoint(range(span.start, span.end)):
            chosen.append(span)
            taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


_NEXT_WORD = re.compile(r"([^\w]*)([\w'’-]+)")


def _word_before(text: str, start: int) -> tuple[str, str]:
    """The word before `start` and what separates them."""
    head = text[max(0, start - 60) : start]
    i = len(head)
    while i and not (head[i - 1].isalnum() or head[i - 1] in "_'’.-"):
        i -= 1
    j = i
    while j and (head[j - 1].isalnum() or head[j - 1] in "_'’.-"):
        j -= 1
    return head[j:i], head[i:]


def _word_after(text: str, end: int) -> tuple[str, str]:
    m = _NEXT_WORD.match(text[end : end + 60])
    return (m.group(2), m.group(1)) if m else ("", "")


#: A transliterated Arabic article joined to the next word of a name: "Bab al-Nayrab", "Tal el-Zaatar".
_ARTICLE_JOINED = re.compile(r"^(?:al|el|an|ar|as|ash|ad|az|at|adh|ath)-['’‘ʿ]?(?=[A-Z])")
#: An ayn or hamza written as an apostrophe before a word: "Bab 'Amr", "Bab ‘Amr".
_AYN_GAP = frozenset(" " + mark for mark in "'’‘ʿʾ`")


def part_of_longer_name(text: str, span: Span, mention_starts: set[int]) -> bool:
    """True when a span is inside a person's or organisation's name.

    "William Hague", "Aleppo University", "Washington Post": a capitalised word
    directly before or after (not a preposition, weekday or place word) makes
    the place name part of a longer proper name. So does the next word of an
    Arabic name written with its article or an apostrophe ("Bab al-Faraj", "Bab
    'Amr": not the town al-Bab), and the name after "X al-" ("Bab al-Nayrab").
    """
    before, sep = _word_before(text, span.start)
    if sep == "" and _ARTICLE_JOINED.match(before + text[span.start : span.start + 1]):
        word, gap = _word_before(text, span.start - len(before))
        if gap == " " and _capitalised(word) and word.lower() not in _FREE_BEFORE:
            if not _sentence_initial(text, span.start - len(before) - len(gap) - len(word)):
                return True
    if before.endswith(("’s", "'s", "s’", "s'")):
        before = ""  # a possessive modifies the name ("the Baath Party's National Security Bureau")
    if "-" in before and before.rsplit("-", 1)[1][:1].islower():
        before = ""  # a compound adjective modifies it ("the Kurdish-majority Sheikh Maqsoud district")
    if _ADJECTIVE.search(before) and _word_before(text, span.start - len(sep) - len(before))[0] == "the":
        before = ""  # a nationality adjective after "the" modifies it ("the Palestinian Yarmuk camp")
    if before and sep == " " and _capitalised(before) and before.lower().rstrip(".") not in _FREE_BEFORE:
        if not _sentence_initial(text, span.start - len(sep) - len(before)):
            return True
        # Sentence-initial capital: a title ("General Tlas") or a given name ("William Hague");
        # not a participle ("Besieged Douma") or an adjective in -ern ("Eastern Ghouta").
        word = before.lower().rstrip(".")
        if word in _TITLES:
            return True
        if before.isalpha() and word not in _MONTHS_DAYS and not word.endswith(("ed", "ing", "ern")):
            return span.start - len(sep) - len(before) not in mention_starts
    after, sep = _word_after(text, span.end)
    if sep in _AYN_GAP and _capitalised(after):
        return True
    if sep == " " and _ARTICLE_JOINED.match(after):
        return True
    if sep == "-" and _capitalised(after) and span.end + 1 not in mention_starts:
        return True  # "Liberation of Palestine-General Command"
    if span.place is not None and span.place.kind == "country" and after.lower() not in _MEDIA_WORDS:
        return False  # "US Secretary of State", "UK Foreign Office": still the country
    if after and sep == " " and _capitalised(after) and after.lower() not in _FREE_AFTER:
        if _ADJECTIVE.search(after) and re.match(
            r"^\s+[a-z]", text[span.end + 1 + len(after) : span.end + 4 + len(after)]
        ):
            return False  # "the Yarmuk Palestinian camp": an adjective, not a longer name
        return span.end + 1 not in mention_starts
    return False


def _sentence_initial(text: str, pos: int) -> bool:
    head = text[max(0, pos - 3) : pos].rstrip(' \t"“‘(')
    return not head or head[-1] in '.!?\n:;”"'


def check_candidates(text: str, spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """Drop spans inside longer proper names and unsupported ambiguous names."""
    starts = {s.start for s in spans}
    out = []
    for span in spans:
        if part_of_longer_name(text, span, starts):
            continue
        if span.place is not None and span.place.id in gaz.ambiguous and not _cued_span(text, span):
            continue
        out.append(span)
    return out


def _cued(text: str, start: int) -> bool:
    return bool(_CUE_BEFORE.search(text[max(0, start - 40) : start]))


def _cued_span(text: str, span: Span) -> bool:
    """Whether a name that may be a common word or a person is used as a place here.

    A locative cue before it ("in Hanano"), a kind of place after it ("Hanano district"), or
    a name that carries its own kind ("Masaken Hanano", the Hanano housing blocks; "Salma
    town"): the bare name may be a person, the name with its place noun may not.
    """
    if _cued(text, span.start) or _CUE_AFTER.match(text[span.end : span.end + 20]):
        return True
    words = span.surface.lower().replace("-", " ").split()
    return len(words) > 1 and any(w in _KIND_WORDS for w in words)


@lru_cache(maxsize=100_000)
def _fuzzy_cached(surface: str, gaz_id: int) -> Place | None:
    gaz = _FUZZY_GAZ[gaz_id]
    key = place_key(surface)
    if len(key) < 5:
        return None
    best, best_score, tie = None, 0.0, False
    for cand_key, place in gaz.fuzzy.get(skeleton(key), ()):
        score = similarity(key, cand_key)
        if score > best_score + 1e-9:
            best, best_score, tie = place, score, False
        elif abs(score - best_score) < 1e-9 and best is not None and place.id != best.id:
            tie = True
    if best is not None and best_score >= FUZZY_MIN_SIMILARITY and not tie:
        return best
    return None


_FUZZY_GAZ: dict[int, Gazetteer] = {}


def fuzzy_lookup(surface: str, gaz: Gazetteer) -> Place | None:
    """A local place whose key is within edit distance of the surface's key.

    Only neighbourhoods, camps, towns, landmarks and mountains are matched
    this way, and only when one place is clearly closest: countries and cities
    are not, so "Syrian" never becomes Syria.
    """
    _FUZZY_GAZ.setdefault(id(gaz), gaz)
    return _fuzzy_cached(surface, id(gaz))


def find_fuzzy(text: str, gaz: Gazetteer, taken: list[Span], toks: list[tuple[int, int]]) -> list[Span]:
    """Capitalised words the exact look-up missed that are near a local place's key."""
    covered = {i for span in taken for i in range(span.start, span.end)}
    out = []
    for s, e in toks:
        if e - s < 5 or s in covered or not text[s].isupper():
            continue
        word = text[s:e]
        if word.lower() in _NOT_PLACES:
            continue
        if word.lower() in _MONTHS_DAYS or word.isupper():
            continue
        place = fuzzy_lookup(word, gaz)
        if place is not None:
            out.append(Span(s, e, word, place, "fuzzy"))
    return out


def find_unresolved(text: str, taken: list[Span]) -> list[Span]:
    """Capitalised names after locative cues that no gazetteer entry matched.

    "the district of Qusour", "shelled Jdeidet Yabous": reported with no place
    so that a reader sees them (and can add them to a user gazetteer).
    """
    covered = {i for span in taken for i in range(span.start, span.end)}
    out: list[Span] = []
    for m in _NAME.finditer(text):
        s, e = m.span()
        if s in covered or e - 1 in covered:
            continue
        words = m.group(0).split()
        first = words[0].lower()
        if first[:3] in ("al-", "el-"):
            first = first[3:]
        first = first.rstrip("’'s")
        if first in _NOT_PLACES or first in _FREE_BEFORE:
            continue
        following = text[e : e + 20]
        cued_after = bool(_CUE_AFTER.match(following))
        facility = _FACILITY_AFTER.match(following)
        if facility:
            e += facility.end()
            cued_after = True
        elif len(words) > 1 and _FACILITY_AFTER.match(" " + words[-1]):
            facility = cued_after = True  # "Al-Mouwasat Hospital"
        if not cued_after and not (_cued(text, s) and not _sentence_initial(text, s)):
            continue
        if facility and re.search(r"(?:ian|ite|ese|ish)$", words[-1]):
            continue  # "a Shi'ite shrine", "the Armenian church"
        if len(words) > 1 and re.search(r"(?:ian|ite|ese|ish)$", words[0]):
            continue  # "in Shiite Islam", "the Syrian Arab Republic"
        if _ADJECTIVE.search(words[-1]) and re.match(r"^\s+[a-z]", following) and not facility:
            continue  # "in Alawite areas", "the Christian quarter": an adjective, not a name
        if re.search(r"\bthe\s+$", text[max(0, s - 5) : s]) and re.match(r"^\s+[a-z]", following) and not cued_after:
            continue  # "in the Assad inner circle": a name used as a modifier
        surface = text[s:e]
        end = s + len(surface.rstrip("’'-"))
        if surface.endswith(("’s", "'s")):
            end = s + len(surface) - 2
        out.append(Span(s, end, text[s:end], None, "cue"))
    return out


def find_mentions(text: str, gaz: Gazetteer) -> list[Span]:
    """All place mentions in a text, resolved or not, in text order."""
    toks = tokens(text)
    spans = filter_spans(find_candidates(text, gaz, toks))
    spans = check_candidates(text, spans, gaz)
    fuzzy = check_candidates(text, find_fuzzy(text, gaz, spans, toks), gaz)
    spans = sorted(spans + fuzzy, key=lambda s: s.start)
    spans = merge_possessive_containers(text, resolve_homonyms(text, spans, gaz), gaz)
    unresolved = find_unresolved(text, spans)
    for i, span in enumerate(unresolved):
        place = fuzzy_lookup(span.surface, gaz)
        if place is not None:
            unresolved[i] = Span(span.start, span.end, span.surface, place, "fuzzy")
    return sorted(spans + unresolved, key=lambda s: s.start)


_POSSESSIVE_GAP = frozenset({"'s ", "’s ", "' ", "’ "})


def merge_possessive_containers(text: str, spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """Join "Homs's Old City", "Aleppo's Salaheddine" into one mention of the inner place.

    A city or town in the possessive before a place it contains names that
    place's container, as "the Old City of Homs" would: one name, as the
    guidelines count "Damascus province". A country stays a mention of its own
    ("Jordan's Zaatari camp").
    """
    out: list[Span] = []
    for span in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.place is not None
            and prev.place.kind in ("city", "town")
            and span.place is not None
            and text[prev.end : span.start] in _POSSESSIVE_GAP
            and prev.place in gaz.ancestors(span.place)
        ):
            out[-1] = replace(span, start=prev.start, surface=text[prev.start : span.end])
            continue
        out.append(span)
    return out


#: A named place decides between homonyms when one of them lies within this distance of it ...
NEAR_KM = 40.0
#: ... and at least this much nearer than every other one.
MARGIN_KM = 10.0
# Kinds whose point stands for the place itself, so distance to it means something;
# governorates, regions and countries decide only by containing a candidate.
_POINT_KINDS = frozenset({"landmark", "camp", "neighbourhood", "mountain", "town", "city"})
# Where a sentence ends, for trying the anchors of a name's own sentence first.
_SENTENCE_BREAK = re.compile(r"[.!?][\s\"”’)]|\n")


def resolve_homonyms(text: str, spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """Choose among places sharing a name by the article's other places.

    The text's unambiguous places (its dateline, the cities and districts it
    names) are tried in order: those in the name's own sentence, then the
    nearest in the text. The first that contains one candidate ("Suran in
    Aleppo province"), or lies within :data:`NEAR_KM` of one and
    :data:`MARGIN_KM` nearer than the others ("clashes in Qusour" after
    "Homs"), decides. With none deciding, the gazetteer's ``default`` row for
    the name stands. Every such span is marked ``ambiguous``, with the other
    places' ids (``alternatives``) and the basis of the choice (``place_basis``).

    >>> from geo.extract.gazetteer import load_gazetteer
    >>> span = find_mentions("Tanks shelled Homs; residents of Qusour fled.", load_gazetteer())[1]
    >>> (span.place.id, span.ambiguous, span.place_basis)
    ('qusour-homs', True, "near 'Homs'")
    """
    pools = [_pool(span, gaz) for span in spans]
    if all(len(pool) <= 1 for pool in pools):
        return spans
    anchors = [s for s, pool in zip(spans, pools) if len(pool) == 1 and s.how in ("key", "alias")]
    breaks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
    sentence_of = {id(a): bisect_right(breaks, a.start) for a in anchors}
    out = []
    for i, span in enumerate(spans):
        pool = pools[i]
        if len(pool) > 1:
            container = _named_container(text, spans, i)
            if container is not None and not any(container.place in gaz.ancestors(p) for p in pool):
                # "Jerusalem's Old City", "the Old City of Hebron": a place of that name the gazetteer lacks.
                basis = f"none in {container.surface!r}"
                span = replace(
                    span, place=None, ambiguous=True, alternatives=tuple(p.id for p in pool), place_basis=basis
                )
            else:
                here = bisect_right(breaks, span.start)
                # The name's own sentence first, then nearest in the text; before the name wins a tie.
                ordered = sorted(
                    anchors, key=lambda a: (sentence_of[id(a)] != here, abs(a.start - span.start), a.start > span.start)
                )
                chosen, basis = _decide(pool, ordered, gaz)
                alternatives = tuple(p.id for p in pool if p.id != chosen.id)
                span = replace(span, place=chosen, ambiguous=True, alternatives=alternatives, place_basis=basis)
        out.append(span)
    return out


def _named_container(text: str, spans: list[Span], i: int) -> Span | None:
    """The city or town that names a span's container: "Homs's Qusour", "Qusour of Homs"."""
    before = spans[i - 1] if i > 0 else None
    after = spans[i + 1] if i + 1 < len(spans) else None
    if before is not None and text[before.end : spans[i].start] in _POSSESSIVE_GAP:
        container = before
    elif after is not None and text[spans[i].end : after.start] == " of ":
        container = after
    else:
        return None
    return container if container.place is not None and container.place.kind in ("city", "town") else None


def _pool(span: Span, gaz: Gazetteer) -> tuple[Place, ...]:
    if span.place is None or span.how not in ("key", "alias"):
        return (span.place,) if span.place else ()
    places = gaz.by_key.get(place_key(span.surface), ())
    if span.place not in places:
        return (span.place,)
    return candidates(places, span.surface)


def _decide(pool: tuple[Place, ...], anchors: list[Span], gaz: Gazetteer) -> tuple[Place, str]:
    """The candidate the first deciding anchor picks, else the default."""
    for anchor in anchors:
        chosen = _decided_by(anchor.place, pool, gaz)
        if chosen is not None:
            return chosen, f"near {anchor.surface!r}"
    return _by_default(pool), "default"


def _decided_by(anchor: Place, pool: tuple[Place, ...], gaz: Gazetteer) -> Place | None:
    """The one candidate this place contains, or lies clearly nearest to; else None."""
    inside = [p for p in pool if anchor in gaz.ancestors(p)]
    if len(inside) == 1:
        return inside[0]
    if anchor.kind not in _POINT_KINDS:
        return None
    ranked = sorted(pool, key=lambda p: haversine_km(anchor.lat, anchor.lon, p.lat, p.lon))
    near = haversine_km(anchor.lat, anchor.lon, ranked[0].lat, ranked[0].lon)
    next_near = haversine_km(anchor.lat, anchor.lon, ranked[1].lat, ranked[1].lon)
    if near <= NEAR_KM and next_near - near >= MARGIN_KM:
        return ranked[0]
    return None
