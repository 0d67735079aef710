"""Exporters: mentions and merged events as GeoJSON (RFC 7946) and ACLED-like CSV.

This is the one place where the dataclasses become dictionaries; the CLI
and the app both use it, so a property has one name everywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import IO

from .gazetteer import Gazetteer
from .models import Article, Event, Mention, Place

#: Properties of a mention feature, in order.
MENTION_PROPERTIES = (
    "mention_id",
    "doc_id",
    "start",
    "end",
    "surface",
    "resolved",
    "place_id",
    "place",
    "place_kind",
    "geo_precision",
    "uncertainty_km",
    "admin1",
    "country",
    "place_source",
    "is_event",
    "event_type",
    "sub_event_type",
    "trigger",
    "date",
    "date_precision",
    "date_basis",
    "date_start",
    "date_end",
    "sentence",
    "attribution",
    "verified",
    "title",
    "outlet",
    "url",
    "published",
    "match",
)
#: ACLED-like CSV columns, then clashmap's own.
CSV_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "date_basis",
    "attribution",
    "verified",
    "is_event",
    "place_id",
    "surface",
    "doc_id",
    "start",
    "end",
    "url",
    "published",
    "corroboration",
)
TIME_PRECISION = {"day": 1, "week": 2, "month": 3}


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


def admin_names(place: Place | None, gaz: Gazetteer | None) -> tuple[str | None, str | None]:
    """(admin1, country) names of a place from its gazetteer ancestors."""
    if place is None or gaz is None:
        return None, None
    chain = [place, *gaz.ancestors(place)]
    admin1 = next((p.name for p in chain if p.kind == "governorate"), None)
    country = next((p.name for p in chain if p.kind == "country"), None)
    if admin1 is None and place.kind == "city":
        admin1 = place.name  # Damascus is its own governorate
    return admin1, country


def mention_properties(m: Mention, article: Article, gaz: Gazetteer | None = None) -> dict:
    """The flat properties of one mention, as in the GeoJSON and the app's table."""
    p = m.place
    admin1, country = admin_names(p, gaz)
    return {
        "mention_id": m.mention_id,
        "doc_id": m.doc_id,
        "start": m.start,
        "end": m.end,
        "surface": m.surface,
        "resolved": p is not None,
        "place_id": p.id if p else None,
        "place": p.name if p else None,
        "place_kind": p.kind if p else None,
        "geo_precision": p.geo_precision if p else None,
        "uncertainty_km": p.uncertainty_km if p else None,
        "admin1": admin1,
        "country": country,
        "place_source": p.source if p else None,
        "is_event": m.is_event,
        "event_type": m.event_type,
        "sub_event_type": m.sub_event_type,
        "trigger": m.trigger,
        "date": _iso(m.date.date),
        "date_precision": m.date.precision,
        "date_basis": m.date.basis,
        "date_start": _iso(m.date.start),
        "date_end": _iso(m.date.end),
        "sentence": m.sentence,
        "attribution": m.attribution,
        "verified": m.verified,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": _iso(article.published),
        "match": m.how,
    }


