"""The embedded store: articles and their mentions in one SQLite file.

The app keeps what readers add (and the seeds) here so it survives a restart.
Every write is one transaction: a failed ingest leaves the store as it was.
Mentions are stored flat, with the place's name and coordinate as they were
when extracted, so reading the store needs no gazetteer.

>>> import tempfile, os
>>> conn = connect(os.path.join(tempfile.mkdtemp(), "x.sqlite"))
>>> revision(conn)
0
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from .documents import DEFAULT_MAX_BYTES, check_size, decode_bytes, load_article, make_article
from .errors import ClashmapError, GazetteerError
from .export import MENTION_PROPERTIES, mention_properties
from .gazetteer import COLUMNS as GAZETTEER_COLUMNS
from .gazetteer import Gazetteer, parse_row
from .models import ArticleResult
from .pipeline import Resources, extract_article

ROOT = Path(__file__).resolve().parent.parent
#: Where the store lives unless ``CLASHMAP_DB`` says otherwise.
DEFAULT_DB = ROOT / "data" / "clashmap.sqlite"
#: The readers' own gazetteer, beside the curated one (``CLASHMAP_USER_GAZETTEER``).
DEFAULT_USER_GAZETTEER = ROOT / "data" / "user_gazetteer.csv"
SEEDS_DIR = ROOT / "seeds"

#: Columns of the ``mentions`` table, in order (the export's property names where they exist).
#: Stored per mention: the exported properties except the article's own (kept once in
#: ``articles``), plus the point and the sentence's offset.
ARTICLE_PROPERTIES = frozenset({"resolved", "title", "outlet", "url", "published"})
MENTION_COLUMNS = tuple(c for c in MENTION_PROPERTIES if c not in ARTICLE_PROPERTIES) + (
    "lat",
    "lon",
    "sentence_start",
)
ARTICLE_COLUMNS = ("doc_id", "sha256", "title", "outlet", "url", "published", "origin", "warnings", "text")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL UNIQUE,
    title TEXT, outlet TEXT, url TEXT, published TEXT,
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
    attribution TEXT, verified INTEGER, match TEXT
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc_id);
CREATE INDEX IF NOT EXISTS mentions_date ON mentions(date);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoreError(ClashmapError):
    """The store cannot be opened or written; the message names the file and the fix."""


class DuplicateArticleError(ClashmapError):
    """The same text is already in the store (same SHA-256 of the text)."""

    def __init__(self, doc_id: str, title: str | None):
        self.doc_id = doc_id
        name = f"{title!r} ({doc_id})" if title else doc_id
        super().__init__(f"this text is already in the store as {name}; nothing was added")


def db_path() -> Path:
    """The store's path: ``$CLASHMAP_DB`` or ``data/clashmap.sqlite``."""
    return Path(os.environ.get("CLASHMAP_DB") or DEFAULT_DB)


def user_gazetteer_path() -> Path:
    """The user gazetteer: ``$CLASHMAP_USER_GAZETTEER`` or ``data/user_gazetteer.csv``."""
    return Path(os.environ.get("CLASHMAP_USER_GAZETTEER") or DEFAULT_USER_GAZETTEER)


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store at ``path`` (default :func:`db_path`)."""
    path = Path(path) if path is not None else db_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(_SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open the store ({exc}); set CLASHMAP_DB to a writable file path") from None
    return conn


def revision(conn: sqlite3.Connection) -> int:
    """A number that changes on every write: the key for caching reads."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    return int(row[0]) if row else 0


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('revision', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def text_hash(text: str) -> str:
    """SHA-256 of a text after normalising line ends and outer whitespace."""
    norm = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def find_duplicate(conn: sqlite3.Connection, sha: str) -> tuple[str, str | None] | None:
    row = conn.execute("SELECT doc_id, title FROM articles WHERE sha256 = ?", (sha,)).fetchone()
    return (row[0], row[1]) if row else None


def mention_row(m, article, gaz: Gazetteer | None) -> tuple:
    """One ``mentions`` row from a Mention, via the export's property names."""
    p = mention_properties(m, article, gaz)
    p["lat"] = m.place.lat if m.place else None
    p["lon"] = m.place.lon if m.place else None
    p["sentence_start"] = m.sentence_start
    p["is_event"] = int(bool(p["is_event"]))
    p["verified"] = None if p["verified"] is None else int(bool(p["verified"]))
    return tuple(p[c] for c in MENTION_COLUMNS)


def _insert_mentions(conn: sqlite3.Connection, result: ArticleResult, gaz: Gazetteer | None) -> None:
    cols = ", ".join(f'"{c}"' for c in MENTION_COLUMNS)
    marks = ", ".join("?" for _ in MENTION_COLUMNS)
    conn.executemany(
        f"INSERT INTO mentions ({cols}) VALUES ({marks})",
        [mention_row(m, result.article, gaz) for m in result.mentions],
    )


def _insert_article(conn: sqlite3.Connection, result: ArticleResult, sha: str, origin: str) -> None:
    a = result.article
    conn.execute(
        "INSERT INTO articles (doc_id, sha256, title, outlet, url, published, origin, warnings, text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            a.doc_id,
            sha,
            a.title,
            a.outlet,
            a.url,
            a.published.isoformat() if a.published else None,
            origin,
            json.dumps(list(result.warnings)),
            a.text,
        ),
    )


