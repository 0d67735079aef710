"""Benchmark the app's server side: `python -m geo.tools.appbench [-n 10000] [--db URL] [--path sql|pandas|both]`.

Generates N synthetic event mentions at the gazetteer's Damascus places in a
temporary SQLite store, or in the store ``--db`` names (a PostGIS URL, say;
one that already holds mentions is timed as it is), with a fixed random seed,
then times what one filter change costs the page without caches, on two
paths: ``sql`` (the page: counts and event groups from the store, reports read
only when few) and ``pandas`` (before: every mention read into pandas, filtered
and merged there). Both then build the base map and the layer and render the
script st_folium sends. Prints the figures and the process's peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from .. import store
from ..app import filters as F
from ..app import mapview
from ..export.merge import merge_events
from ..extract.pipeline import load_resources
from ..models import EVENT_TYPES, MentionRecord
from ..store import query as Q
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


#: The filter changes timed: everything, a narrow one, one day.
CASES = {
    "all events": {},
    "one type, 10 days": {"event_types": ["Battles"], "start": date(2012, 7, 10), "end": date(2012, 7, 19)},
    "one day": {"start": date(2012, 7, 15), "end": date(2012, 7, 15)},
}


def _draw(events, labels, center, aggregate_above: int = mapview.AGGREGATE_ABOVE) -> tuple[str, str]:
    """The map and layer as st_folium sends them: the base map's script and the feature group's."""
    from streamlit_folium import _get_feature_group_string

    m = mapview.base_map(labels, center)
    layer = mapview.event_layer(events, aggregate_above=aggregate_above)
    script = render(m)
    return script, _get_feature_group_string(layer, m)


def pandas_case(conn, f: dict, labels, center) -> dict:
    """The page before: read every mention into pandas, filter there, merge, draw."""
    t0 = time.perf_counter()
    frame = F.with_days(store.mentions_frame(conn))
    t1 = time.perf_counter()
    shown = F.apply_filters(frame, f)
    events = F.group_events(shown, events_only=f.get("events_only", True))
    t2 = time.perf_counter()
    script, fg = _draw(events, labels, center)
    t3 = time.perf_counter()
    return _figures(t0, t1, t2, t3, len(shown), mapview.is_aggregated(events), script, fg)


def sql_case(conn, f: dict, labels, center) -> dict:
    """The page now: count and group in the store; read reports only for a small set; draw."""
    t0 = time.perf_counter()
    counts = Q.counts(conn, f)
    groups = Q.event_groups(conn, f)
    t1 = time.perf_counter()
    small = mapview.one_by_one(len(groups), counts["reports"])
    events = merge_events(Q.records(conn, f), events_only=f.get("events_only", True)) if small else groups
    t2 = time.perf_counter()
    script, fg = _draw(events, labels, center, mapview.AGGREGATE_ABOVE if small else 0)
    t3 = time.perf_counter()
    return _figures(t0, t1, t2, t3, counts["reports"], not small, script, fg)


def _figures(t0, t1, t2, t3, shown: int, aggregated: bool, script: str, fg: str) -> dict:
    return {
        "read": t1 - t0,
        "filter": t2 - t1,
        "map": t3 - t2,
        "total": t3 - t0,
        "shown": shown,
        "markers": fg.count('"tip"'),
        "aggregated": aggregated,
        "bytes": len(script) + len(fg),
    }


def first_load(conn) -> float:
    """Seconds for what the first page load asks the store beyond a filter change: choices, span, title."""
    t = time.perf_counter()
    Q.options(conn)
    Q.date_span(conn)
    Q.event_areas(conn)
    return time.perf_counter() - t


def _best(case, repeat: int, *args) -> dict:
    return min((case(*args) for _ in range(repeat)), key=lambda r: r["total"])


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, repeat: int = 3, db: str | None = None, paths: tuple[str, ...] = ("sql", "pandas")) -> dict:
    """Fill a store with ``n`` synthetic events (or reuse ``db`` if it has mentions) and time each path."""
    import streamlit_folium  # noqa: F401  (imported once, before the clock runs: the page has it loaded)

    res = load_resources()
    labels = mapview.orientation_labels(res.gazetteer)
    center = mapview.center_of(res.gazetteer)
    with tempfile.TemporaryDirectory() as tmp:
        conn = store.connect(db or Path(tmp) / "bench.sqlite")
        try:
            have = conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
            t = time.perf_counter()
            loaded = fill(conn, res.gazetteer, n) if not have else 0
            figures: dict = {"events": have or loaded, "fill_s": time.perf_counter() - t, "reused": bool(have)}
            figures["first_load_s"] = min(first_load(conn) for _ in range(repeat))
            for path in paths:
                case = sql_case if path == "sql" else pandas_case
                for name, f in CASES.items():
                    figures[(path, name)] = _best(case, repeat, conn, f, labels, center)
                figures[(path, "peak_mb")] = peak_mb()
        finally:
            conn.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--events", type=int, default=10_000, help="synthetic events (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best is shown")
    parser.add_argument(
        "--db",
        help="a store to fill and time instead of a temporary SQLite file (postgresql://...: PostGIS); "
        "one that already holds mentions is timed as it is",
    )
    parser.add_argument(
        "--path",
        choices=("sql", "pandas", "both"),
        default="both",
        help="sql: the page's path (filter and group in the store); pandas: the earlier one (every mention read)",
    )
    args = parser.parse_args(argv)
    paths = ("sql", "pandas") if args.path == "both" else (args.path,)
    figures = run(args.events, args.repeat, args.db, paths)
    where = "PostGIS" if args.db and args.db.startswith("postgres") else "SQLite"
    how = "reused" if figures["reused"] else f"filled in {figures['fill_s']:.1f} s"
    print(f"clashmap app benchmark: {figures['events']:,} events in {where} ({how})")
    print(f"first load, sidebar choices, date span and title from the store: {figures['first_load_s'] * 1000:.0f} ms")
    print(
        f"{'path':<7} {'filter':<20} {'shown':>7} {'markers':>8} {'query ms':>9} {'reports ms':>11} {'map ms':>7} "
        f"{'total ms':>9} {'payload kB':>11}"
    )
    worst = {}
    for key, r in figures.items():
        if not isinstance(key, tuple) or not isinstance(r, dict):
            continue
        path, name = key
        worst[path] = max(worst.get(path, 0.0), r["total"])
        print(
            f"{path:<7} {name:<20} {r['shown']:>7,} {r['markers']:>8,}{'*' if r['aggregated'] else ' '}"
            f"{r['read'] * 1000:>9.0f} {r['filter'] * 1000:>11.0f} {r['map'] * 1000:>7.0f} "
            f"{r['total'] * 1000:>9.0f} {r['bytes'] / 1000:>11.0f}"
        )
    print(
        f"* aggregated: one marker per place above {mapview.AGGREGATE_ABOVE:,} events "
        f"or {mapview.READ_REPORTS_MAX:,} reports"
    )
    print("pandas: every mention read and filtered in pandas (query = read); sql: counted and grouped in the store")
    for path in paths:
        print(
            f"{path}: slowest filter change {worst[path]:.3f} s without the app's caches; "
            f"peak memory of this process after it {figures[(path, 'peak_mb')]:.0f} MB"
        )


if __name__ == "__main__":
    main()
