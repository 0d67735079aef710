"""Extraction on a Dask cluster: the same pipeline, over partitions of the input.

The main process streams the sources (file paths, JSON lines) into partitions of
a few dozen articles and keeps a bounded number of them in flight; each Dask
worker loads the gazetteer and lexicon once and runs
:func:`geo.extract.batch.process` on every source of a partition, so results
are those of the local engine, in the same order. A partition whose worker dies
is retried; one that still fails is reported file by file, never dropped.

By default a :class:`distributed.LocalCluster` of processes runs on this
machine; give ``scheduler="tcp://host:8786"`` to use a running cluster (its
workers need clashmap installed).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from .batch import Processed, process, records
from .documents import DEFAULT_MAX_BYTES
from .pipeline import Failure, Resources, load_resources
from .sources import JsonLine, iter_sources

#: Articles per task: large enough to hide the scheduler's per-task cost, small enough to balance.
PARTITION_SIZE = 64
#: Attempts after the first for a partition whose worker failed.
RETRIES = 2
#: Dask keeps records for debugging, each bounded by this count (``distributed.admin.low-level-log-length``,
#: 1,000 by default): the last messages sent on each connection (each holding a partition's sources,
#: for JSON lines their text), a worker's task events and the scheduler's transitions. At 1,000 they
#: held about 1 kB per article in the main process and in each worker, growing with the corpus up to
#: 64,000 articles (much more for JSON lines); a few dozen keep what a debugging session reads.
LOG_LENGTH = 32

_RESOURCES: dict[tuple, Resources] = {}


def _resources(gazetteer: tuple[str, ...] | None) -> Resources:
    # Once per worker process, not per task: loading the gazetteer costs more than a partition.
    if gazetteer not in _RESOURCES:
        _RESOURCES[gazetteer] = load_resources(list(gazetteer) if gazetteer else None)
    return _RESOURCES[gazetteer]


def run_partition(
    items: list, gazetteer: tuple[str, ...] | None, per_article, published, max_bytes: int, latest: date | None = None
) -> list:
    """Run on a worker: every source of one partition through the pipeline."""
    res = _resources(gazetteer)
    return [process(item, res, per_article, published, max_bytes, latest) for item in items]


def _name(item: Path | JsonLine | Failure) -> tuple[str, str]:
    if isinstance(item, JsonLine):
        return f"{Path(item.path).stem}:{item.lineno}", f"{item.path}:{item.lineno}"
    if isinstance(item, Failure):
        return Path(item.path).stem, item.path
    return item.stem, str(item)


def _lost(items: list, exc: BaseException) -> list[Processed]:
    """A partition that failed on every attempt: each of its files reported, so none is dropped silently."""
    out = []
    for item in items:
        doc_id, where = _name(item)
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        out.append(
            Processed(
                doc_id,
                0,
                None,
                [],
                failure=f"{where}: not extracted, its partition failed {RETRIES + 1} times on the cluster "
                f"({reason}); run it again",
            )
        )
    return out


def _partitions(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def cluster_config(dashboard: bool = False) -> dict:
    """Dask settings for the clients and clusters we start: bounded debugging records.

    A worker's profile (one record a second, about 65 kB each for the
    pipeline's deep stacks, kept up to :data:`LOG_LENGTH` or 1,000 records)
    is only read on the dashboard: without it, profiling is off.
    """
    return {"distributed.admin.low-level-log-length": LOG_LENGTH, "distributed.worker.profile.enabled": dashboard}


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, dashboard: bool = False):
    """A Dask client: on ``scheduler`` if given, else on a new local cluster of ``workers`` processes.

    The settings of :func:`cluster_config` apply to the client and to a local
    cluster (its workers take them when they start); a running cluster keeps
    its own: start its scheduler and workers with them (see the README).
    """
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(cluster_config(dashboard)):
        # One thread per worker: extraction is pure Python and holds the GIL.
        cluster = None
        if not scheduler:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":8787" if dashboard else None,
                # Given to each worker's nanny as well: one restarted after a crash starts outside this block.
                config=cluster_config(dashboard),
            )
        client = Client(scheduler or cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def extract_on_dask(
    paths: list[str],
    client,
    *,
    gazetteer: list[str] | None = None,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    per_article: Callable[..., Any] = records,
    partition_size: int = PARTITION_SIZE,
    in_flight: int | None = None,
    latest: date | None = None,
) -> Iterator[Processed]:
    """Extract every source on the cluster of ``client``, yielding results in input order.

    At most ``in_flight`` partitions (default: three per worker) are submitted
    at a time, so the main process never holds the corpus or all its results.
    """
    gaz = tuple(str(g) for g in gazetteer) if gazetteer else None
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    limit = in_flight or 3 * workers
    pending: deque = deque()
    for chunk in _partitions(iter_sources(paths, max_bytes), partition_size):
        future = client.submit(
            run_partition, chunk, gaz, per_article, published, max_bytes, latest, retries=RETRIES, pure=False
        )
        pending.append((chunk, future))
        if len(pending) >= limit:
            yield from _collect(*pending.popleft())
    while pending:
        yield from _collect(*pending.popleft())


def _collect(chunk: list, future) -> list[Processed]:
    try:
        return future.result()
    except Exception as exc:  # a worker died or the task raised on every attempt
        return _lost(chunk, exc)
    finally:
        future.release()
