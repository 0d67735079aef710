"""clashmap's page: `streamlit run app.py`.

Widgets and layout only; the work happens in geo/ (store, filters, mapview).
The store is `$CLASHMAP_DB` (default data/clashmap.sqlite); the seeds are
loaded into it on the first start.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import asdict, replace
from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from geo import store
from geo.app import acled, compare, contribute, density, mapview, viewport
from geo.app import filters as F
from geo.app.flash import show_flash
from geo.app.text import md
from geo.errors import ClashmapError
from geo.export.merge import merge_events
from geo.extract.pipeline import default_resources
from geo.store import hexgrid
from geo.store import query as Q
from geo.store.postgis import is_postgres_url

st.set_page_config(page_title="clashmap: Damascus events from the news", page_icon="🗺️", layout="wide")


# --- data (cached) --------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def base_resources():
    """The curated gazetteer and the lexicon, loaded once (already at start-up under geo.app.serve)."""
    return default_resources()


@st.cache_resource(show_spinner=False)
def resources(user_csv: str, stamp: tuple):
    """Extraction resources with the valid rows of the user gazetteer, and the rows left out (reloaded on change)."""
    base = base_resources()
    gaz, problems = store.load_user_gazetteer(user_csv, base.gazetteer)
    return replace(base, gazetteer=gaz), problems


def file_stamp(path) -> tuple:
    """What changes when a file is rewritten (modification time in ns, size); () for no file."""
    try:
        st_ = os.stat(path)
    except OSError:
        return ()
    return (st_.st_mtime_ns, st_.st_size)


def current_resources():
    """``(resources, rows of the user gazetteer that were not loaded)``."""
    path = store.user_gazetteer_path()
    return resources(str(path), file_stamp(path))


def reload_resources():
    """``current_resources()`` read afresh, after the reader changed the gazetteer."""
    resources.clear()
    return current_resources()


# Query results are cached per store revision and filter, a few at a time: nothing holds every mention.
CACHE = {"show_spinner": False, "max_entries": 8, "ttl": 600}


@st.cache_data(**{**CACHE, "max_entries": 2})
def facets(_conn, db: str, rev: int) -> dict:
    """The sidebar's choices, the data's date span and its title, read once per store revision."""
    span = Q.date_span(_conn)
    return {"options": Q.options(_conn), "span": span, "title": F.title_of(*Q.event_areas(_conn), span)}


@st.cache_data(**CACHE)
def sub_types(_conn, db: str, rev: int, event_types: tuple) -> list[str]:
    return Q.options(_conn, list(event_types))["sub_event_types"]


def parse_filter(fkey: str) -> dict:
    f = json.loads(fkey)
    for k in ("start", "end"):
        f[k] = date.fromisoformat(f[k]) if f[k] else None
    return f


# A resource, not data: every session gets the same (immutable) groups without unpickling a copy,
# which at 100,000 events cost more than the query.
@st.cache_resource(**CACHE)
def view(_conn, db: str, rev: int, fkey: str) -> tuple:
    """The filtered events as the store groups them (place, type, day)."""
    return tuple(Q.event_groups(_conn, parse_filter(fkey)))


@st.cache_data(**CACHE)
def view_counts(_conn, db: str, rev: int, fkey: str) -> dict:
    """How many reports and articles pass the filter (read after the map is drawn: about 0.1 s at a million)."""
    return Q.counts(_conn, parse_filter(fkey))


# A few only: each holds up to 10,000 reports with their sentences.
@st.cache_resource(**{**CACHE, "max_entries": 4})
def zoomed_events(_conn, db: str, rev: int, fkey: str, box: tuple) -> tuple:
    """The filtered events inside a part of the map, merged with their reports (the map zoomed in)."""
    f = parse_filter(fkey)
    return tuple(merge_events(Q.records(_conn, f, within=box), events_only=f["events_only"]))


@st.cache_data(**{**CACHE, "max_entries": 16})
def hex_cells(_conn, db: str, rev: int, fkey: str, size: float, box: tuple) -> list:
    """The filtered events inside ``box`` counted per hexagon of the grid of ``size`` (and per type)."""
    return Q.hexagon_cells(_conn, parse_filter(fkey), size, box)


@st.cache_data(**{**CACHE, "max_entries": 4})
def small_events(_conn, db: str, rev: int, fkey: str) -> list:
    """The filtered mentions merged into events with their reports (only for a set small enough to draw)."""
    f = parse_filter(fkey)
    return merge_events(Q.records(_conn, f), events_only=f["events_only"])


@st.cache_data(**{**CACHE, "max_entries": 4})
def place_events(_conn, db: str, rev: int, fkey: str, place_id: str) -> list:
    """One place's filtered events with their reports (for its story)."""
    f = parse_filter(fkey)
    return merge_events(Q.records(_conn, f, place_id=place_id), events_only=f["events_only"])


