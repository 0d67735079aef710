"""Benchmark the app's server side: `python -m geo.tools.appbench [-n 10000]`.

Generates N synthetic event mentions at the gazetteer's Damascus places in a
temporary SQLite store (a fixed random seed: the same data every run), then
times what one filter change costs the page without caches: reading the
store, filtering, grouping into events, building the base map and the event
layer, and rendering the script st_folium sends. Prints the figures.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from .. import store
from ..app import filters as F
from ..app import mapview
from ..extract.pipeline import load_resources
from ..models import EVENT_TYPES, MentionRecord
from ..store.bulk import load_records


def bench_places(gaz) -> list:
    """The gazetteer's places the generated events happen at: those within about 30 km of Damascus."""
    lat0, lon0 = mapview.center_of(gaz)
    return [
        p
        for p in gaz.places.values()
        if p.kind in ("neighbourhood", "camp", "landmark", "city")
        and abs(p.lat - lat0) < 0.3
        and abs(p.lon - lon0) < 0.3
    ]


def synthetic_records(gaz, n: int, seed: int = 1, mention_share: float = 0.0) -> Iterator[MentionRecord]:
    """``n`` synthetic mention records over 60 days, in 100-mention articles (the same for one seed).

    Each is an event of a random type at a random place of :func:`bench_places`,
    but a share ``mention_share`` of them are mere place mentions (no event),
    so that the app's "Show" filter changes what is shown. Records are made
    one at a time: a million of them never sit in memory together.
    """
    rng = random.Random(seed)
    places = bench_places(gaz)
    outlets = ["AFP", "Reuters", "SANA", "Al Jazeera", "BBC"]
    sources = [None, "activists", "Syrian Observatory for Human Rights", "state media"]
    for a in range(0, n, 100):
        doc = f"bench-{a // 100:05d}"
        outlet = rng.choice(outlets)
        for i in range(a, min(a + 100, n)):
            p = rng.choice(places)
            etype = rng.choice(list(EVENT_TYPES))
            day = (date(2012, 7, 1) + timedelta(days=rng.randrange(60))).isoformat()
            # drawn only when asked for, so mention_share=0 gives the same events as ever
            is_event = not (mention_share and rng.random() < mention_share)
            sentence = f"Fighting was reported in {p.name} on that day, sources said."
            yield MentionRecord(
                mention_id=f"{doc}:{i}",
                doc_id=doc,
                start=25,
                end=25 + len(p.name),
                surface=p.name,
                place_id=p.id,
                place=p.name,
                place_kind=p.kind,
                lat=p.lat,
                lon=p.lon,
                geo_precision=p.geo_precision,
                uncertainty_km=p.uncertainty_km,
                admin1="Damascus",
                country="Syria",
                place_source=p.source,
                is_event=is_event,
                event_type=etype if is_event else None,
                sub_event_type=rng.choice(EVENT_TYPES[etype]) if is_event else None,
                trigger="fighting" if is_event else None,
                date=day,
                date_precision="day",
                date_basis="on that day",
                date_start=day,
                date_end=day,
                sentence=sentence,
                sentence_start=0,
                attribution=rng.choice(sources),
                verified=rng.choice([None, None, None, False]),
                match="key",
                title=f"Report {a // 100}",
                outlet=outlet,
                url=None,
                published="2012-08-01",
            )


def fill(conn, gaz, n: int, seed: int = 1, mention_share: float = 0.0) -> int:
    """Load ``n`` synthetic mentions (:func:`synthetic_records`) into a store, in bulk; returns how many.

    ``conn`` is a SQLite or PostGIS store (:func:`geo.store.connect`); on
    PostGIS the rows go in with COPY, so a million load in minutes.
    """
    return load_records(conn, synthetic_records(gaz, n, seed, mention_share), origin="bench")


def render(m) -> str:
    """What st_folium computes from the map and layer (its script strings)."""
    from streamlit_folium import _get_map_string

    m.get_root().render()
    return _get_map_string(m)


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def run(n: int, repeat: int = 3) -> dict:
    from streamlit_folium import _get_feature_group_string

    res = load_resources()
    labels = mapview.orientation_labels(res.gazetteer)
    with tempfile.TemporaryDirectory() as tmp:
        conn = store.connect(Path(tmp) / "bench.sqlite")
        _, t_fill = timed(fill, conn, res.gazetteer, n)
        cases = {
            "all events": {},
            "one type, 10 days": {"event_types": ["Battles"], "start": date(2012, 7, 10), "end": date(2012, 7, 19)},
            "one day": {"start": date(2012, 7, 15), "end": date(2012, 7, 15)},
        }
        figures = {"events": n, "fill_s": t_fill}
        df, t_read = timed(lambda: F.with_days(store.mentions_frame(conn)))
        figures["read_store_s"] = t_read
        for name, f in cases.items():
            best = None
            for _ in range(repeat):
                t0 = time.perf_counter()
                frame = F.with_days(store.mentions_frame(conn))
                t1 = time.perf_counter()
                shown = F.apply_filters(frame, f)
                events = F.group_events(shown, events_only=f.get("events_only", True))
                t2 = time.perf_counter()
                m = mapview.base_map(labels, mapview.center_of(res.gazetteer))
                layer = mapview.event_layer(events)
                script = render(m)
                fg = _get_feature_group_string(layer, m)
                t3 = time.perf_counter()
                run_t = {
                    "read": t1 - t0,
                    "filter": t2 - t1,
                    "map": t3 - t2,
                    "total": t3 - t0,
                    "shown": len(shown),
                    "markers": fg.count('"tip"'),
                    "aggregated": mapview.is_aggregated(events),
                    "bytes": len(script) + len(fg),
                }
                if best is None or run_t["total"] < best["total"]:
                    best = run_t
            figures[name] = best
        conn.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--events", type=int, default=10_000, help="synthetic events (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is shown")
    args = parser.parse_args(argv)
    figures = run(args.events, args.repeat)
    print(
        f"clashmap app benchmark: {figures['events']:,} events "
        f"(store filled in {figures['fill_s']:.2f} s, read in {figures['read_store_s'] * 1000:.0f} ms)"
    )
    print(
        f"{'filter':<20} {'shown':>7} {'markers':>8} {'read ms':>8} {'filter ms':>10} {'map ms':>7} "
        f"{'total ms':>9} {'payload kB':>11}"
    )
    worst = 0.0
    for name, r in figures.items():
        if not isinstance(r, dict):
            continue
        worst = max(worst, r["total"])
        print(
            f"{name:<20} {r['shown']:>7,} {r['markers']:>8,}{'*' if r['aggregated'] else ' '}"
            f"{r['read'] * 1000:>8.0f} {r['filter'] * 1000:>10.0f} {r['map'] * 1000:>7.0f} "
            f"{r['total'] * 1000:>9.0f} {r['bytes'] / 1000:>11.0f}"
        )
    print(f"* aggregated: one marker per place above {mapview.AGGREGATE_ABOVE:,} events")
    print(
        f"slowest filter change: {worst:.3f} s (target < 1 s, without the app's caches): "
        f"{'OK' if worst < 1 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
