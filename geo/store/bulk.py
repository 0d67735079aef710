"""Loading an extraction made elsewhere (``clashmap extract -o OUT.parquet``) into a store, in bulk.

On PostGIS the rows go in with COPY; on
SQLite with batched inserts. Either way in one transaction: a failed load
leaves the store as it was. Articles are created from the records' metadata,
without their text (so these cannot be re-extracted in the store).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..models import MentionRecord
from . import summary
from .articles import mention_row
from .postgis import PostgisConnection
from .schema import MENTION_COLUMNS, StoreError, bump

CHUNK = 20_000


_ALREADY = "is already in the store; nothing was loaded (load each extraction once, or into a new store)"


def load_records(conn, records: Iterable[MentionRecord], origin: str = "bulk") -> int:
    """Load mention records into the store; returns how many.

    Raises :class:`~geo.store.schema.StoreError` (and loads nothing) when a
    mention is already there.
    """
    if isinstance(conn, PostgisConnection):
        import psycopg

        try:
            return _postgis_load(conn, records, origin, CHUNK)
        except psycopg.errors.UniqueViolation as exc:
            raise StoreError(f"a mention ({exc.diag.message_detail or 'see the log'}) {_ALREADY}") from None
    try:
        return _sqlite_load(conn, records, origin)
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"a mention ({exc}) {_ALREADY}") from None


def _sqlite_load(conn: sqlite3.Connection, records: Iterable[MentionRecord], origin: str) -> int:
    cols = ", ".join(f'"{c}"' for c in MENTION_COLUMNS)
    marks = ", ".join("?" for _ in MENTION_COLUMNS)
    seen: set[str] = set()
    n = 0
    batch: list[MentionRecord] = []

    def flush() -> None:
        new = []
        for r in batch:
            if r.doc_id not in seen:
                seen.add(r.doc_id)
                new.append((r.doc_id, f"{origin}:{r.doc_id}", r.title, r.outlet, r.url, r.published, origin))
        conn.executemany(
            "INSERT INTO articles (doc_id, sha256, title, outlet, url, published, origin, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '') ON CONFLICT (doc_id) DO NOTHING",
            new,
        )
        conn.executemany(f"INSERT INTO mentions ({cols}) VALUES ({marks})", [mention_row(r) for r in batch])

    with conn:
        conn.execute("BEGIN IMMEDIATE")  # the write lock from the start: the summary's triggers go and come back
        with summary.counted_at_end(conn):
            for r in records:
                batch.append(r)
                if len(batch) >= CHUNK:
                    flush()
                    n += len(batch)
                    batch = []
            if batch:
                flush()
                n += len(batch)
        bump(conn)
    return n


def _postgis_load(
    conn: PostgisConnection, records: Iterable[MentionRecord], origin: str = "bulk", chunk: int = 20_000
) -> int:
    """Load mention records with COPY (an extraction's GeoParquet, say), in one transaction.

    Articles are created from the records' document ids and metadata (without
    their text: these cannot be re-extracted in the store). Memory holds one
    chunk of records at a time. Returns the rows loaded.
    """
    cols = ", ".join(f'"{c}"' for c in MENTION_COLUMNS)
    seen: set[str] = set()
    n = 0

    def load(batch: list[MentionRecord]) -> None:
        new = {}
        for r in batch:
            if r.doc_id not in seen:
                seen.add(r.doc_id)
                new[r.doc_id] = (r.doc_id, f"{origin}:{r.doc_id}", r.title, r.outlet, r.url, r.published, origin)
        conn.executemany(
            "INSERT INTO articles (doc_id, sha256, title, outlet, url, published, origin, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '') ON CONFLICT (doc_id) DO NOTHING",
            new.values(),
        )
        with conn.raw.cursor().copy(f"COPY mentions ({cols}) FROM STDIN") as copy:  # in the open transaction
            for r in batch:
                copy.write_row(mention_row(r))

    with conn:
        batch: list[MentionRecord] = []
        for r in records:
            batch.append(r)
            if len(batch) >= chunk:
                load(batch)
                n += len(batch)
                batch = []
        if batch:
            load(batch)
            n += len(batch)
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('revision', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
        )
    return n
