"""The shared store on PostgreSQL with PostGIS (``CLASHMAP_DB=postgresql://...``).

The store's code (:mod:`geo.store.articles`) is written once: it talks to a
connection with sqlite3's small interface (``execute``, ``executemany``,
``with conn:`` for a transaction, ``?`` placeholders). :class:`PostgisConnection`
gives a PostgreSQL connection that interface, translating the few SQLite-only
forms. The tables are SQLite's, plus a PostGIS point per mention (kept by a
trigger from ``lat``/``lon``) with a spatial index, and indexes on day and type
for the map's filters. Large extractions go in by COPY (:mod:`geo.store.bulk`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError
from . import summary

#: The schema version of a PostGIS store (kept in ``meta``: PostgreSQL has no user_version).
#: Version 2 added the map's summary table (:mod:`geo.store.summary`), version 3 its grouping index,
#: version 4 the indexes that count a view's reports and articles (``mention_counts_filter``, ``mentions_doc_filter``).
POSTGIS_SCHEMA_VERSION = 4

_DDL = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """CREATE TABLE IF NOT EXISTS articles (
        seq BIGSERIAL PRIMARY KEY,
        doc_id TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL UNIQUE,
        title TEXT, outlet TEXT, url TEXT, published TEXT, published_basis TEXT,
        origin TEXT NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS mentions (
        mention_id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
        place_id TEXT, place TEXT, place_kind TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
        geo_precision INTEGER, uncertainty_km DOUBLE PRECISION, admin1 TEXT, country TEXT, place_source TEXT,
        is_event INTEGER NOT NULL, event_type TEXT, sub_event_type TEXT, trigger TEXT,
        date TEXT, date_precision TEXT, date_basis TEXT, date_start TEXT, date_end TEXT,
        sentence TEXT NOT NULL, sentence_start INTEGER NOT NULL,
        attribution TEXT, verified INTEGER, match TEXT,
        event_rule TEXT, type_basis TEXT, reference_rule TEXT, date_rule TEXT,
        ambiguous INTEGER NOT NULL DEFAULT 0, alternatives TEXT NOT NULL DEFAULT '', place_basis TEXT,
        geom geometry(Point, 4326)
    )""",
    """CREATE OR REPLACE FUNCTION clashmap_mention_point() RETURNS trigger AS $$
    BEGIN
        NEW.geom := CASE WHEN NEW.lat IS NULL OR NEW.lon IS NULL THEN NULL
                         ELSE ST_SetSRID(ST_MakePoint(NEW.lon, NEW.lat), 4326) END;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS mention_point ON mentions",
    "CREATE TRIGGER mention_point BEFORE INSERT OR UPDATE OF lat, lon ON mentions "
    "FOR EACH ROW EXECUTE FUNCTION clashmap_mention_point()",
    "CREATE INDEX IF NOT EXISTS mentions_geom ON mentions USING GIST (geom)",
    "CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc_id)",
    "CREATE INDEX IF NOT EXISTS mentions_date ON mentions (date)",
    "CREATE INDEX IF NOT EXISTS mentions_type ON mentions (event_type, date)",
    "CREATE INDEX IF NOT EXISTS mentions_place ON mentions (place_id)",
    # The map's index (geo.store.query): the filter's columns, and those its counts read, for index-only scans.
    "CREATE INDEX IF NOT EXISTS mentions_map ON mentions (is_event, date, event_type) INCLUDE (place_id, lat, lon, "
    "place, place_kind, uncertainty_km, verified, attribution, sub_event_type, doc_id, admin1, country)",
    summary.DOC_FILTER_INDEX,
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    *summary.POSTGIS_DDL,
]

# SQLite-only forms the store's statements use, and their PostgreSQL equivalents.
_REWRITES = [
    (
        re.compile(r"INSERT OR REPLACE INTO meta\s*\(key, value\) VALUES \(([^)]*)\)", re.I),
        r"INSERT INTO meta (key, value) VALUES (\1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    ),
    (re.compile(r"group_concat\(DISTINCT (\w+)\)", re.I), r"string_agg(DISTINCT \1, ',')"),
]


def translate(sql: str) -> str:
    """A statement written for SQLite, in PostgreSQL's dialect.

    >>> translate("SELECT doc_id FROM articles WHERE sha256 = ? AND seq > ?")
    'SELECT doc_id FROM articles WHERE sha256 = %s AND seq > %s'
    >>> translate("INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')")
    "INSERT INTO meta (key, value) VALUES ('seeded', '1') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    """
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)
    return sql.replace("%", "%%").replace("?", "%s")


