"""A real clashmap server and a real browser, offline, for the end-to-end tests.

The server runs `python -m geo.app.serve app.py` (`streamlit run app.py`, warmed) on 127.0.0.1
(a free port) with its own temporary store; the browser is Debian's chromium, driven by Playwright, with
every non-local request aborted so the tests prove the page works offline.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from geo.tools.browserbench import serve_script

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CLASHMAP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        # ./run.sh test installs it; the browser tests never skip.
        pytest.fail(f"{CHROMIUM} is missing: run ./run.sh test, or apt-get install chromium (or set CLASHMAP_CHROMIUM)")
    return CHROMIUM


@contextlib.contextmanager
def run_server(tmp: Path, script: str = "app.py", **env_extra: str):
    """The app (or SCRIPT) served as `./run.sh app` does, with its own store in `tmp`; yields its URL."""
    with serve_script(script, tmp, {"CLASHMAP_DB": str(tmp / "db.sqlite"), **env_extra}) as (url, _):
        yield url


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path):
    """URL of a clashmap server with a fresh store (seeds only)."""
    with run_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="session")
def escape_server(tmp_path_factory, chromium_path):
    """URL of a page showing hostile texts through geo.app.text.md (tests/e2e/escape_page.py)."""
    with run_server(tmp_path_factory.mktemp("escape"), "tests/e2e/escape_page.py") as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A page on the app, offline: non-local requests are aborted and recorded."""
    with open_page(browser, server) as pg:
        yield pg


@contextlib.contextmanager
def open_page(browser, url: str, wait: bool = True):
    """A new browser context's page on `url`; `pg.blocked` lists the non-local requests it tried."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.blocked = []
    pg.dialogs = []

    def route(r):
        host = r.request.url.split("/")[2].split(":")[0] if "://" in r.request.url else ""
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)
            r.abort()

    pg.route("**/*", route)

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    try:
        if wait:
            pg.goto(url, wait_until="domcontentloaded")
            wait_idle(pg)
        yield pg
    finally:
        context.close()


def wait_idle(pg, timeout: float = 60_000) -> None:
    """Wait until the script has run and the page is not re-running."""
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def open_tab(pg, name: str, exact: bool = False) -> None:
    """Open one of the page's tabs and wait for its content (only the open tab is built: a switch reruns)."""
    pg.get_by_role("tab", name=name, exact=exact).click()
    wait_idle(pg)


def map_frame(pg):
    return pg.frame_locator('iframe[title="streamlit_folium.st_folium"]')


def marker_count(pg) -> int:
    """Event markers drawn on the map (canvas renderer: counted from Leaflet's layers)."""
    frame = pg.frame(url=lambda u: "streamlit_folium" in u) or _folium_frame(pg)
    return frame.evaluate("""() => {
        var n = 0;
        (window.feature_group || []).forEach(function(fg) {
            if (!window.map.hasLayer(fg)) return;
            (function walk(l) {
                if (l.feature && l.feature.properties && l.feature.properties.tip !== undefined) { n += 1; }
                else if (l.eachLayer) { l.eachLayer(walk); }
            })(fg);
        });
        return n;
    }""")


def _folium_frame(pg):
    for f in pg.frames:
        if f.name and "st_folium" in (f.name or ""):
            return f
    for f in pg.frames:
        try:
            if f.evaluate("() => typeof window.map !== 'undefined' && !!window.L"):
                return f
        except Exception:
            continue
    raise AssertionError("no map frame on the page")
