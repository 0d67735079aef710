"""The geocoder against a local Nominatim-like server on 127.0.0.1 (no network)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from geo.app.geocode import USER_AGENT, GeocodeError, Geocoder

ANSWER = [
    {
        "place_id": 1,
        "osm_type": "node",
        "osm_id": 123456,
        "lat": "33.4977",
        "lon": "36.3142",
        "display_name": "Jdeidet Yabous, Rif Dimashq, Syria",
        "class": "place",
        "type": "village",
    }
]


class Handler(BaseHTTPRequestHandler):
    requests: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        Handler.requests.append((url.path, parse_qs(url.query), self.headers.get("User-Agent")))
        query = parse_qs(url.query).get("q", [""])[0]
        if query == "boom":
            self.send_response(500)
            self.end_headers()
            return
        if query == "slow":  # longer than the client waits; it has gone when this returns
            time.sleep(1.5)
            return
        if query == "portal":  # a captive portal's page instead of JSON
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>log in first</html>")
            return
        body = json.dumps(ANSWER if query.startswith("Jdeidet") else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_suggestions_with_source_and_polite_request(server):
    geo = Geocoder(domain=server, scheme="http", min_delay_seconds=0)
    (s,) = geo.suggest("Jdeidet Yabous")
    assert (s.lat, s.lon) == (33.4977, 36.3142)
    assert s.source == "https://www.openstreetmap.org/node/123456"
    assert s.kind == "place/village"
    path, query, agent = Handler.requests[0]
    assert path == "/search" and query["q"] == ["Jdeidet Yabous"] and query["countrycodes"] == ["sy"]
    assert agent == USER_AGENT


def test_results_are_cached(server):
    geo = Geocoder(domain=server, scheme="http", min_delay_seconds=0)
    geo.suggest("Jdeidet Yabous")
    geo.suggest("Jdeidet  Yabous")
    assert len(Handler.requests) == 1


def test_unknown_name_and_empty_input(server):
    geo = Geocoder(domain=server, scheme="http", min_delay_seconds=0)
    assert geo.suggest("Nowhere at all") == []
    assert geo.suggest("   ") == []


def test_server_error_is_a_clear_message(server):
    geo = Geocoder(domain=server, scheme="http", min_delay_seconds=0)
    with pytest.raises(GeocodeError, match="Enter the coordinates and their source by hand"):
        geo.suggest("boom")


LIBRARY_WORDS = ("Pool", "urllib3", "Max retries", "Errno", "Caused by", "/search?", "Geocoder")


def test_unreachable_server_is_one_sentence():
    geo = Geocoder(domain="127.0.0.1:9", scheme="http", min_delay_seconds=0, timeout=2)
    with pytest.raises(GeocodeError) as err:
        geo.suggest("Jdeidet Yabous")
    message = str(err.value)
    assert message == (
        "Could not look up 'Jdeidet Yabous': 127.0.0.1:9 could not be reached: this computer may be offline, "
        "or the service may be down. Enter the coordinates and their source by hand."
    )


@pytest.mark.parametrize(
    "query, why",
    [("boom", "answered with an error"), ("slow", "did not answer within 0.5 seconds"), ("portal", "not a list")],
)
def test_server_faults_are_sentences_without_library_text(server, query, why):
    geo = Geocoder(domain=server, scheme="http", min_delay_seconds=0, timeout=0.5)
    with pytest.raises(GeocodeError, match=why) as err:
        geo.suggest(query)
    assert not [w for w in LIBRARY_WORDS if w in str(err.value)], str(err.value)
