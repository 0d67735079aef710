"""Several real processes writing one SQLite store at once: nothing is lost, duplicates say so.

The app's "Add place and re-run extraction" re-extracts every stored article while
other readers add articles; a re-extraction that replaced the mentions of a list of
articles read before an ingest dropped the mentions of the article that arrived in
between. These tests run ingesters and a re-extractor as separate processes on one
file and compare the result with the same articles stored one by one.
"""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time

from geo import store
from geo.extract.pipeline import load_resources
from geo.store import summary

PLACES = ["Tadamon", "Midan", "Mezzeh", "Qaboun", "Barzeh", "Jobar", "Qadam", "Douma", "Harasta", "Kafr Sousa"]
INGESTERS = 4
PER_INGESTER = 10


def _texts(n: int) -> list[str]:
    """``n`` distinct short articles, each naming one known place in an event."""
    return [
        f"Clashes erupted in {PLACES[i % len(PLACES)]} on Monday, residents said. Dispatch number {i}."
        for i in range(n)
    ]


def _ingester(path: str, texts: list[str], go, out, pause: float) -> None:
    res = load_resources()
    conn = store.connect(path)
    go.wait()
    outcomes = []
    for text in texts:
        time.sleep(pause)  # spread the ingests over several re-extractions (no timing is asserted)
        try:
            store.ingest_text(conn, text, res, published="2012-07-17")
            outcomes.append("added")
        except store.DuplicateArticleError:
            outcomes.append("duplicate")
        except Exception as exc:  # reported to the test, which names it
            outcomes.append(f"{type(exc).__name__}: {exc}")
    conn.close()
    out.put(outcomes)


def _reextractor(path: str, go, stop, out) -> None:
    res = load_resources()
    conn = store.connect(path)
    go.wait()
    runs, errors = 0, []
    while not stop.is_set():
        try:
            store.reextract(conn, res)
            runs += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    conn.close()
    out.put((runs, errors))


def _mention_counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT a.doc_id, (SELECT count(*) FROM mentions m WHERE m.doc_id = a.doc_id) FROM articles a"
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


def _run(path, batches: list[list[str]], reextract: bool) -> tuple[list[str], tuple[int, list[str]] | None]:
    """Start one process per batch (and a re-extractor), release them together, collect outcomes.

    The re-extractor stops when the last ingest is done, so a mention lost to
    the race is not put back by a later re-extraction.
    """
    ctx = mp.get_context("spawn")
    go, stop, out, rout = ctx.Event(), ctx.Event(), ctx.Queue(), ctx.Queue()
    pause = 0.05 if reextract else 0.0
    ingesters = [ctx.Process(target=_ingester, args=(str(path), b, go, out, pause)) for b in batches]
    extra = [ctx.Process(target=_reextractor, args=(str(path), go, stop, rout))] if reextract else []
    for p in ingesters + extra:
        p.start()
    go.set()
    outcomes = [o for _ in ingesters for o in out.get(timeout=300)]
    stop.set()
    reextracted = rout.get(timeout=300) if reextract else None
    for p in ingesters + extra:
        p.join(timeout=60)
    return outcomes, reextracted


def test_reextraction_racing_ingests_loses_no_mention(tmp_path):
    texts = _texts(INGESTERS * PER_INGESTER)
    serial = tmp_path / "serial.sqlite"
    conn = store.connect(serial)
    res = load_resources()
    for text in texts:
        store.ingest_text(conn, text, res, published="2012-07-17")
    conn.close()
    expected = _mention_counts(serial)
    assert len(expected) == len(texts) and all(n > 0 for n in expected.values())

    shared = tmp_path / "shared.sqlite"
    store.connect(shared).close()
    batches = [texts[i::INGESTERS] for i in range(INGESTERS)]
    outcomes, (runs, errors) = _run(shared, batches, reextract=True)
    assert outcomes == ["added"] * len(texts)
    assert runs >= 2 and not errors  # the ingests did overlap re-extractions
    found = _mention_counts(shared)
    without = sorted(d for d, n in found.items() if n == 0)
    assert not without, f"{len(without)} of {len(found)} articles lost their mentions"
    assert found == expected
    _assert_summary_right(shared)


def test_duplicates_racing_each_other_are_reported_as_duplicates(tmp_path):
    texts = _texts(30)
    path = tmp_path / "dup.sqlite"
    store.connect(path).close()
    outcomes, _ = _run(path, [texts] * INGESTERS, reextract=False)  # same order: they collide on every text
    assert set(outcomes) <= {"added", "duplicate"}, [o for o in outcomes if o not in ("added", "duplicate")]
    assert outcomes.count("added") == len(texts)
    assert len(_mention_counts(path)) == len(texts)
    _assert_summary_right(path)


def _assert_summary_right(path) -> None:
    """The map's summary equals a GROUP BY over the mentions the racing writers left."""
    conn = store.connect(path)
    try:
        assert summary.drift(conn) == []
        assert conn.execute("SELECT SUM(n) FROM mention_counts").fetchone()[0] == sum(_mention_counts(path).values())
    finally:
        conn.close()
