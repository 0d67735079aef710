"""The one event merger: mentions of one place, event type and day become one event.

Deterministic by construction: the result depends only on the set of records,
never on their order, the run or ``PYTHONHASHSEED`` (members are sorted by
document and offset; ties between sub-event types go to the codebook's order).

>>> from dataclasses import replace
>>> from geo.extract.documents import make_article
>>> from geo.extract.pipeline import extract_article, load_resources
>>> from geo.extract.records import article_records
>>> res = load_resources()
>>> a = make_article("Clashes erupted in Tadamon on Monday.", "a", published="2012-07-17")
>>> b = make_article("Rebels fought troops in Tadamon on Monday.", "b", published="2012-07-17")
>>> recs = article_records(extract_article(a, res)) + article_records(extract_article(b, res))
>>> [(e.place, e.event_type, e.date, e.corroboration) for e in merge_events(recs)]
[('Tadamon', 'Battles', '2012-07-16', 2)]
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from ..models import EVENT_TYPES, EventRecord, MentionRecord

#: Sub-event types in the codebook's order, for breaking ties between equally frequent ones.
_SUB_ORDER = {sub: i for i, sub in enumerate(s for subs in EVENT_TYPES.values() for s in subs)}


def event_key(m: MentionRecord) -> tuple[str, str | None, str | None]:
    """What makes mentions one event: place, event type and day."""
    return (m.place_id, m.event_type if m.is_event else None, m.date)


def event_id(key: tuple) -> str:
    """Stable id of an event from its place, type and day.

    >>> event_id(("tadamon", "Battles", "2012-07-16"))
    'CM-c57c0ef80e'
    """
    return "CM-" + hashlib.sha1("|".join(str(k) for k in key).encode()).hexdigest()[:10]


def _sort_key(key: tuple) -> tuple:
    place_id, event_type, day = key
    # Dated events in order, undated ones last; mere mentions after events of the same day.
    return (day is None, day or "", place_id, event_type is None, event_type or "")


def _sub_event_type(members: list[MentionRecord]) -> str | None:
    counts = Counter(m.sub_event_type for m in members if m.sub_event_type)
    if not counts:
        return None
    return min(counts, key=lambda s: (-counts[s], _SUB_ORDER.get(s, len(_SUB_ORDER)), s))


def merge_events(records: Iterable[MentionRecord], events_only: bool = True) -> list[EventRecord]:
    """Merge placed mentions into events, dated ones first in day order.

    With ``events_only`` (the default, and the CLI's ``--level events``) only
    mentions read as events are merged; otherwise mere mentions of a place on
    a day form groups of their own, with ``event_type`` None. Unplaced names
    cannot be mapped and are left out.
    """
    groups: dict[tuple, list[MentionRecord]] = {}
    for m in records:
        if m.place_id is None or m.lat is None or (events_only and not m.is_event):
            continue
        groups.setdefault(event_key(m), []).append(m)
    out = []
    for key in sorted(groups, key=_sort_key):
        members = sorted(groups[key], key=lambda m: (m.doc_id, m.start, m.end))
        first = members[0]
        out.append(
            EventRecord(
                event_id=event_id(key),
                place_id=first.place_id,
                place=first.place,
                place_kind=first.place_kind,
                lat=first.lat,
                lon=first.lon,
                geo_precision=first.geo_precision,
                uncertainty_km=first.uncertainty_km,
                admin1=first.admin1,
                country=first.country,
                event_type=key[1],
                sub_event_type=_sub_event_type(members),
                date=first.date,
                date_precision=first.date_precision,
                date_basis=first.date_basis,
                mentions=tuple(members),
            )
        )
    return out


class EventMerger:
    """Collect records a batch at a time (as the CLI streams articles), then merge."""

    def __init__(self, events_only: bool = True) -> None:
        self.events_only = events_only
        self._records: list[MentionRecord] = []

    def add(self, records: Iterable[MentionRecord]) -> None:
        self._records.extend(r for r in records if r.place_id is not None and (r.is_event or not self.events_only))

    def events(self) -> list[EventRecord]:
        return merge_events(self._records, self.events_only)
