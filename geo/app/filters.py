"""What the reader asked to see: filters over the stored mentions, and the views of the result.

Every view of the page (map, table, chart, per-place summary, export) is
computed from the one frame :func:`apply_filters` returns, so they all obey
the same filters. A filter is a plain dict (see :data:`DEFAULT_FILTERS`);
an empty list means "no restriction".

>>> import pandas as pd
>>> df = pd.DataFrame({"date": ["2012-07-16", None], "is_event": [True, False]})
>>> date_span(with_days(df))
(datetime.date(2012, 7, 16), datetime.date(2012, 7, 16))
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from ..export import csv as csv_export
from ..export import geojson
from ..export.merge import merge_events
from ..models import EVENT_TYPES, EventRecord, MentionRecord
from ..store.query import DEFAULT_FILTERS, NO_ATTRIBUTION

#: Label for mentions without an event type.
NO_TYPE = "(not an event)"


def with_days(df: pd.DataFrame) -> pd.DataFrame:
    """Add a ``day`` column of :class:`datetime.date` (or None) from the ISO ``date``.

    Calendar days, never datetimes: no time zone can shift them.
    """
    df = df.copy()
    df["day"] = [date.fromisoformat(d) if isinstance(d, str) and d else None for d in df["date"]]
    return df


def date_span(df: pd.DataFrame) -> tuple[date, date] | None:
    """First and last day in the data, or None when nothing is dated."""
    days = [d for d in df["day"] if d is not None] if "day" in df else []
    return (min(days), max(days)) if days else None


def _values(series: pd.Series) -> list[str]:
    return sorted({v for v in series if isinstance(v, str) and v})


def options(df: pd.DataFrame, event_types: list[str] | None = None) -> dict[str, list]:
    """The values each filter can take in this data.

    Sub-event types are limited to ``event_types`` when given. Event types
    are listed in the ACLED codebook's order.
    """
    present = set(_values(df["event_type"]))
    types = [t for t in EVENT_TYPES if t in present] + sorted(present - set(EVENT_TYPES))
    subs_df = df[df["event_type"].isin(event_types)] if event_types else df
    attributions = _values(df["attribution"])
    if df["attribution"].isna().any():
        attributions = [NO_ATTRIBUTION, *attributions]
    docs = df.drop_duplicates("doc_id")
    return {
        "event_types": types,
        "sub_event_types": _values(subs_df["sub_event_type"]),
        "outlets": _values(df["outlet"]),
        "doc_ids": list(docs["doc_id"]),
        "doc_labels": {
            d: f"{_text_or(t, d)} ({_text_or(o, 'no outlet')})"
            for d, t, o in zip(docs["doc_id"], docs["title"], docs["outlet"])
        },
        "attributions": attributions,
    }


def _text_or(value, default: str) -> str:
    """A text cell, or `default` for a missing one (None or pandas' NaN)."""
    return value if isinstance(value, str) and value else default


def apply_filters(df: pd.DataFrame, f: dict) -> pd.DataFrame:
    """The rows of ``df`` (with a ``day`` column) that pass the filters ``f``.

    Keys missing from ``f`` take their :data:`DEFAULT_FILTERS` value.
    """
    f = {**DEFAULT_FILTERS, **f}
    keep = pd.Series(True, index=df.index)
    if f["events_only"]:
        keep &= df["is_event"].astype(bool)
    if not f["show_unverified"]:
        keep &= ~df["verified"].eq(False)
    if f["start"] is not None or f["end"] is not None:
        start, end = f["start"] or date.min, f["end"] or date.max
        in_range = [d is not None and start <= d <= end for d in df["day"]]
        dated = pd.Series(in_range, index=df.index)
        if f["include_undated"]:
            dated |= df["day"].isna()
        keep &= dated
    elif not f["include_undated"]:
        keep &= df["day"].notna()
    if f["event_types"]:
        keep &= df["event_type"].isin(f["event_types"])
    if f["sub_event_types"]:
        keep &= df["sub_event_type"].isin(f["sub_event_types"])
    if f["doc_ids"]:
        keep &= df["doc_id"].isin(f["doc_ids"])
    if f["outlets"]:
        keep &= df["outlet"].isin(f["outlets"])
    if f["attributions"]:
        named = df["attribution"].isin(f["attributions"])
        if NO_ATTRIBUTION in f["attributions"]:
            named |= df["attribution"].isna()
        keep &= named
    return df[keep]


_FIELDS = tuple(MentionRecord.__dataclass_fields__)


def _plain(value):
    """A cell as a plain Python value: None for missing (None or NaN), numpy scalars unwrapped."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def records(df: pd.DataFrame) -> list[MentionRecord]:
    """The rows of a mentions frame (:func:`geo.store.mentions_frame`) as records."""
    cols = [df[c].tolist() for c in _FIELDS]
    out = []
    for values in zip(*cols):
        rec = dict(zip(_FIELDS, map(_plain, values)))
        rec["is_event"] = bool(rec["is_event"])
        rec["ambiguous"] = bool(rec["ambiguous"])
        rec["alternatives"] = tuple(rec["alternatives"] or ())
        out.append(MentionRecord(**rec))
    return out


def frame_of(recs: list[MentionRecord]) -> pd.DataFrame:
    """Records as a mentions frame (the columns of :func:`geo.store.mentions_frame` a record has)."""
    rows = [[getattr(r, c) for c in _FIELDS] for r in recs]
    return pd.DataFrame(rows, columns=list(_FIELDS), dtype=object)  # object: None stays None, never NaN


def group_events(df: pd.DataFrame, events_only: bool = True) -> list[EventRecord]:
    """The filtered mentions merged into events by the one merger (:func:`geo.export.merge.merge_events`).

    With ``events_only`` False, mere place mentions form groups of their own.
    """
    return merge_events(records(df), events_only=events_only)


def table(df: pd.DataFrame) -> pd.DataFrame:
    """The filtered mentions as the page's table: place, date, type, sentence, source."""
    return pd.DataFrame(
        {
            "place": [p or f"{s} (unplaced)" for p, s in zip(df["place"], df["surface"])],
            "date": df["date"],
            "type": df["event_type"],
            "sub-type": df["sub_event_type"],
            "sentence": df["sentence"],
            "source": [_source(o, a) for o, a in zip(df["outlet"], df["attribution"])],
            "title": df["title"],
            "verified": ["unverified" if v is False else "" for v in df["verified"]],
        }
    )


def _source(outlet: str | None, attribution: str | None) -> str:
    if attribution:
        return f"{outlet or 'unknown outlet'}, citing {attribution}"
    return outlet or "unknown outlet"


def per_day(events: list[EventRecord]) -> pd.DataFrame:
    """Merged events per calendar day and type, as the map shows them (not reports).

    A wide frame indexed by day (``datetime64``, named ``day``) with one
    column per type in the codebook's order; every calendar day from the
    first to the last is a row, days without events count zero. Undated
    events are left out; without any, the frame is empty.
    """
    dated = [ev for ev in events if ev.date]
    if not dated:
        return pd.DataFrame()
    frame = pd.DataFrame(
        {"day": pd.to_datetime([ev.date for ev in dated]), "type": [ev.event_type or NO_TYPE for ev in dated]}
    )
    counts = pd.crosstab(frame["day"], frame["type"])
    every_day = pd.date_range(counts.index.min(), counts.index.max(), freq="D", name="day")
    counts = counts.reindex(every_day, fill_value=0)
    counts.columns.name = None
    order = [t for t in EVENT_TYPES if t in counts.columns] + [c for c in counts.columns if c not in EVENT_TYPES]
    return counts[order]


def per_place(df: pd.DataFrame) -> pd.DataFrame:
    """Which places saw what: one row per place, counts by type, first and last day."""
    placed = df[df["place"].notna()]
    if placed.empty:
        return per_place_rows([])
    types = placed["event_type"].fillna(NO_TYPE)
    counts = pd.crosstab(placed["place"], types)
    out = pd.DataFrame(
        {
            "place": counts.index,
            "kind": placed.groupby("place")["place_kind"].first().reindex(counts.index).values,
            "reports": counts.sum(axis=1).values,
            "first": placed.groupby("place")["date"].min().reindex(counts.index).values,
            "last": placed.groupby("place")["date"].max().reindex(counts.index).values,
        }
    )
    for col in counts.columns:
        out[col] = counts[col].values
    return out.sort_values(["reports", "place"], ascending=[False, True]).reset_index(drop=True)


def per_place_rows(rows: list[tuple]) -> pd.DataFrame:
    """:func:`per_place` from the store's counts (:func:`geo.store.query.place_type_counts`).

    ``rows`` are ``(place, event_type, kind, reports, first day, last day)``.
    """
    if not rows:
        return pd.DataFrame(columns=["place", "kind", "reports", "first", "last"])
    places: dict[str, dict] = {}
    types = sorted({t or NO_TYPE for _, t, _, _, _, _ in rows})
    for place, etype, kind, n, first, last in rows:
        row = places.setdefault(place, {"place": place, "kind": kind, "reports": 0, "first": None, "last": None})
        row["kind"] = min(k for k in (row["kind"], kind) if k) if row["kind"] or kind else None
        row["reports"] += n
        row[etype or NO_TYPE] = row.get(etype or NO_TYPE, 0) + n
        row["first"] = min(d for d in (row["first"], first) if d) if row["first"] or first else None
        row["last"] = max(d for d in (row["last"], last) if d) if row["last"] or last else None
    out = pd.DataFrame([{**{t: 0 for t in types}, **row} for row in places.values()])
    out = out[["place", "kind", "reports", "first", "last", *types]]
    return out.sort_values(["reports", "place"], ascending=[False, True]).reset_index(drop=True)


# --- export ---------------------------------------------------------------------------------


def to_geojson(df: pd.DataFrame) -> str:
    """The filtered mentions as a GeoJSON FeatureCollection text (``application/geo+json``), as the CLI writes it."""
    return geojson.dumps(records(df))


def to_csv(df: pd.DataFrame) -> str:
    """The filtered mentions as ACLED-like CSV (see :func:`csv_text`)."""
    return csv_text(records(df))


def csv_text(recs: list[MentionRecord]) -> str:
    """Mention records as ACLED-like CSV, as the CLI writes it, plus each one's corroboration.

    One row per mention (the table's reports); ``corroboration`` is that of
    the merged event the mention belongs to (the number of outlets reporting
    the same place, type and day among the rows shown), empty for unplaced
    names.
    """
    corroboration = {
        m.mention_id: ev.corroboration for ev in merge_events(recs, events_only=False) for m in ev.mentions
    }
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=csv_export.CSV_COLUMNS)
    writer.writeheader()
    for rec in recs:
        writer.writerow({**csv_export.csv_row(rec), "corroboration": corroboration.get(rec.mention_id)})
    return buf.getvalue()


