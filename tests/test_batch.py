"""geo.extract.batch: extraction over many files, in one process or in a pool of workers."""

from __future__ import annotations

import gc
import multiprocessing as mp

import pytest

from geo.export.geojson import encoded_features
from geo.extract.batch import PARALLEL_MIN_FILES, WORKER_GC_THRESHOLD, _init_worker, extract_files

SENTENCES = (
    "Clashes erupted in Tadamon on Monday, activists said.",
    "Troops shelled Douma and Harasta with mortars overnight.",
    "Residents of Midan said the army had stormed the district before dawn.",
    "A car bomb exploded near a checkpoint in Jaramana, killing four people.",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(PARALLEL_MIN_FILES + 6):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))
        (folder / f"a{i:03d}.txt").write_text(text + "\n", encoding="utf-8")
        (folder / f"a{i:03d}.meta.json").write_text('{"published": "2012-07-20"}', encoding="utf-8")
    return folder


def _collector_state() -> tuple[int, int]:
    return gc.get_threshold()[0], gc.get_freeze_count()


def test_a_worker_keeps_its_resources_out_of_the_collectors_passes():
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(1, initializer=_init_worker, initargs=(None,)) as pool:
        threshold, frozen = pool.apply(_collector_state)
    assert threshold == WORKER_GC_THRESHOLD
    assert frozen > 10_000  # the gazetteer and the lexicon
    assert gc.get_threshold()[0] != WORKER_GC_THRESHOLD  # the calling process is left as it was


def test_workers_write_what_one_process_writes(corpus):
    def run(jobs: int) -> list[tuple[str, list[str]]]:
        return [
            (done.doc_id, done.output) for done in extract_files([str(corpus)], jobs=jobs, per_article=encoded_features)
        ]

    alone, pooled = run(1), run(2)
    assert len(alone) == PARALLEL_MIN_FILES + 6
    assert sum(len(out) for _, out in alone) > 3 * len(alone)
    assert pooled == alone
