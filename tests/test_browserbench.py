"""The browser benchmark (``python -m geo.tools.browserbench``), end to end on tiny stores.

It must print its figures in their shape, with positive times: no time limit
is tested (the figures belong to the machine, and are read by people).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.tools.browserbench import descendants, rss_mb

ROOT = Path(__file__).resolve().parent.parent
WIDGETS = ("Dates (calendar days)", "Show", "Zoom", "Layer", "Event type")


def bench(*args: str) -> subprocess.CompletedProcess:
    # One marker per place above 50 events, so that zooming in on 200 shows single events (a new drawing).
    return subprocess.run(
        [sys.executable, "-m", "geo.tools.browserbench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=560,
        env={**os.environ, "CLASHMAP_AGGREGATE_ABOVE": "50"},
    )


@pytest.mark.e2e
def test_prints_the_table_on_sqlite_with_two_sessions():
    done = bench("--events", "200", "--store", "sqlite", "--sessions", "2", "--changes", "5")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("clashmap browser benchmark: 200 events on sqlite (store filled in ")
    assert lines[1].split()[:5] == ["store", "events", "first", "load", "s"]
    row = lines[2].split(maxsplit=5)
    assert row[:2] == ["sqlite", "200"]
    first, median, most = (float(x) for x in row[2:5])
    assert 0 < first and 0 < median <= most
    memory = [float(x) for x in row[5].split(", ")]
    assert len(memory) == 2 and all(mb > 10 for mb in memory)  # one figure per session
    assert all(w in lines[3] for w in WIDGETS)
    assert lines[4].startswith("the machine's load average")
    assert lines[5].startswith("first load of each further session")


@pytest.mark.e2e
def test_prints_json_on_a_throwaway_postgis_server():
    done = bench("--events", "200", "--store", "postgis", "--sessions", "1", "--changes", "2", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert (figures["store"], figures["events"]) == ("postgis", 200)
    assert figures["fill_s"] > 0 and figures["server_start_mb"] > 10
    assert len(figures["first_load_s"]) == 1 and figures["first_load_s"][0] > 0
    assert [c["widget"] for c in figures["changes"]] == list(WIDGETS[:2])
    assert all(0 < c["redrawn_s"] <= c["idle_s"] for c in figures["changes"])
    assert len(figures["server_mb"]) == 1 and figures["server_mb"][0] > figures["server_start_mb"] / 2


def test_a_db_of_the_other_kind_is_refused_before_anything_runs():
    done = bench("--store", "postgis", "--db", "some.sqlite")
    assert done.returncode == 2
    assert "does not fit --store postgis" in done.stderr


def test_server_memory_counts_the_children_too():
    child = subprocess.Popen([sys.executable, "-c", "x = bytearray(60_000_000); import time; time.sleep(30)"])
    try:
        for _ in range(100):  # until the child has its memory
            if child.pid in descendants(os.getpid()) and rss_mb(child.pid) > 55:
                break
            subprocess.run(["sleep", "0.1"])
        assert child.pid in descendants(os.getpid())
        assert rss_mb(os.getpid()) >= rss_mb(child.pid) + 10 > 65
    finally:
        child.kill()
        child.wait()
