"""Event tagging: is a place mention an event, of what type, on what day.

The reading works sentence by sentence, in text order, because dates carry
forward: a sentence with no time expression happens on the story's current
reference day. For each sentence the tagger

1. finds event triggers (from the lexicon) and drops hypothetical, negated
   and generic ones ("would be sent", "no clashes", "the battle for ...");
2. finds time expressions and gives each to its nearest trigger;
3. decides for each mention whether it is a mere reference (the rules in
   :mod:`geo.extract.references`) or the place of the nearest trigger's event, and
   dates it;
4. moves the story's reference day on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..models import UNKNOWN_DATE, Article, Mention, Place, ResolvedDate, Span
from .dates import TimeExpression, find_time_expressions
from .lexicon import Lexicon, Trigger
from .references import STATEMENT, reference_reason
from .text import Sentence, lowered, sentences

#: Weak triggers ("killed", "attack") lose to a specific one this much nearer.
WEAK_PENALTY = 60
_GENERIC_TRIGGER = re.compile(r"^(?:battle|battles|fight|fights|struggle)\s+(?:for|over)\b", re.IGNORECASE)
_DESCRIPTIVE = re.compile(r"^(?:besieged|encircled|surrounded|blockaded|embattled|bombed-out)$", re.IGNORECASE)
_PLACE_NOUN = re.compile(r"\s+(?:areas?|towns?|cit(?:y|ies)|districts?|suburbs?|neighbou?rhoods?|camps?|villages?)\b")
_CONSEQUENCE = re.compile(r",\s*(?:killing|wounding|injuring|leaving)\b", re.IGNORECASE)
# A dash or semicolon separates a list or aside from the clause it interrupts:
# a trigger beyond one does not make a place an event's place.
_CHUNK_BREAK = re.compile(r"\s[–—]\s|;|\s-\s")


@dataclass
class FoundTrigger:
    start: int  # offsets in the sentence
    end: int
    text: str
    trigger: Trigger
    event_type: str
    sub_event_type: str
    live: bool = True  # False: hypothetical, negated, or a word naming no event here
    consequence: bool = False  # ", killing ...", ", wounding ..."
    unreal: bool = False  # hypothetical or negated (not merely descriptive or generic)
    chunk: int = 0  # which dash- or semicolon-separated part of the sentence
    time: TimeExpression | None = None


class ToldEvents(list):
    """Events told so far, latest last: (family, date, event type, sub-event type, place id).

    Keeps the position of the latest event of each family (and of each family at
    each place), so recalling one costs the same however long the story is.
    """

    def __init__(self) -> None:
        super().__init__()
        self._latest: dict[str | tuple[str, str], int] = {}

    def append(self, event: tuple[str, ResolvedDate, str, str, str | None]) -> None:
        super().append(event)
        self._latest[event[0]] = len(self) - 1
        if event[4]:
            self._latest[(event[0], event[4])] = len(self) - 1

    def latest(self, keys: Iterable[str | tuple[str, str]]) -> tuple | None:
        """The latest event told under any of these keys (a family, or a (family, place id) pair)."""
        found = [self._latest[k] for k in keys if k in self._latest]
        return self[max(found)] if found else None


@dataclass
class StoryState:
    """What the reading of one article carries from sentence to sentence."""

    reference: ResolvedDate | None = None  # the story's current day; None: not yet said
    told: ToldEvents = field(default_factory=ToldEvents)
    attribution: str | None = None
    paragraph: int = -1
    last_type: tuple[str, str] | None = None  # type of the last event told with a specific trigger


def find_triggers(sentence: str, lex: Lexicon) -> list[FoundTrigger]:
    """Event triggers in a sentence, each marked live or not."""
    found = []
    original, sentence = sentence, lowered(sentence)  # lower-case patterns: faster than IGNORECASE
    for m in lex.any_trigger.finditer(sentence):
        index = int(m.lastgroup[1:])
        trig = lex.triggers[index]
        sub = trig.sub_event_type
        if sub == "ACTOR":
            sub = _actor_sub_event(sentence, m.start(), m.end(), lex)
        ft = FoundTrigger(m.start(), m.end(), original[m.start() : m.end()], trig, trig.event_type, sub)
        window = _window(sentence, m.start())
        ft.unreal = bool(lex.hypothetical.search(window) or lex.negation.search(window))
        ft.live = not ft.unreal and not _is_background(sentence, m.start(), m.end())
        # ", killing 27 people": the toll of the event just told, not an event of its own kind.
        ft.consequence = bool(_CONSEQUENCE.search(sentence, max(0, m.start() - 3), m.end()))
        ft.chunk = _chunk_of(original, m.start())
        found.append(ft)
    return found


def _actor_sub_event(sentence: str, start: int, end: int, lex: Lexicon) -> str:
    after = sentence[end : end + 40]
    by = re.match(r"^\s+(?:\w+\s+){0,3}?by\s+(?:the\s+)?(.{0,30})", after)
    if by:
        if lex.rebel_actors.search(by.group(1)):
            return "Non-state actor overtakes territory"
        if lex.government_actors.search(by.group(1)):
            return "Government regains territory"
    before = sentence[max(0, start - 80) : start]
    gov = [m.end() for m in lex.government_actors.finditer(before)]
    reb = [m.end() for m in lex.rebel_actors.finditer(before)]
    if gov and (not reb or gov[-1] > reb[-1]):
        return "Government regains territory"
    if reb:
        return "Non-state actor overtakes territory"
    return "Armed clash"


def _window(sentence: str, start: int) -> str:
    """The four words before a trigger, within its clause."""
    head = sentence[max(0, start - 80) : start]
    cut = max(head.rfind(c) for c in ';:“”"') + 1
    return " ".join(head[cut:].split()[-4:])


def _is_background(sentence: str, start: int, end: int) -> bool:
    """A trigger word that names no event here: "the battle for ...", "a besieged town"."""
    if _GENERIC_TRIGGER.match(sentence[start : end + 5]):
        return True
    return bool(
        _DESCRIPTIVE.match(sentence[start:end])
        and (
            re.search(r"\b(?:a|an|the|in)\s+$", sentence[max(0, start - 5) : start]) or _PLACE_NOUN.match(sentence, end)
        )
    )


def tag_article(
    article: Article,
    spans: list[Span],
    lex: Lexicon,
    is_foreign: Callable[[Place], bool] = lambda p: False,
) -> list[Mention]:
    """Turn an article's place spans into mentions with events and dates.

    Parameters
    ----------
    article:
        The article (its text, publication date).
    spans:
        Place spans from :func:`geo.extract.match.find_mentions`, in text order.
    lex:
        The compiled lexicon.
    is_foreign:
        Whether a place lies outside the country of the story; such places
        count as event locations only with a locative (in, to, from ...).
    """
    text = article.text
    sents = sentences(text, keep=[(s.start, s.end) for s in spans])
    starts = [s.start for s in sents]
    # Whole-text passes (one regex run each), bucketed by sentence.
    low = lowered(text)
    unverified = _unverified_paragraphs(low, sents, starts, lex)
    hedged = {bisect_right(starts, m.start()) - 1 for m in lex.hedged.finditer(low)}
    sources: dict[int, int] = {}
    for m in lex.attribution.finditer(low):
        k = bisect_right(starts, m.start()) - 1
        rank = int(m.lastgroup[1:])
        sources[k] = min(rank, sources.get(k, rank))
    state = StoryState()
    out: list[Mention] = []
    i = 0
    for k, sent in enumerate(sents):
        here: list[Span] = []
        while i < len(spans) and spans[i].start < sent.end:
            if spans[i].start >= sent.start:
                here.append(spans[i])
            i += 1
        source = lex.attribution_labels[sources[k]] if k in sources else None
        out.extend(
            _tag_sentence(
                article, sent, here, lex, state, is_foreign, sent.paragraph in unverified, k in hedged, source
            )
        )
    return out


def _unverified_paragraphs(text: str, sents: list[Sentence], starts: list[int], lex: Lexicon) -> set[int]:
    """Paragraphs a "could not be independently verified" caveat covers: its own and the two before."""
    marked = set()
    for m in lex.unverified.finditer(text):
        paragraph = sents[bisect_right(starts, m.start()) - 1].paragraph if sents else 0
        marked.update(range(max(0, paragraph - 2), paragraph + 1))
    return marked


def _tag_sentence(
    article: Article,
    sent: Sentence,
    spans: list[Span],
    lex: Lexicon,
    state: StoryState,
    is_foreign: Callable[[Place], bool],
    unverified: bool,
    hedged: bool,
    source: str | None,
) -> list[Mention]:
    stext = sent.text
    times = find_time_expressions(stext)
    # Who reports it: the sentence's own source, else the paragraph's last one.
    if sent.paragraph != state.paragraph:
        state.paragraph = sent.paragraph
        state.attribution = source
    else:
        state.attribution = source or state.attribution
    if not spans:  # no place: only the story's day can move
        _advance_reference(times, article, state)
        return []
    triggers = find_triggers(stext, lex)
    live = [t for t in triggers if t.live]
    trigger_asides = [_aside_at(stext, t.start) for t in live]
    for expr in times:
        if expr.bound:
            continue  # "since March 2011": a limit, not the event's day
        # A time inside an aside (", which the army retook last month,") dates that aside's events.
        where = _aside_at(stext, expr.start)
        pool = [t for t, w in zip(live, trigger_asides) if w == where] or live
        nearest = min(pool, key=lambda t: _distance(t, expr.start, expr.end), default=None)
        if nearest is not None and (
            nearest.time is None
            or _distance(nearest, expr.start, expr.end) < _distance(nearest, nearest.time.start, nearest.time.end)
        ):
            nearest.time = expr
    # Adjacent triggers are one phrase ("a bomb tore through"): they share a time.
    for a, b in zip(live, live[1:]):
        if b.start - a.end <= 3:
            a.time, b.time = a.time or b.time, b.time or a.time

    mentions: list[Mention] = []
    reasons: list[str | None] = []
    generic: list[int] = []
    # "In Geneva, the UN called for an inquiry into the killings in Darayya": a statement
    # whose event is at a place named after the verb.
    stmt = STATEMENT.search(stext)
    reported_elsewhere = bool(stmt) and any(sp.start - sent.start > stmt.end() for sp in spans)
    for span in spans:
        foreign = span.place is not None and is_foreign(span.place)
        # "the Tripoli bombings": the name modifies the event's own noun.
        names_event = any(0 <= t.start - (span.end - sent.start) <= 1 for t in live)
        reason = reference_reason(article.text, sent, span, lex, foreign, names_event, reported_elsewhere)
        base = Mention(
            doc_id=article.doc_id,
            start=span.start,
            end=span.end,
            surface=span.surface,
            place=span.place,
            sentence=stext,
            sentence_start=sent.start,
            attribution=state.attribution,
            verified=False if unverified else None,
            how=span.how,
        )
        usable = _usable(live, span, sent, lex)
        reasons.append(reason)
        if reason in ("generic", "dateline", "statement"):
            generic.append(len(mentions))
        if reason or not usable or _own_event_unreal(span, sent, triggers, usable):
            mentions.append(base)
            continue
        mentions.append(_as_event(base, span, sent, times, usable, state, article, hedged, lex))
    # A general reference ("the battle for Damascus") or a dateline ("In Arsal, residents
    # said helicopters fired at the town") hosts the sentence's violence when no other
    # place in the sentence is its place.
    strong = [t for t in live if not t.trigger.weak and t.event_type in lex.violent_types]
    crossings = [t for t in live if t.trigger.family in lex.country_families]
    if generic and (strong or crossings) and not any(m.is_event for m in mentions):
        for index in generic:
            span = spans[index]
            # "In Jordan, officials said Syrians crossed the border": a statement abroad hosts crossings only.
            usable = _usable(crossings if reasons[index] == "statement" else strong, span, sent, lex)
            if usable:
                mentions[index] = _as_event(mentions[index], span, sent, times, usable, state, article, hedged, lex)
    _remember(live, article, state)
    _advance_reference(times, article, state)
    return mentions


def _usable(triggers: list[FoundTrigger], span: Span, sent: Sentence, lex: Lexicon) -> list[FoundTrigger]:
    """Triggers that can make this mention an event: same clause chunk; for a
    country, only crossings (flight, defection, deployment)."""
    pos = span.start - sent.start
    chunk = _chunk_of(sent.text, pos)
    out = [t for t in triggers if t.chunk == chunk]
    if span.place is not None and span.place.kind == "country":
        # Crossings only ("fled to Russia"), or fire and forces from or into it.
        if not _FROM_INTO.search(sent.text[max(0, pos - 20) : pos]):
            out = [t for t in out if t.trigger.family in lex.country_families]
    return out


_FROM_INTO = re.compile(r"\b(?:from|into)\s+(?:the\s+)?$", re.IGNORECASE)


def _own_event_unreal(span: Span, sent: Sentence, triggers: list[FoundTrigger], usable: list[FoundTrigger]) -> bool:
    """The mention's own predicate is hypothetical or negated ("expected the army to storm Jubar").

    True when the nearest trigger is not live and clearly nearer than any live one.
    """
    s0, s1 = span.start - sent.start, span.end - sent.start
    chunk = _chunk_of(sent.text, s0)
    near = [t for t in triggers if t.chunk == chunk]
    if not near:
        return False
    nearest = min(near, key=lambda t: _distance(t, s0, s1))
    if not nearest.unreal:
        return False
    best_live = min((_distance(t, s0, s1) for t in usable), default=10**6)
    return best_live - _distance(nearest, s0, s1) > 20


@lru_cache(maxsize=64)
def _chunk_breaks(stext: str) -> tuple[int, ...]:
    return tuple(m.start() for m in _CHUNK_BREAK.finditer(stext))


def _chunk_of(stext: str, pos: int) -> int:
    """Which dash- or semicolon-separated part of the sentence a position is in."""
    return bisect_right(_chunk_breaks(stext), pos)


# Background inside a sentence: a relative clause (", which the army retook last month,")
# or a subordinate one (", as fighting spread").
_ASIDE = re.compile(r",\s*(?:which|who|whom|whose|where|as|while|amid|after|before|since)\b[^,;]*", re.IGNORECASE)
ASIDE_PENALTY = 50


@lru_cache(maxsize=64)
def _asides(stext: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _ASIDE.finditer(stext))


@lru_cache(maxsize=64)
def _aside_starts(stext: str) -> tuple[int, ...]:
    return tuple(a for a, _ in _asides(stext))


def _aside_at(stext: str, pos: int) -> int:
    """The index of the aside holding a position, -1 for none (asides never overlap)."""
    k = bisect_right(_aside_starts(stext), pos) - 1
    return k if k >= 0 and pos < _asides(stext)[k][1] else -1


def _aside_penalty(stext: str, trig: FoundTrigger, pos: int) -> int:
    """Handicap a trigger inside an aside that does not also hold the mention."""
    k = _aside_at(stext, trig.start)
    return ASIDE_PENALTY if k >= 0 and k != _aside_at(stext, pos) else 0


def _distance(trig: FoundTrigger, start: int, end: int) -> int:
    """Characters between a trigger and a span, plus a handicap for weak triggers."""
    gap = max(0, start - trig.end, trig.start - end)
    return gap + (WEAK_PENALTY if trig.trigger.weak else 0)


def _as_event(
    base: Mention,
    span: Span,
    sent: Sentence,
    times: list[TimeExpression],
    usable: list[FoundTrigger],
    state: StoryState,
    article: Article,
    hedged: bool,
    lex: Lexicon,
) -> Mention:
    s0, s1 = span.start - sent.start, span.end - sent.start
    causes = [t for t in usable if not t.consequence]
    trig = min(causes or usable, key=lambda t: _distance(t, s0, s1) + _aside_penalty(sent.text, t, s0))
    event_type, sub = trig.event_type, trig.sub_event_type
    violent = lex.violent_types
    if (
        trig.trigger.weak
        and trig.event_type in violent
        and state.last_type
        and state.last_type[0] in violent
        and not any(not t.trigger.weak for t in usable)
    ):
        # "Video showed men pulling bodies from a block in Douma": the toll of the story's event.
        event_type, sub = state.last_type
    elif not trig.trigger.weak:
        state.last_type = (event_type, sub)
    future = trig.time or _sentence_future(times)
    if future is not None and future.kind == "future":
        return base  # "will try to storm Jubar in the coming days": not yet
    pid = span.place.id if span.place else None
    when = _date_for(trig, sent, times, state, article, hedged, lex, pid)
    if _historical(when, article):
        return base  # "refugees who fled in the 1948 war": history, not an event of the story
    if not trig.trigger.weak and when.date is not None:
        # What "the bombing", "the fall of Yabroud" later refer back to.
        state.told.append((trig.trigger.family, when, trig.event_type, trig.sub_event_type, pid))
    remembered = _recall(trig, sent, state, lex, pid)
    if remembered is not None and trig.trigger.weak:
        event_type, sub = remembered[1], remembered[2]
    return replace(base, is_event=True, event_type=event_type, sub_event_type=sub, trigger=trig.text, date=when)


def _sentence_future(times: list[TimeExpression]) -> TimeExpression | None:
    """The sentence's time when it is only the future ("tomorrow", "in the coming days")."""
    real = [t for t in times if not t.bound]
    return real[0] if len(real) == 1 and real[0].kind == "future" else None


