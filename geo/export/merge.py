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
import os
import pickle
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator

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


def _event(key: tuple, members: list[MentionRecord]) -> EventRecord:
    members = sorted(members, key=lambda m: (m.doc_id, m.start, m.end))
    first = members[0]
    return EventRecord(
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


def _mergeable(m: MentionRecord, events_only: bool) -> bool:
    return m.place_id is not None and m.lat is not None and (m.is_event or not events_only)


def merge_events(records: Iterable[MentionRecord], events_only: bool = True) -> list[EventRecord]:
    """Merge placed mentions into events, dated ones first in day order.

    With ``events_only`` (the default, and the CLI's ``--level events``) only
    mentions read as events are merged; otherwise mere mentions of a place on
    a day form groups of their own, with ``event_type`` None. Unplaced names
    cannot be mapped and are left out.
    """
    groups: dict[tuple, list[MentionRecord]] = {}
    for m in records:
        if _mergeable(m, events_only):
            groups.setdefault(event_key(m), []).append(m)
    return [_event(key, groups[key]) for key in sorted(groups, key=_sort_key)]


class EventMerger:
    """Merge records that arrive a batch at a time (as the CLI streams articles), out of core.

    Records wait in a temporary SQLite file, not in memory, and come back grouped
    by event in the order of :func:`merge_events`, which this gives the same
    result as; memory holds one event's mentions at a time, whatever the corpus.
    """

    def __init__(self, events_only: bool = True, folder: str | None = None) -> None:
        self.events_only = events_only
        self._dir = tempfile.TemporaryDirectory(prefix="clashmap-merge-", dir=folder)
        self._db = sqlite3.connect(os.path.join(self._dir.name, "records.sqlite"))
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE r (undated INTEGER, day TEXT, place TEXT, untyped INTEGER, type TEXT, record BLOB)"
        )
        self.count = 0

    def add(self, records: Iterable[MentionRecord]) -> None:
        rows = []
        for m in records:
            if _mergeable(m, self.events_only):
                place_id, etype, day = event_key(m)
                rows.append((day is None, day or "", place_id, etype is None, etype or "", pickle.dumps(m, 5)))
        self._db.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?, ?)", rows)
        self.count += len(rows)

    def events(self) -> Iterator[EventRecord]:
        """The merged events, streamed in :func:`merge_events`' order."""
        self._db.execute("CREATE INDEX r_key ON r (undated, day, place, untyped, type)")
        rows = self._db.execute("SELECT undated, day, place, untyped, type, record FROM r ORDER BY 1, 2, 3, 4, 5")
        key, members = None, []
        for undated, day, place, untyped, etype, blob in rows:
            this = (place, None if untyped else etype, None if undated else day)
            if this != key and members:
                yield _event(key, members)
                members = []
            key = this
            members.append(pickle.loads(blob))
        if members:
            yield _event(key, members)

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> EventMerger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
