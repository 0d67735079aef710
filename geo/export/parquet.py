"""Partitioned GeoParquet (and GeoPackage) of mention or event records, for geopandas, DuckDB or QGIS.

The output is a folder of ``part-00000.parquet``, ``part-00001.parquet``, ...,
each a GeoParquet file (WGS84 points in a ``geometry`` column, the exported
properties as columns with fixed types, so the parts read as one dataset:
``geopandas.read_parquet(folder)`` or DuckDB's ``read_parquet('folder/*.parquet')``).
Records are buffered a part at a time, so memory stays bounded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from ..errors import ClashmapError
from ..models import EventRecord, MentionRecord

#: Rows per part file.
PART_ROWS = 50_000
#: Column types, so that a part where a column happens to be all empty still has its type.
DTYPES = {
    "start": "Int64",
    "end": "Int64",
    "sentence_start": "Int64",
    "geo_precision": "Int64",
    "corroboration": "Int64",
    "uncertainty_km": "float64",
    "resolved": "boolean",
    "is_event": "boolean",
    "verified": "boolean",
    "ambiguous": "boolean",
}
_LISTS = ("doc_ids", "mention_ids", "sentences", "alternatives")


def _frame(rows: list[dict], points: list[Point | None]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column in DTYPES:
            frame[column] = frame[column].astype(DTYPES[column])
        elif column not in _LISTS:
            frame[column] = frame[column].astype("string")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, crs="EPSG:4326"))


def geodataframe(records: Iterable[MentionRecord | EventRecord]) -> gpd.GeoDataFrame:
    """Records as a GeoDataFrame (WGS84 points, the exported properties as typed columns)."""
    rows, points = [], []
    for r in records:
        rows.append(r.properties())
        points.append(Point(r.lon, r.lat) if r.lat is not None else None)
    return _frame(rows, points)


def write_geopackage(records: Iterable[MentionRecord | EventRecord], path: str | Path, layer: str = "events") -> int:
    """Records as one layer of a GeoPackage (what QGIS users open first); returns the row count.

    List properties (an event's mention ids, sentences) become ``; ``-joined text:
    GeoPackage columns hold no lists.
    """
    gdf = geodataframe(records)
    for column in _LISTS:
        if column in gdf:
            gdf[column] = ["; ".join(v) for v in gdf[column]]
    gdf.to_file(path, layer=layer, driver="GPKG")
    return len(gdf)


class GeoParquetWriter:
    """Write records into a new (or empty) folder of GeoParquet parts."""

    def __init__(self, folder: str | Path, part_rows: int = PART_ROWS):
        self.folder = Path(folder)
        if self.folder.exists() and (not self.folder.is_dir() or any(self.folder.iterdir())):
            raise ClashmapError(
                f"{self.folder}: exists and is not an empty folder; GeoParquet output is written as a folder of "
                "parts: give a new path ending in .parquet"
            )
        self.part_rows = part_rows
        self.count = 0
        self.parts = 0
        self._rows: list[dict] = []
        self._points: list[Point | None] = []

    def __enter__(self) -> GeoParquetWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def write(self, record: MentionRecord | EventRecord) -> None:
        props = record.properties()
        if isinstance(record, MentionRecord):
            props["sentence_start"] = record.sentence_start  # so that the records can be loaded back whole
        self._rows.append(props)
        self._points.append(Point(record.lon, record.lat) if record.lat is not None else None)
        self.count += 1
        if len(self._rows) >= self.part_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._rows and self.parts:
            return
        gdf = _frame(self._rows, self._points)
        gdf.to_parquet(self.folder / f"part-{self.parts:05d}.parquet", index=False)
        self.parts += 1
        self._rows, self._points = [], []

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None and (self._rows or not self.parts):
            self._flush()


def read_mention_records(folder: str | Path) -> Iterator[MentionRecord]:
    """The mention records of a GeoParquet extraction (``clashmap extract -o OUT.parquet``), part by part."""
    if not os.path.lexists(folder):
        raise ClashmapError(
            f"{folder}: no such file or folder; give the folder `clashmap extract -o OUT.parquet` wrote"
        )
    paths = sorted(Path(folder).glob("*.parquet")) if Path(folder).is_dir() else [Path(folder)]
    if not paths:
        raise ClashmapError(f"{folder}: no .parquet parts; give the folder `clashmap extract -o OUT.parquet` wrote")
    fields = MentionRecord.__dataclass_fields__
    for path in paths:
        frame = _read_part(path)
        missing = [f for f in fields if f not in frame.columns and f not in ("lat", "lon")]
        if missing:
            raise ClashmapError(
                f"{path}: not a mention-level extraction (missing {', '.join(missing[:5])}); "
                "load the output of `clashmap extract -o OUT.parquet` without --level events"
            )
        geoms = frame.geometry
        for i, row in enumerate(frame.drop(columns="geometry").to_dict("records")):
            values = {f: _plain(row.get(f)) for f in fields if f not in ("lat", "lon", "alternatives")}
            point = geoms.iloc[i]
            values["lat"], values["lon"] = (None, None) if point is None or point.is_empty else (point.y, point.x)
            alternatives = row.get("alternatives")
            values["alternatives"] = tuple(alternatives.tolist() if hasattr(alternatives, "tolist") else ())
            values["ambiguous"] = bool(values["ambiguous"])
            values["is_event"] = bool(values["is_event"])
            yield MentionRecord(**values)


def _read_part(path: Path) -> gpd.GeoDataFrame:
    """One part of an extraction; a file that is not GeoParquet is refused with its name and the fix."""
    try:
        return gpd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        raise ClashmapError(
            f"{path}: not a readable GeoParquet file ({exc}); give the folder `clashmap extract -o OUT.parquet` "
            "wrote, or write it again"
        ) from None


def _plain(value):
    """A cell as a plain Python value: None for missing (NA, NaN), numpy scalars unwrapped."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value