#: Events dated this long before publication are background history.
HISTORY_DAYS = 5 * 366  # the 1948 war, not December 2012 recounted in 2014


def _historical(when: ResolvedDate, article: Article) -> bool:
    last = when.end or when.date
    return bool(last and article.published and (article.published - last).days > HISTORY_DAYS)


def _recall(trig: FoundTrigger, sent: Sentence, state: StoryState, lex: Lexicon, place_id: str | None = None):
    """The earlier event a definite noun phrase refers to ("the bombing", "the Tripoli bombings").

    The latest event told of a compatible kind, at the same place when there is one.
    Returns (date, event type, sub-event type) or None.
    """
    if trig.time is not None or trig.trigger.family not in lex.anaphoric_families:
        return None
    if not lex.anaphora.search(lowered(sent.text[max(0, trig.start - 40) : trig.start])):
        return None
    families = ("blast", "attack") if trig.trigger.family in ("blast", "attack") else (trig.trigger.family,)
    best = (place_id and state.told.latest([(f, place_id) for f in families])) or state.told.latest(families)
    return best[1:4] if best else None


def _date_for(
    trig: FoundTrigger,
    sent: Sentence,
    times: list[TimeExpression],
    state: StoryState,
    article: Article,
    hedged: bool,
    lex: Lexicon,
    place_id: str | None = None,
) -> ResolvedDate:
    if trig.time is not None:
        return trig.time.resolve(article.published, state.reference)
    shared = _sentence_time(trig, sent, times)
    if shared is not None:
        return shared.resolve(article.published, state.reference)
    remembered = _recall(trig, sent, state, lex, place_id)
    if remembered is not None:
        d = remembered[0]
        return replace(d, basis=f"refers to the {trig.text} of {d.basis}")
    if hedged:
        return replace(UNKNOWN_DATE, basis="undated report")
    if state.reference is not None:
        ref = state.reference
        return replace(ref, basis=f"context: {ref.basis}" if ref.basis else None)
    if article.published is None:
        return replace(UNKNOWN_DATE, basis="no publication date")
    d = article.published
    return ResolvedDate(d, "day", "publication date", d, d)


