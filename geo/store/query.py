"""The map's questions asked of the store: filter, count and aggregate in SQL.

The page never reads every mention: the sidebar's options and date span, the
counts, the events per day and per place come from ``SELECT DISTINCT``,
``MIN``/``MAX`` and ``GROUP BY`` over the filtered rows, and mentions are read
as records only for a small filtered set (the event markers, a place's story,
the first rows of the table) or for a download the reader asked for.

One code for SQLite and PostGIS: statements are written in the SQL both speak,
with ``?`` placeholders (:class:`~geo.store.postgis.PostgisConnection`
translates them); every value reaches the database as a parameter, never
formatted into the text. A filter is a plain dict (:data:`DEFAULT_FILTERS`);
an empty list means "no restriction".

>>> where({"event_types": ["Battles"], "start": None})
('m.is_event = 1 AND m.event_type IN (?)', ['Battles'])
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from ..export.merge import event_id
from ..models import EVENT_TYPES, MentionRecord
from . import summary
from .articles import RECORD_ORDER, RECORD_SELECT, record
from .schema import store_errors

#: Stands for "the text names no source" among the attributions.
NO_ATTRIBUTION = "(no source named)"

DEFAULT_FILTERS: dict = {
    "start": None,  # datetime.date or None: from the first day of the data
    "end": None,
    "include_undated": True,  # mentions whose date the text does not give
    "event_types": [],
    "sub_event_types": [],
    "doc_ids": [],
    "outlets": [],
    "attributions": [],  # NO_ATTRIBUTION stands for "none named"
    "events_only": True,  # False: every place mention, events or not
    "show_unverified": True,  # False: hide reports the text calls unverified
}

_FROM = "FROM mentions m JOIN articles a ON a.doc_id = m.doc_id"


def _source(f: dict) -> str:
    """The FROM clause for counting: the articles joined only when their outlet is filtered on.

    Without the join, counts read the map's index (schema ``mentions_map``) and never the rows.
    """
    return _FROM if f.get("outlets") else "FROM mentions m"


def _counted(f: dict) -> tuple[str, str]:
    """``(FROM clause, count expression)`` for grouping the filtered mentions.

    The summary table (:mod:`geo.store.summary`, its rows already counted)
    when it can answer ``f``, else the mentions (:func:`_source`).
    """
    if summary.serves(f):
        # An integer: PostgreSQL sums BIGINT as NUMERIC, which psycopg turns into slow Decimals.
        return f"FROM {summary.TABLE} m", "CAST(SUM(m.n) AS INTEGER)"
    return _source(f), "COUNT(*)"


_DATED = "(m.date IS NOT NULL AND m.date <> '')"
# ISO days compare as text; these bound an open end of the range.
_FIRST_DAY, _LAST_DAY = "0001-01-01", "9999-12-31"
#: The multi-valued filters and the column each restricts.
_IN_FILTERS = (
    ("event_types", "m.event_type"),
    ("sub_event_types", "m.sub_event_type"),
    ("doc_ids", "m.doc_id"),
    ("outlets", "a.outlet"),
)


def _in(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def _dates(f: dict) -> tuple[str | None, list]:
    """The date condition: calendar days from start to end, undated reports kept if asked."""
    if f["start"] is None and f["end"] is None:
        return (None if f["include_undated"] else _DATED), []
    bounds = [f["start"].isoformat() if f["start"] else _FIRST_DAY, f["end"].isoformat() if f["end"] else _LAST_DAY]
    cond = f"{_DATED} AND m.date >= ? AND m.date <= ?"
    return (f"(({cond}) OR NOT {_DATED})" if f["include_undated"] else f"({cond})"), bounds


def where(f: dict) -> tuple[str, list]:
    """The filter ``f`` as a WHERE condition over ``mentions m JOIN articles a`` and its parameters.

    Keys missing from ``f`` take their :data:`DEFAULT_FILTERS` value.
    """
    f = {**DEFAULT_FILTERS, **f}
    parts: list[str] = []
    params: list = []
    if f["events_only"]:
        parts.append("m.is_event = 1")
    if not f["show_unverified"]:
        parts.append("(m.verified IS NULL OR m.verified <> 0)")
    cond, values = _dates(f)
    if cond:
        parts.append(cond)
        params += values
    for key, column in _IN_FILTERS:
        if f[key]:
            cond, values = _in(column, f[key])
            parts.append(cond)
            params += values
    if f["attributions"]:
        cond, values = _in("m.attribution", f["attributions"])
        if NO_ATTRIBUTION in f["attributions"]:
            cond = f"({cond} OR m.attribution IS NULL)"
        parts.append(cond)
        params += values
    return " AND ".join(parts) or "1 = 1", params


#: Rows the merger makes events of (:func:`geo.export.merge.merge_events`): placed, on a point.
_MERGEABLE = "m.place_id IS NOT NULL AND m.lat IS NOT NULL"


# --- the sidebar: what each filter can take --------------------------------------------------


def _strings(rows: Iterable) -> list[str]:
    return sorted({r[0] for r in rows if isinstance(r[0], str) and r[0]})


# The distinct sources named, skipping along the index on attribution from one to the next
# (a few lookups, where SELECT DISTINCT reads a million rows).
_ATTRIBUTIONS = (
    "WITH RECURSIVE t(a) AS (SELECT MIN(attribution) FROM mentions "
    "UNION ALL SELECT (SELECT MIN(attribution) FROM mentions WHERE attribution > t.a) FROM t WHERE t.a IS NOT NULL) "
    "SELECT a FROM t WHERE a IS NOT NULL"
)


@store_errors
def options(conn: sqlite3.Connection, event_types: list[str] | None = None) -> dict[str, list]:
    """The values each filter can take in the store (as :func:`geo.app.filters.options` over every mention).

    Sub-event types are limited to ``event_types`` when given. Event types
    are listed in the codebook's order; articles in the order they were stored.
    """
    # Few scans of the mentions, each reading the map's index: the pairs give types and sub-types.
    pairs = conn.execute(f"SELECT DISTINCT event_type, sub_event_type FROM {summary.TABLE}").fetchall()
    present = set(_strings(pairs))
    types = [t for t in EVENT_TYPES if t in present] + sorted(present - set(EVENT_TYPES))
    subs = _strings((sub,) for etype, sub in pairs if not event_types or etype in event_types)
    has_mentions = "EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = a.doc_id)"
    docs = conn.execute(f"SELECT a.doc_id, a.title, a.outlet FROM articles a WHERE {has_mentions} ORDER BY a.seq")
    docs = docs.fetchall()
    attributions = _strings(conn.execute(_ATTRIBUTIONS))
    if conn.execute("SELECT 1 FROM mentions WHERE attribution IS NULL LIMIT 1").fetchone():
        attributions = [NO_ATTRIBUTION, *attributions]
    return {
        "event_types": types,
        "sub_event_types": subs,
        "outlets": _strings((o,) for _, _, o in docs),
        "doc_ids": [d for d, _, _ in docs],
        "doc_labels": {d: f"{t or d} ({o or 'no outlet'})" for d, t, o in docs},
        "attributions": attributions,
    }


@store_errors
def date_span(conn: sqlite3.Connection) -> tuple[date, date] | None:
    """First and last day of any stored mention, or None when nothing is dated."""
    first, last = conn.execute(
        f"SELECT MIN(m.date), MAX(m.date) FROM {summary.TABLE} m WHERE m.date IS NOT NULL AND m.date <> ''"
    ).fetchone()
    return (date.fromisoformat(first), date.fromisoformat(last)) if first else None


@store_errors
def event_areas(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Placed events per admin area and per country (for the page's title)."""
    areas: dict[str, int] = {}
    countries: dict[str, int] = {}
    rows = conn.execute(
        f"SELECT m.admin1, m.country, SUM(m.n) FROM {summary.TABLE} m WHERE m.is_event = 1 AND m.place_id IS NOT NULL "
        "GROUP BY m.admin1, m.country"
    )
    for admin1, country, n in rows:
        for counts, name in ((areas, admin1), (countries, country)):
            if name:
                counts[name] = counts.get(name, 0) + int(n)
    return areas, countries


