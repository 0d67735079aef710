"""Coordinate suggestions for names the gazetteer lacks, from a Nominatim server.

Used when a reader adds a place to the user gazetteer: the suggestions are
candidates to check, never written without the reader's choice, and each
carries its source (the OpenStreetMap object). Public Nominatim allows at most
one request per second and needs an identifying user agent; results are cached
so a name is asked for once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geopy import exc as geopy_exc
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from ..errors import GeocodeError

USER_AGENT = "clashmap/0.1 (conflict event mapping; gazetteer curation)"
_log = logging.getLogger(__name__)

_TIMED_OUT = "{domain} did not answer within {timeout:g} seconds"

#: What each geopy failure means for the reader, in a sentence: (type, words in the library's
#: text or "", sentence); the first match wins. The library's own text (a urllib3 pool, a URL,
#: an errno) goes to the log, not to the page.
FAILURES: tuple[tuple[type[Exception], str, str], ...] = (
    (geopy_exc.GeocoderTimedOut, "", _TIMED_OUT),
    (geopy_exc.GeocoderUnavailable, "timed out", _TIMED_OUT),  # a timeout after retries, as requests reports it
    (
        geopy_exc.GeocoderUnavailable,
        "",
        "{domain} could not be reached: this computer may be offline, or the service may be down",
    ),
    (geopy_exc.GeocoderRateLimited, "", "{domain} asks for fewer look-ups: wait a minute before the next one"),
    (geopy_exc.GeocoderQuotaExceeded, "", "{domain} allows no more look-ups today"),
    (geopy_exc.GeocoderAuthenticationFailure, "", "{domain} refused the request"),
    (geopy_exc.GeocoderInsufficientPrivileges, "", "{domain} refused the request"),
    (geopy_exc.GeocoderParseError, "", "{domain} answered with something that is not a list of places"),
    (geopy_exc.GeocoderServiceError, "", "{domain} answered with an error"),
    (geopy_exc.GeopyError, "", "the look-up at {domain} failed"),
)


@dataclass(frozen=True)
class Suggestion:
    """A candidate coordinate for a place name, with where it comes from."""

    name: str
    lat: float
    lon: float
    kind: str
    source: str


class Geocoder:
    """Ask a Nominatim server for a name's coordinates (rate-limited, cached).

    Parameters
    ----------
    domain, scheme:
        The server; tests point these at a local server on 127.0.0.1.
    country_codes:
        Restrict results to these ISO countries ("sy" for Syria); None for all.
    min_delay_seconds:
        At least this long between requests (Nominatim's policy: 1 s).
    """

    def __init__(
        self,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        user_agent: str = USER_AGENT,
        country_codes: str | None = "sy",
        min_delay_seconds: float = 1.0,
        timeout: float = 10.0,
    ):
        self._geocoder = Nominatim(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout)
        self._geocode = RateLimiter(
            self._geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )
        self.country_codes = country_codes
        self._cache: dict[tuple[str, int], list[Suggestion]] = {}

    def suggest(self, name: str, limit: int = 5) -> list[Suggestion]:
        """Candidate coordinates for `name`, best first; [] when nothing is known.

        Raises
        ------
        GeocodeError
            When the server cannot be reached or answers with an error.
        """
        name = " ".join(name.split())
        if not name:
            return []
        key = (name.lower(), limit)
        if key in self._cache:
            return self._cache[key]
        try:
            found = self._geocode(name, exactly_one=False, limit=limit, country_codes=self.country_codes)
        except geopy_exc.GeopyError as exc:
            _log.info("look-up of %r failed: %s: %s", name, type(exc).__name__, exc)
            raise GeocodeError(self._explain(exc, name)) from None
        out = [self._suggestion(loc) for loc in found or []]
        self._cache[key] = out
        return out

    def _explain(self, exc: Exception, name: str) -> str:
        """One sentence for the page: what went wrong, and what to do instead."""
        why = next(text for kind, words, text in FAILURES if isinstance(exc, kind) and words in str(exc))
        why = why.format(domain=self._geocoder.domain, timeout=self._geocoder.timeout)
        return f"Could not look up {name!r}: {why}. Enter the coordinates and their source by hand."

    @staticmethod
    def _suggestion(location) -> Suggestion:
        raw = location.raw or {}
        osm_type, osm_id = raw.get("osm_type"), raw.get("osm_id")
        source = f"https://www.openstreetmap.org/{osm_type}/{osm_id}" if osm_type and osm_id else "Nominatim"
        kind = "/".join(str(raw[k]) for k in ("class", "type") if raw.get(k)) or "place"
        return Suggestion(location.address, float(location.latitude), float(location.longitude), kind, source)
