"""Time expressions in news text, resolved against the publication date.

:func:`find_time_expressions` finds what a sentence says about time ("on
Wednesday", "yesterday", "two weeks ago", "July 15", "later in the day");
:func:`resolve` turns one into a :class:`~geo.models.ResolvedDate` given the
publication date and the story's current reference day. The library never
reads the clock: every date is relative to an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from ..models import ResolvedDate
from .rules import context_rules, rule
from .scan import head_filter
from .text import lowered
from .words import MONTHS, WEEKDAYS

_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "several": 3,
    "a few": 3,
    "few": 3,
    "couple of": 2,
    "a couple of": 2,
}


@dataclass(frozen=True)
class TimeTable:
    """The time-expression patterns of ``context_rules.json`` (``time_expressions``), compiled.

    ``compiled``: (kind, pattern ignoring case) in order of precedence, for the parts of a match;
    ``lower_patterns``: the same without group names, for lower-cased text; ``regex``: one
    pass that finds where an expression starts (the first pattern matching there, the same one
    the alternation chose, then gives its kind and parts).
    """

    compiled: tuple[tuple[str, re.Pattern], ...]
    lower_patterns: tuple[str, ...]
    regex: re.Pattern


@cache
def time_table() -> TimeTable:
    """The compiled time-expression table, built on first use."""
    entries = context_rules().time_expressions
    # Matched against lower-cased text (much faster than IGNORECASE); escapes keep their case.
    lower = tuple(
        re.sub(
            r"\\.|[A-Z]",
            lambda m: m.group(0).lower() if len(m.group(0)) == 1 else m.group(0),
            re.sub(r"\(\?P<\w+>", "(?:", e.pattern),
        )
        for e in entries
    )
    # The head filter's look-ahead passes over the word starts where no expression can begin.
    regex = re.compile(r"(?<!\w)(?=\w)" + head_filter(lower) + "(?:" + "|".join(f"(?:{p})" for p in lower) + ")")
    return TimeTable(tuple((e.kind, re.compile(e.pattern, re.IGNORECASE)) for e in entries), lower, regex)


@dataclass(frozen=True)
class TimeExpression:
    """A time expression found in text: where, what kind, and its parts."""

    start: int
    end: int
    text: str
    kind: str
    parts: dict
    background: bool = False  # in a since/after/following clause: not the story's day
    bound: bool = False  # "since May 2011", "until Thursday": not an event's date at all
    clause_start: int | None = None  # in a relative clause from here: dates only that clause's events
    dateline: bool = False  # a wire dateline's date: the report's day, dating no event by itself

    def resolve(self, published: date | None, reference: ResolvedDate | None) -> ResolvedDate:
        return resolve(self, published, reference)


# Every time expression holds one of these words (or a digit); a sentence
# without any is skipped before the (slower) full pattern runs.
_GATE_WORDS = frozenset(
    list(WEEKDAYS)
    + list(MONTHS)
    + list(_MONTH_ABBR)
    + """yesterday today tonight night overnight ago week weeks weekend month months year years
    fortnight recently lately recent late later earlier day days morning afternoon evening dawn dusk
    hours since then tomorrow coming next period dayslong weekslong monthslong yearslong now""".split()
)
_GATE_TOKENS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")


def find_time_expressions(text: str) -> list[TimeExpression]:
    """Time expressions in a sentence, left to right.

    >>> [t.kind for t in find_time_expressions("Clashes on Wednesday, two weeks ago")]
    ['weekday', 'ago']
    """
    out: list[TimeExpression] = []
    low = lowered(text)
    if _GATE_WORDS.isdisjoint(_GATE_TOKENS.findall(low)) and not _DIGIT.search(text):
        return out
    table = time_table()
    relative_rule = rule("perfect-relative")
    for found in table.regex.finditer(low):
        kind, m = next((k, m) for k, rx in table.compiled if (m := rx.match(text, found.start())))
        parts = {k: v for k, v in m.groupdict().items() if v}
        token = m.group(0)
        if kind in ("month", "mdy", "dmy") and _is_modal_may(text, m, parts):
            continue
        if token.lower() == "now" and rule("speech").fires(text):
            continue  # "are now cut off, he said": the speaker's now, the day he spoke
        if kind == "weekday" and rule("name-after-weekday").fires(text, m.start(), m.end()) and not parts.get("mod"):
            continue  # "Sunday Times", "Friday Prayers" as a name
        # ``perfect-relative`` reads its 80 characters back, and a dateline lies within them
        # (the other rules cut their own windows); the clause-opening test runs in place.
        window = max(0, m.start() - relative_rule.before)
        before = text[window : m.start()]
        mod = (parts.get("mod") or "").lower()
        # "shelling since Sunday" dates the start of the shelling; "since the
        # revolt broke out in March 2011" and "until Thursday" date no event.
        bound = rule("bound").fires(text, m.start(), m.end()) or mod in ("until", "before", "next")
        bound = bound or (kind == "month" and token.lower().startswith(("since", "until", "by")))
        opens = rule("background").regex.match(text, 0, m.start())  # anchored at the sentence start, in place
        background = bound or bool(opens) or mod in ("from", "after", "since")
        # "a day after X", "the day before", "tomorrow" and counts "since the uprising began"
        # date other events than the story's day, which they leave where it is.
        background = background or kind in ("dayafter", "cumulative", "prevday", "future")
        # "part of a weekslong advance": the campaign has no day, the story's day stays.
        background = background or (
            kind == "recent"
            and token.lower().endswith(("long", "week", "weeks", "month", "months"))
            and not token.lower().startswith(("in ", "over ", "during ", "throughout "))
        )
        if kind == "cumulative" and not rule("count-perfect").fires(text, m.start(), m.end()):
            bound = True  # "the most violent since the revolt broke out": a comparison, not a count
        if rule("copula").fires(text, m.start(), m.end()) and kind in ("mdy", "dmy", "weekday", "iso"):
            continue  # "the turning point was July 15": a date named, not an event's time
        background = (
            background
            or rule("follows").fires(text, m.start(), m.end())
            or rule("clock-before").fires(text, m.start(), m.end())
        )
        background = background or rule("before-clause").fires(text, m.start(), m.end())
        relative = relative_rule.regex.search(before)
        clause_start = window + relative.start() if relative else None  # an offset in the sentence
        # A dateline opens the sentence: only a window that starts there can hold one.
        dateline = bool(
            window == 0
            and rule("dateline-before").fires(text, m.start(), m.end())
            and rule("dateline-after").fires(text, m.start(), m.end())
        )
        background = background or clause_start is not None or dateline
        if rule("started-before").fires(text, m.start(), m.end()) and rule("goes-on-after").regex.match(text, m.end()):
            bound = background = True
        # "showed images on Monday, claiming that troops captured the town": Monday dates the report only.
        if rule("report-after").fires(text, m.start(), m.end()):
            bound = background = True
        out.append(TimeExpression(m.start(), m.end(), token, kind, parts, background, bound, clause_start, dateline))
    return _drop_repeated_weekdays(out, text)


def _drop_repeated_weekdays(found: list[TimeExpression], text: str) -> list[TimeExpression]:
    """Drop a weekday that a date right after it names ("on Friday, 25 May"): the date says which Friday.

    Left in, the weekday would resolve to the Friday nearest publication and date the event wrongly.
    """
    keep = []
    carry: TimeExpression | None = None  # a dropped weekday whose bound ("until Saturday, 26 May") the date takes
    for t, nxt in zip(found, [*found[1:], None]):
        if carry is not None:
            t = replace(t, bound=t.bound or carry.bound, background=t.background or carry.background)
            carry = None
        if (
            t.kind == "weekday"
            and nxt is not None
            and nxt.kind in ("dmy", "mdy", "iso")
            and rule("weekday-before-date").fires(text, t.end, nxt.start)
        ):
            carry = t
            continue
        keep.append(t)
    return keep


def _is_modal_may(text: str, m: re.Match, parts: dict) -> bool:
    mon = parts.get("mon") or ""
    if mon.lower().rstrip(".") not in ("may", "march", "mar", "jan", "sept", "dec", "aug"):
        return False
    # Month names that are also words must be capitalised to count.
    return not mon[:1].isupper()


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return _MONTH_ABBR.get(name[:4] if name.startswith("sept") else name[:3], 0)


def _day(d: date, basis: str) -> ResolvedDate:
    return ResolvedDate(d, "day", basis, d, d)


def _span(start: date, end: date, precision: str, basis: str) -> ResolvedDate:
    """A week or month: no single day (date None), the interval kept for analysts."""
    return ResolvedDate(None, precision, basis, start, end)


def resolve(expr: TimeExpression, published: date | None, reference: ResolvedDate | None = None) -> ResolvedDate:
    """Resolve a time expression to a date.

    Parameters
    ----------
    expr:
        The expression.
    published:
        The article's publication date; None leaves relative dates unresolved.
    reference:
        The story's current reference day, for "later in the day", "the next day".

    Weekday names are the latest such day on or before publication ("last
    Wednesday" strictly before); "N days ago" counts back from publication;
    a week or a month ("last week", "earlier this month") names no day: its
    date is None, with precision "week" or "month" and the interval in
    ``start``/``end``.
    """
    basis = expr.text.strip()
    kind, p = expr.kind, expr.parts
    if kind == "iso":
        try:
            return _day(date(int(p["y"]), int(p["m"]), int(p["d"])), basis)
        except ValueError:
            return ResolvedDate(None, "unknown", basis)
    if kind in ("dmy", "mdy", "month"):
        month = _month_number(p["mon"])
        year = int(p["y"]) if p.get("y") else None
        if year is None:
            if published is None:
                return ResolvedDate(None, "unknown", basis)
            year = published.year
            # A month-day after publication is last year's ("December 28" in January).
            if (month, int(p.get("d") or 1)) > (published.month, published.day) and kind != "month":
                year -= 1
            elif kind == "month" and month > published.month:
                year -= 1
        if kind == "month":
            start = date(year, month, 1)
            end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
            if published and start <= published <= end:
                end = published
            return _span(start, end, "month", basis)
        try:
            return _day(date(year, month, int(p["d"])), basis)
        except ValueError:
            return ResolvedDate(None, "unknown", basis)
    if kind == "year":
        y = int(p["y"])
        return ResolvedDate(None, "unknown", basis, date(y, 1, 1), date(y, 12, 31))
    if kind in ("recent", "cumulative", "future"):
        return ResolvedDate(None, "unknown", basis)
    if kind in ("sameday", "continuing", "nextday", "prevday", "later", "dayafter"):
        base = reference if reference and reference.date else None
        if base is None:
            if published is None:
                return ResolvedDate(None, "unknown", basis)
            base = _day(published, "publication date")
        if kind in ("sameday", "continuing"):
            return ResolvedDate(base.date, base.precision, basis, base.start, base.end)
        step = {"nextday": 1, "prevday": -1}.get(kind)
        if kind == "dayafter":
            raw = (p.get("n") or "1").lower()
            step = -(NUMBERS.get(raw) or int(raw))
        if step is None:
            n = NUMBERS.get((p.get("n") or "").lower()) or int(p.get("n") or 1)
            step = n * (7 if (p.get("unit") or "").startswith("week") else 1)
            step = -step if basis.lower().endswith("earlier") else step
        d = base.date + timedelta(days=step)
        return ResolvedDate(d, base.precision, basis, d, d)
    if published is None:
        return ResolvedDate(None, "unknown", basis)
    if kind == "yesterday":
        return _day(published - timedelta(days=1), basis)
    if kind == "daybefore":
        return _day(published - timedelta(days=2), basis)
    if kind == "lastnight":
        # "last night" and "overnight": the night before publication.
        return _day(published - timedelta(days=1), basis)
    if kind == "today":
        return _day(published, basis)
    if kind == "offset":
        target = WEEKDAYS.index(p["wd"].lower())
        anchor = published - timedelta(days=(published.weekday() - target) % 7)
        raw = (p.get("n") or "1").lower()
        n = NUMBERS.get(raw) or int(raw)
        return _day(anchor + timedelta(days=n if p["dir"].lower() == "after" else -n), basis)
    if kind == "weekdays":
        last = published - timedelta(days=(published.weekday() - WEEKDAYS.index(p["wd2"].lower())) % 7)
        first = last - timedelta(days=(WEEKDAYS.index(p["wd2"].lower()) - WEEKDAYS.index(p["wd"].lower())) % 7)
        return _span(first, last, "week", basis)
    if kind == "weekday":
        target = WEEKDAYS.index(p["wd"].lower())
        back = (published.weekday() - target) % 7
        mod = (p.get("mod") or "").lower()
        if mod == "last" and back == 0:
            back = 7
        if mod == "next":
            return ResolvedDate(None, "unknown", basis)  # the future: no event yet
        return _day(published - timedelta(days=back), basis)
    if kind == "ago":
        raw = (p.get("n") or "1").lower()
        n = NUMBERS.get(raw) or int(raw)
        unit = p["unit"].lower()
        if unit.startswith("day"):
            return _day(published - timedelta(days=n), basis)
        if unit.startswith("week") or unit == "fortnight":
            days = 14 if unit == "fortnight" else 7 * n
            d = published - timedelta(days=days)
            if n <= 2:  # "two weeks ago" names a day; "five weeks ago" only a week
                return ResolvedDate(d, "day", basis, d, d)
            return _span(d - timedelta(days=3), d + timedelta(days=3), "week", basis)
        if unit.startswith("month"):
            d = published - timedelta(days=30 * n)
            return _span(d - timedelta(days=15), d + timedelta(days=15), "month", basis)
        d = published - timedelta(days=365 * n)
        return ResolvedDate(None, "unknown", basis, d - timedelta(days=183), d + timedelta(days=183))
    if kind == "lastunit":
        mod, unit = p["mod"].lower(), p["unit"].lower()
        monday = published - timedelta(days=published.weekday())
        if unit == "week":
            if mod in ("last", "late last", "early last", "past"):
                start = monday - timedelta(days=7)
                return _span(start, start + timedelta(days=6), "week", basis)
            return _span(monday, max(monday, published - timedelta(days=1)), "week", basis)
        if unit == "weekend":
            saturday = monday - timedelta(days=2)
            return _span(saturday, saturday + timedelta(days=1), "week", basis)
        if unit == "month":
            first = published.replace(day=1)
            if mod in ("last", "late last", "early last", "past"):
                end = first - timedelta(days=1)
                return _span(end.replace(day=1), end, "month", basis)
            return _span(first, published, "month", basis)
        return ResolvedDate(None, "unknown", basis)
    return ResolvedDate(None, "unknown", basis)