@st.cache_data(**CACHE)
def table_rows(_conn, db: str, rev: int, fkey: str, limit: int):
    """The first ``limit`` filtered reports as the page's table."""
    return F.table(F.frame_of(Q.first_records(_conn, parse_filter(fkey), limit)))


@st.cache_data(**CACHE)
def places_table(_conn, db: str, rev: int, fkey: str):
    return F.per_place_rows(Q.place_type_counts(_conn, parse_filter(fkey)))


def build_downloads(conn, f: dict) -> dict[str, bytes]:
    """GeoJSON, CSV and GeoPackage of the filtered reports, built when the reader asks (not cached)."""
    import tempfile

    from geo.export import geojson
    from geo.export.parquet import write_geopackage

    recs = Q.records(conn, f)
    events = merge_events(recs, events_only=True)
    gpkg = None
    if events:  # an empty GeoPackage layer has no columns to write
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "clashmap.gpkg")
            write_geopackage(events, path)
            with open(path, "rb") as fh:
                gpkg = fh.read()
    return {"geojson": geojson.dumps(recs).encode("utf-8"), "csv": F.csv_text(recs).encode("utf-8"), "gpkg": gpkg}


@st.cache_data(show_spinner=False)
def labels(user_csv: str, stamp: tuple):
    return mapview.orientation_labels(current_resources()[0].gazetteer)


# --- sidebar: filters -----------------------------------------------------------------------


def sidebar_filters(conn, db: str, rev: int) -> dict:
    sb = st.sidebar
    sb.header("Filters")
    f = dict(F.DEFAULT_FILTERS)
    choices = facets(conn, db, rev)
    span = choices["span"]
    if span and span[0] < span[1]:
        start, end = sb.slider(
            "Dates (calendar days)", min_value=span[0], max_value=span[1], value=span, format="YYYY-MM-DD", key="dates"
        )
        f["start"], f["end"] = start, end
    elif span:
        sb.caption(f"All dated reports are of {span[0].isoformat()}.")
    f["include_undated"] = sb.checkbox("Include reports without a date", value=True, key="undated")
    f["events_only"] = sb.radio("Show", ["Events only", "All place mentions"], key="show") == "Events only"
    opts = choices["options"]
    f["event_types"] = sb.multiselect("Event type", opts["event_types"], key="types", placeholder="All types")
    subs = sub_types(conn, db, rev, tuple(f["event_types"])) if f["event_types"] else opts["sub_event_types"]
    f["sub_event_types"] = sb.multiselect("Sub-event type", subs, key="subtypes", placeholder="All sub-types")
    f["outlets"] = sb.multiselect("Outlet", opts["outlets"], key="outlets", placeholder="All outlets")
    f["doc_ids"] = sb.multiselect(
        "Article",
        opts["doc_ids"],
        key="articles",
        placeholder="All articles",
        format_func=lambda d: opts["doc_labels"].get(d, d),
    )
    f["attributions"] = sb.multiselect(
        "Reported by (attribution)", opts["attributions"], key="attributions", placeholder="Any source"
    )
    f["show_unverified"] = sb.checkbox("Show reports the text calls unverified", value=True, key="unverified")
    return f


def filter_key(f: dict) -> str:
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in f.items()}, sort_keys=True)


# --- main views -----------------------------------------------------------------------------


