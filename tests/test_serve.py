"""The launcher `python -m geo.app.serve` (what `./run.sh app` and the browser tests run)."""

import sys

from geo.app import serve
from geo.extract.pipeline import default_resources


def test_serve_without_a_script_prints_usage(capsys):
    assert serve.main([]) == 2
    assert serve.main(["--server.port", "1"]) == 2
    assert "usage: python -m geo.app.serve SCRIPT.py" in capsys.readouterr().err


def test_warm_loads_the_libraries_and_the_places_once():
    default_resources.cache_clear()
    serve.warm()
    assert {"pandas", "folium", "geo.app.mapview"} <= set(sys.modules)
    assert default_resources.cache_info().currsize == 1
    assert default_resources().gazetteer.get("midan") is not None
    assert default_resources() is default_resources()  # one copy per process, shared by every session
