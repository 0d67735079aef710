"""The store's file: its schema, its version, and the upgrades from every earlier version.

The schema version is SQLite's ``PRAGMA user_version``. A store written by an
earlier clashmap (the 2026-11-22 one had no version: 0) is upgraded in place
when it is opened, in one transaction, keeping every article; a step that
cannot derive new columns from old ones asks for re-extraction from the
stored texts (:func:`needs_reextract`), which :func:`geo.store.articles.open_store`
then runs, also in one transaction.

>>> import tempfile, os
>>> conn = connect(os.path.join(tempfile.mkdtemp(), "x.sqlite"))
>>> version(conn) == SCHEMA_VERSION, revision(conn)
(True, 0)
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import ClashmapError
from ..models import MentionRecord
from .postgis import is_postgres_url

#: The version this code writes; raise it with each step added to :data:`UPGRADES`.
SCHEMA_VERSION = 2

#: Article-level fields of a record: kept once in ``articles``, joined back on reading.
ARTICLE_FIELDS = ("title", "outlet", "url", "published")
#: Columns of the ``mentions`` table: a :class:`~geo.models.MentionRecord` without its article's fields.
MENTION_COLUMNS = tuple(f for f in MentionRecord.__dataclass_fields__ if f not in ARTICLE_FIELDS)
ARTICLE_COLUMNS = (
    "doc_id",
    "sha256",
    "title",
    "outlet",
    "url",
    "published",
    "published_basis",
    "origin",
    "warnings",
    "text",
)

_CREATE = """
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL UNIQUE,
    title TEXT, outlet TEXT, url TEXT, published TEXT, published_basis TEXT,
    origin TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mentions (
    mention_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL,
    place_id TEXT, place TEXT, place_kind TEXT, lat REAL, lon REAL,
    geo_precision INTEGER, uncertainty_km REAL, admin1 TEXT, country TEXT, place_source TEXT,
    is_event INTEGER NOT NULL, event_type TEXT, sub_event_type TEXT, trigger TEXT,
    date TEXT, date_precision TEXT, date_basis TEXT, date_start TEXT, date_end TEXT,
    sentence TEXT NOT NULL, sentence_start INTEGER NOT NULL,
    attribution TEXT, verified INTEGER, match TEXT,
    event_rule TEXT, type_basis TEXT, reference_rule TEXT, date_rule TEXT,
    ambiguous INTEGER NOT NULL DEFAULT 0, alternatives TEXT NOT NULL DEFAULT '', place_basis TEXT
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_date ON mentions(date);
CREATE INDEX IF NOT EXISTS mentions_place ON mentions(place_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoreError(ClashmapError):
    """The store cannot be opened, upgraded or written; the message names the file and the fix."""


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _to_v1(conn: sqlite3.Connection) -> None:
    """From the unversioned store of 2026-11-22: keep the publication date's basis; index places."""
    if "published_basis" not in _columns(conn, "articles"):
        conn.execute("ALTER TABLE articles ADD COLUMN published_basis TEXT")
    conn.execute("CREATE INDEX IF NOT EXISTS mentions_place ON mentions(place_id)")


#: Columns version 2 added to ``mentions``: why each mention reads as it does, and shared place names.
_WHY_COLUMNS = {
    "event_rule": "TEXT",
    "type_basis": "TEXT",
    "reference_rule": "TEXT",
    "date_rule": "TEXT",
    "ambiguous": "INTEGER NOT NULL DEFAULT 0",
    "alternatives": "TEXT NOT NULL DEFAULT ''",
    "place_basis": "TEXT",
}


def _to_v2(conn: sqlite3.Connection) -> None:
    """Why-fields and shared names on every mention: old rows cannot say why, so re-extract them."""
    have = _columns(conn, "mentions")
    for name, kind in _WHY_COLUMNS.items():
        if name not in have:
            conn.execute(f"ALTER TABLE mentions ADD COLUMN {name} {kind}")
    request_reextract(conn)


#: ``UPGRADES[v]`` brings a store from version ``v`` to ``v + 1``. A step that adds mention
#: columns it cannot fill from the old ones calls :func:`request_reextract`.
UPGRADES: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2]
assert len(UPGRADES) == SCHEMA_VERSION


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def request_reextract(conn: sqlite3.Connection) -> None:
    """Mark the stored mentions as stale: they are rebuilt from the stored texts on the next open."""
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('reextract', '1')")


def needs_reextract(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = 'reextract' AND value = '1'").fetchone() is not None


def _upgrade(conn: sqlite3.Connection, path: Path) -> None:
    found = version(conn)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer clashmap (store version {found}, this one reads up to {SCHEMA_VERSION}); "
            "upgrade clashmap, or set CLASHMAP_DB to another file"
        )
    statements = [s for s in _CREATE.split(";") if s.strip()]
    # The connection is in autocommit mode here, so this transaction is ours alone:
    # an upgrade that fails leaves the file as it was.
    conn.execute("BEGIN IMMEDIATE")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" in tables:
            conn.execute(statements[-1])  # the meta table first: a step may write to it
            for step in UPGRADES[found:]:
                step(conn)
        for statement in statements:  # all IF NOT EXISTS: creates a new store, completes an old one
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def db_path() -> Path | str:
    """The store: ``$CLASHMAP_DB`` (a SQLite file, or a ``postgresql://`` URL for a shared PostGIS
    store) or ``data/clashmap.sqlite`` under the working folder."""
    value = os.environ.get("CLASHMAP_DB") or str(Path("data") / "clashmap.sqlite")
    return value if is_postgres_url(value) else Path(value)


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open the store at ``path`` (default :func:`db_path`), creating or upgrading it.

    WAL mode lets readers go on while one process writes; writers wait up to
    10 s for each other.
    """
    path = path if path is not None else db_path()
    if is_postgres_url(path):
        from .postgis import connect as connect_postgis

        return connect_postgis(path)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        if version(conn) != SCHEMA_VERSION:
            _upgrade(conn, path)
        conn.isolation_level = ""  # Python's implicit transactions from here: writers use `with conn:`
    except StoreError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open the store ({exc}); set CLASHMAP_DB to a writable file path") from None
    return conn


def revision(conn: sqlite3.Connection) -> int:
    """A number that changes on every write: the key for caching reads."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def bump(conn: sqlite3.Connection) -> None:
    """Record a write (inside the writer's transaction)."""
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('revision', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
    )