# --- counts and aggregates of the filtered rows ----------------------------------------------


class EventGroup(NamedTuple):
    """One merged event as the store counts it: place, type and day, and how many reports.

    What :class:`~geo.models.EventRecord` is without its mentions, for maps of
    many events (per-place markers, hexagons, heat); ``mentions`` is empty.
    A named tuple, not a dataclass: a map of 100,000 events builds ~30,000 of
    them on each filter change, and a tuple is several times cheaper to make.
    """

    place_id: str
    place: str
    place_kind: str | None
    lat: float
    lon: float
    uncertainty_km: float | None
    event_type: str | None
    date: str | None
    reports: int
    mentions: tuple = ()

    @property
    def event_id(self) -> str:
        return event_id((self.place_id, self.event_type, self.date))

    @property
    def is_event(self) -> bool:
        return self.event_type is not None


def _group_order(g: EventGroup) -> tuple:
    # As merge_events orders events: dated first in day order, mere mentions after events.
    return (g.date is None, g.date or "", g.place_id, g.event_type is None, g.event_type or "")


#: A part of the map: ``(south, west, north, east)`` in WGS84 degrees.
Box = tuple[float, float, float, float]


def _within(cond: str, params: list, box: Box | None) -> tuple[str, list]:
    """``cond`` also requiring the mention's point inside ``box`` (unchanged for None)."""
    if box is None:
        return cond, params
    south, west, north, east = box
    return f"{cond} AND m.lat >= ? AND m.lat <= ? AND m.lon >= ? AND m.lon <= ?", [*params, south, north, west, east]


