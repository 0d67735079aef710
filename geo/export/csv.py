"""ACLED-like CSV of mention or event records: ACLED's columns first, then clashmap's own.

>>> import io
>>> buf = io.StringIO()
>>> with CSVWriter(buf) as w:
...     pass
>>> buf.getvalue().split(",")[:3]
['event_id_cnty', 'event_date', 'year']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import IO

from ..models import WHY_FIELDS, EventRecord, MentionRecord

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
    *WHY_FIELDS,
)
#: ACLED's time_precision codes.
TIME_PRECISION = {"day": 1, "week": 2, "month": 3}
#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"):
#: = + - @, tab and carriage return, and the full-width = + - @ that some Excel locales also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: object) -> object:
    """A cell value a spreadsheet will not run: text starting like a formula gets a leading ``'``.

    Numbers (latitude -33.5, counts) are left alone; only text is changed.

    >>> neutralise("=1+2"), neutralise("-1+2"), neutralise(-33.5), neutralise("Tadamon")
    ("'=1+2", "'-1+2", -33.5, 'Tadamon')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _acled_date(day: str | None, precision: str, start: str | None, end: str | None) -> str | None:
    """The day ACLED would code: the day itself, or the middle of a known week or month."""
    if day or not (start and end and precision in ("week", "month")):
        return day
    d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    return (d0 + (d1 - d0) / 2).isoformat()


def csv_row(record: MentionRecord | EventRecord) -> dict:
    """The ACLED-like row of one mention or event record, formula cells neutralised (:func:`neutralise`).

    Texts come from articles, sidecars and uploads: a reader opening the CSV must
    not run them, whichever writer (the CLI's, the page's download) made the row.
    """
    return {k: neutralise(v) for k, v in _row(record).items()}


def _row(record: MentionRecord | EventRecord) -> dict:
    if isinstance(record, EventRecord):
        props = record.properties()
        when = record.date
        return {
            "event_id_cnty": record.event_id,
            "event_date": when,
            "year": when[:4] if when else None,
            "time_precision": TIME_PRECISION.get(record.date_precision) if when else None,
            "event_type": record.event_type,
            "sub_event_type": record.sub_event_type,
            "country": record.country,
            "admin1": record.admin1,
            "location": record.place,
            "latitude": round(record.lat, 6),
            "longitude": round(record.lon, 6),
            "geo_precision": record.geo_precision,
            "source": props["sources"],
            "notes": " | ".join(props["sentences"]),
            "date_basis": record.date_basis,
            "attribution": props["attribution"],
            "verified": props["verified"],
            "is_event": record.is_event,
            "place_id": record.place_id,
            "surface": None,
            "doc_id": ";".join(record.doc_ids),
            "start": None,
            "end": None,
            "url": None,
            "published": None,
            "corroboration": record.corroboration,
            "event_rule": "; ".join(sorted({m.event_rule for m in record.mentions if m.event_rule})) or None,
            "type_basis": None,
            "reference_rule": None,
            "date_rule": None,
            "ambiguous": any(m.ambiguous for m in record.mentions),
            "alternatives": "; ".join(sorted({a for m in record.mentions for a in m.alternatives})) or None,
        }
    m = record
    when = _acled_date(m.date, m.date_precision, m.date_start, m.date_end)
    return {
        "event_id_cnty": m.mention_id,
        "event_date": when,
        "year": when[:4] if when else None,
        "time_precision": TIME_PRECISION.get(m.date_precision) if when else None,
        "event_type": m.event_type,
        "sub_event_type": m.sub_event_type,
        "country": m.country,
        "admin1": m.admin1,
        "location": m.place or m.surface,
        "latitude": round(m.lat, 6) if m.lat is not None else None,
        "longitude": round(m.lon, 6) if m.lon is not None else None,
        "geo_precision": m.geo_precision,
        "source": m.outlet,
        "notes": m.sentence,
        "date_basis": m.date_basis,
        "attribution": m.attribution,
        "verified": m.verified,
        "is_event": m.is_event,
        "place_id": m.place_id,
        "surface": m.surface,
        "doc_id": m.doc_id,
        "start": m.start,
        "end": m.end,
        "url": m.url,
        "published": m.published,
        "corroboration": None,
        "event_rule": m.event_rule,
        "type_basis": m.type_basis,
        "reference_rule": m.reference_rule,
        "date_rule": m.date_rule,
        "ambiguous": m.ambiguous,
        "alternatives": "; ".join(m.alternatives) or None,
    }


class CSVWriter:
    """Write records as ACLED-like CSV rows, one at a time."""

    def __init__(self, fh: IO[str]):
        self.writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)  # RFC 4180 line ends
        self.count = 0

    def __enter__(self) -> CSVWriter:
        self.writer.writeheader()
        return self

    def write(self, record: MentionRecord | EventRecord) -> None:
        self.writer.writerow(csv_row(record))
        self.count += 1

    def __exit__(self, *exc) -> None:
        pass


def dumps(records: Iterable[MentionRecord | EventRecord]) -> str:
    """A whole CSV as text (for a download of what is shown)."""
    buf = io.StringIO()
    with CSVWriter(buf) as w:
        for r in records:
            w.write(r)
    return buf.getvalue()
