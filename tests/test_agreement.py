"""The command line and the app give the same events for the same articles, on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from geo import store
from geo.app import filters as F
from geo.tools.cli import main

from .conftest import ROOT, SEEDS


def _event_rows(features: list[dict]) -> list[tuple]:
    return [
        (
            p["event_id"],
            p["place_id"],
            p["event_type"],
            p["sub_event_type"],
            p["date"],
            p["date_precision"],
            p["corroboration"],
            tuple(p["mention_ids"]),
            tuple(f["geometry"]["coordinates"]),
        )
        for f in features
        for p in [f["properties"]]
    ]


def test_cli_events_and_app_events_agree_on_the_seeds(tmp_path, res):
    out = tmp_path / "events.geojson"
    assert main(["extract", str(SEEDS), "--level", "events", "-o", str(out), "-q"]) == 0
    cli = _event_rows(json.loads(out.read_text())["features"])

    conn = store.connect(tmp_path / "db.sqlite")
    store.seed(conn, res, SEEDS)
    shown = F.apply_filters(F.with_days(store.mentions_frame(conn)), {})
    conn.close()
    app_events = F.group_events(shown)
    app = [
        (
            e.event_id,
            e.place_id,
            e.event_type,
            e.sub_event_type,
            e.date,
            e.date_precision,
            e.corroboration,
            tuple(m.mention_id for m in e.mentions),
            (round(e.lon, 6), round(e.lat, 6)),
        )
        for e in app_events
    ]
    assert len(cli) == 30
    assert app == [(*row[:8], tuple(row[8])) for row in cli]


def test_events_are_the_same_under_any_hash_seed(tmp_path):
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"events-{seed}.geojson"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "geo", "extract", str(SEEDS), "--level", "events", "-o", str(out), "-q"]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
