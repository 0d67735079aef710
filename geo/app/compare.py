"""The "Compare with ACLED" tab: an ACLED export the reader loads, beside the extracted events.

The file stays in the session (nothing is stored); the map draws it as outlined circles.
"""

from __future__ import annotations

import streamlit as st

from geo.app import acled
from geo.app.text import md
from geo.errors import ClashmapError

#: The tab's label (the page's ``tab`` key holds the open one).
TAB = "Compare with ACLED"


def sync_acled() -> None:
    """Read the ACLED file the reader chose (before the map is drawn, so the map shows it in this run).

    Only while its tab is open: on another tab the uploader is not on the page, and Streamlit forgets
    its file after the first run without it (the map's view reports rerun the page), which is not the
    reader removing it.
    """
    if st.session_state.get("tab") != TAB:
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


def acled_agreement(events: list, f: dict, key: tuple = ()):
    """How the loaded ACLED events and the shown extracted ones agree, or None when none are loaded.

    Kept for the session per ``key`` (the filters and the store's revision, which decide ``events``),
    the file and the tolerances: with thousands of rows, pairing them anew on every pan costs seconds.
    """
    if not st.session_state.get("acled"):
        return None
    km, days = st.session_state.get("acled_km", acled.AGREE_KM), st.session_state.get("acled_days", acled.AGREE_DAYS)
    asked = (key, st.session_state.get("acled_name"), km, days)
    kept = st.session_state.get("acled_agreement")
    if key and kept and kept[0] == asked:
        return kept[1]
    result = acled.compare(events, acled_in_view(f), km=km, days=days)
    if key:
        st.session_state["acled_agreement"] = (asked, result)
    return result


def render_acled(events: list, f: dict, key: tuple = ()) -> None:
    """The tab: the file, the agreement's settings and tables of what agrees and what does not."""
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
    result = acled_agreement(events, f, key)
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