def add_results(
    conn: sqlite3.Connection,
    items: Iterable[tuple[ArticleResult, str]],
    gaz: Gazetteer | None,
    origin: str = "upload",
) -> list[str]:
    """Store extracted articles with their mentions, all or nothing.

    ``items`` are ``(result, sha256 of the raw text)`` pairs. Raises
    :class:`DuplicateArticleError` (and stores nothing) if a text is already there.
    """
    try:
        with conn:
            return _add(conn, items, gaz, origin)
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"cannot store the article ({exc}); nothing was added") from None


def _add(conn: sqlite3.Connection, items, gaz: Gazetteer | None, origin: str) -> list[str]:
    """Insert articles and mentions inside the caller's transaction."""
    done = []
    for result, sha in items:
        dup = find_duplicate(conn, sha)
        if dup:
            raise DuplicateArticleError(*dup)
        _insert_article(conn, result, sha, origin)
        _insert_mentions(conn, result, gaz)
        done.append(result.article.doc_id)
    _bump(conn)
    return done


def ingest_text(
    conn: sqlite3.Connection,
    text: str,
    res: Resources,
    *,
    published: date | str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    warnings: Iterable[str] = (),
) -> ArticleResult:
    """Extract one pasted or uploaded text and store it (one transaction).

    The document id is ``u-`` and the first 12 hex digits of the text's hash.

    Raises
    ------
    DocumentError
        For an empty text.
    DuplicateArticleError
        If the same text is already stored.
    """
    sha = text_hash(text)
    dup = find_duplicate(conn, sha)
    if dup:
        raise DuplicateArticleError(*dup)
    article = make_article(
        text,
        f"u-{sha[:12]}",
        published=published,
        title=title,
        outlet=outlet,
        url=url,
        warnings=warnings,
        missing_date_hint="give the publication date when you add the article",
    )
    result = extract_article(article, res)
    add_results(conn, [(result, sha)], res.gazetteer, origin="upload")
    return result


def ingest_bytes(
    conn: sqlite3.Connection,
    data: bytes,
    name: str,
    res: Resources,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    **meta,
) -> ArticleResult:
    """Decode an uploaded file and store it; see :func:`ingest_text`.

    Raises :class:`~geo.errors.DocumentError` for a file that is too large,
    empty, binary or not text.
    """
    check_size(len(data), name, max_bytes, "split it into separate articles")
    text, warnings = decode_bytes(data, name)
    return ingest_text(conn, text, res, warnings=warnings, **meta)


def seed(conn: sqlite3.Connection, res: Resources, seeds_dir: str | Path = SEEDS_DIR) -> int:
    """Load the seed articles once (on the first start); returns how many were added."""
    if conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
        return 0
    items = []
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        article = load_article(path)
        sha = text_hash(path.read_bytes().decode("utf-8-sig", errors="replace"))
        if find_duplicate(conn, sha) or any(s == sha for _, s in items):
            continue
        items.append((extract_article(article, res), sha))
    with conn:
        _add(conn, items, res.gazetteer, origin="seed")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')")
    return len(items)