def aggregate_above() -> int:
    """Above this many events the map shows places, not events, and reports are not read one by one."""
    # A smaller threshold shows one marker per place sooner (a slow machine, or the browser tests).
    return int(os.environ.get("CLASHMAP_AGGREGATE_ABOVE", mapview.AGGREGATE_ABOVE))


def render_map(conn, db: str, rev: int, fkey: str, events: list, groups: tuple, f: dict, aggregated: bool) -> None:
    user_csv = store.user_gazetteer_path()
    gaz = current_resources()[0].gazetteer
    # A map coming back on the page (the reader opened another tab) starts where it was left.
    start = viewport.mounted_at(st.session_state, fkey)
    if start is None:
        base = mapview.base_map(labels(str(user_csv), file_stamp(user_csv)), mapview.center_of(gaz))
    else:
        base = mapview.base_map(labels(str(user_csv), file_stamp(user_csv)), (start.lat, start.lon), start.zoom)
    c1, c2 = st.columns([3, 2])
    layer_kind = c1.radio("Layer", ["Events", "Hexagon density", "Heatmap"], horizontal=True, key="layer")
    agreement = compare.acled_agreement(events, f, (fkey, rev))
    # The reader's view, rounded (geo.app.viewport): only a view that moved past the rounding changes the layer.
    view = viewport.rounded(st.session_state.get("map"))
    # A filter change fits the view to the data; a new view alone does not (the key names the filters).
    fit = mapview.Fit(hashlib.sha1(fkey.encode()).hexdigest()[:12], events, keep=start is not None)
    # Thousands of ACLED rows are drawn within the view only (the Compare tab's tables list them all).
    on_map, left_out = (None, 0) if agreement is None else acled.drawn(agreement, view.box if view else None)
    above = 0 if aggregated else aggregate_above()  # the store's aggregates carry no reports to draw one by one
    zoomed = None
    if layer_kind == "Hexagon density":
        size_km = c2.select_slider("Hexagon size (km, centre to corner)", [0.5, 1, 2, 5, 10, 25], value=1, key="hex_km")
        layer = hexagon_layer(conn, db, rev, fkey, events, size_km, view, on_map, fit)
        st.caption("Each hexagon: how many events fall in it (darker: more), coloured by its most frequent type.")
    elif layer_kind == "Heatmap":
        layer = mapview.heat_layer(events, on_map, fit)
        st.caption("Heat: where events are densest (each event counts once, whatever its type).")
    else:
        zoomed = in_view(conn, db, rev, fkey, groups, view) if aggregated else None
        shown = list(zoomed) if zoomed is not None else events
        layer = mapview.event_layer(
            shown, aggregate_above=AGGREGATE_NEVER if zoomed else above, agreement=on_map, fit=fit
        )
        if zoomed is not None:
            st.info(
                f"Zoomed in: the {len(zoomed):,} events in this view, one by one. Zoom out for one marker per place."
            )
    if agreement is not None:
        st.caption(
            f"ACLED layer (outlined circles): {len(agreement.both)} of its events agree with an extracted one "
            f"(green), {len(agreement.only_acled)} only ACLED reports (dashed); "
            f"{len(agreement.only_extracted)} extracted events have no ACLED match. See **Compare with ACLED**."
            + (
                f" Drawn: the {acled.DRAW_LIMIT:,} at most in this view; {left_out:,} more are not drawn (zoom in)."
                if left_out
                else ""
            )
        )
    if layer_kind == "Events" and aggregated and events and zoomed is None:
        st.info(
            f"{len(events):,} events: shown as one marker per place (sized by its events; the popup lists them). "
            f"Zoom in until the view holds {aggregate_above():,} events or fewer to see them one by one. "
            "The player shows a place while any of its days is in the window."
        )
    # The view comes back (bounds and zoom, after each pan or zoom) so the page can react to it.
    st_folium(
        base,
        feature_group_to_add=layer,
        returned_objects=["bounds", "zoom"],
        height=620,
        use_container_width=True,
        key="map",
    )
    st.caption(
        "Hover a marker for place, type and date; click it for the evidence and a link to the source. "
        "Events at one place are spread around it on spokes. The player (bottom left) steps through the days "
        "with a moving window (1 day, 3 days, a week) or cumulatively; Show all brings every event back. "
        "Dashed circles: how precisely the place is known (a neighbourhood ~1 km; a city's 8 km as an outline)."
    )


