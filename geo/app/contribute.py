"""The reader's own material: the "Add articles" and "Unplaced names" tabs.

Articles pasted or uploaded are extracted in the server's worker process and stored; names the
extractor could not place can be given sourced coordinates in the reader's gazetteer, after which
every stored article is extracted again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import date

import streamlit as st

from geo import store
from geo.app.flash import flash, show_flash
from geo.app.geocode import Geocoder
from geo.app.text import md
from geo.app.worker import Worker, budget_seconds, extract_upload
from geo.errors import ClashmapError
from geo.extract.documents import EARLIEST_PUBLISHED, latest_published
from geo.extract.gazetteer import COLUMNS as GAZETTEER_COLUMNS
from geo.models import PLACE_KINDS


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
    """The "Add articles" tab: a paste or .txt files, extracted in the worker process and stored."""
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


def render_unresolved(conn, res, problems, reload: Callable[[], tuple]) -> None:
    """The "Unplaced names" tab; ``reload()`` loads the gazetteer afresh and returns ``(resources, problems)``."""
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
        rerun_extraction(conn, reload, f"Added {md(place.name)} ({place.lat}, {place.lon}) to {md(user_csv)}.")
    elif rerun:
        rerun_extraction(conn, reload, "")
    render_user_rows(conn, res, problems, user_csv, reload)


def rerun_extraction(conn, reload: Callable[[], tuple], done: str) -> None:
    """Extract every stored article again with the gazetteer as it now is, then show the new data."""
    new_res, _ = reload()
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


def render_user_rows(conn, res, problems, user_csv, reload) -> None:
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
    edit_user_row(conn, res, user_csv, i, rows[i], reload)


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


def edit_user_row(conn, res, user_csv, i: int, row, reload) -> None:
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
    rerun_extraction(conn, reload, f"{what} row {i + 1} ({md(values['name'] or values['id'])}) of {md(user_csv)}.")


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
