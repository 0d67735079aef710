"""The gazetteer: curated place files, validated, indexed for matching.

Rows live in CSV files (``gazetteer/*.csv``) with the columns
``id,name,aliases,kind,parent,lat,lon,source,note,match`` and, optionally,
``default``; ``aliases`` are separated by ``|``. Loading validates every row
and raises one :class:`GazetteerError` naming each bad row's file, line and
problem.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GazetteerError
from ..models import PLACE_KINDS, Place
from .text import fold, place_key, skeleton


def _curated_dir() -> Path:
    # Installed, the CSVs ship inside the package (pyproject.toml maps the top-level
    # gazetteer/ folder to geo/extract/gazetteer_data); in a checkout they are read in place.
    here = Path(__file__).resolve().parent
    installed = here / "gazetteer_data"
    return installed if installed.is_dir() else here.parents[1] / "gazetteer"


#: The curated gazetteer shipped with clashmap.
DEFAULT_GAZETTEER_DIR = _curated_dir()
COLUMNS = ("id", "name", "aliases", "kind", "parent", "lat", "lon", "source", "note", "match")
REQUIRED = ("id", "name", "kind", "lat", "lon", "source")
#: Optional columns: a file without them still loads (user gazetteers are written with COLUMNS only).
#: ``default``: ``yes`` marks the place a name shared with other places means when the text does not say.
OPTIONAL = ("default",)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ABBREVIATION = re.compile(r"^(?:[A-Z]\.?){2,5}$")
#: Kinds whose names vary with transliteration; only these are matched fuzzily.
FUZZY_KINDS = frozenset({"neighbourhood", "camp", "town", "landmark", "mountain"})
#: How far a place may lie from its parent, by the parent's kind (km).
MAX_FROM_PARENT_KM = {"city": 40, "town": 15, "governorate": 250, "region": 250, "country": 5000}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Gazetteer:
    """Places by id, with the look-up tables the matcher needs."""

    places: dict[str, Place]
    by_key: dict[str, tuple[Place, ...]] = field(default_factory=dict)
    abbreviations: dict[str, Place] = field(default_factory=dict)  # "UK" -> Place
    any_case: frozenset[str] = frozenset()  # keys that may match in lower case
    any_case_first: frozenset[str] = frozenset()  # their first words, folded
    prefixes: frozenset[str] = frozenset()
    fuzzy: dict[str, tuple[tuple[str, Place], ...]] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()  # ids matched only after a locative cue
    files: tuple[str, ...] = ()
    _ancestors: dict[str, tuple[Place, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.by_key:
            self._index()

    def __len__(self) -> int:
        return len(self.places)

    def get(self, place_id: str) -> Place | None:
        return self.places.get(place_id)

    def ancestors(self, place: Place) -> tuple[Place, ...]:
        """Parents of a place, nearest first (computed once per place)."""
        cached = self._ancestors.get(place.id)
        if cached is not None:
            return cached
        out, seen, here = [], {place.id}, place
        while here.parent and here.parent in self.places and here.parent not in seen:
            here = self.places[here.parent]
            seen.add(here.id)
            out.append(here)
        self._ancestors[place.id] = tuple(out)
        return self._ancestors[place.id]

    def _index(self) -> None:
        by_key: dict[str, list[Place]] = defaultdict(list)
        any_case: set[str] = set()
        any_case_first: set[str] = set()
        fuzzy: dict[str, list[tuple[str, Place]]] = defaultdict(list)
        ambiguous = set()
        for place in self.places.values():
            if place.needs_cue:
                ambiguous.add(place.id)
            for name in (place.name, *place.aliases):
                if _ABBREVIATION.match(name.strip()):
                    self.abbreviations[name.strip()] = place
                    self.abbreviations[name.strip().replace(".", "")] = place
                    continue
                key = place_key(name)
                if len(key) < 3:
                    continue
                if place not in by_key[key]:
                    by_key[key].append(place)
                words = [w for w in re.split(r"[\s-]+", name) if w.lower() not in ("al", "el")]
                if place.kind == "landmark" and len(words) >= 2:
                    any_case.add(key)
                    any_case_first.add(fold(words[0]))
                if place.kind in FUZZY_KINDS and len(key) >= 5:
                    fuzzy[skeleton(key)].append((key, place))
        self.by_key = {k: tuple(v) for k, v in by_key.items()}
        self.any_case = frozenset(any_case)
        self.any_case_first = frozenset(any_case_first)
        self.prefixes = frozenset(k[:i] for k in self.by_key for i in range(1, len(k) + 1))
        self.fuzzy = {k: tuple(v) for k, v in fuzzy.items()}
        self.ambiguous = frozenset(ambiguous)


def load_gazetteer(paths: Iterable[str | Path] | None = None) -> Gazetteer:
    """Load and validate gazetteer CSV files (default: the curated folder).

    Parameters
    ----------
    paths:
        CSV files or folders of them. Missing optional files (a user gazetteer
        not yet created) are skipped; a missing folder is an error.

    Raises
    ------
    GazetteerError
        Listing every malformed row as ``file:line: problem``.
    """
    files: list[Path] = []
    for raw in [DEFAULT_GAZETTEER_DIR] if paths is None else paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.csv")))
        elif path.is_file():
            files.append(path)
        elif path.suffix != ".csv":
            raise GazetteerError(f"{path}: no such gazetteer file or folder")
    if not files:
        raise GazetteerError(f"no gazetteer CSV files found in {', '.join(map(str, paths or []))}")
    places: dict[str, Place] = {}
    problems: list[str] = []
    for path in files:
        places_in_file, file_problems = read_places(path, places)
        places.update(places_in_file)
        problems.extend(file_problems)
    problems.extend(_check_parents(places))
    if problems:
        shown = "\n  ".join(problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise GazetteerError(f"{len(problems)} problem(s) in the gazetteer:\n  {shown}{more}")
    return Gazetteer(places, files=tuple(str(f) for f in files))


def read_places(path: Path, known: dict[str, Place]) -> tuple[dict[str, Place], list[str]]:
    """Parse one gazetteer CSV, returning its places and the problems found."""
    out: dict[str, Place] = {}
    problems: list[str] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError) as exc:
        return out, [f"{path}: cannot read as UTF-8 CSV ({exc})"]
    with handle:
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            return out, [f"{path}:1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"]
        try:
            for row in reader:
                where = f"{path}:{reader.line_num}"
                place, problem = parse_row(row, where)
                if problem:
                    problems.append(f"{where}: {problem}")
                elif place.id in out or place.id in known:
                    first = (out.get(place.id) or known[place.id]).origin
                    problems.append(f"{where}: duplicate id {place.id!r} (first defined at {first})")
                else:
                    out[place.id] = place
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(f"{path}: malformed CSV ({exc})")
    return out, problems


def parse_row(row: dict[str, str | None], where: str = "") -> tuple[Place | None, str | None]:
    """Validate one row; return the place or a description of what is wrong."""
    get = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in row.items() if k}
    if None in row:
        return None, "too many fields (an unquoted comma?)"
    for column in REQUIRED:
        if not get.get(column):
            hint = " (every coordinate needs its source)" if column == "source" else ""
            return None, f"empty {column}{hint}"
    pid = get["id"]
    if not _ID.match(pid):
        return None, f"id {pid!r} must be lower-case letters, digits and hyphens"
    if get["kind"] not in PLACE_KINDS:
        return None, f"kind {get['kind']!r} is not one of {', '.join(PLACE_KINDS)}"
    try:
        lat, lon = float(get["lat"]), float(get["lon"])
    except ValueError:
        return None, f"lat/lon must be decimal degrees, got {get['lat']!r}, {get['lon']!r}"
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, "lat/lon must be finite numbers"
    if not -90 <= lat <= 90:
        swapped = " (lat and lon look swapped)" if -90 <= lon <= 90 else ""
        return None, f"lat {lat} is outside -90..90{swapped}"
    if not -180 <= lon <= 180:
        return None, f"lon {lon} is outside -180..180"
    aliases = tuple(a.strip() for a in get.get("aliases", "").split("|") if a.strip())
    if get.get("match", "") not in ("", "cue"):
        return None, f"match {get['match']!r} must be empty or 'cue' (match only after in/near/to/...)"
    if get.get("default", "") not in ("", "yes"):
        return None, f"default {get['default']!r} must be empty or 'yes' (the usual meaning of a shared name)"
    return (
        Place(
            id=pid,
            name=get["name"],
            kind=get["kind"],
            lat=lat,
            lon=lon,
            source=get["source"],
            aliases=aliases,
            parent=get.get("parent") or None,
            note=get.get("note", ""),
            needs_cue=get.get("match") == "cue",
            origin=where,
            is_default=get.get("default") == "yes",
        ),
        None,
    )


def _check_parents(places: dict[str, Place]) -> list[str]:
    problems = []
    for place in places.values():
        if not place.parent:
            continue
        parent = places.get(place.parent)
        if parent is None:
            problems.append(f"{place.origin}: parent {place.parent!r} of {place.id!r} is not in the gazetteer")
            continue
        limit = MAX_FROM_PARENT_KM.get(parent.kind)
        if limit is None:
            continue
        distance = haversine_km(place.lat, place.lon, parent.lat, parent.lon)
        if distance > limit:
            swapped = haversine_km(place.lon, place.lat, parent.lat, parent.lon)
            hint = " (lat and lon look swapped)" if swapped <= limit else ""
            problems.append(
                f"{place.origin}: {place.id!r} at {place.lat}, {place.lon} is {distance:.0f} km "
                f"from its parent {parent.id!r} (more than {limit} km){hint}"
            )
    return problems
