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
4. types the event from all live triggers bearing on the place, by the guidelines'
   precedence ("Choosing the event type"); fatality and vague words take the type of
   the sentence's violence or of the story's event they refer to (remembered by place
   and day, and by word), else a best guess marked ``type_basis="undecided"``;
5. moves the story's reference day on.

Humanitarian reporting (aid convoys, hosting, appeals, counts over months) is kept off the map
by named context rules from the lexicon (``trigger_blockers``, ``place_rules``) and by
``period-count``; the rule's id is the mention's ``reference_rule``.

After the last sentence, a later sentence may date an act the lead told undated
(``date_rule="later sentence"``). Every mention keeps why: ``event_rule`` (the
trigger's id), ``type_basis``, ``reference_rule`` and ``date_rule``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from ..models import UNKNOWN_DATE, Article, Mention, Place, ResolvedDate, Span
from .dates import TimeExpression, find_time_expressions
from .lexicon import PREVENTED_GATE, ContextRule, Lexicon, Trigger
from .references import STATEMENT, reference_reason
from .rules import rule
from .text import Sentence, clause_tail, lowered, sentences, tail_within
from .words import OCCURRENCE_VERBS

#: Weak triggers ("killed", "attack") lose to a specific one this much nearer.
WEAK_PENALTY = 60


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
    blocked: str | None = None  # the id of the context rule that says it tells no event here
    time: TimeExpression | None = None
    vague: bool = False  # names no kind of violence (see :func:`_vague`); set once, asked often


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
    # What vague words ("the attack") and deaths refer back to: the type last told at a place,
    # and the type a vague word's family took where the story said what it was.
    place_types: dict[tuple[str, date | None], tuple[str, str]] = field(default_factory=dict)
    family_types: dict[str, tuple[str, str]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)  # the place spans of the sentence being read


def _month_may(sentence: str) -> str:
    """The sentence with the month May written so that it is not the modal "may" (same length: offsets hold)."""
    if "May" not in sentence:
        return sentence
    return rule("month-may").regex.sub("Mai", sentence)


def find_triggers(sentence: str, lex: Lexicon) -> list[FoundTrigger]:
    """Event triggers in a sentence, each marked live or not."""
    found = []
    original, sentence = sentence, lowered(_month_may(sentence))  # lower-case patterns: faster than IGNORECASE
    chunk_breaks = _chunk_breaks(original)  # once per sentence, not once per trigger
    reach = _tail_reach(lex)
    # Every "prevented" match holds "from" or "to" and a verb of stopping, followed by a space:
    # a sentence without either needs no search before each of its triggers.
    may_prevent = PREVENTED_GATE.search(sentence) is not None
    consequence, caused_toll = rule("consequence"), rule("caused-toll")
    for m in (lex.trigger_scan or lex.any_trigger).finditer(sentence):
        index = int(m.lastgroup[1:])
        trig = lex.triggers[index]
        sub = trig.sub_event_type
        if sub == "ACTOR":
            sub = _actor_sub_event(sentence, m.start(), m.end(), lex)
        ft = FoundTrigger(m.start(), m.end(), original[m.start() : m.end()], trig, trig.event_type, sub)
        # The clause before the trigger, cut once: the four-word window and the blockers' windows
        # are all its ends (see :func:`tail_within`).
        tail = clause_tail(sentence[max(0, m.start() - reach) : m.start()])
        window = " ".join(tail_within(tail, m.start(), _WINDOW_CHARS).split()[-4:])
        ft.unreal = bool(lex.hypothetical.search(window) or lex.negation.search(window))
        # "police blocked activists from staging a rally": the rally did not happen.
        ft.unreal = ft.unreal or (
            may_prevent and bool(lex.prevented.search(sentence[max(0, m.start() - 100) : m.start()]))
        )
        ft.live = not ft.unreal and not _is_background(sentence, m.start(), m.end())
        # "thousands of displaced families": a description of people, not an event here.
        if ft.live and sentence[m.start() : m.end()] in lex.attributive_words:
            ft.live = not lex.attributive.match(sentence[m.end() : m.end() + 40])
        # "the opposition protest hub of Homs", "protest leaders": a label, not an event (rule 6).
        ft.live = ft.live and not lex.label_after.match(sentence[m.end() : m.end() + 30])
        # ", killing 27 people": the toll of the event just told, not an event of its own kind.
        ft.consequence = bool(consequence.regex.search(sentence, max(0, m.start() - consequence.before), m.end())) or (
            trig.weak and bool(caused_toll.regex.search(sentence, max(0, m.start() - caused_toll.before), m.start()))
        )
        ft.chunk = bisect_right(chunk_breaks, m.start())
        ft.vague = trig.weak or bool(lex.vague.match(lowered(ft.text)))
        if ft.live:
            ft.blocked = _blocker(sentence, m.start(), m.end(), trig, lex, tail)
            ft.live = ft.blocked is None
        found.append(ft)
    return found


def _blocker(sentence: str, start: int, end: int, trig: Trigger, lex: Lexicon, tail: str | None = None) -> str | None:
    """The id of the first context rule that makes a trigger tell no event here, if any.

    Humanitarian reporting moves aid, not forces ("a convoy entered Talbiseh"), goes to verify
    reports ("to verify reports of shelling"), and describes people ("people displaced from Homs").
    ``tail`` is the clause tail of the :func:`_tail_reach` characters before ``start`` when the
    caller has cut it.
    """
    sides: dict[tuple[str, int], str] = {}  # rules share a few (side, words) windows: cut each once
    for blocker in _blockers_for(lex, trig.family, sentence[start:end]):
        key = (blocker.side, blocker.words)
        window = sides.get(key)
        if window is None:
            if blocker.side == "before" and tail is not None:
                window = " ".join(tail_within(tail, start, 12 * blocker.words).split()[-blocker.words :]) + " "
            else:
                window = _side_words(sentence, start, end, blocker.side, blocker.words)
            sides[key] = window
        if blocker.regex.search(window):
            return blocker.id
    return None


#: The four words before a trigger that may make it hypothetical or negated are read in this many characters.
_WINDOW_CHARS = 80
_REACH: dict[int, tuple[tuple[ContextRule, ...], int]] = {}


def _tail_reach(lex: Lexicon) -> int:
    """How many characters before a trigger its windows read: the four words, and each blocker's words."""
    rules = lex.trigger_blockers
    held = _REACH.get(id(rules))
    if held is None or held[0] is not rules:
        words = [r.words for r in rules if r.side == "before"]
        held = _REACH[id(rules)] = (rules, max([_WINDOW_CHARS, *(12 * n for n in words)]))
    return held[1]


# The blockers that apply to a trigger family and word, by lexicon: the words are few
# ("shelling", "fled"), so each is sorted out once rather than once per trigger.
_APPLICABLE: dict[int, tuple[tuple[ContextRule, ...], dict[tuple[str, str], tuple[ContextRule, ...]]]] = {}


def _blockers_for(lex: Lexicon, family: str, word: str) -> tuple[ContextRule, ...]:
    """The trigger blockers of ``lex`` that apply to this family and trigger word, in order."""
    rules = lex.trigger_blockers
    held = _APPLICABLE.get(id(rules))
    if held is None or held[0] is not rules or len(held[1]) > 50_000:
        held = _APPLICABLE[id(rules)] = (rules, {})
    found = held[1].get((family, word))
    if found is None:
        found = held[1][(family, word)] = tuple(
            rule
            for rule in rules
            if not (rule.families and family not in rule.families)
            and not (rule.skip is not None and rule.skip.match(word))
            and not (rule.only is not None and not rule.only.match(word))
        )
    return found


def _side_words(text: str, start: int, end: int, side: str, n: int) -> str:
    """The last ``n`` words of the clause before ``start``, or the first ``n`` words after ``end``."""
    if side == "before":
        return " ".join(clause_tail(text[max(0, start - 12 * n) : start]).split()[-n:]) + " "
    return " " + " ".join(text[end : end + 12 * n].split()[:n])


def _actor_sub_event(sentence: str, start: int, end: int, lex: Lexicon) -> str:
    by_actor = rule("by-actor")
    by = by_actor.regex.match(by_actor.window(sentence, start, end))
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


def _is_background(sentence: str, start: int, end: int) -> bool:
    """A trigger word that names no event here: "the battle for ...", "a besieged town"."""
    if rule("generic-trigger").fires(sentence, start, end):
        return True
    return rule("descriptive").fires(sentence, start, end) and (
        rule("article-before").fires(sentence, start, end) or rule("place-noun-after").fires(sentence, start, end)
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
    return _dated_later(out, sents, starts, article, lex)


#: How many sentences on a later sentence may give the day of an act the lead told undated.
LATER_SENTENCES = 10
_LATER_WINDOW = 40  # characters between the act's verb and its time


def _dated_later(
    mentions: list[Mention], sents: list[Sentence], starts: list[int], article: Article, lex: Lexicon
) -> list[Mention]:
    """Give an act the day a later sentence tells it on.

    "Refugees fled on Monday after troops took control of the town. ... troops moved in
    early Sunday": the takeover, dated only by its sentence or the story's day, happened
    on the Sunday. "Reports of an air raid on Douma ... The attack took place on Sunday":
    any act, by a later sentence that says when it happened. Only an earlier day (at most a
    week) is taken, from a sentence that names the same place or none.
    """
    out = list(mentions)
    for index, m in enumerate(mentions):
        if not (m.is_event and m.trigger and m.date.date and m.date_rule in _INFERRED_DATES):
            continue
        # A takeover is dated by a later entry ("moved in early Sunday"), any act by a later
        # sentence that says when it happened ("the attack took place on Sunday").
        day_of = _entry_day if lex.entry.search(lowered(m.trigger)) else _occurrence_day
        k0 = bisect_right(starts, m.sentence_start) - 1
        for sent in sents[k0 + 1 : k0 + 1 + LATER_SENTENCES]:
            when = day_of(sent, article, lex)
            if when is None or not (0 < (m.date.date - when.date).days <= 7):
                continue
            named = [o.place.id for o in mentions if o.sentence_start == sent.start and o.place is not None]
            if named and (m.place is None or m.place.id not in named):
                continue
            out[index] = replace(m, date=when, date_rule="later sentence")
            break
    return out


_INFERRED_DATES = frozenset({"sentence time", "story day", "publication date"})


def _occurrence_day(sent: Sentence, article: Article, lex: Lexicon) -> ResolvedDate | None:
    """The day a sentence gives to an act it names as already told ("the attack took place on Sunday")."""
    low = lowered(sent.text)
    if not any(verb in low for verb in OCCURRENCE_VERBS):
        return None  # most sentences: no regex run
    acts = [m for m in rule("occurred").regex.finditer(low) if lex.any_trigger.search(m.group(1))]
    return _day_beside(sent, article, acts)


def _entry_day(sent: Sentence, article: Article, lex: Lexicon) -> ResolvedDate | None:
    """The day a sentence gives to forces entering or taking a place ("moved in early Sunday")."""
    return _day_beside(sent, article, list(lex.entry.finditer(lowered(sent.text))))


def _day_beside(sent: Sentence, article: Article, acts: list[re.Match]) -> ResolvedDate | None:
    """The day of the first time expression within :data:`_LATER_WINDOW` of one of ``acts`` (sentence matches)."""
    if not acts:
        return None
    times = [t for t in find_time_expressions(sent.text) if not (t.bound or t.background or t.dateline)]
    for a in acts:
        for t in times:
            if max(t.start - a.end(), a.start() - t.end) <= _LATER_WINDOW:
                when = t.resolve(article.published, None)
                if when.date is not None:
                    return replace(when, basis=f"told later: {t.text}")
    return None


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
    state.spans = spans
    times = _in_descriptions(stext, spans, sent.start, times)
    trigger_asides = [_aside_at(stext, t.start) for t in live]
    for expr in times:
        if expr.bound or expr.dateline:
            continue  # "since March 2011": a limit; "BEIRUT, March 6 -": the report's day
        if expr.kind == "sameday" and any(
            rule("day-then-hour").regex.fullmatch(stext, t.end, expr.start) for t in times
        ):
            continue  # "On 12 May, before dawn, ...": the hour of the day just named
        # A time inside an aside (", which the army retook last month,") dates that aside's events.
        where = _aside_at(stext, expr.start)
        pool = [t for t, w in zip(live, trigger_asides) if w == where] or live
        if expr.clause_start is not None:  # "towns that had fallen in recent days": that clause only
            pool = [t for t in live if expr.clause_start <= t.start < _clause_end(stext, expr.end)]
        nearest = min(pool, key=lambda t: _distance(t, expr.start, expr.end), default=None)
        if nearest is not None and (
            nearest.time is None
            or _distance(nearest, expr.start, expr.end) < _distance(nearest, nearest.time.start, nearest.time.end)
        ):
            nearest.time = expr
    # Adjacent triggers are one phrase ("a bomb tore through", "bombed by jets"): they share a time.
    for a, b in zip(live, live[1:]):
        if b.start - a.end <= 3 or rule("agent-gap").regex.fullmatch(stext, a.end, b.start):
            a.time, b.time = a.time or b.time, b.time or a.time

    mentions: list[Mention] = []
    reasons: list[str | None] = []
    generic: list[int] = []
    # "In Geneva, the UN called for an inquiry into the killings in Darayya": a statement
    # whose event is at a place named after the verb.
    stmt = STATEMENT.search(stext)
    reported_elsewhere = bool(stmt) and any(sp.start - sent.start > stmt.end() for sp in spans)
    period = _long_period(stext, times, article, lex)
    for span in spans:
        foreign = span.place is not None and is_foreign(span.place)
        # "the Tripoli bombings": the name modifies the event's own noun.
        names_event = any(0 <= t.start - (span.end - sent.start) <= 1 for t in live)
        reason = reference_reason(article.text, sent, span, lex, foreign, names_event, reported_elsewhere)
        if reason == "area-list" and _names_day(times, article):
            reason = None  # "air strikes hit the provinces of Idlib and Hama on Monday": that day's events
        usable = _usable(live, span, sent, lex, _contains_place_before(stext, span, spans, sent.start))
        if reason is None and usable and period and not (span.place and span.place.kind == "country"):
            reason = period  # "have fled Aleppo over the past three months": a count, not an event
        if reason is None and not usable:
            reason = _blocked_rule(triggers, span, sent)
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
            reference_rule=reason,
            ambiguous=span.ambiguous,
            alternatives=span.alternatives,
            place_basis=span.place_basis,
        )
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
            # "In Jordan, officials said Syrians crossed the border": a statement abroad hosts crossings only,
            # and only in a country ("In Geneva, the agency said 5,000 had fled": the speaker's city).
            if reasons[index] == "statement":
                hosted = crossings if span.place is not None and span.place.kind == "country" else []
            else:
                hosted = strong
            usable = _usable(hosted, span, sent, lex)
            if usable:
                mentions[index] = _as_event(mentions[index], span, sent, times, usable, state, article, hedged, lex)
    _remember(live, article, state)
    _advance_reference(times, article, state)
    return mentions


#: A count "since" a day this long before publication is a statistic over a period, not an event.
LONG_PERIOD_DAYS = 30


def _long_period(stext: str, times: list[TimeExpression], article: Article, lex: Lexicon) -> str | None:
    """``"period-count"`` when the sentence counts over a long period and names no day.

    Humanitarian reports give tolls and flows over months ("over 600,000 people have fled Aleppo
    since July 2012", "fighting has displaced 50,000 people over the past three months"): a
    statistic, not an event of the story. A sentence that also names a day ("on 3 March") is not one,
    nor one without a count ("pounded Qaboun for three months"). Refugees counted in a country are
    still crossings there (GUIDELINES.md): the caller leaves countries alone.
    """
    if lex.statistic is None or not lex.statistic.search(lowered(stext)):
        return None  # "the most violent since the revolt began": a comparison, not a count
    if _names_day(times, article):
        return None
    if lex.long_period is not None and lex.long_period.search(lowered(stext)):
        return "period-count"
    for t in times:
        if t.kind == "cumulative":
            return "period-count"
        since = t.text.lower().startswith("since") or rule("since-before").fires(stext, t.start, t.end)
        if t.bound and since:
            when = t.resolve(article.published, None)
            start = when.start or when.date
            if start and article.published and (article.published - start).days > LONG_PERIOD_DAYS:
                return "period-count"
    return None


def _names_day(times: list[TimeExpression], article: Article) -> bool:
    """Whether the sentence dates something to a day ("on 3 March", "on Monday"), not only to a period."""
    days = [t for t in times if not t.bound and not t.background and t.kind not in ("cumulative", "recent", "year")]
    return any(t.resolve(article.published, None).precision == "day" for t in days)


def _blocked_rule(triggers: list[FoundTrigger], span: Span, sent: Sentence) -> str | None:
    """The context rule that silenced the trigger nearest a mention, when no live one is left to it."""
    s0, s1 = span.start - sent.start, span.end - sent.start
    chunk = _chunk_of(sent.text, s0)
    near = [t for t in triggers if t.chunk == chunk]
    nearest = min(near, key=lambda t: _distance(t, s0, s1), default=None)
    return nearest.blocked if nearest is not None else None


def _descriptions(stext: str, spans: list[Span], offset: int) -> list[tuple[int, int]]:
    """Relative clauses that directly follow a place mention, as (start, end) in the sentence."""
    out = []
    relative = rule("place-relative").regex
    for span in spans:
        m = relative.match(stext, span.end - offset)
        if m:
            out.append((m.start(), m.end()))
    return out


def _in_descriptions(stext: str, spans: list[Span], offset: int, times: list[TimeExpression]) -> list[TimeExpression]:
    """Mark the time expressions inside a place's relative clause as dating that clause only."""
    if not times or not spans:
        return times
    # Only under a lead told in the present or present perfect ("have again attacked Houla, where
    # dozens were massacred last week"): the lead is the news of the day, the clause its background.
    clauses = [(a, b) for a, b in _descriptions(stext, spans, offset) if rule("present-lead").regex.search(stext, 0, a)]
    if not clauses:
        return times
    out = []
    for t in times:
        inside = next((a for a, b in clauses if a <= t.start < b), None)
        if inside is not None and t.clause_start is None:
            t = replace(t, clause_start=inside, background=True)
        out.append(t)
    return out


def _clause_end(stext: str, pos: int) -> int:
    m = rule("clause-end").regex.search(stext, pos)
    return m.start() if m else len(stext)


def _usable(
    triggers: list[FoundTrigger], span: Span, sent: Sentence, lex: Lexicon, container: bool = False
) -> list[FoundTrigger]:
    """Triggers that can make this mention an event: same clause chunk; for a
    country, only crossings (flight, defection, deployment), unless it is the
    container of a place named just before it (``container``: "Yabrud in Syria")."""
    pos = span.start - sent.start
    chunk = _chunk_of(sent.text, pos)
    out = [t for t in triggers if t.chunk == chunk]
    if span.place is not None and span.place.kind == "country" and not container:
        # Crossings only ("fled to Russia"), or fire and forces from or into it.
        if not rule("from-into").fires(sent.text, pos, pos) and not rule("region-of").fires(sent.text, pos, pos):
            out = [t for t in out if t.trigger.family in lex.country_families]
    return out


def _contains_place_before(stext: str, span: Span, spans: list[Span], offset: int) -> bool:
    """True when the mention follows another place as its container ("Yabrud in Syria")."""
    s0 = span.start - offset
    gap = rule("container-gap").regex
    return any(
        other is not span and gap.fullmatch(stext, other.end - offset, s0) is not None
        for other in spans
        if other.end - offset < s0
    )


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
    lists = [(m.start(), m.end()) for m in rule("dash-list").regex.finditer(stext)]
    breaks = rule("chunk-break").regex.finditer(stext)
    return tuple(m.start() for m in breaks if not any(a <= m.start() < b for a, b in lists))


def _chunk_of(stext: str, pos: int) -> int:
    """Which dash- or semicolon-separated part of the sentence a position is in."""
    return bisect_right(_chunk_breaks(stext), pos)


ASIDE_PENALTY = 50


@lru_cache(maxsize=64)
def _asides(stext: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in rule("aside").regex.finditer(stext))


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
    trig = min(
        causes or usable,
        key=lambda t: (
            _distance(t, s0, s1) + _aside_penalty(sent.text, t, s0) + _description_penalty(sent, state.spans, t, s0)
        ),
    )
    future = trig.time or _sentence_future(times)
    if future is not None and future.kind == "future":
        return base  # "will try to storm Jubar in the coming days": not yet
    pid = span.place.id if span.place else None
    when = _date_for(trig, sent, times, state, article, hedged, lex, pid)
    if _historical(when, article):
        return base  # "refugees who fled in the 1948 war": history, not an event of the story
    event_type, sub, basis, decider = _decide_type(trig, usable, span, sent, state, lex, when.date)
    if not trig.trigger.weak and when.date is not None:
        # What "the bombing", "the fall of Yabroud" later refer back to.
        state.told.append((trig.trigger.family, when, trig.event_type, trig.sub_event_type, pid))
    remembered = _recall(trig, sent, state, lex, pid)
    if remembered is not None and trig.trigger.weak and basis != "sentence":
        event_type, sub, basis = remembered[1], remembered[2], "story"
    if basis != "undecided":
        _remember_type(event_type, sub, decider, usable, span, when.date, state, lex)
    # ``Mention(**fields)`` rather than ``dataclasses.replace``: the same mention, without
    # the per-field introspection (this runs once per event mention).
    return Mention(
        **{
            **vars(base),
            "is_event": True,
            "event_type": event_type,
            "sub_event_type": sub,
            "trigger": trig.text,
            "date": when,
            "event_rule": decider.trigger.id,
            "type_basis": basis,
            "date_rule": _date_rule(trig, when),
        }
    )


def _description_penalty(sent: Sentence, spans: list[Span], trig: FoundTrigger, pos: int) -> int:
    """Handicap a trigger inside a relative clause that describes another place or this one
    from outside it ("Houla where dozens were massacred last week"): a description picks no type."""
    for a, b in _descriptions(sent.text, spans, sent.start):
        if a <= trig.start < b and not a <= pos < b:
            return ASIDE_PENALTY
    return 0


def _rank(lex: Lexicon, event_type: str) -> int:
    return lex.type_precedence.index(event_type)


def _may_override(lex: Lexicon, base: str, other: str) -> bool:
    """Rule 3 of the guidelines: the higher kind wins; a protest gives way only to a riot."""
    if base == "Protests":
        return other == "Riots"
    return _rank(lex, other) < _rank(lex, base)


def _vague(trig: FoundTrigger, lex: Lexicon) -> bool:
    """Words that name no kind of violence: fatality words, "attack", "assault", "violence".

    Decided once per trigger by :func:`find_triggers` (``FoundTrigger.vague``).
    """
    return trig.vague


#: A further trigger this many words or more from a place tells of it only through the nearest one.
BEARING_WORDS = 12


def _bears_on(
    trig: FoundTrigger, other: FoundTrigger, span: Span, sent: Sentence, spans: list[Span], lex: Lexicon
) -> bool:
    """Whether a further trigger in the sentence tells violence at this place too.

    Not when it is told of another place (a nearer place name, or a place noun after it:
    "shelling of inner districts"), at another time, or inside an aside or a description.
    """
    stext, pos = sent.text, span.start - sent.start
    if _aside_penalty(stext, other, pos) or _description_penalty(sent, spans, other, pos):
        return False
    if other.start > pos and rule("these-places").regex.match(lowered(stext[other.end : other.end + 80])):
        return True  # "... and there were exchanges of fire in these areas": the places just named
    if other.time is not trig.time and any(
        t is not None and (t.background or (other.time is not None and trig.time is not None))
        for t in (other.time, trig.time)
    ):
        return False  # told at another time: "the fighting comes a day after a bomb tore through ..."
    a, b = sorted((other.start, pos))
    between = stext[a:b]
    won_by = trig.trigger.family == "movement" and other.start > pos and rule("won-by").regex.fullmatch(between)
    if (rule("sequence").regex.search(between) and not won_by) or len(between.split()) > BEARING_WORDS:
        return False
    after = lowered(stext[other.end : other.end + 80])
    if lex.own_place.match(after):
        return False
    near = [sp for sp in spans if _chunk_of(stext, sp.start - sent.start) == other.chunk] or [span]
    nearest = min(near, key=lambda sp: _distance(other, sp.start - sent.start, sp.end - sent.start))
    return nearest.start == span.start


def _decide_type(
    trig: FoundTrigger,
    usable: list[FoundTrigger],
    span: Span,
    sent: Sentence,
    state: StoryState,
    lex: Lexicon,
    day: date | None = None,
) -> tuple[str, str, str, FoundTrigger]:
    """The event type of a place from all the live predicates bearing on it (GUIDELINES.md,
    "Choosing the event type"). Returns (type, sub-event type, basis, the deciding trigger).

    The nearest trigger names the kind unless a higher kind of violence bears on the same place
    ("tanks rolled into Qaboun amid heavy exchanges of fire": Battles). Fatality and vague words
    ("killed", "attack") never pick a type: the sentence's violence does, else the story's account
    of the place or of the word, else the type is a best guess marked "undecided".
    """
    specific = [
        t
        for t in usable
        if t is not trig
        and not t.consequence
        and not _vague(t, lex)
        and _bears_on(trig, t, span, sent, state.spans, lex)
    ]
    if not _vague(trig, lex):
        higher = [t for t in specific if _may_override(lex, trig.event_type, t.event_type)]
        if not higher and _part_of_assault(trig, sent, lex):
            return "Battles", "Armed clash", "precedence", trig
        if not higher:
            return trig.event_type, trig.sub_event_type, "trigger", trig
        best = min(higher, key=lambda t: _rank(lex, t.event_type))
        return best.event_type, best.sub_event_type, "precedence", best
    if specific:
        best = min(specific, key=lambda t: _rank(lex, t.event_type))
        return best.event_type, best.sub_event_type, "sentence", best
    pid = span.place.id if span.place else None
    violent = lex.violent_types
    told_here = state.place_types.get((pid, day)) or state.place_types.get((pid, None)) if pid else None
    for known in (told_here, state.family_types.get(trig.trigger.family), state.last_type):
        if known and known[0] in violent and trig.event_type in violent:
            return known[0], known[1], "story", trig
    return trig.event_type, trig.sub_event_type, "undecided", trig


def _part_of_assault(trig: FoundTrigger, sent: Sentence, lex: Lexicon) -> bool:
    """True for remote fire told as serving a ground assault in the same sentence (rule 3)."""
    if trig.event_type != "Explosions/Remote violence" or trig.trigger.family != "attack":
        return False
    return bool(rule("assault-aim").regex.search(sent.text, trig.end))


def _remember_type(
    event_type: str,
    sub: str,
    decider: FoundTrigger,
    usable: list[FoundTrigger],
    span: Span,
    day: date | None,
    state: StoryState,
    lex: Lexicon,
) -> None:
    """Keep what the story has told: the type at this place (on this day), and what its vague words meant."""
    if span.place is not None:
        state.place_types[(span.place.id, day)] = state.place_types[(span.place.id, None)] = (event_type, sub)
    if not _vague(decider, lex):
        state.last_type = (event_type, sub)
        for t in usable:
            if _vague(t, lex) and t.trigger.family != "killing":
                state.family_types[t.trigger.family] = (event_type, sub)


def _date_rule(trig: FoundTrigger, when: ResolvedDate) -> str:
    """Name what dated an event, for the user: its own time, the sentence's, the story's day ..."""
    basis = when.basis or ""
    if basis.startswith(("already done", "over the days since")):
        return "no single day"
    if trig.time is not None:
        return f"time:{trig.time.kind}"
    if basis.startswith("context:"):
        return "story day"
    if basis.startswith("refers to"):
        return "refers back"
    if basis in ("publication date", "undated report", "no publication date"):
        return basis
    return "sentence time" if basis else "unknown"


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
    """The earlier event a definite noun phrase refers to ("the bombing", "the Tripoli bombings"),
    or that an act told with "also" adds to ("shelling also hit Bayyada").

    The latest event told of a compatible kind, at the same place when there is one.
    Returns (date, event type, sub-event type) or None.
    """
    if trig.time is not None or trig.trigger.family not in lex.anaphoric_families:
        return None
    if not (
        lex.anaphora.search(lowered(sent.text[max(0, trig.start - 40) : trig.start]))
        or rule("also-after").regex.match(sent.text, trig.end)
    ):
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
    since = _since_recent_day(trig, sent, times, article, lex)
    if since is not None:
        return replace(UNKNOWN_DATE, basis=since)
    if _reported_before_the_telling(trig, sent, times):
        return replace(UNKNOWN_DATE, basis="told on a day as already done")
    if trig.time is not None:
        return trig.time.resolve(article.published, state.reference)
    shared = _sentence_time(trig, sent, times)
    if shared is not None:
        return shared.resolve(article.published, state.reference)
    if rule("already").fires(sent.text, trig.start, trig.end):
        return replace(UNKNOWN_DATE, basis="already done before the story's day")
    remembered = _recall(trig, sent, state, lex, place_id)
    if remembered is not None:
        d = remembered[0]
        return replace(d, basis=f"refers to the {trig.text} of {d.basis}")
    if hedged:
        return replace(UNKNOWN_DATE, basis="undated report")
    if state.reference is not None and _tally(sent.text):
        return replace(UNKNOWN_DATE, basis="acts up to now at several places")
    if state.reference is not None:
        ref = state.reference
        return replace(ref, basis=f"context: {ref.basis}" if ref.basis else None)
    if article.published is None:
        return replace(UNKNOWN_DATE, basis="no publication date")
    d = article.published
    return ResolvedDate(d, "day", "publication date", d, d)


def _tally(text: str) -> bool:
    """True for a sentence that sums acts up to now over several places.

    Rules ``present-perfect`` and ``several-places``.
    """
    return rule("present-perfect").fires(text) and rule("several-places").fires(text)


def _reported_before_the_telling(trig: FoundTrigger, sent: Sentence, times: list[TimeExpression]) -> bool:
    """True for an act in the past perfect inside a "said ... that" clause whose only time dates the saying."""
    if not rule("had-before").fires(sent.text, trig.start, trig.end):
        return False
    said = rule("said-that").regex.search(sent.text, 0, trig.start)
    if said is None:
        return False
    own = [t for t in times if not t.bound and t.start >= said.end()]
    told = [
        t for t in times if not t.bound and t.end <= said.end() and t.kind in ("weekday", "dmy", "mdy", "yesterday")
    ]
    return bool(told) and not own


def _since_recent_day(
    trig: FoundTrigger, sent: Sentence, times: list[TimeExpression], article: Article, lex: Lexicon
) -> str | None:
    """Why a count "since" a recent day has no single day, if it is one.

    "1,400 people had been evacuated since last Friday" sums several days, so neither that day
    nor the story's day dates it. Without a count the act is dated by the day it began ("the army
    has been shelling Qaboun since Sunday"); a "since" longer ago is a count over a period
    (``_long_period``).
    """
    stext = sent.text
    if lex.statistic is None or not lex.statistic.search(lowered(stext)):
        return None
    chunk = _chunk_of(stext, trig.start)
    for t in times:
        if trig.time is not None and trig.time is not t:
            continue  # "... since Sunday, and clashes in Jobar yesterday": its own time dates it
        since = t.text.lower().startswith("since") or rule("since-before").fires(stext, t.start, t.end)
        if not since or not (t.bound or t.background) or _chunk_of(stext, t.start) != chunk:
            continue
        if article.published is None:
            return None
        when = t.resolve(article.published, None)
        start = when.start or when.date
        if start is not None and 0 < (article.published - start).days <= LONG_PERIOD_DAYS:
            return f"over the days since {t.text}"
    return None


def _sentence_time(trig: FoundTrigger, sent: Sentence, times: list[TimeExpression]) -> TimeExpression | None:
    """The one time expression of a sentence, which dates all of its events.

    Not when the sentence has several (then each dates its nearest trigger),
    when it opens a background clause ("Following clashes on Sunday, ..."),
    or when the trigger is told as ongoing ("are clashing") against a past date.
    """
    times = [
        t
        for t in times
        if not t.bound and not t.background and t.clause_start is None and _aside_at(sent.text, t.start) < 0
    ]
    if len(times) != 1:
        return None
    if rule("ongoing").fires(sent.text, trig.start, trig.start):
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
        if when.date is not None or expr.kind == "recent" or _opens_a_month(expr, when, article):
            state.reference = when


def _opens_a_month(expr: TimeExpression, when: ResolvedDate, article: Article) -> bool:
    """ "In early February, troops ...": a sentence opened by a recent month tells the story of that
    month, so the sentences after it have no single day until a day is named (not "in 2011")."""
    if expr.kind != "month" or expr.start > 3 or when.start is None or article.published is None:
        return False
    return 0 < (article.published - when.start).days <= 120