@store_errors
def event_groups(conn: sqlite3.Connection, f: dict, within: Box | None = None) -> list[EventGroup]:
    """The filtered mentions merged into events (place, type, day) by ``GROUP BY``, in the merger's order.

    The same events as :func:`geo.export.merge.merge_events` over the filtered
    records (one per place, event type and day; with ``events_only`` False,
    mere mentions of a place on a day form groups of their own), bounded by
    places x types x days whatever the number of reports. ``within`` keeps
    the events inside a part of the map.
    """
    f = {**DEFAULT_FILTERS, **f}
    cond, params = _within(*where(f), within)
    source, count = _counted(f)
    # Grouped by plain columns, in the order of the summary's index (schema version 5), so the rows
    # arrive grouped without a sort; mere mentions that carry a type are merged here, as the merger does.
    rows = conn.execute(
        f"SELECT m.place_id, m.is_event, m.event_type, m.date, {count}, "
        "MIN(m.place), MIN(m.place_kind), MIN(m.lat), MIN(m.lon), MIN(m.uncertainty_km) "
        f"{source} WHERE {cond} AND {_MERGEABLE} GROUP BY m.place_id, m.is_event, m.event_type, m.date",
        params,
    ).fetchall()  # at once: row by row, psycopg spent 0.3 s on 30,000 rows
    merged: dict[tuple, list] = {}
    for pid, is_event, etype, day, n, *point in rows:
        key = (pid, etype if is_event == 1 else None, day)
        if key in merged:
            merged[key] = _merge_rows(merged[key], [int(n), *point])
        else:
            merged[key] = [int(n), *point]
    groups = [
        EventGroup(pid, place, kind, float(lat), _float(lon), _float(unc), etype, day, n)
        for (pid, etype, day), (n, place, kind, lat, lon, unc) in merged.items()
    ]
    return sorted(groups, key=_group_order)


def _merge_rows(a: list, b: list) -> list:
    """Two grouped rows of one event: counts added, each other column's least value as SQL's MIN."""
    return [a[0] + b[0], *(y if x is None else x if y is None else min(x, y) for x, y in zip(a[1:], b[1:]))]


class HexCell(NamedTuple):
    """Events of one type in one hexagon of the grid (:mod:`geo.store.hexgrid`)."""

    i: int
    j: int
    event_type: str | None  # None: mere place mentions
    events: int
    reports: int
    first: str | None  # first and last day of its dated events
    last: str | None


