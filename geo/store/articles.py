"""Articles and their mention records in the store: ingest, seed, re-extract, read.

The app keeps what readers add (and the seeds) here so it survives a restart.
Every write is one transaction that takes the write lock before it reads what it
depends on (:func:`geo.store.schema.write`): a failed ingest leaves the store as
it was, two uploads of one text store it once, and a re-extraction never drops
the mentions of an article added while it ran. Extraction itself runs outside
the lock, so readers and other writers wait only for the inserts. Every SQLite
error reaches the caller as a :class:`~geo.store.schema.StoreError` naming the fix.
Mentions are stored as :class:`~geo.models.MentionRecord` s (their article's
title, outlet, url and date kept once, in ``articles``), so reading the store
needs no gazetteer.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import DuplicateArticleError
from ..extract.documents import DEFAULT_MAX_BYTES, check_size, decode_bytes, load_article, make_article
from ..extract.gazetteer import Gazetteer
from ..extract.pipeline import Resources, extract_article
from ..extract.records import article_records
from ..models import Article, ArticleResult, MentionRecord
from .schema import (
    ARTICLE_COLUMNS,
    MENTION_COLUMNS,
    StoreError,
    bump,
    connect,
    errors,
    needs_reextract,
    store_errors,
    store_file,
    write,
)

#: The seed articles loaded on the first start, in a checkout.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def text_hash(text: str) -> str:
    """SHA-256 of a text after normalising line ends and outer whitespace."""
    norm = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()  # a lone surrogate is text too


@store_errors
def find_duplicate(conn: sqlite3.Connection, sha: str) -> tuple[str, str | None] | None:
    row = conn.execute("SELECT doc_id, title FROM articles WHERE sha256 = ?", (sha,)).fetchone()
    return (row[0], row[1]) if row else None


def mention_row(record: MentionRecord) -> tuple:
    """One ``mentions`` row: the record's fields in :data:`~geo.store.schema.MENTION_COLUMNS` order."""
    row = []
    for c in MENTION_COLUMNS:
        v = getattr(record, c)
        if isinstance(v, bool):
            v = int(v)
        elif isinstance(v, tuple):
            v = "|".join(v)  # place ids never hold "|"
        row.append(v)
    return tuple(row)


def _insert_mentions(conn: sqlite3.Connection, result: ArticleResult, gaz: Gazetteer | None) -> None:
    cols = ", ".join(f'"{c}"' for c in MENTION_COLUMNS)
    marks = ", ".join("?" for _ in MENTION_COLUMNS)
    conn.executemany(
        f"INSERT INTO mentions ({cols}) VALUES ({marks})",
        [mention_row(r) for r in article_records(result, gaz)],
    )


def _insert_article(conn: sqlite3.Connection, result: ArticleResult, sha: str, origin: str) -> None:
    a = result.article
    conn.execute(
        f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({', '.join('?' for _ in ARTICLE_COLUMNS)})",
        (
            a.doc_id,
            sha,
            a.title,
            a.outlet,
            a.url,
            a.published.isoformat() if a.published else None,
            a.published_basis,
            origin,
            json.dumps(list(result.warnings)),
            a.text,
        ),
    )


@store_errors
def add_results(
    conn: sqlite3.Connection,
    items: Iterable[tuple[ArticleResult, str]],
    gaz: Gazetteer | None,
    origin: str = "upload",
) -> list[str]:
    """Store extracted articles with their mentions, all or nothing.

    ``items`` are ``(result, sha256 of the raw text)`` pairs. Raises
    :class:`DuplicateArticleError` (and stores nothing) if a text is already
    there, also when another process stored it a moment ago.
    """
    with write(conn):
        return _add(conn, items, gaz, origin)


def _add(conn: sqlite3.Connection, items, gaz: Gazetteer | None, origin: str) -> list[str]:
    """Insert articles and mentions inside the caller's write transaction."""
    done = []
    for result, sha in items:
        dup = find_duplicate(conn, sha)
        if dup:
            raise DuplicateArticleError(*dup)
        try:
            _insert_article(conn, result, sha, origin)
            _insert_mentions(conn, result, gaz)
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                f"cannot store the article {result.article.doc_id!r} ({exc}); nothing was added. "
                "If the store was edited by hand, check it or restore it from a backup"
            ) from None
        done.append(result.article.doc_id)
    bump(conn)
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
    latest: date | None = None,
) -> ArticleResult:
    """Extract one pasted or uploaded text and store it (one transaction).

    The document id is ``u-`` and the first 12 hex digits of the text's hash.
    The text and its metadata get the checks of files read by the CLI
    (:func:`~geo.extract.documents.make_article`): control characters blanked,
    fields cut to their limit, a publication date outside 1900-01-01 ..
    ``latest`` (pass tomorrow; see :func:`~geo.extract.documents.latest_published`)
    refused with a warning.

    Raises
    ------
    DocumentError
        For an empty text.
    DuplicateArticleError
        If the same text is already stored.
    """
    refuse_stored(conn, text)
    article, sha = upload_article(
        text, published=published, title=title, outlet=outlet, url=url, warnings=warnings, latest=latest
    )
    result = extract_article(article, res)
    add_results(conn, [(result, sha)], res.gazetteer, origin="upload")
    return result


