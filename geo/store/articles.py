"""Articles and their mention records in the store: ingest, seed, re-extract, read.

The app keeps what readers add (and the seeds) here so it survives a restart.
Every write is one transaction: a failed ingest leaves the store as it was.
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

from ..errors import ClashmapError
from ..extract.documents import DEFAULT_MAX_BYTES, check_size, decode_bytes, load_article, make_article
from ..extract.gazetteer import Gazetteer
from ..extract.pipeline import Resources, extract_article
from ..extract.records import article_records
from ..models import ArticleResult, MentionRecord
from .schema import ARTICLE_COLUMNS, MENTION_COLUMNS, StoreError, bump, connect, needs_reextract

#: The seed articles loaded on the first start, in a checkout.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


class DuplicateArticleError(ClashmapError):
    """The same text is already in the store (same SHA-256 of the text)."""

    def __init__(self, doc_id: str, title: str | None):
        self.doc_id = doc_id
        name = f"{title!r} ({doc_id})" if title else doc_id
        super().__init__(f"this text is already in the store as {name}; nothing was added")


def text_hash(text: str) -> str:
    """SHA-256 of a text after normalising line ends and outer whitespace."""
    norm = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


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
        latest=latest,
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

    Decoding is the CLI's (:func:`~geo.extract.documents.decode_bytes`). Raises
    :class:`~geo.errors.DocumentError` for a file that is too large, empty,
    binary or not text.
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
    rows = conn.execute(
        "SELECT doc_id, text, title, outlet, url, published, published_basis FROM articles ORDER BY seq"
    ).fetchall()
    results = []
    for doc_id, text, title, outlet, url, published, basis in rows:
        article = make_article(
            text, doc_id, published=published, title=title, outlet=outlet, url=url, published_basis=basis
        )
        results.append(extract_article(article, res))
    with conn:
        conn.execute("DELETE FROM mentions")
        for result in results:
            _insert_mentions(conn, result, res.gazetteer)
        conn.execute("DELETE FROM meta WHERE key = 'reextract'")
        bump(conn)
    return sum(len(r.mentions) for r in results)


def open_store(path: str | Path | None, res: Resources) -> sqlite3.Connection:
    """Open (create, upgrade) the store; rebuild its mentions if an upgrade asked for it."""
    conn = connect(path)
    if needs_reextract(conn):
        reextract(conn, res)
    return conn


def delete_article(conn: sqlite3.Connection, doc_id: str) -> bool:
    """Remove one article and its mentions; False if it was not there."""
    with conn:
        conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        n = conn.execute("DELETE FROM articles WHERE doc_id = ?", (doc_id,)).rowcount
        bump(conn)
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
    df["ambiguous"] = df["ambiguous"].astype(bool)
    df["alternatives"] = [tuple(a for a in (v or "").split("|") if a) for v in df["alternatives"]]
    df["verified"] = [None if v is None or v != v else bool(v) for v in df["verified"]]
    df["verified"] = df["verified"].astype(object)
    return df


def mention_records(conn: sqlite3.Connection) -> list[MentionRecord]:
    """Every stored mention as a record, in article then text order."""
    cols = ", ".join(f'm."{c}"' for c in MENTION_COLUMNS)
    cur = conn.execute(
        f"SELECT {cols}, a.title, a.outlet, a.url, a.published "
        "FROM mentions m JOIN articles a USING (doc_id) ORDER BY a.seq, m.start"
    )
    names = [*MENTION_COLUMNS, "title", "outlet", "url", "published"]
    out = []
    for row in cur:
        values = dict(zip(names, row))
        values["is_event"] = bool(values["is_event"])
        values["verified"] = None if values["verified"] is None else bool(values["verified"])
        values["ambiguous"] = bool(values["ambiguous"])
        values["alternatives"] = tuple(a for a in (values["alternatives"] or "").split("|") if a)
        out.append(MentionRecord(**values))
    return out


def articles_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """Stored articles (without their text), oldest first, with mention counts."""
    return _frame(
        conn.execute(
            "SELECT a.doc_id, a.title, a.outlet, a.published, a.origin, a.url, length(a.text) AS chars, "
            "(SELECT count(*) FROM mentions m WHERE m.doc_id = a.doc_id) AS mentions, "
            "(SELECT count(*) FROM mentions m WHERE m.doc_id = a.doc_id AND m.is_event = 1) AS events "
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