#: Events drawn one by one, however many (a zoomed view was already checked against the limit).
AGGREGATE_NEVER = 10**9


def in_view(conn, db: str, rev: int, fkey: str, groups: tuple, view) -> tuple | None:
    """The events inside the reader's view, when it holds few enough of them to draw one by one; else None.

    With their reports (the evidence in each popup) when those are few too; else as the store counts
    them (a million events put thousands of reports behind one place).
    """
    if view is None:
        return None
    south, west, north, east = view.box
    inside = [g for g in groups if south <= g.lat <= north and g.lon is not None and west <= g.lon <= east]
    if not inside or len(inside) > aggregate_above():
        return None
    if mapview.one_by_one(len(inside), sum(g.reports for g in inside), aggregate_above()):
        return zoomed_events(conn, db, rev, fkey, view.box)
    return tuple(inside)


def hexagon_layer(conn, db: str, rev: int, fkey: str, events: list, size_km: float, view, agreement, fit):
    """Hexagons over the reader's view (before the map reports one: over every event).

    PostGIS counts them in SQL (``ST_HexagonGrid``); on SQLite the page bins the events it already holds
    (the store's groups, bounded by places x types x days) on the same grid, which is quicker than asking.
    """
    box = view.box if view is not None else viewport.bounds_box((e.lat, e.lon) for e in events if e.lon is not None)
    if box is None:
        return mapview.density_layer([], events, agreement, fit)
    size = hexgrid.grid_size(size_km, view.lat if view is not None else round((box[0] + box[2]) / 2))
    if is_postgres_url(db):
        cells = hex_cells(conn, db, rev, fkey, size, box)
    else:
        south, west, north, east = box
        inside = (e for e in events if e.lon is not None and south <= e.lat <= north and west <= e.lon <= east)
        cells = density.bin_events(inside, size)
    return mapview.density_layer(density.hex_features(cells, size), events, agreement, fit)


#: The table shows the first reports only: a browser cannot page through 100,000 rows.
TABLE_ROWS = 1000


def render_table_chart(conn, db: str, rev: int, fkey: str, groups: list, reports: int) -> None:
    st.subheader("Events per day, by type")
    # Merged events, as on the map (one per place, type and day), not the reports behind them.
    counts = F.per_day([g for g in groups if g.is_event])
    if counts.empty:
        st.info("No dated events match the filters.")
    else:
        if len(counts) <= 120:  # one wide bar per day; longer spans keep a time axis
            counts.index = counts.index.strftime("%Y-%m-%d")
        st.bar_chart(counts, color=[mapview.color_of(c) for c in counts.columns], x_label="day", y_label="events")
    st.subheader("Reports")
    if reports > TABLE_ROWS:
        st.caption(
            f"The first {TABLE_ROWS:,} of {reports:,} reports (in article order). Narrow the filters, "
            "or prepare a download (left) for all of them."
        )
    st.dataframe(table_rows(conn, db, rev, fkey, TABLE_ROWS), hide_index=True, width="stretch")


def render_places(conn, db: str, rev: int, fkey: str, groups: list, small: list | None) -> None:
    st.subheader("Which places saw what")
    st.dataframe(places_table(conn, db, rev, fkey), hide_index=True, width="stretch")
    render_place_story(conn, db, rev, fkey, groups, small)


