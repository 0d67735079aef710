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
from geo.app import acled, density, mapview, viewport
from geo.app import filters as F
from geo.app.geocode import Geocoder
from geo.app.text import md
from geo.app.worker import Worker, budget_seconds, extract_upload
from geo.errors import ClashmapError
from geo.export.merge import merge_events
from geo.extract.documents import EARLIEST_PUBLISHED, latest_published
from geo.extract.gazetteer import COLUMNS as GAZETTEER_COLUMNS
from geo.extract.pipeline import default_resources
from geo.models import PLACE_KINDS
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


def flash(kind: str, text: str) -> None:
    """Keep a message across the rerun that shows new data (Markdown: escape reader text with md())."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind)(text)


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
    base = mapview.base_map(labels(str(user_csv), file_stamp(user_csv)), mapview.center_of(gaz))
    c1, c2 = st.columns([3, 2])
    layer_kind = c1.radio("Layer", ["Events", "Hexagon density", "Heatmap"], horizontal=True, key="layer")
    agreement = acled_agreement(events, f)
    # The reader's view, rounded (geo.app.viewport): only a view that moved past the rounding changes the layer.
    view = viewport.rounded(st.session_state.get("map"))
    # A filter change fits the view to the data; a new view alone does not (the key names the filters).
    fit = mapview.Fit(hashlib.sha1(fkey.encode()).hexdigest()[:12], events)
    above = 0 if aggregated else aggregate_above()  # the store's aggregates carry no reports to draw one by one
    zoomed = None
    if layer_kind == "Hexagon density":
        size_km = c2.select_slider("Hexagon size (km, centre to corner)", [0.5, 1, 2, 5, 10, 25], value=1, key="hex_km")
        layer = hexagon_layer(conn, db, rev, fkey, events, size_km, view, agreement, fit)
        st.caption("Each hexagon: how many events fall in it (darker: more), coloured by its most frequent type.")
    elif layer_kind == "Heatmap":
        layer = mapview.heat_layer(events, agreement, fit)
        st.caption("Heat: where events are densest (each event counts once, whatever its type).")
    else:
        zoomed = in_view(conn, db, rev, fkey, groups, view) if aggregated else None
        shown = list(zoomed) if zoomed is not None else events
        layer = mapview.event_layer(
            shown, aggregate_above=AGGREGATE_NEVER if zoomed else above, agreement=agreement, fit=fit
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


def publication_problem(published: date | None, today: date) -> str | None:
    """Why a publication date from the form cannot be used, or None."""
    if published is None:
        return (
            "Give the publication date: the article's relative dates ('on Wednesday', 'yesterday') are "
            "counted from it. Nothing was added."
        )
    if not EARLIEST_PUBLISHED <= published <= today:
        return (
            f"The publication date {published.isoformat()} is outside {EARLIEST_PUBLISHED.isoformat()} to "
            f"{today.isoformat()}; correct it. Nothing was added."
        )
    return None


def render_upload(conn, res) -> None:
    st.subheader("Add your own articles")
    st.caption(
        "Paste a text or upload .txt files. The article is processed and saved in the store; "
        "HTML is removed and shown as blanks. The same text twice is recognised and not added again."
    )
    with st.form("upload", clear_on_submit=False):
        text = st.text_area("Article text", height=180, key="paste")
        files = st.file_uploader("…or .txt files", type=["txt"], accept_multiple_files=True, key="files")
        c1, c2, c3 = st.columns(3)
        title = c1.text_input("Title", key="up_title")
        outlet = c2.text_input("Outlet", key="up_outlet")
        # Streamlit's default range is ten years either side of today: news archives go back further.
        published = c3.date_input(
            "Publication date",
            value=None,
            min_value=EARLIEST_PUBLISHED,
            max_value=date.today(),
            key="up_date",
            format="YYYY-MM-DD",
        )
        url = st.text_input("URL (optional)", key="up_url")
        submitted = st.form_submit_button("Process and add")
    if not submitted:
        return
    meta = {
        "title": title or None,
        "outlet": outlet or None,
        "url": url or None,
        "published": published,
        "latest": latest_published(date.today()),
    }
    inputs = [("pasted text", None, text)] if text.strip() else []
    inputs += [(f.name, f.getvalue(), None) for f in files or []]
    if not inputs:
        st.error("Nothing to add: paste a text or choose a .txt file.")
        return
    problem = publication_problem(published, date.today())
    if problem:
        st.error(problem)  # before anything is extracted or stored
        return
    added = 0
    for name, data, pasted in inputs:
        try:
            result = extract_and_store(conn, res, name, data, pasted, meta)
        except ClashmapError as exc:
            message = str(exc)
            # Flashed, not shown: the rerun that shows an added file would wipe a refusal shown now.
            flash("error", md(message if message.startswith(f"{name}:") else f"{name}: {message}"))
            continue
        added += 1
        events = sum(m.is_event for m in result.mentions)
        flash(
            "success",
            f"Added {md(name)} as {md(result.article.title or result.article.doc_id)}: "
            f"{len(result.mentions)} place mentions, {events} events.",
        )
        for w in result.warnings:
            if "unresolved place name" not in w:
                flash("warning", md(w))
    if added:
        st.rerun()
    show_flash()  # nothing added: the refusals, here and now


@st.cache_resource(show_spinner=False)
def extraction_worker() -> Worker:
    """The server's one extraction process, shared by every session."""
    return Worker()