def _points_sql(f: dict, within: Box) -> tuple[str, list]:
    """Events (place, type, day) counted per point and type: ``lat, lon, etype, events, reports, first, last``."""
    f = {**DEFAULT_FILTERS, **f}
    cond, params = _within(*where(f), within)
    source, count = _counted(f)
    etype = "CASE WHEN m.is_event = 1 THEN m.event_type END"
    events = (
        f"SELECT {etype} AS etype, m.date AS day, {count} AS n, MIN(m.lat) AS lat, MIN(m.lon) AS lon "
        f"{source} WHERE {cond} AND {_MERGEABLE} GROUP BY m.place_id, {etype}, m.date"
    )
    return (
        "SELECT g.lat, g.lon, g.etype, COUNT(*) AS events, SUM(g.n) AS reports, MIN(g.day) AS first, "
        f"MAX(g.day) AS last FROM ({events}) g GROUP BY g.lat, g.lon, g.etype"
    ), params


@store_errors
def hexagon_cells(conn, f: dict, size: float, within: Box) -> list[HexCell]:
    """The filtered events inside ``within`` binned in the hexagon grid of ``size`` (EPSG:3857 metres).

    PostGIS bins them in SQL (``ST_HexagonGrid`` over the view's envelope);
    SQLite bins the per-point counts with the same grid's maths
    (:func:`geo.store.hexgrid.cell_of`). Both give the same cells, in
    ``(i, j, type)`` order; a hexagon's events are those of its points.
    """
    from .hexgrid import cell_of, mercator
    from .postgis import PostgisConnection

    points, params = _points_sql(f, within)
    south, west, north, east = within
    if isinstance(conn, PostgisConnection):
        rows = conn.execute(
            f"WITH p AS ({points}) SELECT h.i, h.j, p.etype, SUM(p.events), SUM(p.reports), MIN(p.first), "
            "MAX(p.last) FROM ST_HexagonGrid(?, ST_Expand(ST_Transform(ST_MakeEnvelope(?, ?, ?, ?, 4326), 3857), ?)) h "
            "JOIN p ON ST_Intersects(h.geom, ST_Transform(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), 3857)) "
            "GROUP BY h.i, h.j, p.etype",
            [*params, size, west, south, east, north, size],  # widened: a point on the edge has its hexagon
        ).fetchall()
    else:
        cells: dict[tuple, list] = {}
        for lat, lon, etype, events, reports, first, last in conn.execute(points, params):
            key = (*cell_of(*mercator(lat, lon), size), etype)
            had = cells.get(key)
            cells[key] = [events, reports, first, last] if had is None else _add_cell(had, events, reports, first, last)
        rows = [(*key, *v) for key, v in cells.items()]
    out = [HexCell(int(i), int(j), t, int(e), int(r), a, b) for i, j, t, e, r, a, b in rows]
    return sorted(out, key=lambda c: (c.i, c.j, c.event_type or ""))


def _add_cell(had: list, events: int, reports: int, first: str | None, last: str | None) -> list:
    days = [d for d in (had[2], had[3], first, last) if d]
    return [had[0] + events, had[1] + reports, min(days, default=None), max(days, default=None)]


def _float(value) -> float | None:
    return None if value is None else float(value)


#: Filtered reports per stored article from which :func:`counts` probes each article for one
#: (a probe then finds one among an article's first few) instead of grouping them all by article.
#: At 1,000,000 events in 10,000 articles on PostGIS (quiet machine, medians of 5 runs), with the
#: reports' sum: every event (90 per article) 225 ms grouped, 57 ms probed; one type over ten days
#: (2.5 per article) 84 ms grouped, 0.59 s probed under load 15 where grouping took 0.28 s.
PROBE_ABOVE = 10


@store_errors
def counts(conn: sqlite3.Connection, f: dict) -> dict[str, int]:
    """How many reports (mentions) and articles pass the filter ``f``.

    The reports are summed from the summary when it serves ``f``; the
    articles are counted by :func:`articles_probed` when there are many
    reports per article, else by :func:`articles_grouped`.
    """
    cond, params = where(f)
    source, count = _counted(f)
    reports = int(conn.execute(f"SELECT {count} {source} WHERE {cond}", params).fetchone()[0] or 0)
    if not reports:
        return {"reports": 0, "articles": 0}
    # The last article's number, from the key's index: the stored articles, or more after deletions.
    stored = int(conn.execute("SELECT MAX(seq) FROM articles").fetchone()[0] or 0)
    many = reports >= PROBE_ABOVE * stored
    return {"reports": reports, "articles": articles_probed(conn, f) if many else articles_grouped(conn, f)}


