"""Benchmark the map in a real browser: ``python -m geo.tools.browserbench --events 100000 --store sqlite``.

What a reader waits for, measured end to end on this machine:

1. N synthetic events (:func:`geo.tools.appbench.synthetic_records`) go into a
   fresh store in bulk: a SQLite file, or PostGIS (COPY) on ``--db`` or on a
   throwaway server started here and stopped at the end.
2. The real app runs on it (``streamlit run app.py``, read-only, on a free
   loopback port); Debian's chromium, driven by Playwright, opens the page with
   every non-local request aborted, as the browser tests do.
3. Timed: the first load (until the map has drawn its layer and Streamlit is
   idle), then K filter changes cycling through the widgets "Dates (calendar
   days)", "Show", the map's zoom, "Layer" and "Event type", each until the map is redrawn
   (the map frame's body counts drawn layers in ``data-cm-drawn``, see
   :class:`geo.app.mapview.MapControls`). The server's memory (VmRSS of the
   streamlit process and its children) is read after each session; a second
   session (another browser context) opens while the first stays open, and
   does the same changes.

A command, not a test: the figures depend on the machine and on what else runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import store
from ..errors import BenchError, StoreError
from ..extract.pipeline import load_resources
from ..store.postgis import is_postgres_url
from .appbench import fill
from .pgserver import free_port

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
CHROMIUM = os.environ.get("CLASHMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Generated mentions that report no event, so the "Show" radio changes the map.
MENTION_SHARE = 0.1
#: The longest wait for one step (a first load of a million events may take minutes).
STEP_TIMEOUT_S = 600.0
POLL_S = 0.025
#: Idle seconds without a new drawing after which a change is taken to have left the map as it was.
UNCHANGED_S = 20.0
MB = 1024 * 1024


@dataclass
class Change:
    """One filter change in one session: the widget, and seconds until the map was redrawn and until idle."""

    session: int
    widget: str
    redrawn_s: float
    idle_s: float


@dataclass
class Figures:
    """What one run measured (``--json`` prints it as it is)."""

    store: str
    events: int
    fill_s: float = 0.0
    server_start_mb: float = 0.0
    first_load_s: list[float] = field(default_factory=list)  # per session: until drawn and idle
    changes: list[Change] = field(default_factory=list)
    server_mb: list[float] = field(default_factory=list)  # after each session's changes
    load_average: list[float] = field(default_factory=list)  # the machine's, at the start and at the end

    def change_times(self) -> list[float]:
        return [c.redrawn_s for c in self.changes]


# --- the store ------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_store(kind: str, n: int, db: str | None, tmp: Path) -> Iterator[tuple[str, float]]:
    """A store holding ``n`` generated events; yields ``(CLASHMAP_DB value, seconds to fill it)``.

    SQLite: ``db`` or a file in ``tmp``. PostGIS: ``db`` or a throwaway server
    (:func:`geo.tools.pgserver.postgis_server`), stopped when the block ends.
    """
    if kind == "sqlite":
        target = db or str(tmp / "bench.sqlite")
        yield target, filled(target, n)
    elif db:
        yield db, filled(db, n)
    else:
        from .pgserver import postgis_server

        with postgis_server() as url:
            yield url, filled(url, n)


def filled(target: str, n: int) -> float:
    """Load ``n`` generated events into the empty store at ``target``; returns the seconds it took.

    The store is marked as seeded, so the app (read-only besides) leaves it as
    it is, and analysed, as a store in use would be.
    """
    conn = store.connect(target, readonly=False)
    try:
        if conn.execute("SELECT count(*) FROM mentions").fetchone()[0]:
            raise BenchError(f"{target} already holds mentions: give an empty store (or none: one is made)")
        t0 = time.perf_counter()
        fill(conn, load_resources().gazetteer, n, mention_share=MENTION_SHARE)
        with conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')")
        conn.execute("ANALYZE")
        return time.perf_counter() - t0
    finally:
        conn.close()


# --- the server -----------------------------------------------------------------------------


@contextlib.contextmanager
def app_server(target: str, tmp: Path) -> Iterator[tuple[str, int]]:
    """The app served as ``./run.sh app`` does (``geo.app.serve``), read-only, on 127.0.0.1; yields ``(url, pid)``."""
    if not APP.exists():
        raise BenchError(f"{APP} is missing: run the benchmark from a clashmap checkout")
    env = {"CLASHMAP_DB": target, "CLASHMAP_DB_READONLY": "1"}
    with serve_script(APP, tmp, env) as (url, proc):
        yield url, proc.pid


@contextlib.contextmanager
def serve_script(script: Path | str, tmp: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """``python -m geo.app.serve SCRIPT`` (what ``./run.sh app`` runs) on a free port of 127.0.0.1.

    ``env`` is added to this process's environment, after a user gazetteer in ``tmp`` (so the
    server never touches the reader's own); the log goes to ``tmp/streamlit.log``. Yields the
    URL once the server answers its health check, and the process; stops it at the end.
    """
    port = free_port()
    env = {**os.environ, "CLASHMAP_USER_GAZETTEER": str(tmp / "user_gazetteer.csv"), "PYTHONPATH": str(ROOT), **env}
    cmd = [sys.executable, "-m", "geo.app.serve", str(script), "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    with (tmp / "streamlit.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, tmp / "streamlit.log")
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_healthy(url: str, proc: subprocess.Popen, log: Path | str = "its log", timeout: float = 90) -> None:
    """Wait until the streamlit server ``proc`` at ``url`` answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise BenchError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s; see {log}")


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of process ``pid`` and all its descendants, in MB (from /proc)."""
    return sum(_vmrss_kb(p) for p in [pid, *descendants(pid)]) * 1024 / MB


def descendants(pid: int) -> list[int]:
    """Ids of the processes below ``pid`` (children, their children...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the command name (field 2) may hold spaces: the parent id follows its closing parenthesis
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _vmrss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass  # the process ended meanwhile
    return 0


# --- the browser ----------------------------------------------------------------------------


def offline(page) -> None:
    """Abort every request that does not go to this machine (the page must work offline)."""

    def route(r):
        url = r.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        local = url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost")
        r.continue_() if local else r.abort()

    page.route("**/*", route)


def map_frame(page):
    return page.frame(url=lambda u: "streamlit_folium" in u)


def drawn(page) -> str | None:
    """The map frame's count of drawn layers, or None before a layer is drawn (or without a frame)."""
    frame = map_frame(page)
    if frame is None:
        return None
    try:
        return frame.evaluate("() => document.body && document.body.getAttribute('data-cm-drawn')")
    except Exception:  # the frame is being replaced
        return None


def forget_drawn(page) -> None:
    """Clear the count, so that any count seen next comes from a new drawing."""
    frame = map_frame(page)
    if frame is not None:
        frame.evaluate("() => document.body.removeAttribute('data-cm-drawn')")


def idle(page) -> bool:
    return page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count() > 0


def wait_until(page, test: Callable[[], bool], what: str, timeout: float | None = None) -> None:
    timeout = STEP_TIMEOUT_S if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise BenchError(f"{what} did not happen within {timeout:.0f} s; see the server's log")
        page.wait_for_timeout(POLL_S * 1000)


def wait_redrawn(page, label: str) -> None:
    """Wait until the map has drawn a new layer after a change of widget ``label``.

    A change that leaves the events as they were (possible with few events)
    draws nothing: when Streamlit has been idle for :data:`UNCHANGED_S` with
    no new drawing, that is said rather than waited for.
    """
    deadline, idle_since = time.monotonic() + STEP_TIMEOUT_S, None
    while drawn(page) is None:
        now = time.monotonic()
        idle_since = (idle_since or now) if idle(page) else None
        if idle_since is not None and now - idle_since > UNCHANGED_S:
            raise BenchError(
                f"changing {label!r} left the map as it was (nothing redrawn {UNCHANGED_S:.0f} s after the page "
                "went idle): with few events a change may not alter them; use more --events or fewer --changes"
            )
        if now > deadline:
            raise BenchError(f"the map was not redrawn within {STEP_TIMEOUT_S:.0f} s of changing {label!r}")
        page.wait_for_timeout(POLL_S * 1000)


def settle(page) -> None:
    """Wait until Streamlit is idle and stays so (a rerun may follow the first)."""
    for _ in range(2):
        wait_until(page, lambda: idle(page), "Streamlit going idle")
        page.wait_for_timeout(300)


def first_load(page, url: str) -> float:
    """Seconds from navigation until the map has drawn its layer and Streamlit is idle."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=STEP_TIMEOUT_S * 1000)
    wait_until(page, lambda: drawn(page) is not None, "the map's first drawing")
    wait_until(page, lambda: idle(page), "Streamlit going idle after the first load")
    seconds = time.perf_counter() - t0
    settle(page)
    return seconds


class Widgets:
    """The filter changes of one session, by the widgets' labels; each call changes the map.

    Each widget goes back and forth (a type chosen then removed, the start day
    a day later then back, ...), so any number of changes stays in the data.
    """

    #: The type filter last: a start day one day later still changes the map with few events. The zoom
    #: before the layer: a session's first zoom is on the events layer (single events in the view).
    ORDER = ("Dates (calendar days)", "Show", "Zoom", "Layer", "Event type")
    LAYERS = ("Hexagon density", "Heatmap", "Events")
    #: The zoom a "Zoom" change goes to, on the most isolated marker's place, and how far it zooms out again.
    ZOOM_IN, ZOOM_OUT_BY = 17, 5

    def __init__(self, page):
        self.page = page
        self.uses = dict.fromkeys(self.ORDER, 0)

    def change(self, i: int) -> str:
        """Make the ``i``-th change (cycling through :attr:`ORDER`); returns the widget's label."""
        label = self.ORDER[i % len(self.ORDER)]
        step = self.uses[label]
        self.uses[label] += 1
        {
            "Event type": self._type,
            "Dates (calendar days)": self._dates,
            "Show": self._show,
            "Layer": self._layer,
            "Zoom": self._zoom,
        }[label](step)
        return label

    def _type(self, step: int) -> None:
        box = self.page.get_by_role("combobox", name="Event type", exact=True)
        box.click()
        if step % 2 == 0:
            self.page.keyboard.type("Battles")
            self.page.keyboard.press("Enter")
        else:
            self.page.keyboard.press("Backspace")  # removes the type chosen before
        self.page.keyboard.press("Escape")

    def _dates(self, step: int) -> None:
        slider = self.page.locator('[data-testid="stSlider"]').filter(has_text="Dates (calendar days)")
        slider.locator('input[type="range"]').first.focus()  # the start day's thumb
        self.page.keyboard.press("ArrowRight" if step % 2 == 0 else "ArrowLeft")

    def _zoom(self, step: int) -> None:
        """Zoom in on the most isolated marker's place (the map then shows the events in view), or back out.

        As a reader's wheel or buttons do: the map's view changes, st_folium reports it, the page reruns.
        """
        frame = map_frame(self.page)
        frame.evaluate(
            """([zoomIn, outBy, inward]) => {
                var map = window.map, target = null, points = [], apart = -1;
                (window.feature_group || []).forEach(function(fg) {
                    (function walk(l) {
                        if (l.feature && l.feature.properties && l.feature.properties.tip !== undefined) {
                            points.push(l.getLatLng());
                        } else if (l.eachLayer) { l.eachLayer(walk); }
                    })(fg);
                });
                // the marker farthest from its nearest neighbour: a view around it holds one place
                points.forEach(function(p) {
                    var near = Infinity;
                    points.forEach(function(q) { if (q !== p) { near = Math.min(near, p.distanceTo(q)); } });
                    if (near > apart) { apart = near; target = p; }
                });
                if (inward) { map.setView(target || map.getCenter(), zoomIn, {animate: false}); }
                else { map.setView(map.getCenter(), map.getZoom() - outBy, {animate: false}); }
            }""",
            [self.ZOOM_IN, self.ZOOM_OUT_BY, step % 2 == 0],
        )

    def _show(self, step: int) -> None:
        option = "All place mentions" if step % 2 == 0 else "Events only"
        self._radio("Show", option)

    def _layer(self, step: int) -> None:
        self._radio("Layer", self.LAYERS[step % len(self.LAYERS)])

    def _radio(self, label: str, option: str) -> None:
        group = self.page.get_by_role("radiogroup", name=label, exact=True)
        group.get_by_text(option, exact=True).click()


def timed_change(page, widgets: Widgets, i: int, session: int) -> Change:
    """Make one change; seconds until the map is redrawn, and until Streamlit is idle."""
    forget_drawn(page)
    t0 = time.perf_counter()
    label = widgets.change(i)
    wait_redrawn(page, label)
    redrawn = time.perf_counter() - t0
    wait_until(page, lambda: idle(page), f"Streamlit going idle after changing {label!r}")
    change = Change(session, label, redrawn, time.perf_counter() - t0)
    settle(page)
    return change


def run_sessions(url: str, pid: int, figures: Figures, sessions: int, changes: int) -> None:
    """Open ``sessions`` pages one after the other (each stays open), timing each as the module says."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise BenchError(f"{CHROMIUM} is missing: apt-get install chromium (or set CLASHMAP_CHROMIUM)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for session in range(1, sessions + 1):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                offline(page)
                figures.first_load_s.append(first_load(page, url))
                widgets = Widgets(page)
                for i in range(changes):
                    figures.changes.append(timed_change(page, widgets, i, session))
                figures.server_mb.append(rss_mb(pid))
        finally:
            browser.close()


def run(kind: str, n: int, db: str | None = None, sessions: int = 2, changes: int = 5) -> Figures:
    """Fill a store, serve it, and time it in the browser (see the module's docstring)."""
    figures = Figures(store=kind, events=n, load_average=[os.getloadavg()[0]])
    with tempfile.TemporaryDirectory(prefix="clashmap-browserbench-") as tmp:
        with bench_store(kind, n, db, Path(tmp)) as (target, fill_s):
            figures.fill_s = fill_s
            with app_server(target, Path(tmp)) as (url, pid):
                figures.server_start_mb = rss_mb(pid)
                run_sessions(url, pid, figures, sessions, changes)
    figures.load_average.append(os.getloadavg()[0])  # others' work on the machine slows every figure
    return figures


# --- the report -----------------------------------------------------------------------------


def table(f: Figures) -> str:
    """The figures as a table, then the changes by widget."""
    times = f.change_times()
    mb = ", ".join(f"{m:.0f}" for m in f.server_mb)
    rows = [
        f"clashmap browser benchmark: {f.events:,} events on {f.store} (store filled in {f.fill_s:.1f} s, "
        f"{f.events / max(f.fill_s, 1e-9):,.0f} rows/s; server {f.server_start_mb:.0f} MB at start)",
        f"{'store':<8} {'events':>10} {'first load s':>13} {'change median s':>16} {'change max s':>13} "
        f"  server MB after each session",
        f"{f.store:<8} {f.events:>10,} {f.first_load_s[0]:>13.2f} {statistics.median(times):>16.2f} "
        f"{max(times):>13.2f}   {mb}",
        "seconds until the map is redrawn, by widget (all sessions): "
        + "; ".join(
            f"{w} {', '.join(f'{c.redrawn_s:.2f}' for c in f.changes if c.widget == w)}"
            for w in Widgets.ORDER
            if any(c.widget == w for c in f.changes)
        ),
    ]
    rows.append(
        "the machine's load average (1 min) at the start and at the end: "
        + ", ".join(f"{x:.1f}" for x in f.load_average)
        + f" ({os.cpu_count()} cores)"
    )
    if len(f.first_load_s) > 1:
        rows.append(
            "first load of each further session (the first still open): "
            + ", ".join(f"{s:.2f} s" for s in f.first_load_s[1:])
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="generated events (default 10000)")
    parser.add_argument("--store", choices=("sqlite", "postgis"), default="sqlite")
    parser.add_argument(
        "--db", help="an empty store to fill: a SQLite file, or postgresql://... (default: a new one, removed after)"
    )
    parser.add_argument("--sessions", type=int, default=2, help="browser sessions, one after the other (default 2)")
    parser.add_argument(
        "--changes", type=int, default=5, help="filter or zoom changes per session (default 5: each once)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.events < 1 or args.sessions < 1 or args.changes < 1:
        parser.error("--events, --sessions and --changes must be at least 1")
    if args.db and (args.store == "postgis") != is_postgres_url(args.db):
        parser.error(f"--db {args.db!r} does not fit --store {args.store}")
    try:
        figures = run(args.store, args.events, args.db, args.sessions, args.changes)
    except (BenchError, StoreError) as exc:
        print(f"browserbench: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(figures), indent=1) if args.json else table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