# --- the page's title ------------------------------------------------------------------------

#: An admin area is named in the title when it has at least this share of the top area's events.
TITLE_AREA_SHARE = 1 / 3


def data_title(df: pd.DataFrame) -> str:
    """What the loaded data covers, for the page's title: the main admin areas and the date span.

    Areas come from the placed events' ``admin1`` (the country when none
    has one); the span is written as briefly as it can be.

    >>> frame = pd.DataFrame({"date": ["2012-07-08", "2012-07-22"], "is_event": [True, True],
    ...                       "place_id": ["a", "b"], "admin1": ["Damascus", "Damascus"], "country": ["Syria"] * 2})
    >>> data_title(with_days(frame))
    'Damascus, 8–22 July 2012'
    """
    events = df[df["is_event"].astype(bool) & df["place_id"].notna()] if len(df) else df
    areas = _value_counts(events["admin1"]) if len(events) else {}
    countries = _value_counts(events["country"]) if len(events) else {}
    return title_of(areas, countries, date_span(df))


def title_of(areas: dict[str, int], countries: dict[str, int], span: tuple[date, date] | None) -> str:
    """:func:`data_title` from placed events per admin area and per country, and the date span."""
    names = _main_areas(areas) or _main_areas(countries)
    when = _span_text(*span) if span else ""
    return ", ".join(part for part in (" and ".join(names), when) if part)


