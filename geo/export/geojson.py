"""GeoJSON (RFC 7946: WGS84, ``[lon, lat]``) of mention or event records.

One function builds a feature, one writer streams a FeatureCollection; the
CLI, the app's download and the map's layers all use them.

>>> import io, json
>>> buf = io.StringIO()
>>> with GeoJSONWriter(buf) as w:
...     w.write_json(json.dumps(point_feature(33.5, 36.3, {"name": "x"})))
>>> json.loads(buf.getvalue())["features"][0]["geometry"]
{'type': 'Point', 'coordinates': [36.3, 33.5]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from ..extract.pipeline import Resources
from ..extract.records import article_records
from ..models import ArticleResult, EventRecord, MentionRecord

#: The media type of what this module writes (RFC 7946 §12).
MEDIA_TYPE = "application/geo+json"


def point_feature(lat: float | None, lon: float | None, properties: dict) -> dict:
    """A GeoJSON Feature at ``(lat, lon)``; geometry null without a point (RFC 7946 §3.2)."""
    geometry = None
    if lat is not None and lon is not None:
        geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def feature(record: MentionRecord | EventRecord) -> dict:
    """The feature of one mention or event record, with its exported properties."""
    return point_feature(record.lat, record.lon, record.properties())


# One encoder for every feature: ``json.dumps`` with an option builds a new one per call.
# The output is that of ``json.dumps(..., ensure_ascii=False)``.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def encode(record: MentionRecord | EventRecord) -> str:
    """One record's feature as JSON text (workers encode, the writer only copies)."""
    return _ENCODER.encode(feature(record))


def encoded_features(result: ArticleResult, res: Resources) -> list[str]:
    """Each mention of an extracted article as feature JSON text.

    Meant as :func:`geo.extract.batch.extract_files`' ``per_article``: the workers
    encode, so the writing process only copies text.
    """
    return [encode(r) for r in article_records(result, res.gazetteer)]


class GeoJSONWriter:
    """Write a FeatureCollection one feature at a time (memory stays flat)."""

    def __init__(self, fh: IO[str]):
        self.fh = fh
        self.count = 0

    def __enter__(self) -> GeoJSONWriter:
        self.fh.write('{"type": "FeatureCollection", "features": [\n')
        return self

    def write(self, record: MentionRecord | EventRecord) -> None:
        self.write_json(encode(record))

    def write_json(self, text: str) -> None:
        """Write a feature already encoded as JSON."""
        if self.count:
            self.fh.write(",\n")
        self.fh.write(text)
        self.count += 1

    def __exit__(self, *exc) -> None:
        self.fh.write("\n]}\n")


def dumps(records: Iterable[MentionRecord | EventRecord]) -> str:
    """A whole FeatureCollection as text (for a download of what is shown)."""
    import io

    buf = io.StringIO()
    with GeoJSONWriter(buf) as w:
        for r in records:
            w.write(r)
    return buf.getvalue()
