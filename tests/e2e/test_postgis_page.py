"""End to end on the shared store: two app servers on one PostGIS database (started by the test)."""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, marker_count, open_page, run_server, wait_idle

from tests.pgserver import postgis_server

pytestmark = pytest.mark.e2e


def _markers(page, want: int, tries: int = 80) -> int:
    n = -1
    for _ in range(tries):
        try:
            n = marker_count(page)
        except Exception:
            n = -1
        if n == want:
            return n
        page.wait_for_timeout(250)
    return n


def test_two_servers_on_one_postgis_store_see_each_others_articles(browser, tmp_path, res):
    from geo import store

    with postgis_server() as url:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with (
            run_server(tmp_path / "a", CLASHMAP_DB=url) as first,
            run_server(tmp_path / "b", CLASHMAP_DB=url) as second,
        ):
            with open_page(browser, first) as page:
                assert _markers(page, 30) == 30  # the seeds, loaded once into the shared store
                page.screenshot(path=str(ARTIFACTS / "postgis-first.png"))
            # Another analyst adds an article through the other server's store.
            conn = store.connect(url)
            store.ingest_text(conn, "Government forces shelled Qaboun on Wednesday.", res, published="2012-07-25")
            conn.close()
            with open_page(browser, second) as page:
                wait_idle(page)
                assert _markers(page, 31) == 31
                assert "from **4** articles" in page.content().replace("<strong>", "**").replace("</strong>", "**")