def reextract(conn: sqlite3.Connection, res: Resources) -> int:
    """Re-run extraction over every stored article (after a gazetteer change).

    All mentions are replaced in one transaction; returns the new mention count.
    """
    rows = conn.execute("SELECT doc_id, text, title, outlet, url, published FROM articles ORDER BY seq").fetchall()
    results = []
    for doc_id, text, title, outlet, url, published in rows:
        article = make_article(text, doc_id, published=published, title=title, outlet=outlet, url=url)
        results.append(extract_article(article, res))
    with conn:
        conn.execute("DELETE FROM mentions")
        for result in results:
            _insert_mentions(conn, result, res.gazetteer)
        _bump(conn)
    return sum(len(r.mentions) for r in results)


def delete_article(conn: sqlite3.Connection, doc_id: str) -> bool:
    """Remove one article and its mentions; False if it was not there."""
    with conn:
        conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        n = conn.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,)).rowcount
        _bump(conn)
    return bool(n)


def _frame(cursor: sqlite3.Cursor) -> pd.DataFrame:
    names = [d[0] for d in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


def mentions_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every stored mention with its article's title, outlet, url and date.

    ``is_event`` is bool; ``verified`` is ``False`` (the text calls it
    unverified) or ``None``; ``date`` and ``published`` are ISO strings or None.
    """
    cols = ", ".join(f'm."{c}"' for c in MENTION_COLUMNS)
    df = _frame(
        conn.execute(
            f"SELECT {cols}, a.title, a.outlet, a.url, a.published, a.origin "
            "FROM mentions m JOIN articles a USING (doc_id) ORDER BY a.seq, m.start"
        )
    )
    for col in df.columns:
        if df[col].dtype != "float64" and df[col].dtype != "int64":
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df["is_event"] = df["is_event"].astype(bool)
    df["verified"] = [None if v is None or v != v else bool(v) for v in df["verified"]]
    df["verified"] = df["verified"].astype(object)
    return df


def articles_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Stored articles (without their text), oldest first, with mention counts."""
    return _frame(
        conn.execute(
            "SELECT a.doc_id, a.title, a.outlet, a.published, a.origin, a.url, length(a.text) AS chars, "
            "(SELECT count(*) FROM mentions m WHERE m.doc_id = a.doc_id) AS mentions, "
            "(SELECT count(*) FROM mentions m WHERE m.doc_id = a.doc_id AND m.is_event) AS events "
            "FROM articles a ORDER BY a.seq"
        )
    )


def get_article(conn: sqlite3.Connection, doc_id: str) -> dict | None:
    """One article as a dict of :data:`ARTICLE_COLUMNS` (``warnings`` a list)."""
    cur = conn.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE doc_id = ?", (doc_id,))
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip(ARTICLE_COLUMNS, row))
    out["warnings"] = json.loads(out["warnings"])
    return out


def unresolved_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Names the extractor saw but could not place, most frequent first."""
    return _frame(
        conn.execute(
            "SELECT surface, count(*) AS mentions, count(DISTINCT doc_id) AS articles, "
            "group_concat(DISTINCT doc_id) AS doc_ids, min(sentence) AS example "
            "FROM mentions WHERE place_id IS NULL GROUP BY surface ORDER BY mentions DESC, surface"
        )
    )


# --- the user gazetteer ---------------------------------------------------------------------


def add_user_place(path: str | Path, row: dict, gaz: Gazetteer) -> object:
    """Validate one place and append it to the user gazetteer CSV (created if missing).

    ``row`` has the gazetteer's columns (id, name, aliases as ``a|b``, kind,
    parent, lat, lon, source, note). Returns the parsed :class:`~geo.models.Place`.

    Raises
    ------
    GazetteerError
        Naming the problem (empty source, bad coordinate, taken id, unknown parent).
    """
    path = Path(path)
    clean = {c: str(row.get(c) or "").strip() for c in GAZETTEER_COLUMNS}
    place, problem = parse_row(clean, f"{path.name}:new")
    if problem:
        raise GazetteerError(f"cannot add the place: {problem}")
    if gaz.get(place.id):
        raise GazetteerError(f"cannot add the place: id {place.id!r} is taken; choose another id")
    if place.parent and not gaz.get(place.parent):
        raise GazetteerError(
            f"cannot add the place: parent {place.parent!r} is not in the gazetteer; "
            "use an existing id such as 'damascus' or leave it empty"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=GAZETTEER_COLUMNS, lineterminator="\n")
    if new:
        writer.writeheader()
    writer.writerow(clean)
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    return place


def slug(name: str) -> str:
    """A gazetteer id from a name: ``"Bab Touma"`` -> ``"bab-touma"``."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "place"