def extract_and_store(conn, res, name: str, data: bytes | None, pasted: str | None, meta: dict):
    """Extract one paste or upload in the worker process (within the time budget), then store it.

    A text already stored is refused before it is extracted.
    """
    text, warnings = store.upload_text(name, data, pasted)
    store.refuse_stored(conn, text)
    budget = budget_seconds()
    worker = extraction_worker()
    wait = " (after another reader's article)" if worker.busy() else ""
    with st.spinner(f"Finding places and events in {md(name)}{wait}, for at most {budget:g} s…"):
        result, sha = worker.run(extract_upload, res, name, None, text, meta, warnings, budget=budget)
    store.add_results(conn, [(result, sha)], res.gazetteer)
    return result


def render_unresolved(conn, res, problems) -> None:
    st.subheader("Names the extractor could not place")
    unresolved = store.unresolved_frame(conn)
    if unresolved.empty:
        st.success("Every place name found in the stored articles is in the gazetteer.")
    else:
        st.dataframe(unresolved, hide_index=True, width="stretch")
    render_lookup(unresolved)
    user_csv = store.user_gazetteer_path()
    st.subheader("Add a place to your gazetteer")
    st.caption(
        f"Saved to {md(user_csv)} (same columns as the curated gazetteer); "
        "every coordinate needs its source. Stored articles are then processed again."
    )
    with st.form("add_place"):
        c1, c2 = st.columns(2)
        default = unresolved["surface"].iloc[0] if not unresolved.empty else ""
        name = c1.text_input("Name", value=default, key="gz_name")
        aliases = c2.text_input("Aliases (separated by |)", key="gz_aliases")
        c3, c4, c5 = st.columns(3)
        kind = c3.selectbox("Kind", PLACE_KINDS, index=PLACE_KINDS.index("neighbourhood"), key="gz_kind")
        lat = c4.number_input("Latitude (WGS84)", value=None, format="%.5f", key="gz_lat")
        lon = c5.number_input("Longitude (WGS84)", value=None, format="%.5f", key="gz_lon")
        c6, c7 = st.columns(2)
        parent = c6.text_input("Parent id", value="damascus", key="gz_parent")
        source = c7.text_input("Source of the coordinate (URL or reference)", key="gz_source")
        note = st.text_input("Note", key="gz_note")
        submitted = st.form_submit_button("Add place and re-run extraction")
    rerun = st.button("Re-run extraction over stored articles", key="reextract")
    if submitted:
        row = {
            "id": store.slug(name),
            "name": name,
            "aliases": aliases,
            "kind": kind,
            "parent": parent,
            "lat": lat,  # None (empty) or a number; 0 is a number
            "lon": lon,
            "source": source,
            "note": note,
        }
        try:
            place = store.add_user_place(user_csv, row, res.gazetteer)
        except ClashmapError as exc:
            st.error(md(exc))
            return
        rerun_extraction(conn, f"Added {md(place.name)} ({place.lat}, {place.lon}) to {md(user_csv)}.")
    elif rerun:
        rerun_extraction(conn, "")
    render_user_rows(conn, res, problems, user_csv)


def rerun_extraction(conn, done: str) -> None:
    """Extract every stored article again with the gazetteer as it now is, then show the new data."""
    resources.clear()
    new_res, _ = current_resources()
    if done:
        flash("success", done)
    try:
        n = store.reextract(conn, new_res)
    except store.StoreError as exc:
        show_flash()
        st.error(f"Extraction was not re-run: {md(exc)}")
        return
    flash("success", f"Extraction re-run over the stored articles: {n} place mentions.")
    st.rerun()