def feature(properties: dict, place: Place | None) -> dict:
    """A GeoJSON Feature; geometry null for an unresolved name (RFC 7946 §3.2)."""
    geometry = None
    if place is not None:
        geometry = {"type": "Point", "coordinates": [round(place.lon, 6), round(place.lat, 6)]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def mention_feature(m: Mention, article: Article, gaz: Gazetteer | None = None) -> dict:
    return feature(mention_properties(m, article, gaz), m.place)


class GeoJSONWriter:
    """Write a FeatureCollection one feature at a time (memory stays flat).

    >>> import io
    >>> buf = io.StringIO()
    >>> with GeoJSONWriter(buf) as w:
    ...     w.write({"type": "Feature", "geometry": None, "properties": {}})
    >>> json.loads(buf.getvalue())["type"]
    'FeatureCollection'
    """

    def __init__(self, fh: IO[str]):
        self.fh = fh
        self.count = 0

    def __enter__(self) -> GeoJSONWriter:
        self.fh.write('{"type": "FeatureCollection", "features": [\n')
        return self

    def write(self, feat: dict) -> None:
        self.write_json(json.dumps(feat, ensure_ascii=False))

    def write_json(self, text: str) -> None:
        """Write a feature already encoded as JSON."""
        if self.count:
            self.fh.write(",\n")
        self.fh.write(text)
        self.count += 1

    def __exit__(self, *exc) -> None:
        self.fh.write("\n]}\n")


def feature_collection(features: Iterable[dict]) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def event_key(m: Mention) -> tuple[str, str, str | None]:
    return (m.place.id, m.event_type, _iso(m.date.date))


def event_id(key: tuple) -> str:
    """Stable id of an event from its place, type and date."""
    return "CM-" + hashlib.sha1("|".join(str(k) for k in key).encode()).hexdigest()[:10]


class EventMerger:
    """Merge event mentions of one place, type and date across documents."""

    def __init__(self) -> None:
        self._groups: dict[tuple, list[tuple[Mention, Article]]] = defaultdict(list)

    def add(self, mentions: Iterable[Mention], article: Article) -> None:
        for m in mentions:
            if m.is_event and m.place is not None:
                self._groups[event_key(m)].append((m, article))

    def events(self) -> list[Event]:
        out = []
        for key in sorted(self._groups, key=lambda k: (k[2] or "", k[0], k[1])):
            group = self._groups[key]
            mentions = tuple(m for m, _ in group)
            articles = tuple({a.doc_id: a for _, a in group}.values())
            sub = Counter(m.sub_event_type for m in mentions).most_common(1)[0][0]
            first = mentions[0]
            out.append(Event(event_id(key), first.place, first.event_type, sub, first.date, mentions, articles))
        return out


def event_properties(ev: Event, gaz: Gazetteer | None = None) -> dict:
    admin1, country = admin_names(ev.place, gaz)
    outlets = sorted({a.outlet or a.doc_id for a in ev.articles})
    return {
        "event_id": ev.event_id,
        "place_id": ev.place.id,
        "place": ev.place.name,
        "place_kind": ev.place.kind,
        "geo_precision": ev.place.geo_precision,
        "uncertainty_km": ev.place.uncertainty_km,
        "admin1": admin1,
        "country": country,
        "event_type": ev.event_type,
        "sub_event_type": ev.sub_event_type,
        "date": _iso(ev.date.date),
        "date_precision": ev.date.precision,
        "date_basis": ev.date.basis,
        "corroboration": ev.corroboration,
        "sources": "; ".join(outlets),
        "doc_ids": [a.doc_id for a in ev.articles],
        "mention_ids": [m.mention_id for m in ev.mentions],
        "sentences": [m.sentence for m in ev.mentions],
        "attribution": "; ".join(sorted({m.attribution for m in ev.mentions if m.attribution})) or None,
        "verified": False if any(m.verified is False for m in ev.mentions) else None,
    }


def event_feature(ev: Event, gaz: Gazetteer | None = None) -> dict:
    return feature(event_properties(ev, gaz), ev.place)


def csv_row(props: dict) -> dict:
    """An ACLED-like CSV row from mention or event properties."""
    when = props.get("date")
    precision = props.get("date_precision")
    if not when and props.get("date_start") and props.get("date_end") and precision in ("week", "month"):
        # ACLED codes a known week or month at its middle day, with time_precision 2 or 3.
        start, end = date.fromisoformat(props["date_start"]), date.fromisoformat(props["date_end"])
        when = (start + (end - start) / 2).isoformat()
    coords = props.get("_lonlat") or (None, None)
    return {
        "event_id_cnty": props.get("event_id") or props.get("mention_id"),
        "event_date": when,
        "year": when[:4] if when else None,
        "time_precision": TIME_PRECISION.get(precision) if when else None,
        "event_type": props.get("event_type"),
        "sub_event_type": props.get("sub_event_type"),
        "country": props.get("country"),
        "admin1": props.get("admin1"),
        "location": props.get("place") or props.get("surface"),
        "latitude": coords[1],
        "longitude": coords[0],
        "geo_precision": props.get("geo_precision"),
        "source": props.get("sources") or props.get("outlet"),
        "notes": " | ".join(props["sentences"]) if props.get("sentences") else props.get("sentence"),
        "date_basis": props.get("date_basis"),
        "attribution": props.get("attribution"),
        "verified": props.get("verified"),
        "is_event": props.get("is_event", True),
        "place_id": props.get("place_id"),
        "surface": props.get("surface"),
        "doc_id": props.get("doc_id") or ";".join(props.get("doc_ids") or []),
        "start": props.get("start"),
        "end": props.get("end"),
        "url": props.get("url"),
        "published": props.get("published"),
        "corroboration": props.get("corroboration"),
    }


class CSVWriter:
    """Write features as ACLED-like CSV rows, one at a time."""

    def __init__(self, fh: IO[str]):
        self.writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        self.count = 0

    def __enter__(self) -> CSVWriter:
        self.writer.writeheader()
        return self

    def write(self, feat: dict) -> None:
        props = dict(feat["properties"])
        if feat.get("geometry"):
            props["_lonlat"] = feat["geometry"]["coordinates"]
        self.writer.writerow(csv_row(props))
        self.count += 1

    def __exit__(self, *exc) -> None:
        pass
