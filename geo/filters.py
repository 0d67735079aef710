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
import json
from datetime import date

import pandas as pd

from .export import CSV_COLUMNS, MENTION_PROPERTIES, csv_row
from .models import EVENT_TYPES

#: Label for mentions whose text names no source.
NO_ATTRIBUTION = "(no source named)"
#: Label for mentions without an event type.
NO_TYPE = "(not an event)"

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


def group_events(df: pd.DataFrame) -> list[dict]:
    """One dict per event: mentions of one place, type and day merged.

    Rows without a place (unresolved names) are dropped: they cannot be
    mapped. Keys: event_key, place_id, place, place_kind, lat, lon, uncertainty_km,
    event_type, sub_event_type, date, day, date_precision, date_basis,
    n_mentions, outlets, attributions, unverified, and ``mentions`` (a list
    of dicts with the evidence of each mention, first ten).
    """
    placed = df[df["place_id"].notna()]
    rows: list[dict] = []
    keys = zip(placed["place_id"], placed["event_type"].fillna(""), placed["date"].fillna(""))
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        key = tuple(k if isinstance(k, str) else "" for k in key)
        groups.setdefault(key, []).append(i)
    records = placed.to_dict("records")
    for key in sorted(groups, key=lambda k: (k[2] or "9999", k[0], k[1])):
        members = [records[i] for i in groups[key]]
        first = members[0]
        subs = [m["sub_event_type"] for m in members if m["sub_event_type"]]
        rows.append(
            {
                "event_key": "|".join(key),
                "place_id": first["place_id"],
                "place": first["place"],
                "place_kind": first["place_kind"],
                "lat": first["lat"],
                "lon": first["lon"],
                "uncertainty_km": first["uncertainty_km"],
                "event_type": first["event_type"],
                "sub_event_type": max(set(subs), key=subs.count) if subs else None,
                "date": first["date"],
                "day": first["day"],
                "date_precision": first["date_precision"],
                "date_basis": first["date_basis"],
                "n_mentions": len(members),
                "outlets": sorted({m["outlet"] or m["doc_id"] for m in members}),
                "attributions": sorted({m["attribution"] for m in members if m["attribution"]}),
                "unverified": any(m["verified"] is False for m in members),
                "is_event": bool(first["is_event"]),
                "mentions": [_evidence(m) for m in members[:10]],
            }
        )
    return rows


def _evidence(m: dict) -> dict:
    return {
        "sentence": m["sentence"],
        "start": m["start"] - m["sentence_start"],
        "end": m["end"] - m["sentence_start"],
        "title": m["title"],
        "outlet": m["outlet"],
        "published": m["published"],
        "date_basis": m["date_basis"],
        "date_precision": m["date_precision"],
        "attribution": m["attribution"],
        "verified": m["verified"],
        "doc_id": m["doc_id"],
        "sub_event_type": m["sub_event_type"],
    }


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


def per_day(df: pd.DataFrame) -> pd.DataFrame:
    """Events per calendar day and type: a wide frame indexed by ISO day, one column per type."""
    dated = df[df["date"].notna()]
    if dated.empty:
        return pd.DataFrame()
    types = dated["event_type"].fillna(NO_TYPE)
    counts = pd.crosstab(dated["date"], types)
    counts.index.name = "day"
    order = [t for t in EVENT_TYPES if t in counts.columns] + [c for c in counts.columns if c not in EVENT_TYPES]
    return counts[order]


def per_place(df: pd.DataFrame) -> pd.DataFrame:
    """Which places saw what: one row per place, counts by type, first and last day."""
    placed = df[df["place"].notna()]
    if placed.empty:
        return pd.DataFrame(columns=["place", "kind", "reports", "first", "last"])
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


# --- export ---------------------------------------------------------------------------------


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_features(df: pd.DataFrame) -> list[dict]:
    """GeoJSON features (RFC 7946: ``[lon, lat]``, WGS84) of the filtered mentions.

    Properties are :data:`geo.export.MENTION_PROPERTIES`, as the CLI writes them;
    an unresolved name has ``geometry: null``.
    """
    feats = []
    names = [c for c in MENTION_PROPERTIES if c in df.columns]
    for rec in df.to_dict("records"):
        props = {c: _plain(rec.get(c)) for c in names}
        props["resolved"] = props.get("place_id") is not None
        geometry = None
        if props["resolved"] and _plain(rec.get("lat")) is not None:
            geometry = {"type": "Point", "coordinates": [round(rec["lon"], 6), round(rec["lat"], 6)]}
        feats.append({"type": "Feature", "geometry": geometry, "properties": props})
    return feats


def to_geojson(df: pd.DataFrame) -> str:
    """The filtered mentions as a GeoJSON FeatureCollection text (``application/geo+json``)."""
    return json.dumps({"type": "FeatureCollection", "features": to_features(df)}, ensure_ascii=False)


def to_csv(df: pd.DataFrame) -> str:
    """The filtered mentions as ACLED-like CSV (the CLI's columns)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for feat in to_features(df):
        props = dict(feat["properties"])
        if feat["geometry"]:
            props["_lonlat"] = feat["geometry"]["coordinates"]
        writer.writerow(csv_row(props))
    return buf.getvalue()