def render_user_rows(conn, res, problems, user_csv) -> None:
    """The reader's own gazetteer, rows that did not load first: choose one to fix or remove it."""
    try:
        rows = store.read_user_rows(user_csv)
    except ClashmapError as exc:
        st.error(md(exc))
        return
    if not rows:
        return
    st.subheader("Your gazetteer")
    bad = {p.index: p.problem for p in problems if 0 <= p.index < len(rows)}
    if bad:
        list_bad_rows(rows, bad, user_csv)
    order = sorted(range(len(rows)), key=lambda i: (i not in bad, i))
    label = {
        i: f"{i + 1}. {r.values.get('name') or r.values.get('id') or '(no name)'}"
        + (" (not loaded)" if i in bad else "")
        for i, r in enumerate(rows)
    }
    i = st.selectbox("Row", order, format_func=label.get, key="ug_row")
    if i in bad:
        st.caption(f"Not loaded: {md(bad[i])}")
    edit_user_row(conn, res, user_csv, i, rows[i])


def list_bad_rows(rows, bad: dict[int, str], user_csv) -> None:
    st.warning(
        f"{len(bad)} of {len(rows)} rows of {md(user_csv)} are not loaded (the others are). "
        "Choose one below to fix or remove it."
    )
    table = [
        {"row": i + 1, "id": rows[i].values.get("id", ""), "name": rows[i].values.get("name", ""), "problem": why}
        for i, why in sorted(bad.items())
    ]
    st.dataframe(table, hide_index=True, width="stretch")


def edit_user_row(conn, res, user_csv, i: int, row) -> None:
    """A form with one row's fields: save it (checked as loading would check it) or delete it."""
    if row.extra:
        st.caption(f"Fields beyond the last column (dropped when you save): {md(', '.join(row.extra))}")
    # The row's content is part of the widget keys, so a changed file never shows stale values.
    tag = hashlib.sha1(repr(sorted(row.values.items())).encode()).hexdigest()[:8]
    with st.form(f"ug_edit_{tag}"):
        columns = st.columns(3)
        values = {
            c: columns[n % 3].text_input(c, value=row.values.get(c, ""), key=f"ug_{tag}_{c}")
            for n, c in enumerate(GAZETTEER_COLUMNS)
        }
        save = st.form_submit_button("Save row and re-run extraction")
        delete = st.form_submit_button("Delete row and re-run extraction")
    if not (save or delete):
        return
    try:
        if save:
            store.replace_user_row(user_csv, i, row.values, values, res.gazetteer)
        else:
            store.delete_user_row(user_csv, i, row.values)
    except ClashmapError as exc:
        st.error(md(exc))
        return
    what = "Saved" if save else "Deleted"
    rerun_extraction(conn, f"{what} row {i + 1} ({md(values['name'] or values['id'])}) of {md(user_csv)}.")


def render_lookup(unresolved) -> None:
    """Coordinate suggestions from a Nominatim server (needs the network; never written without the reader)."""
    with st.expander("Look up coordinates (needs the internet)"):
        default = unresolved["surface"].iloc[0] if not unresolved.empty else ""
        name = st.text_input("Place name", value=default, key="lookup_name")
        if st.button("Suggest coordinates", key="lookup") and name.strip():
            try:
                found = geocoder().suggest(name)
            except ClashmapError as exc:
                st.warning(md(exc))
                return
            if not found:
                st.info(f"No match for {md(name)} in Syria.")
                return
            st.caption("Candidates to check; copy the coordinates and the source into the form below.")
            st.dataframe([vars(s) for s in found], hide_index=True, width="stretch")


@st.cache_resource(show_spinner=False)
def geocoder():
    # A closed network can point this at its own Nominatim server.
    domain = os.environ.get("CLASHMAP_NOMINATIM", "nominatim.openstreetmap.org")
    scheme = "http" if domain.startswith(("127.", "localhost")) else "https"
    return Geocoder(domain=domain, scheme=scheme)


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


def sync_acled() -> None:
    """Read the ACLED file the reader chose (before the map is drawn, so the map shows it in this run).

    Only while its tab is open: on another tab the uploader is not on the page, and Streamlit forgets
    its file after the first run without it (the map's view reports rerun the page), which is not the
    reader removing it.
    """
    if st.session_state.get("tab", TABS[0]) != "Compare with ACLED":
        return
    upload = st.session_state.get("acled_file")
    if upload is None:
        st.session_state.update(acled=None, acled_problems=[], acled_name=None, acled_error=None)
        return
    if st.session_state.get("acled_name") == (upload.name, upload.size):
        return
    try:
        loaded, problems = acled.read_acled_csv(upload.getvalue(), upload.name)
    except ClashmapError as exc:
        st.session_state.update(acled=None, acled_problems=[], acled_error=str(exc))
    else:
        st.session_state.update(acled=loaded, acled_problems=problems, acled_error=None)
    st.session_state["acled_name"] = (upload.name, upload.size)


