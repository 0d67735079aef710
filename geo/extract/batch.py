"""Extraction over many files (and JSON Lines): in input order, in parallel for large inputs.

Each article is read and extracted in a worker, which also applies the
caller's ``per_article`` function (say, encoding GeoJSON), so the main process
only copies results. The corpus is never held in memory: workers get paths.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..models import ArticleResult
from .documents import DEFAULT_MAX_BYTES, article_paths, doc_id_for, safe_text, shown
from .pipeline import Failure, Resources, extract_article, load_resources
from .records import article_records
from .sources import JsonLine, iter_sources, read_source

#: Below this many files extraction runs in one process (starting workers costs more).
PARALLEL_MIN_FILES = 64


@dataclass
class Processed:
    """One input file's outcome, small enough to pass between processes."""

    doc_id: str
    words: int
    output: Any  # what ``per_article`` made of the result; None for a failure
    warnings: list[str]
    failure: str | None = None


def records(result: ArticleResult, res: Resources) -> list:
    """The default ``per_article``: the article's mention records."""
    return article_records(result, res.gazetteer)


_WORKER: dict = {}

#: The worker's garbage collector runs a young-generation pass after this many new objects
#: (Python's default is 700). Extraction makes many short-lived objects and few cycles, and the
#: default spends about a tenth of the time scanning; memory stays flat either way.
WORKER_GC_THRESHOLD = 50_000


def _init_worker(gazetteer: list[str] | None) -> None:
    _WORKER["res"] = load_resources(gazetteer)
    # The loaded resources live as long as the worker: move them out of the collector's
    # sight (gc.freeze) so the full passes do not walk the gazetteer again and again.
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def process(source, res: Resources, per_article: Callable, published, max_bytes: int, latest=None) -> Processed:
    """Read, extract and post-process one source (a file path or a JSON line), alone.

    Whatever goes wrong with it comes back as a failure naming it; ``latest`` is
    the latest publication date accepted (see :func:`~geo.extract.documents.parse_date`).
    """
    try:
        item = read_source(source, published, max_bytes, latest)
        if isinstance(item, Failure):
            return Processed(doc_id_for(item.path), 0, None, [], failure=item.message)
        result = extract_article(item, res)
        return Processed(item.doc_id, len(item.text.split()), per_article(result, res), list(result.warnings))
    except Exception as exc:  # noqa: BLE001 - a bug met on one source must not cost the others
        name = _where(source)
        message = (
            f"{name}: extraction failed ({type(exc).__name__}: {safe_text(str(exc))[:200]}); "
            "this is a bug in clashmap: please report it with this file"
        )
        return Processed(doc_id_for(name), 0, None, [], failure=message)


def _where(source) -> str:
    """A source as messages name it: the file, or the file and line of a JSON line."""
    if isinstance(source, JsonLine):
        return f"{shown(source.path)}:{source.lineno}"
    return shown(source.path if isinstance(source, Failure) else source)


def _process_in_worker(args: tuple) -> Processed:
    return process(args[0], _WORKER["res"], *args[1:])


def count_files(paths: Iterable[str | Path]) -> int:
    """How many article files ``paths`` (files and folders) hold."""
    n = 0
    for p in paths:
        path = Path(p)
        n += sum(1 for _ in article_paths([path])) if path.is_dir() else 1
    return n


def extract_files(
    paths: list[str],
    *,
    gazetteer: list[str] | None = None,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int = os.cpu_count() or 1,
    per_article: Callable[[ArticleResult, Resources], Any] = records,
    files: int | None = None,
    latest: date | None = None,
) -> Iterator[Processed]:
    """Extract from every file, in input order, using ``jobs`` processes for large inputs.

    ``per_article`` runs in the worker on each result and must be a module-level
    function (it is sent to workers by name); ``files`` is the number of input
    files when the caller has counted them; ``latest`` is the latest publication
    date accepted (the CLI passes tomorrow). Each file is handled alone: one
    that cannot be read or extracted comes back as :class:`Processed` with a
    ``failure`` message naming it, and the run goes on.
    """
    items = iter_sources(paths, max_bytes)
    files = count_files(paths) if files is None else files
    if jobs <= 1 or files < PARALLEL_MIN_FILES:
        res = load_resources(gazetteer)
        for item in items:
            yield process(item, res, per_article, published, max_bytes, latest)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(gazetteer,)) as pool:
        work = ((i, per_article, published, max_bytes, latest) for i in items)
        yield from pool.imap(_process_in_worker, work, chunksize=16)
