"""The page, driven through streamlit.testing.v1.AppTest with a temporary store."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASHMAP_DB", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("CLASHMAP_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    at = AppTest.from_file(APP, default_timeout=60)
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


def test_paste_article_with_script_and_no_date(app):
    app.text_area(key="paste").input(
        "<script>alert('x')</script><img src=x onerror=alert(1)> Clashes erupted in Tadamon on Monday."
    )
    app.text_input(key="up_title").input("<b>Bold</b> title")
    form_button = next(b for b in app.get("button") if b.proto.label == "Process and add")
    form_button.click().run()
    assert not app.exception
    assert any("Added" in s.value for s in app.success)
    assert any("no publication date" in w.value for w in app.warning)
    assert any("HTML tags" in w.value for w in app.warning)
    # the same text again is recognised
    app.text_area(key="paste").input(
        "<script>alert('x')</script><img src=x onerror=alert(1)> Clashes erupted in Tadamon on Monday."
    )
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("already in the store" in e.value for e in app.error)


def test_empty_submission_is_an_error(app):
    next(b for b in app.get("button") if b.proto.label == "Process and add").click().run()
    assert any("Nothing to add" in e.value for e in app.error)
    assert summary(app).startswith("**30** events")


def test_article_view_escapes_text(app):
    html = app.get("html")
    assert html and "<mark" in html[0].proto.body and "<script" not in html[0].proto.body


def test_add_place_validates(app):
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
        at.text_input(key="lookup_name").set_value("Jdeidet Yabous")
        at.button(key="lookup").click().run()
        assert not at.exception
        frames = [d.value for d in at.dataframe]
        assert any("openstreetmap.org/node/123456" in str(f) for f in frames)
    finally:
        httpd.shutdown()
