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

import functools
import os
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from ..errors import StoreError
from ..models import MentionRecord
from . import summary
from .postgis import is_postgres_url

#: The version this code writes; raise it with each step added to :data:`UPGRADES`.
SCHEMA_VERSION = 6

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

#: The map's index (:mod:`geo.store.query`): the filter's columns first (event or not, day, type), then
#: every column the map's counts read, so that counting and grouping read the index, never the rows
#: with their sentences. Version 3 added it.
MAP_INDEX = (
    "CREATE INDEX IF NOT EXISTS mentions_map ON mentions(is_event, date, event_type, place_id, lat, lon, place, "
    "place_kind, uncertainty_km, verified, attribution, sub_event_type, doc_id, admin1, country)"
)

_CREATE = f"""
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
{MAP_INDEX};
{summary.DOC_FILTER_INDEX};
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


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


def _to_v3(conn: sqlite3.Connection) -> None:
    """The map's covering index, for filtering and counting in the store (nothing to re-extract)."""
    conn.execute(MAP_INDEX)


def _to_v4(conn: sqlite3.Connection) -> None:
    """The map's summary table (:mod:`geo.store.summary`), its triggers, and its rows counted from the mentions."""
    for statement in summary.SQLITE_DDL + summary.SQLITE_REFILL:
        conn.execute(statement)


def _to_v5(conn: sqlite3.Connection) -> None:
    """The summary's index in the map's grouping order (nothing to re-extract)."""
    conn.execute(summary.GROUP_INDEX)


def _to_v6(conn: sqlite3.Connection) -> None:
    """The indexes that count a view's reports and articles (nothing to re-extract)."""
    conn.execute(summary.DOC_FILTER_INDEX)
    conn.execute(summary.FILTER_INDEX)


#: ``UPGRADES[v]`` brings a store from version ``v`` to ``v + 1``. A step that adds mention
#: columns it cannot fill from the old ones calls :func:`request_reextract`.
UPGRADES: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2, _to_v3, _to_v4, _to_v5, _to_v6]
assert len(UPGRADES) == SCHEMA_VERSION


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def request_reextract(conn: sqlite3.Connection) -> None:
    """Mark the stored mentions as stale: they are rebuilt from the stored texts on the next open."""
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('reextract', '1')")


def needs_reextract(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = 'reextract' AND value = '1'").fetchone() is not None


def _refuse_newer(found: int, path: Path) -> None:
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer clashmap (store version {found}, this one reads up to {SCHEMA_VERSION}); "
            "upgrade clashmap, or set CLASHMAP_DB to another file"
        )


def _upgrade(conn: sqlite3.Connection, path: Path) -> None:
    _refuse_newer(version(conn), path)
    statements = [s for s in _CREATE.split(";") if s.strip()]
    # The connection is in autocommit mode here, so this transaction is ours alone:
    # an upgrade that fails leaves the file as it was.
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the lock: another process may have upgraded the file meanwhile.
        found = version(conn)
        _refuse_newer(found, path)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" in tables:
            conn.execute(statements[-1])  # the meta table first: a step may write to it
            for step in UPGRADES[found:]:
                step(conn)
        # All IF NOT EXISTS: creates a new store, completes an old one. The summary's triggers
        # hold ";" inside them, so they are statements of their own, not part of _CREATE.
        for statement in statements + summary.SQLITE_DDL:
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


def readonly_requested() -> bool:
    """True when ``$CLASHMAP_DB_READONLY`` is set (``1``, ``yes``, ``true``): serve the store, never write it."""
    return os.environ.get("CLASHMAP_DB_READONLY", "").strip().lower() in ("1", "yes", "true")


class _Connection(sqlite3.Connection):
    """A connection that remembers its file, so every error can name it."""

    path: Path


def connect(path: str | Path | None = None, *, readonly: bool | None = None) -> sqlite3.Connection:
    """Open the store at ``path`` (default :func:`db_path`), creating or upgrading it.

    WAL mode lets readers go on while one process writes; writers wait up to
    10 s for each other. ``readonly`` (default :func:`readonly_requested`)
    opens an existing store for reading only: every write then raises a
    :class:`StoreError` saying so.

    Raises
    ------
    StoreError
        The store cannot be opened, is damaged, is from a newer clashmap or
        needs an upgrade it cannot be written for; the message says what to do.
    """
    path = path if path is not None else db_path()
    if is_postgres_url(path):
        from .postgis import connect as connect_postgis

        return connect_postgis(path)
    path = Path(path)
    readonly = readonly_requested() if readonly is None else readonly
    with errors(path):
        if readonly:
            target, uri = f"file:{quote(str(path.resolve()))}?mode=ro", True
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            target, uri = str(path), False
        conn = sqlite3.connect(
            target, uri=uri, check_same_thread=False, timeout=10, isolation_level=None, factory=_Connection
        )
        try:
            _prepare(conn, path, readonly)
        except BaseException:
            conn.close()
            raise
    return conn