def _value_counts(values: pd.Series) -> dict[str, int]:
    return dict(pd.Series([v for v in values if isinstance(v, str) and v]).value_counts())


def _main_areas(counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1]
    names = [str(name) for name, n in ranked if n >= top * TITLE_AREA_SHARE][:2]
    return [name.removesuffix(" Governorate") for name in names]


def _span_text(first: date, last: date) -> str:
    """'8 July 2012', '8–22 July 2012', '8 July – 3 September 2012' or 'July 2012 – March 2013'."""
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first:%B %Y} – {last:%B %Y}"


# --- a place's story ----------------------------------------------------------------------------


def place_story(events: list[EventRecord], place_id: str) -> dict:
    """Everything told of one place: its events over time, every report, and where outlets differ.

    Returns ``events`` (the place's EventRecords), ``per_day`` (:func:`per_day` of them),
    ``reports`` (one row per report: day, type, sub-type, outlet, title, sentence, url),
    ``agree`` (events two or more outlets report), ``differ_type`` (days on which outlets give the
    place different event types) and ``differ_date`` (one type that outlets put on different days,
    up to three days apart: perhaps one event dated differently).

    >>> from geo.models import EventRecord
    >>> story = place_story([], "tadamon")
    >>> (story["reports"], story["agree"], story["differ_type"], story["differ_date"])
    ([], [], [], [])
    """
    mine = [e for e in events if e.place_id == place_id and e.is_event]
    reports = [
        {
            "day": m.date,
            "type": e.event_type,
            "sub-type": m.sub_event_type,
            "outlet": m.outlet or m.doc_id,
            "title": m.title,
            "sentence": m.sentence,
            "url": m.url,
        }
        for e in mine
        for m in e.mentions
    ]
    agree = [e for e in mine if e.corroboration > 1]
    by_day: dict[str, dict[str, set[str]]] = {}
    for e in mine:
        if e.date:
            by_day.setdefault(e.date, {})[e.event_type] = set(e.outlets)
    differ_type = [
        {"day": day, "types": {t: sorted(o) for t, o in sorted(types.items())}}
        for day, types in sorted(by_day.items())
        if len(types) > 1 and len(set().union(*types.values())) > 1
    ]
    differ_date = []
    dated = sorted((e for e in mine if e.date), key=lambda e: (e.event_type, e.date))
    for a, b in zip(dated, dated[1:]):
        if a.event_type != b.event_type or set(a.outlets) == set(b.outlets):
            continue
        gap = (date.fromisoformat(b.date) - date.fromisoformat(a.date)).days
        if 0 < gap <= 3:
            differ_date.append(
                {"type": a.event_type, "days": {a.date: list(a.outlets), b.date: list(b.outlets)}, "apart": gap}
            )
    return {
        "events": mine,
        "per_day": per_day(mine),
        "reports": reports,
        "agree": agree,
        "differ_type": differ_type,
        "differ_date": differ_date,
    }