def render_place_story(conn, db: str, rev: int, fkey: str, groups: list, small: list | None) -> None:
    """One place's events over time, every report behind them, and where the outlets differ."""
    names = {g.place_id: g.place for g in groups if g.is_event}
    if not names:
        return
    per_place = Counter(g.place_id for g in groups)
    st.subheader("A place's story")
    order = sorted(names, key=lambda p: (-per_place[p], names[p]))
    if small is None:  # many events: a place's reports are read only once the reader picks it
        place_id = st.selectbox(
            "Place", order, index=None, format_func=names.get, key="story_place_many", placeholder="Choose a place"
        )
        if place_id is None:
            return
        events = place_events(conn, db, rev, fkey, place_id)
    else:
        place_id = st.selectbox("Place", order, format_func=names.get, key="story_place")
        events = small
    story = F.place_story(events, place_id)
    counts = story["per_day"]
    if not counts.empty:
        if len(counts) <= 120:
            counts.index = counts.index.strftime("%Y-%m-%d")
        st.bar_chart(counts, color=[mapview.color_of(c) for c in counts.columns], x_label="day", y_label="events")
    lines = [
        f"- {md(e.date or 'undated')}: {md(e.event_type)}, reported by {md(', '.join(e.outlets))}"
        for e in story["agree"]
    ]
    lines += [
        f"- {md(d['day'])}: outlets differ on the type: "
        + "; ".join(f"{md(t)} ({md(', '.join(o))})" for t, o in d["types"].items())
        for d in story["differ_type"]
    ]
    lines += [
        f"- {md(d['type'])} put on different days ({d['apart']} apart): "
        + "; ".join(f"{md(day)} ({md(', '.join(o))})" for day, o in d["days"].items())
        for d in story["differ_date"]
    ]
    st.markdown(
        "\n".join(lines)
        if lines
        else "Each event here is reported by one outlet only; no outlets disagree on type or date."
    )
    st.dataframe(story["reports"], hide_index=True, width="stretch")


def _given(value, default: str) -> str:
    """A stored text, or ``default`` when it is missing (None, or NaN in a data frame)."""
    return value if isinstance(value, str) and value else default


def render_article(conn) -> None:
    arts = store.articles_frame(conn)
    if arts.empty:
        st.info("No articles in the store yet.")
        return
    labels_ = {
        d: f"{_given(t, d)} — {_given(o, 'no outlet')} ({_given(p, 'no date')})"
        for d, t, o, p in zip(arts["doc_id"], arts["title"], arts["outlet"], arts["published"])
    }
    doc_id = st.selectbox("Article", list(labels_), format_func=labels_.get, key="article_view")
    art = store.get_article(conn, doc_id)
    ms = [asdict(m) for m in Q.doc_records(conn, doc_id)]
    st.caption(
        f"{len(ms)} place mentions, {sum(m['is_event'] for m in ms)} read as events. "
        "Underlined: places (coloured by event type, grey: no event; red dotted: not placed)."
    )
    for w in art["warnings"]:
        if "unresolved place name" not in w:
            st.warning(md(w))  # warnings quote file names and text
    st.html(mapview.article_html(art["text"], ms))


def render_downloads(conn, f: dict, rev: int, fkey: str, reports: int) -> None:
    """Downloads of what is shown, built only when the reader asks (they can be large)."""
    sb = st.sidebar
    sb.header("Download what is shown")
    if sb.button("Prepare GeoJSON / CSV / GeoPackage", key="dl_prepare"):
        with sb.status(f"Preparing {reports:,} reports…"):
            st.session_state["downloads"] = (fkey, rev, build_downloads(conn, f))
    ready = st.session_state.get("downloads")
    if not (ready and ready[:2] == (fkey, rev)):
        st.session_state.pop("downloads", None)  # files of other filters: free them
        sb.caption(f"{reports:,} reports. Prepare the files to download them.")
        return
    files = ready[2]
    sb.download_button(
        "GeoJSON (RFC 7946)",
        files["geojson"],
        file_name="clashmap.geojson",
        mime="application/geo+json",
        key="dl_geojson",
    )
    sb.download_button("CSV (ACLED-like)", files["csv"], file_name="clashmap.csv", mime="text/csv", key="dl_csv")
    if files["gpkg"]:
        sb.download_button(
            "GeoPackage (events)",
            files["gpkg"],
            file_name="clashmap-events.gpkg",
            mime="application/geopackage+sqlite3",
            key="dl_gpkg",
        )
    sb.caption(f"{reports:,} reports.")