_ONGOING = re.compile(r"\b(?:are|is|am|remain|remains|continue|continues|still)\s+(?:\w+\s+){0,1}$", re.IGNORECASE)


def _sentence_time(trig: FoundTrigger, sent: Sentence, times: list[TimeExpression]) -> TimeExpression | None:
    """The one time expression of a sentence, which dates all of its events.

    Not when the sentence has several (then each dates its nearest trigger),
    when it opens a background clause ("Following clashes on Sunday, ..."),
    or when the trigger is told as ongoing ("are clashing") against a past date.
    """
    times = [t for t in times if not t.bound and not t.background and _aside_at(sent.text, t.start) < 0]
    if len(times) != 1:
        return None
    if _ONGOING.search(sent.text[max(0, trig.start - 30) : trig.start]):
        return None
    return times[0]


def _remember(live: list[FoundTrigger], article: Article, state: StoryState) -> None:
    for trig in live:
        if trig.time is not None and not trig.time.background and not trig.trigger.weak:
            when = trig.time.resolve(article.published, state.reference)
            if when.date is not None:
                state.told.append((trig.trigger.family, when, trig.event_type, trig.sub_event_type, None))


def _advance_reference(times: list[TimeExpression], article: Article, state: StoryState) -> None:
    for expr in times:
        if expr.background:
            continue
        when = expr.resolve(article.published, state.reference)
        # "recently" leaves the story's day unknown; "last year" or "in 2011" do not move it.
        if when.date is not None or expr.kind == "recent":
            state.reference = when
