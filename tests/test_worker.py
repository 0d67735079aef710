"""geo.app.worker: the page's extraction process, its time budget and its isolation."""

from __future__ import annotations

import os
import threading
import time

import pytest

from geo.app.worker import BUDGET_ENV, ExtractionTimeout, Worker, WorkerError, budget_seconds, extract_upload
from geo.errors import ClashmapError

#: A call that never lets go of the GIL while it runs (a C loop, like a regular expression
#: backtracking over a long text): about 2 s here.
CPU_BOUND = (sum, range(10**8))


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.stop()


def test_runs_a_job_in_another_process(worker):
    assert worker.run(os.getpid, budget=60) not in (None, os.getpid())
    assert worker.run(sum, [1, 2, 3], budget=60) == 6


def test_a_job_over_budget_is_stopped_and_the_next_job_gets_a_new_process(worker):
    worker.run(int, budget=60)
    before = worker.pid
    with pytest.raises(ExtractionTimeout, match="split the text"):
        worker.run(time.sleep, 30, budget=0.5)
    assert worker.pid is None  # killed and reaped
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)
    assert worker.run(sum, [4, 5], budget=60) == 9 and worker.pid != before


def test_errors_come_back_as_messages(worker):
    with pytest.raises(ClashmapError, match="empty"):
        worker.run(extract_upload, None, "empty.txt", b"", None, {}, budget=60)
    with pytest.raises(WorkerError, match="ZeroDivisionError.*report it"):
        worker.run(divmod, 1, 0, budget=60)
    assert worker.run(sum, [1], budget=60) == 1  # the process survives a failed job


def test_extract_upload_reads_pastes_and_files(worker, res):
    meta = {"title": "t", "outlet": None, "url": None, "published": "2012-07-17"}
    result, sha = worker.run(
        extract_upload, res, "pasted text", None, "Clashes erupted in Tadamon on Monday.", meta, budget=60
    )
    assert [m.place.name for m in result.mentions] == ["Tadamon"] and result.article.doc_id == f"u-{sha[:12]}"
    data = "Clashes erupted in Tadamon on Monday near the caf\xe9.".encode("latin-1")
    result, _ = worker.run(extract_upload, res, "caf\xe9.txt", data, None, meta, budget=60)
    assert result.mentions[0].event_type == "Battles" and any("caf\xe9.txt" in w for w in result.warnings)
    with pytest.raises(ClashmapError, match="larger than .* split it"):
        worker.run(extract_upload, res, "pasted text", None, "x" * 5_000_001, meta, budget=60)


def _longest_stall(job) -> tuple[float, float]:
    """Run ``job`` in a thread; the longest this thread then waited to run again, and the job's duration."""
    thread = threading.Thread(target=job)
    start = last = time.perf_counter()
    thread.start()
    longest = 0.0
    while thread.is_alive():
        time.sleep(0.005)  # gives up the GIL; waking up needs it back
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest, time.perf_counter() - start


def test_a_running_job_leaves_this_process_free(worker):
    """What keeps other sessions' pages answering: the job's CPU time is spent in the child."""
    fn, arg = CPU_BOUND
    worker.run(int, budget=60)  # started
    in_thread, took = _longest_stall(lambda: fn(arg))
    assert in_thread > took / 2  # the same call on a thread of the server stalls everything
    in_worker, took = _longest_stall(lambda: worker.run(fn, arg, budget=120))
    assert in_worker < took / 5, (in_worker, took)


def test_budget_from_the_environment(monkeypatch):
    monkeypatch.delenv(BUDGET_ENV, raising=False)
    assert budget_seconds() == 20
    monkeypatch.setenv(BUDGET_ENV, "2.5")
    assert budget_seconds() == 2.5
    for bad in ("soon", "0", "-3", "nan"):
        monkeypatch.setenv(BUDGET_ENV, bad)
        with pytest.raises(ClashmapError, match=BUDGET_ENV):
            budget_seconds()