def main() -> None:
    title = st.empty()
    st.caption(
        "Each dot is a reported event, coloured by type, at the place the article names. "
        "Filter on the left; click a dot for the sentence it comes from."
    )
    show_flash()
    res, problems = current_resources()
    if problems:
        st.warning(
            f"{len(problems)} row(s) of your gazetteer {md(store.user_gazetteer_path())} were not loaded "
            "(the other rows were): fix or remove them under **Unplaced names**."
        )
    try:
        page(res, problems, title)
    except store.StoreError as exc:
        # A damaged, read-only, newer or unreachable store: say so and what to do, never a traceback.
        st.error(f"The article store cannot be used: {md(exc)}")


def page(res, problems, title) -> None:
    db = str(store.db_path())
    # Opening upgrades a store written by an earlier version, keeping every article.
    conn = store.open_store(db, res)
    try:
        if store.seed(conn, res):
            st.toast("Loaded the seed articles into the store.")
    except ClashmapError as exc:
        st.error(f"The seed articles could not be loaded: {md(exc)}")
    try:
        show_store(conn, db, res, problems, title)
    finally:
        conn.close()


#: The page's tabs; tests choose one with ``at.session_state["tab"] = label`` before a run.
TABS = ["Map", "Table and chart", "Places", "Article", "Add articles", "Unplaced names", compare.TAB]


def show_store(conn, db: str, res, problems, title) -> None:
    """The page over an open store; ``title`` is the placeholder the data's title goes in."""
    rev = store.revision(conn)
    covers = facets(conn, db, rev)["title"]
    title.title(f"clashmap: {md(covers)}, as the news reported it" if covers else "clashmap: events from the news")
    f = sidebar_filters(conn, db, rev)
    fkey = filter_key(f)
    groups = view(conn, db, rev, fkey)
    # Events with their reports only for a set small enough to draw one by one; above, the store's groups.
    above = aggregate_above()
    drawn = sum(g.reports for g in groups)  # the reports behind the events (placed ones: what a map can draw)
    small = small_events(conn, db, rev, fkey) if mapview.one_by_one(len(groups), drawn, above) else None
    events = small if small is not None else groups
    # The line that counts articles: counting them takes 0.05-0.1 s at a million reports (geo.store.query
    # .counts), which the map need not wait for, so for new filters it is written after the open tab.
    # A rerun with the same filters (the map reporting its view) writes it at once: emptied for the
    # rerun, the line would blink and move the map under the reader's pointer.
    counted = st.empty()
    said = st.session_state.get("counted_line")
    if said and said[:2] == (fkey, rev):
        counted.markdown(said[2])
    compare.sync_acled()
    draw = {
        "Map": lambda: render_map(conn, db, rev, fkey, events, groups, f, aggregated=small is None),
        "Table and chart": lambda: render_table_chart(
            conn, db, rev, fkey, groups, view_counts(conn, db, rev, fkey)["reports"]
        ),
        "Places": lambda: render_places(conn, db, rev, fkey, groups, small),
        "Article": lambda: render_article(conn),
        "Add articles": lambda: contribute.render_upload(conn, res),
        "Unplaced names": lambda: contribute.render_unresolved(conn, res, problems, reload_resources),
        compare.TAB: lambda: compare.render_acled(events, f, (fkey, rev)),
    }
    # Only the open tab is built (a switch reruns the page): the first load builds the map alone.
    for tab, label in zip(st.tabs(TABS, key="tab", on_change="rerun"), TABS):
        if tab.open:
            with tab:
                draw[label]()
            if label != "Map":
                st.session_state["map_off"] = True  # the map comes back where it was (geo.app.viewport)
    counts = view_counts(conn, db, rev, fkey)
    places = len({g.place_id for g in groups})
    what = "events" if f["events_only"] else "place mentions"
    line = (
        f"**{len(groups):,}** {what} at **{places}** places, from **{counts['articles']}** "
        f"articles ({counts['reports']:,} reports)."
    )
    if not (said and said[:2] == (fkey, rev)):
        counted.markdown(line)
        st.session_state["counted_line"] = (fkey, rev, line)
    render_downloads(conn, f, rev, fkey, counts["reports"])


main()