@store_errors
def articles_probed(conn: sqlite3.Connection, f: dict) -> int:
    """How many articles hold a report passing ``f``: one probe of each article's mentions.

    The probe is a subquery with ``LIMIT 1``, so both databases run it per
    article and stop at its first filtered report, along the index
    ``mentions_doc_filter`` (:data:`geo.store.summary.DOC_FILTER_INDEX`).
    """
    cond, params = where(f)
    probe = f"SELECT 1 FROM mentions m WHERE m.doc_id = a.doc_id AND {cond} LIMIT 1"
    return int(conn.execute(f"SELECT COUNT(*) FROM articles a WHERE ({probe}) IS NOT NULL", params).fetchone()[0])


@store_errors
def articles_grouped(conn: sqlite3.Connection, f: dict) -> int:
    """How many articles hold a report passing ``f``: every filtered report grouped by article.

    Grouped, then counted: one hash aggregate, where ``COUNT(DISTINCT)`` sorts every row on PostgreSQL.
    """
    cond, params = where(f)
    sql = f"SELECT COUNT(*) FROM (SELECT m.doc_id {_source(f)} WHERE {cond} GROUP BY m.doc_id) t"
    return int(conn.execute(sql, params).fetchone()[0])


@store_errors
def place_type_counts(conn: sqlite3.Connection, f: dict) -> list[tuple]:
    """Reports per place name and event type: ``(place, event_type, kind, reports, first day, last day)``.

    For the page's "which places saw what" (:func:`geo.app.filters.per_place_rows`).
    """
    cond, params = where(f)
    source, count = _counted(f)
    rows = conn.execute(
        f"SELECT m.place, m.event_type, MIN(m.place_kind), {count}, "
        f"MIN(CASE WHEN {_DATED} THEN m.date END), MAX(CASE WHEN {_DATED} THEN m.date END) "
        f"{source} WHERE {cond} AND m.place IS NOT NULL GROUP BY m.place, m.event_type",
        params,
    )
    return [(p, t, k, int(n), first, last) for p, t, k, n, first, last in rows]


# --- the rows themselves, for small sets and downloads ---------------------------------------


@store_errors
def records(
    conn: sqlite3.Connection,
    f: dict,
    *,
    limit: int | None = None,
    place_id: str | None = None,
    within: Box | None = None,
) -> list[MentionRecord]:
    """The filtered mentions as records, in article then text order (the first ``limit`` of them).

    ``place_id`` keeps one place's mentions only (a place's story), ``within``
    those inside a part of the map (single events when the map is zoomed in).
    """
    cond, params = _within(*where(f), within)
    if place_id is not None:
        cond += " AND m.place_id = ?"
        params.append(place_id)
    sql = f"SELECT {RECORD_SELECT} {_FROM} WHERE {cond} ORDER BY {RECORD_ORDER}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [record(row) for row in conn.execute(sql, params)]


@store_errors
def first_records(conn: sqlite3.Connection, f: dict, limit: int) -> list[MentionRecord]:
    """The first ``limit`` filtered mentions, as :func:`records` with ``limit`` gives them, without sorting them all.

    Counts per article (read from the map's index) pick the first articles, in
    the order they were stored, that hold ``limit`` rows; only their mentions
    are read and sorted.
    """
    cond, params = where(f)
    per_doc = dict(conn.execute(f"SELECT m.doc_id, COUNT(*) {_source(f)} WHERE {cond} GROUP BY m.doc_id", params))
    take, n = [], 0
    for (doc_id,) in conn.execute("SELECT doc_id FROM articles ORDER BY seq"):
        if doc_id in per_doc:
            take.append(doc_id)
            n += int(per_doc[doc_id])
            if n >= limit:
                break
    return records(conn, {**f, "doc_ids": take}, limit=limit) if take else []


@store_errors
def doc_records(conn: sqlite3.Connection, doc_id: str) -> list[MentionRecord]:
    """One article's mentions as records, in text order."""
    sql = f"SELECT {RECORD_SELECT} {_FROM} WHERE m.doc_id = ? ORDER BY m.start, m.mention_id"
    return [record(row) for row in conn.execute(sql, (doc_id,))]
