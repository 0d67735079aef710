"""The page, driven through streamlit.testing.v1.AppTest with a temporary store."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.extract.gazetteer import COLUMNS

from .test_store import FIXES, STORE_FAULTS, _seeded_store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASHMAP_DB", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at, label: str) -> AppTest:
    """Open one of the page's tabs (only the open tab is built) and run the page."""
    at.session_state["tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_args(at) -> dict:
    comps = at.get("component_instance")
    assert len(comps) == 1
    return json.loads(comps[0].proto.json_args)


def markers(at) -> int:
    """Event markers in the feature group sent to the map."""
    return map_args(at)["feature_group"].count('"tip"')


def summary(at) -> str:
    return next(m.value for m in at.markdown if "places, from" in m.value)


def test_page_loads_seeds(app, tmp_path):
    assert (tmp_path / "db.sqlite").exists()
    assert summary(app).startswith("**30** events at **19** places, from **3** articles")
    assert markers(app) == 30
    assert not app.error


def test_base_map_script_stays_the_same_when_filtering(app):
    before = map_args(app)["script"]
    app.sidebar.multiselect(key="types").select("Battles").run()
    assert map_args(app)["script"] == before
    assert markers(app) < 30


def test_date_range_changes_markers(app):
    app.sidebar.slider(key="dates").set_value((date(2012, 7, 18), date(2012, 7, 18))).run()
    app.sidebar.checkbox(key="undated").uncheck().run()
    args = map_args(app)
    assert '"2012-07-16"' not in args["feature_group"] and '"2012-07-18"' in args["feature_group"]
    assert 0 < markers(app) < 30


def test_filters_reach_the_exports(app, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    # Keep what the page hands Streamlit's (real, in-memory) media storage for each download.
    sent: dict[str, tuple[str, bytes]] = {}
    store_file = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        sent[filename] = (mimetype, data)
        return store_file(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    app.sidebar.multiselect(key="types").select("Battles").run()
    assert not sent  # nothing is built before the reader asks
    open_tab(app, "Table and chart")
    app.sidebar.button(key="dl_prepare").click().run()
    table = app.dataframe[0].value
    assert set(table["type"]) == {"Battles"}
    mime, data = sent["clashmap.geojson"]
    features = json.loads(data)["features"]
    assert mime == "application/geo+json" and len(features) == len(table)
    assert {f["properties"]["event_type"] for f in features} == {"Battles"}
    mime, data = sent["clashmap.csv"]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert mime == "text/csv" and len(rows) == len(table)
    assert {r["event_type"] for r in rows} == {"Battles"} and all(r["latitude"] for r in rows)


def test_all_mentions_mode(app):
    app.sidebar.radio(key="show").set_value("All place mentions").run()
    assert "place mentions at" in summary(app)
    assert markers(app) > 30


def test_paste_article_with_script(app):
    open_tab(app, "Add articles")
    app.text_area(key="paste").input(
        "<script>alert('x')</script><img src=x onerror=alert(1)> Clashes erupted in Tadamon on Monday."
    )
    app.text_input(key="up_title").input("<b>Bold</b> title")
    app.date_input(key="up_date").set_value(date(2012, 7, 17))
    form_button = next(b for b in app.get("button") if b.proto.label == "Process and add")
    form_button.click().run()
    assert not app.exception
    assert any("Added" in s.value for s in app.success)
    assert any("HTML tags" in w.value for w in app.warning)
    # the same text again is recognised
    app.text_area(key="paste").input(
        "<script>alert('x')</script><img src=x onerror=alert(1)> Clashes erupted in Tadamon on Monday."
    )
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("already in the store" in e.value for e in app.error)


def test_a_2012_article_is_dated_and_a_missing_date_refused(app):
    open_tab(app, "Add articles")
    widget = app.date_input(key="up_date")
    assert (widget.min, widget.max) == (date(1900, 1, 1), date.today())  # not Streamlit's ten years either side
    app.text_area(key="paste").input("Government forces shelled Qaboun on Wednesday, activists said.")
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("Give the publication date" in e.value and "Nothing was added" in e.value for e in app.error)
    assert summary(app).startswith("**30** events") and not [s for s in app.success if "Added" in s.value]
    app.date_input(key="up_date").set_value(date(2012, 7, 20))
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("Added pasted text" in s.value for s in app.success)
    open_tab(app, "Map")
    app.sidebar.checkbox(key="undated").uncheck().run()
    assert "Qaboun" in map_args(app)["feature_group"] and '"2012-07-18"' in map_args(app)["feature_group"]


def test_empty_submission_is_an_error(app):
    open_tab(app, "Add articles")
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("Nothing to add" in e.value for e in app.error)
    assert summary(app).startswith("**30** events")


def test_article_view_escapes_text(app):
    open_tab(app, "Article")
    html = app.get("html")
    assert html and "<mark" in html[0].proto.body and "<script" not in html[0].proto.body


def test_add_place_validates(app):
    open_tab(app, "Unplaced names")
    next(b for b in app.get("button") if b.proto.label == "Add place and re-run extraction").click().run()
    assert any("cannot add the place" in e.value for e in app.error)


def test_coordinate_lookup_against_a_local_server(tmp_path, monkeypatch):
    """The 'Look up coordinates' helper, with geopy pointed at a Nominatim stand-in on 127.0.0.1."""
    import threading
    from http.server import ThreadingHTTPServer

    from .test_geocode import Handler

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("CLASHMAP_DB", str(tmp_path / "db.sqlite"))
        monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user.csv"))
        monkeypatch.setenv("CLASHMAP_NOMINATIM", f"127.0.0.1:{httpd.server_address[1]}")
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        open_tab(at, "Unplaced names")
        at.text_input(key="lookup_name").set_value("Jdeidet Yabous")
        at.button(key="lookup").click().run()
        assert not at.exception
        frames = [d.value for d in at.dataframe]
        assert any("openstreetmap.org/node/123456" in str(f) for f in frames)
    finally:
        httpd.shutdown()


def test_a_paste_over_the_time_budget_is_stopped_with_a_message(app, monkeypatch):
    """The issue's case (one sentence and 60,000 dots), made longer so it overruns a tiny budget."""
    from .conftest import SEEDS

    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    monkeypatch.setenv("CLASHMAP_EXTRACT_SECONDS", "0.5")
    open_tab(app, "Add articles")
    app.text_area(key="paste").input("Clashes erupted in Tadamon on Monday " + "." * 60_000 + " " + seed * 400)
    app.date_input(key="up_date").set_value(date(2012, 7, 17))
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert not app.exception
    from .test_app_text import shown

    (error,) = [shown(e.value) for e in app.error]
    assert error.startswith("pasted text: finding places and events took longer than the 0.5 s allowed")
    assert "nothing was stored; split the text" in error
    assert not [s for s in app.success if "Added" in s.value]
    assert summary(app).startswith("**30** events at **19** places, from **3** articles")


def test_warnings_with_a_hostile_file_name_are_escaped(app, tmp_path, res):
    """A latin-1 file whose name is Markdown: the Article tab shows its warning as text."""
    from geo import store
    from geo.app.text import md

    name = "![x](https:evil.example) [click](javascript:alert(1)).txt"
    data = "Clashes erupted in Tadamon on Monday near the caf\xe9.".encode("latin-1")
    conn = store.connect(tmp_path / "db.sqlite")
    result = store.ingest_bytes(conn, data, name, res, title="Hostile name")
    conn.close()
    open_tab(app, "Article")
    app.selectbox(key="article_view").set_value(result.article.doc_id).run()
    warned = [w.value for w in app.warning if "evil" in w.value]
    assert warned and all(md(name) in w for w in warned), warned


# --- store faults and the user gazetteer, through the page -----------------------------------


def _page(tmp_path, monkeypatch, **env) -> AppTest:
    monkeypatch.setenv("CLASHMAP_DB", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """A message as the reader sees it: the page escapes Markdown characters with backslashes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _click(at, label: str):
    next(b for b in at.get("button") if b.proto.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("fault", list(STORE_FAULTS))
def test_store_faults_are_shown_as_a_message(tmp_path, monkeypatch, res, fault):
    damage, what = STORE_FAULTS[fault]
    damage(tmp_path / "db.sqlite", res)
    at = _page(tmp_path, monkeypatch)
    errors = [plain(e.value) for e in at.error]
    assert any(re.search(what, e) and re.search(FIXES, e) for e in errors), errors


def test_read_only_store_is_shown_and_refuses_writes_with_a_message(tmp_path, monkeypatch, res):
    path = _seeded_store(tmp_path / "db.sqlite", res)
    before = path.read_bytes()
    at = _page(tmp_path, monkeypatch, CLASHMAP_DB_READONLY="1")
    assert summary(at).startswith("**30** events") and not at.error
    open_tab(at, "Add articles")
    at.text_area(key="paste").input("Clashes erupted in Tadamon on Monday, residents said.")
    at.date_input(key="up_date").set_value(date(2012, 7, 17))
    _click(at, "Process and add")
    assert any("is read-only" in plain(e.value) for e in at.error), [e.value for e in at.error]
    open_tab(at, "Unplaced names")
    _click(at, "Re-run extraction over stored articles")
    assert any("Extraction was not re-run" in e.value and "writable" in e.value for e in at.error)
    assert path.read_bytes() == before


def test_bad_user_gazetteer_rows_are_listed_and_fixed_in_the_page(tmp_path, monkeypatch):
    user = tmp_path / "user_gazetteer.csv"
    user.write_text(
        ",".join(COLUMNS) + "\n"
        "bab-nowhere,Bab Nowhere,,neighbourhood,damascus,10,10,test,,\n"
        "good-one,Good One,,neighbourhood,damascus,33.5,36.3,test,,\n"
    )
    at = _page(tmp_path, monkeypatch)
    assert any("1 row(s) of your gazetteer" in w.value for w in at.warning)
    open_tab(at, "Unplaced names")
    assert any("1 of 2 rows" in w.value for w in at.warning)
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert "3746 km from its parent" in problems["problem"].iloc[0]
    assert at.selectbox(key="ug_row").value == 0  # the row that did not load comes first
    next(t for t in at.text_input if t.label == "lat").input("33.52")
    next(t for t in at.text_input if t.label == "lon").input("36.28")
    _click(at, "Save row and re-run extraction")
    assert not [w for w in at.warning if "not loaded" in w.value]
    assert any("Saved row 1" in s.value for s in at.success)
    assert "bab-nowhere" in user.read_text() and "33.52" in user.read_text()
    at.selectbox(key="ug_row").set_value(1).run()
    _click(at, "Delete row and re-run extraction")
    assert "good-one" not in user.read_text() and any("Deleted row 2" in s.value for s in at.success)


def test_two_arabic_only_places_are_both_added(app, tmp_path):
    open_tab(app, "Unplaced names")
    for name in ("حي التضامن", "حي الميدان"):
        app.text_input(key="gz_name").input(name)
        app.number_input(key="gz_lat").set_value(33.5)
        app.number_input(key="gz_lon").set_value(36.3)
        app.text_input(key="gz_source").input("test")
        _click(app, "Add place and re-run extraction")
        assert not app.error, [e.value for e in app.error]
    ids = [line.split(",")[0] for line in (tmp_path / "user_gazetteer.csv").read_text().splitlines()[1:]]
    assert len(set(ids)) == 2 and all(i.startswith("place-") for i in ids)


def test_a_place_story_lists_where_outlets_differ(app):
    open_tab(app, "Places")
    app.selectbox(key="story_place").set_value("midan").run()
    assert not app.exception
    told = "\n".join(m.value for m in app.markdown)
    assert "Battles put on different days (2 apart)" in told
    assert "AFP \\(newspaper print\\)" in told and "Financial Times" in told


def _many_events_page(tmp_path, monkeypatch, res) -> tuple[AppTest, list, int]:
    """The page over the seeds and 2,500 generated events (more than it draws one by one), once run.

    Returns the page, the store's event groups and its count of reports, read before the page ran.
    """
    from geo import store
    from geo.store import query as Q
    from geo.tools.appbench import fill

    db = tmp_path / "db.sqlite"
    conn = store.open_store(db, res)
    store.seed(conn, res)
    fill(conn, res.gazetteer, 2500)
    groups = Q.event_groups(conn, {})
    reports = Q.counts(conn, {})["reports"]
    conn.close()
    monkeypatch.setenv("CLASHMAP_DB", str(db))
    monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    return at, groups, reports


def test_many_events_come_from_the_stores_aggregates(tmp_path, monkeypatch, res):
    at, groups, reports = _many_events_page(tmp_path, monkeypatch, res)
    assert not at.exception, [e.value for e in at.exception]
    assert summary(at).startswith(f"**{len(groups):,}** events at **{len({g.place_id for g in groups})}** places")
    assert any("one marker per place" in i.value for i in at.info)
    assert markers(at) == len({g.place_id for g in groups})  # one per place, not one per event
    open_tab(at, "Table and chart")
    table = at.dataframe[0].value
    assert len(table) == 1000 and any(f"The first 1,000 of {reports:,} reports" in c.value for c in at.caption)
    # A place's reports are read only once the reader picks it.
    open_tab(at, "Places")
    assert not any(d.value is not None and "sentence" in d.value.columns for d in at.dataframe[1:])
    at.selectbox(key="story_place_many").set_value(groups[0].place_id).run()
    assert any("sentence" in d.value.columns and len(d.value) > 0 for d in at.dataframe[1:])
    assert not at.exception and any("reported by" in m.value or "one outlet" in m.value for m in at.markdown)


def _view(lat: float, lon: float, half: float, zoom: int) -> dict:
    """The value st_folium returns for a view of the map (its bounds and zoom)."""
    return {
        "bounds": {
            "_southWest": {"lat": lat - half, "lng": lon - half},
            "_northEast": {"lat": lat + half, "lng": lon + half},
        },
        "zoom": zoom,
    }


def test_zooming_in_shows_the_events_in_view_one_by_one_and_an_unmoved_view_changes_nothing(tmp_path, monkeypatch, res):
    at, groups, _ = _many_events_page(tmp_path, monkeypatch, res)
    places = len({g.place_id for g in groups})
    assert markers(at) == places
    fitted = re.search(r'"fit": "([0-9a-f]+)"', map_args(at)["feature_group"]).group(1)

    # The map reports a view around one place, zoomed in: its events, one marker each.
    place = groups[0]
    at.session_state["map"] = _view(place.lat, place.lon, 0.001, 17)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    zoomed = map_args(at)["feature_group"]
    half = 0.001 + 360 / 2**17 / 4  # the view widened to its grid
    inside = [g for g in groups if abs(g.lat - place.lat) <= half and abs(g.lon - place.lon) <= half]
    assert 0 < markers(at) == len(inside) < len(groups)
    assert any("Zoomed in" in i.value for i in at.info)
    # The layer redrawn for a view keeps the filters' fit key: the browser does not move the view again.
    assert f'"fit": "{fitted}"' in zoomed

    # A view moved less than its rounding: the same layer, so the map is not redrawn.
    at.session_state["map"] = _view(place.lat + 0.0001, place.lon - 0.0001, 0.001, 17)
    at.run()
    assert map_args(at)["feature_group"] == zoomed

    # Zoomed out again: one marker per place.
    at.session_state["map"] = _view(place.lat, place.lon, 0.5, 10)
    at.run()
    assert markers(at) == places


def test_the_hexagon_layer_bins_the_events_in_view(tmp_path, monkeypatch, res):
    at, groups, _ = _many_events_page(tmp_path, monkeypatch, res)
    at.radio(key="layer").set_value("Hexagon density").run()
    layer = map_args(at)["feature_group"]
    everything = layer.count('"dominant_type"')
    assert sum(int(n) for n in re.findall(r'"count": (\d+)', layer)) == len(groups)  # each event in one hexagon
    place = groups[0]
    at.session_state["map"] = _view(place.lat, place.lon, 0.01, 15)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert 0 < map_args(at)["feature_group"].count('"dominant_type"') < everything