def upload_article(
    text: str,
    *,
    published: date | str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    warnings: Iterable[str] = (),
    latest: date | None = None,
) -> tuple[Article, str]:
    """The article for a pasted or uploaded text, and the text's hash (for :func:`add_results`).

    The document id is ``u-`` and the first 12 hex digits of the hash. The app
    extracts it in a worker process, then stores it with :func:`add_results`.
    """
    sha = text_hash(text)
    article = make_article(
        text,
        f"u-{sha[:12]}",
        published=published,
        title=title,
        outlet=outlet,
        url=url,
        warnings=warnings,
        missing_date_hint="give the publication date when you add the article",
        latest=latest,
    )
    return article, sha


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

    Decoding is the CLI's (:func:`~geo.extract.documents.decode_bytes`). Raises
    :class:`~geo.errors.DocumentError` for a file that is too large, empty,
    binary or not text.
    """
    text, warnings = decode_upload(data, name, max_bytes)
    return ingest_text(conn, text, res, warnings=warnings, **meta)


def upload_text(
    name: str, data: bytes | None, pasted: str | None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, list[str]]:
    """The text of one upload (``data``, decoded) or paste (``pasted``), and the decoding warnings.

    Raises :class:`~geo.errors.DocumentError` for either over ``max_bytes``, and
    for an upload that is empty, binary or not text.
    """
    if data is not None:
        return decode_upload(data, name, max_bytes)
    check_size(len(pasted.encode("utf-8", "surrogatepass")), name, max_bytes, "split it into separate articles")
    return pasted, []


@store_errors
def refuse_stored(conn: sqlite3.Connection, text: str) -> None:
    """Raise :class:`DuplicateArticleError` if ``text`` is already stored.

    Called before a text is extracted, so a copy costs no extraction; :func:`add_results`
    checks again under the write lock, for a copy stored meanwhile.
    """
    dup = find_duplicate(conn, text_hash(text))
    if dup:
        raise DuplicateArticleError(*dup)


def decode_upload(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, list[str]]:
    """An uploaded file's text and decoding warnings, refusing one over ``max_bytes``."""
    check_size(len(data), name, max_bytes, "split it into separate articles")
    return decode_bytes(data, name)


@store_errors
def seed(conn: sqlite3.Connection, res: Resources, seeds_dir: str | Path = SEEDS_DIR) -> int:
    """Load the seed articles once (on the first start); returns how many were added.

    Two pages starting at once on a new store both extract the seeds; the
    first to take the write lock stores them, the second finds them there.
    """
    if _seeded(conn):
        return 0
    items = []
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        article = load_article(path)
        sha = text_hash(path.read_bytes().decode("utf-8-sig", errors="replace"))
        if find_duplicate(conn, sha) or any(s == sha for _, s in items):
            continue
        items.append((extract_article(article, res), sha))
    with write(conn):
        if _seeded(conn):
            return 0
        items = [(r, sha) for r, sha in items if not find_duplicate(conn, sha)]
        _add(conn, items, res.gazetteer, origin="seed")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')")
    return len(items)