def acled_in_view(f: dict) -> list:
    """The ACLED events the reader loaded, within the filters' dates and types."""
    loaded = st.session_state.get("acled") or []
    start, end = f.get("start"), f.get("end")
    return [
        a
        for a in loaded
        if (start is None or a.date >= start.isoformat())
        and (end is None or a.date <= end.isoformat())
        and (not f.get("event_types") or a.event_type in f["event_types"])
    ]


def acled_agreement(events: list, f: dict):
    """How the loaded ACLED events and the shown extracted ones agree, or None when none are loaded."""
    if not st.session_state.get("acled"):
        return None
    km, days = st.session_state.get("acled_km", acled.AGREE_KM), st.session_state.get("acled_days", acled.AGREE_DAYS)
    return acled.compare(events, acled_in_view(f), km=km, days=days)


def render_acled(events: list, f: dict) -> None:
    st.subheader("Bring your own data: an ACLED export beside the extracted events")
    st.caption(
        "Load a CSV exported from ACLED (columns event_date, event_type, latitude, longitude, ...). Its events "
        "appear on the map as outlined circles; an ACLED event and an extracted one agree when they are of the "
        "same type, within the distance and the days below. Nothing is stored: the file stays in this session."
    )
    upload = st.file_uploader("ACLED CSV export", type=["csv"], key="acled_file")
    c1, c2 = st.columns(2)
    c1.number_input("Within (km)", 0.5, 50.0, acled.AGREE_KM, 0.5, key="acled_km")
    c2.number_input("Within (days)", 0, 7, acled.AGREE_DAYS, 1, key="acled_days")
    if upload is not None and st.session_state.get("acled_error"):
        st.error(md(st.session_state["acled_error"]))
    problems = st.session_state.get("acled_problems") or []
    if upload is not None and st.session_state.get("acled") == []:  # read, but not one event in it
        why = f"all {len(problems):,} rows were left out (listed below)" if problems else "it holds no rows"
        st.warning(f"{md(upload.name)}: no event could be read: {why}; check that it is an ACLED export")
    if problems:
        with st.expander(f"{len(problems)} row(s) of the file could not be read (left out)"):
            more = [f"... and {len(problems) - 500:,} more"] if len(problems) > 500 else []
            st.text("\n".join(problems[:500] + more))
    if not st.session_state.get("acled"):
        return
    result = acled_agreement(events, f)
    m1, m2, m3 = st.columns(3)
    m1.metric("Agree", len(result.both))
    m2.metric("Only extracted", len(result.only_extracted))
    m3.metric("Only ACLED", len(result.only_acled))
    st.markdown("**Where both report an event**")
    st.dataframe(
        [
            {
                "extracted": f"{o.place}, {o.date}",
                "ACLED": f"{a.location or ''}, {a.date}",
                "type": o.event_type,
                "km apart": km,
                "days apart": d,
                "ACLED id": a.event_id,
            }
            for o, a, km, d in result.both
        ],
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Only ACLED reports**")
    st.dataframe(
        [{"date": a.date, "type": a.event_type, "location": a.location, "notes": a.notes} for a in result.only_acled],
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Only the extracted events report**")
    st.dataframe(
        [{"date": e.date, "type": e.event_type, "place": e.place} for e in result.only_extracted],
        hide_index=True,
        width="stretch",
    )


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
TABS = ["Map", "Table and chart", "Places", "Article", "Add articles", "Unplaced names", "Compare with ACLED"]


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
    sync_acled()
    draw = {
        "Map": lambda: render_map(conn, db, rev, fkey, events, groups, f, aggregated=small is None),
        "Table and chart": lambda: render_table_chart(
            conn, db, rev, fkey, groups, view_counts(conn, db, rev, fkey)["reports"]
        ),
        "Places": lambda: render_places(conn, db, rev, fkey, groups, small),
        "Article": lambda: render_article(conn),
        "Add articles": lambda: render_upload(conn, res),
        "Unplaced names": lambda: render_unresolved(conn, res, problems),
        "Compare with ACLED": lambda: render_acled(events, f),
    }
    # Only the open tab is built (a switch reruns the page): the first load builds the map alone.
    for tab, label in zip(st.tabs(TABS, key="tab", on_change="rerun"), TABS):
        if tab.open:
            with tab:
                draw[label]()
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
