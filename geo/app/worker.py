"""Extraction of readers' articles in a separate process, with a time budget.

Streamlit runs every session's script in a thread of one server process, and
CPU-bound Python (regular expressions above all) holds the GIL: an article
extracted on the script thread stalls every other reader's page until it is
done. The page therefore sends each paste or upload to a :class:`Worker`, one
child process that extracts one article at a time while the server keeps
answering; a job that overruns its budget has its process killed (a thread
could not be stopped) and a fresh one takes the next job. Nothing is stored
until a result comes back.

The child is started with ``python -m geo.app.worker`` and talks over two pipes
(pickled jobs and results), not through :mod:`multiprocessing`'s start methods,
which would re-run the page script (Streamlit sets it as ``__main__``) in the child.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from .. import store
from ..errors import ClashmapError, ExtractionTimeout, WorkerError
from ..extract.pipeline import Resources, extract_article
from ..models import ArticleResult

#: Environment variable holding the seconds one article may take, and its default.
BUDGET_ENV = "CLASHMAP_EXTRACT_SECONDS"
DEFAULT_BUDGET = 20.0
#: Seconds a new child may take to import clashmap and say it is ready.
START_TIMEOUT = 120.0


def budget_seconds() -> float:
    """The time budget for one article: ``$CLASHMAP_EXTRACT_SECONDS`` or 20 s.

    Raises :class:`~geo.errors.ClashmapError` for a value that is not a positive number.
    """
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ClashmapError(f"{BUDGET_ENV}={raw!r} is not a number of seconds; set it to e.g. 20 or unset it")
    return value


class Worker:
    """One child process running jobs one at a time, each within a time budget.

    ``run(fn, *args, budget=...)`` calls ``fn(*args)`` in the child; ``fn`` and its
    arguments are pickled (``fn`` by name, so it must be a module-level function).
    Jobs from several threads (the page's sessions) wait their turn.

    >>> w = Worker()
    >>> w.run(sum, [1, 2, 3], budget=60)
    6
    >>> w.stop()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        # A job still running when the server exits must not outlive it.
        atexit.register(self._kill_now)

    @property
    def pid(self) -> int | None:
        """The child's process id (None before the first job or after a stop)."""
        return self._proc.pid if self._proc else None

    def busy(self) -> bool:
        """Whether a job is running (another session's, or this one's)."""
        return self._lock.locked()

    def run(self, fn: Callable, *args, budget: float):
        """``fn(*args)`` in the child; raises :class:`ExtractionTimeout` after ``budget`` seconds.

        A :class:`~geo.errors.ClashmapError` raised by ``fn`` is raised again here
        with its message; any other failure becomes a :class:`WorkerError`.
        """
        with self._lock:
            self._start()
            try:
                self._send.send((fn, args))
            except OSError:
                self._stop()
                raise WorkerError("the extraction process stopped unexpectedly; try again") from None
            # poll() waits in select(): the GIL is free for the other sessions meanwhile.
            if not self._recv.poll(budget):
                self._stop()
                raise ExtractionTimeout(budget)
            try:
                status, value = self._recv.recv()
            except (EOFError, OSError):
                code = self._stop()
                raise WorkerError(
                    f"the extraction process stopped (exit status {code}), probably for lack of memory; "
                    "split the text into shorter articles"
                ) from None
        if status == "ok":
            return value
        if status == "refused":
            raise ClashmapError(value)
        raise WorkerError(f"extraction failed ({value}); this is a bug: please report it with the text")

    def stop(self) -> None:
        """Stop the child (a new one starts with the next job)."""
        with self._lock:
            self._stop()

    def _start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._stop()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "geo.app.worker", str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)
        if not self._recv.poll(START_TIMEOUT):
            self._stop()
            raise WorkerError(f"the extraction process did not start within {START_TIMEOUT:g} s; try again")
        try:
            self._recv.recv()
        except (EOFError, OSError):
            code = self._stop()
            raise WorkerError(f"the extraction process could not start (exit status {code}); see the log") from None

    def _kill_now(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def _stop(self) -> int | None:
        """Kill the child if it runs, close the pipes; its exit status."""
        code = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            code = self._proc.wait()
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._proc = self._send = self._recv = None
        return code


def extract_upload(
    res: Resources, name: str, data: bytes | None, text: str | None, meta: dict, warnings: tuple | list = ()
) -> tuple[ArticleResult, str]:
    """The job for one paste (``text``) or upload (``data``): the extracted article and its text's hash.

    Runs in the worker; the page stores the result with :func:`geo.store.add_results`.
    ``meta`` holds ``title``, ``outlet``, ``url`` and ``published``; ``warnings`` are
    those of decoding, when the page decoded the upload itself (see :func:`geo.store.upload_text`).
    """
    text, decoded = store.upload_text(name, data, text)
    article, sha = store.upload_article(text, warnings=[*warnings, *decoded], **meta)
    return extract_article(article, res), sha


def _serve(inbox: Connection, outbox: Connection) -> None:
    """The child's loop: run each job, send back ("ok", value), ("refused", message) or ("failed", what)."""
    outbox.send(("ready", os.getpid()))
    while True:
        try:
            fn, args = inbox.recv()
        except EOFError:  # the server has gone
            return
        try:
            reply = ("ok", fn(*args))
        except ClashmapError as exc:
            reply = ("refused", str(exc))
        except Exception as exc:  # a bug must not leave the page without an answer
            traceback.print_exc()
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            outbox.send(reply)
        except BrokenPipeError:
            return
        except Exception as exc:  # a result that cannot be pickled
            outbox.send(("failed", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