def _seeded(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is not None


def _extract_stored(conn: sqlite3.Connection, doc_id: str, res: Resources) -> ArticleResult | None:
    """Extract one stored article again from its stored text and metadata (None if it was deleted)."""
    row = conn.execute(
        "SELECT text, title, outlet, url, published, published_basis FROM articles WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        return None
    text, title, outlet, url, published, basis = row
    article = make_article(
        text, doc_id, published=published, title=title, outlet=outlet, url=url, published_basis=basis
    )
    return extract_article(article, res)


def _stored(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """``(doc_id, sha256)`` of every stored article, oldest first."""
    return conn.execute("SELECT doc_id, sha256 FROM articles ORDER BY seq").fetchall()


@store_errors
def reextract(conn: sqlite3.Connection, res: Resources) -> int:
    """Re-run extraction over every stored article (after a gazetteer change).

    The articles are extracted first, without holding the store; then, in one
    write transaction, the list of articles is read again and every one of
    them gets its new mentions: those extracted above are used as they are,
    an article added meanwhile is extracted there and then, one deleted
    meanwhile is left out. So an ingest running at the same time never loses
    its mentions. Returns the new mention count.
    """
    done = {(doc_id, sha): _extract_stored(conn, doc_id, res) for doc_id, sha in _stored(conn)}
    with write(conn):
        results = [done.get(key) or _extract_stored(conn, key[0], res) for key in _stored(conn)]
        conn.execute("DELETE FROM mentions")
        for result in results:
            _insert_mentions(conn, result, res.gazetteer)
        conn.execute("DELETE FROM meta WHERE key = 'reextract'")
        bump(conn)
    return sum(len(r.mentions) for r in results)


def open_store(path: str | Path | None, res: Resources) -> sqlite3.Connection:
    """Open (create, upgrade) the store; rebuild its mentions if an upgrade asked for it.

    Raises :class:`~geo.store.schema.StoreError` naming the fix when the file
    cannot be opened, is damaged, read-only where it must be written, or newer.
    """
    conn = connect(path)
    try:
        with errors(store_file(conn)):
            if needs_reextract(conn):
                reextract(conn, res)
    except BaseException:
        conn.close()
        raise
    return conn


@store_errors
def delete_article(conn: sqlite3.Connection, doc_id: str) -> bool:
    """Remove one article and its mentions; False if it was not there."""
    with write(conn):
        conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        n = conn.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,)).rowcount
        bump(conn)
    return bool(n)


def _frame(cursor: sqlite3.Cursor) -> pd.DataFrame:
    names = [d[0] for d in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


#: The columns a mention is read with: its own, then its article's.
RECORD_SELECT = ", ".join(f'm."{c}"' for c in MENTION_COLUMNS) + ", a.title, a.outlet, a.url, a.published"
#: The order mentions are read in: article by article, then in the text (the id breaks ties).
RECORD_ORDER = "a.seq, m.start, m.mention_id"
#: The field names of :data:`RECORD_SELECT`, in order.
RECORD_NAMES = (*MENTION_COLUMNS, "title", "outlet", "url", "published")


@store_errors
def mentions_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every stored mention with its article's title, outlet, url and date.

    ``is_event`` is bool; ``verified`` is ``False`` (the text calls it
    unverified) or ``None``; ``date`` and ``published`` are ISO strings or None.
    """
    return typed_frame(
        _frame(
            conn.execute(
                f"SELECT {RECORD_SELECT}, a.origin FROM mentions m JOIN articles a USING (doc_id) "
                f"ORDER BY {RECORD_ORDER}"
            )
        )
    )


def typed_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A frame of stored mention rows with the types of :func:`mentions_frame` (bools, tuples, None)."""
    for col in df.columns:
        if df[col].dtype != "float64" and df[col].dtype != "int64":
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df["is_event"] = df["is_event"].astype(bool)
    df["ambiguous"] = df["ambiguous"].astype(bool)
    df["alternatives"] = [tuple(a for a in (v or "").split("|") if a) for v in df["alternatives"]]
    df["verified"] = [None if v is None or v != v else bool(v) for v in df["verified"]]
    df["verified"] = df["verified"].astype(object)
    return df


def record(row: Iterable) -> MentionRecord:
    """A row read with :data:`RECORD_SELECT` as a :class:`~geo.models.MentionRecord`."""
    values = dict(zip(RECORD_NAMES, row))
    values["is_event"] = bool(values["is_event"])
    values["verified"] = None if values["verified"] is None else bool(values["verified"])
    values["ambiguous"] = bool(values["ambiguous"])
    values["alternatives"] = tuple(a for a in (values["alternatives"] or "").split("|") if a)
    return MentionRecord(**values)


@store_errors
def mention_records(conn: sqlite3.Connection) -> list[MentionRecord]:
    """Every stored mention as a record, in article then text order."""
    cur = conn.execute(f"SELECT {RECORD_SELECT} FROM mentions m JOIN articles a USING (doc_id) ORDER BY {RECORD_ORDER}")
    return [record(row) for row in cur]


@store_errors
def articles_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Stored articles (without their text), oldest first, with mention counts."""
    return _frame(
        conn.execute(
            # One GROUP BY, not a subquery per article: with the map's index (is_event first) SQLite
            # would answer "events of this article" by scanning every event, once per article.
            "SELECT a.doc_id, a.title, a.outlet, a.published, a.origin, a.url, length(a.text) AS chars, "
            "COALESCE(c.mentions, 0) AS mentions, COALESCE(c.events, 0) AS events FROM articles a LEFT JOIN "
            "(SELECT doc_id, COUNT(*) AS mentions, SUM(CASE WHEN is_event = 1 THEN 1 ELSE 0 END) AS events "
            "FROM mentions GROUP BY doc_id) c ON c.doc_id = a.doc_id ORDER BY a.seq"
        )
    )


@store_errors
def get_article(conn: sqlite3.Connection, doc_id: str) -> dict | None:
    """One article as a dict of :data:`ARTICLE_COLUMNS` (``warnings`` a list)."""
    cur = conn.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE doc_id = ?", (doc_id,))
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip(ARTICLE_COLUMNS, row))
    out["warnings"] = json.loads(out["warnings"])
    return out


@store_errors
def unresolved_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Names the extractor saw but could not place, most frequent first."""
    return _frame(
        conn.execute(
            "SELECT surface, count(*) AS mentions, count(DISTINCT doc_id) AS articles, "
            "group_concat(DISTINCT doc_id) AS doc_ids, min(sentence) AS example "
            "FROM mentions WHERE place_id IS NULL GROUP BY surface ORDER BY mentions DESC, surface"
        )
    )