def _prepare(conn: _Connection, path: Path, readonly: bool) -> None:
    conn.path = path
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    found = version(conn)
    if readonly and found < SCHEMA_VERSION:
        raise StoreError(
            f"{path} is empty or from an older clashmap (store version {found}) and is opened read-only, "
            "so it cannot be upgraded; open it once without CLASHMAP_DB_READONLY to upgrade it"
        )
    if found != SCHEMA_VERSION:
        _upgrade(conn, path)
    check_schema(conn, path)
    # Python's implicit transactions for DML outside :func:`write`; the store's own
    # writers all go through :func:`write`, which takes the write lock first.
    conn.isolation_level = ""


@functools.cache
def _expected_schema() -> dict[str, tuple[str, ...]]:
    """Tables and their columns as :data:`_CREATE` makes them (one fact, read from SQLite itself)."""
    mem = sqlite3.connect(":memory:")
    try:
        mem.executescript(_CREATE)
        tables = [r[0] for r in mem.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: tuple(r[1] for r in mem.execute(f"PRAGMA table_info({t})")) for t in tables if t != "sqlite_sequence"
        }
    finally:
        mem.close()


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a store of the current version whose tables or columns are missing (a damaged file)."""
    missing = []
    for table, columns in _expected_schema().items():
        found = _columns(conn, table)
        if not found:
            missing.append(f"table {table!r} is missing")
        elif lacking := [c for c in columns if c not in found]:
            missing.append(f"table {table!r} lacks column(s) {', '.join(lacking)}")
    if missing:
        raise StoreError(f"{path} is damaged (store version {version(conn)}, yet {'; '.join(missing)}); {_RESTORE}")


_RESTORE = (
    "restore the file from a backup, or move it aside: a new store is then created "
    "(with the seed articles) on the next start"
)

#: What an SQLite error code means for the reader, and what to do (first matching prefix wins).
_EXPLANATIONS: tuple[tuple[str, str, str], ...] = (
    (
        "SQLITE_READONLY",
        "is read-only, so nothing can be added or changed",
        "make the file and its folder writable by the app (or set CLASHMAP_DB to a writable copy); reading still works",
    ),
    ("SQLITE_NOTADB", "is not a clashmap store, or its file is damaged", _RESTORE),
    ("SQLITE_CORRUPT", "is damaged", _RESTORE),
    ("SQLITE_BUSY", "is busy: another process has been writing for more than 10 s", "try again in a moment"),
    ("SQLITE_LOCKED", "is busy: another process has been writing for more than 10 s", "try again in a moment"),
    (
        "SQLITE_CANTOPEN",
        "cannot be opened",
        "check that it is a file (not a folder) in an existing folder the app may write to, "
        "or set CLASHMAP_DB to such a path",
    ),
    ("SQLITE_FULL", "cannot grow: the disk is full", "free some space and try again"),
    ("SQLITE_IOERR", "could not be read or written (a disk or file-system error)", "check the disk, then " + _RESTORE),
)


def explain(exc: BaseException, path: str | Path) -> StoreError:
    """A :class:`StoreError` saying what an SQLite or OS error means for the store at ``path``."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, what, fix in _EXPLANATIONS:
        if code.startswith(prefix):
            return StoreError(f"{path} {what} ({exc}); {fix}.")
    text = str(exc)
    if text.startswith(("no such table", "no such column")) or " has no column " in text:
        return StoreError(f"{path} is damaged: {text}; {_RESTORE}.")
    if isinstance(exc, OSError):
        return StoreError(
            f"{path}: cannot create the store's folder or file ({exc}); set CLASHMAP_DB to a writable file path."
        )
    return StoreError(f"{path}: the store failed ({type(exc).__name__}: {exc}); {_RESTORE}.")


def store_file(conn: sqlite3.Connection) -> str:
    """The file a connection reads, for messages."""
    path = getattr(conn, "path", None)
    if path is None:
        try:
            path = conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
        except sqlite3.Error:
            path = "the store"
    return str(path)


@contextmanager
def errors(path: str | Path):
    """Turn SQLite and file-system errors inside the block into a :class:`StoreError` naming the fix."""
    try:
        yield
    except StoreError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise explain(exc, path) from None


def store_errors(func):
    """Decorate a function whose first argument is a connection: its SQLite errors become StoreErrors."""

    @functools.wraps(func)
    def wrapper(conn, *args, **kwargs):
        try:
            return func(conn, *args, **kwargs)
        except sqlite3.Error as exc:
            raise explain(exc, store_file(conn)) from None

    return wrapper


@contextmanager
def write(conn: sqlite3.Connection):
    """One write transaction that holds the store's write lock from its first statement.

    ``BEGIN IMMEDIATE`` takes the lock before anything is read, so what a writer
    reads inside the block (is this text stored already? which articles are
    there?) is still true when it commits: writers in other processes wait for
    it (up to the busy timeout) instead of interleaving. Rolled back on any error.
    """
    with errors(store_file(conn)):
        if conn.in_transaction:  # an implicit transaction left open by a caller: finish it first
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


@store_errors
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