#: Per session: the map's GROUP BY over a million rows hashes in memory instead of sorting on disk
#: (PostgreSQL's 4 MB default; 7.6 s -> 2.0 s measured), and JIT compilation, which costs more than it
#: saves on these short queries, is off.
SESSION_SETTINGS = ("SET work_mem = '64MB'", "SET jit = off")

#: The key of the advisory lock that serialises writers, as SQLite's ``BEGIN IMMEDIATE`` does.
WRITE_LOCK = 20121807


class PostgisConnection:
    """A psycopg connection behind sqlite3's interface, for :mod:`geo.store.articles`.

    The raw connection is in autocommit mode and transactions are explicit, as
    the store's code makes them: ``with conn:`` or ``BEGIN IMMEDIATE`` ...
    ``COMMIT``. ``BEGIN IMMEDIATE`` takes a transaction-wide advisory lock, so
    writers wait for each other as they do on SQLite. Database errors become
    :class:`~geo.store.schema.StoreError` s naming the store.
    """

    def __init__(self, raw: Any, url: str):
        self.raw = raw
        self.url = url
        self.path = _without_password(url)  # for messages

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)

    def execute(self, sql: str, params: tuple | list = ()):
        statement = sql.strip().upper()
        with self._errors():
            cur = self.raw.cursor()
            if statement == "BEGIN IMMEDIATE":
                cur.execute("BEGIN")
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            else:
                cur.execute(translate(sql), tuple(params))
            return cur

    def executemany(self, sql: str, seq: Iterable):
        with self._errors():
            cur = self.raw.cursor()
            cur.executemany(translate(sql), [tuple(p) for p in seq])
            return cur

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PostgisConnection:
        if not self.in_transaction:
            self.raw.execute("BEGIN")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    @contextmanager
    def _errors(self):
        import psycopg

        try:
            yield
        except psycopg.errors.UniqueViolation:
            raise  # the store's code tells duplicates apart itself
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(
                f"{self.path}: the PostGIS store refused a statement ({first}); check that the server runs and "
                "that this clashmap matches the store's version"
            ) from None


def _without_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def _stored_version(conn: PostgisConnection) -> int | None:
    """The store's schema version, or None for a new store (no ``meta`` table or no version in it)."""
    if conn.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return None if row is None else int(row[0])


def connect(url: str) -> PostgisConnection:
    """Open the PostGIS store at ``url``, creating its tables on first use."""
    import psycopg

    try:
        raw = psycopg.connect(url, connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot reach the PostGIS store ({exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}); "
            "check CLASHMAP_DB (postgresql://user@host:port/database) and that the server runs"
        ) from None
    conn = PostgisConnection(raw, url)
    try:
        for setting in SESSION_SETTINGS:
            raw.execute(setting)
        with conn:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))  # one creator at a time
            version = _stored_version(conn)
            if version is not None and version > POSTGIS_SCHEMA_VERSION:
                raise StoreError(f"the PostGIS store is of a newer clashmap (version {version}); upgrade clashmap")
            # Only a new or older store is (re)built: the DDL replaces the summary's triggers, which
            # locks the mentions against every reader, so a store already current is left alone.
            if version != POSTGIS_SCHEMA_VERSION:
                for statement in _DDL:
                    conn.raw.execute(statement)
                if version is not None and version < 2:  # mentions stored before the summary: count them once
                    for statement in summary.POSTGIS_REFILL:
                        conn.raw.execute(statement)
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(POSTGIS_SCHEMA_VERSION),),
                )
    except StoreError:
        conn.close()
        raise
    except psycopg.Error as exc:
        conn.close()
        raise StoreError(
            f"cannot prepare the PostGIS store ({str(exc).strip().splitlines()[0]}); the database needs the "
            "postgis extension (CREATE EXTENSION postgis, as a superuser) and a user who may create tables"
        ) from None
    return conn
