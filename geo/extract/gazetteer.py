"""The gazetteer: curated place files, validated, indexed for matching.

Rows live in CSV files (``gazetteer/*.csv``) with the columns
``id,name,aliases,kind,parent,lat,lon,source,note,match`` and, optionally,
``default``; ``aliases`` are separated by ``|``. :func:`load_gazetteer`
validates every row and raises one :class:`GazetteerError` naming each bad
row's file, line and problem (the curated files must be clean);
:func:`read_gazetteer` applies the same checks but loads the valid rows and
lists the others (the readers' own file).
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


@dataclass(frozen=True)
class RowProblem:
    """One gazetteer row (or a whole file) that was not loaded, and why.

    ``line`` is where the row ends in the file (0 for the file as a whole);
    ``index`` its position among the file's rows (0 the first after the
    header, -1 for the file as a whole), which is how an editor finds it again.
    """

    file: str
    line: int
    index: int
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}" if self.line else f"{self.file}: {self.problem}"


@dataclass(frozen=True)
class RawRow:
    """A gazetteer CSV row as read: values by column name, and any fields beyond the header."""

    line: int
    values: dict[str, str]
    extra: tuple[str, ...] = ()

    def as_row(self) -> dict[str | None, object]:
        """The row as :func:`parse_row` takes it (extra fields under the key None, as csv.DictReader puts them)."""
        return {**self.values, None: list(self.extra)} if self.extra else dict(self.values)


def load_gazetteer(paths: Iterable[str | Path] | None = None) -> Gazetteer:
    """Load and validate gazetteer CSV files (default: the curated folder), refusing any bad row.

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
    gaz, problems = read_gazetteer(paths)
    if problems:
        shown = "\n  ".join(map(str, problems[:25]))
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise GazetteerError(f"{len(problems)} problem(s) in the gazetteer:\n  {shown}{more}")
    return gaz


def read_gazetteer(
    paths: Iterable[str | Path] | None = None, base: Gazetteer | None = None
) -> tuple[Gazetteer, list[RowProblem]]:
    """Load the valid rows of gazetteer CSV files, on top of ``base``'s places, and list the others.

    Every row goes through the same checks as in :func:`load_gazetteer`
    (:func:`parse_row`, unique id, known parent within
    :data:`MAX_FROM_PARENT_KM`); a row that fails one is left out and
    reported, and so is a row whose parent was left out. This is how the
    readers' gazetteer loads: one bad row never disables the others.
    """
    files = _gazetteer_files(paths, required=base is None)
    sources, problems = [], []
    for path in files:
        rows, problem = read_rows(path)
        if problem:
            line = 1 if problem.startswith("missing column") else 0
            problems.append(RowProblem(str(path), line, -1, problem))
        sources.append((str(path), rows))
    gaz, row_problems = check_rows(sources, base)
    return gaz, sorted(problems + row_problems, key=lambda p: (p.file, p.line))


def check_rows(
    sources: list[tuple[str, list[RawRow]]], base: Gazetteer | None = None
) -> tuple[Gazetteer, list[RowProblem]]:
    """The gazetteer made of ``base`` and the valid rows of ``sources`` (``(file, rows)`` pairs), and the others.

    The checks :func:`read_gazetteer` applies, on rows already in memory: an
    editor uses it to try a change before writing it.
    """
    known = dict(base.places) if base else {}
    new: dict[str, Place] = {}
    where: dict[str, tuple[str, int, int]] = {}
    problems: list[RowProblem] = []
    for file, rows in sources:
        problems.extend(_parse_rows(file, rows, known, new, where))
    problems.extend(_drop_bad_parents(new, known, where))
    all_files = (*(base.files if base else ()), *(file for file, _ in sources))
    return Gazetteer({**known, **new}, files=all_files), problems


def _gazetteer_files(paths: Iterable[str | Path] | None, required: bool) -> list[Path]:
    files: list[Path] = []
    for raw in [DEFAULT_GAZETTEER_DIR] if paths is None else paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.csv")))
        elif path.is_file():
            files.append(path)
        elif path.exists():
            # A device, pipe or socket: reading it could block or never end.
            raise GazetteerError(f"{path}: not a regular file; give a gazetteer CSV file or a folder of them")
        elif path.suffix != ".csv":
            raise GazetteerError(f"{path}: no such gazetteer file or folder")
    if required and not files:
        raise GazetteerError(f"no gazetteer CSV files found in {', '.join(map(str, paths or []))}")
    return files


def read_rows(path: str | Path) -> tuple[list[RawRow], str | None]:
    """The rows of one gazetteer CSV as read, and a problem with the file as a whole (or None).

    A file with an older header that lacks the last columns (``match``) is
    read as it is; a row in it with exactly the current columns (appended by
    a later clashmap) is read by the current columns.
    """
    path = Path(path)
    rows: list[RawRow] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                return rows, f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                rows.append(_raw_row(reader.line_num, header, fields))
    except UnicodeDecodeError as exc:
        return rows, (
            f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}); "
            "save the file as 'CSV UTF-8' (Excel: Save As, CSV UTF-8) and load it again"
        )
    except OSError as exc:
        return rows, f"cannot read the file ({exc.strerror or exc})"
    except csv.Error as exc:
        return rows, f"malformed CSV after line {rows[-1].line if rows else 1} ({exc})"
    return rows, None


def _raw_row(line: int, header: list[str], fields: list[str]) -> RawRow:
    older = len(header) < len(COLUMNS) and tuple(header) == COLUMNS[: len(header)]
    if older and len(fields) == len(COLUMNS):
        header = list(COLUMNS)
    values = {c: (fields[i] if i < len(fields) else "") for i, c in enumerate(header) if c}
    return RawRow(line, values, tuple(fields[len(header) :]))


def _parse_rows(
    file: str, rows: list[RawRow], known: dict[str, Place], new: dict[str, Place], where: dict
) -> list[RowProblem]:
    """Parse one file's rows into ``new`` (ids unique across ``known`` and ``new``); return the problems."""
    problems = []
    for index, raw in enumerate(rows):
        origin = f"{file}:{raw.line}"
        place, problem = parse_row(raw.as_row(), origin)
        if place is not None and (place.id in new or place.id in known):
            first = (new.get(place.id) or known[place.id]).origin
            place, problem = (
                None,
                f"duplicate id {place.id!r}: it is taken (first defined at {first}); choose another id",
            )
        if problem:
            problems.append(RowProblem(file, raw.line, index, problem))
        else:
            new[place.id] = place
            where[place.id] = (file, raw.line, index)
    return problems


def _drop_bad_parents(new: dict[str, Place], known: dict[str, Place], where: dict) -> list[RowProblem]:
    """Remove from ``new`` the places whose parent is missing or too far, and then their children."""
    problems, dropped = [], set()
    while True:
        places = {**known, **new}
        bad = {pid: parent_problem(p, places, dropped) for pid, p in new.items()}
        bad = {pid: why for pid, why in bad.items() if why}
        if not bad:
            return problems
        for pid, why in bad.items():
            problems.append(RowProblem(*where[pid], why))
            dropped.add(pid)
            del new[pid]


def parent_problem(place: Place, places: dict[str, Place], dropped: Iterable[str] = ()) -> str | None:
    """What is wrong with a place's parent among ``places`` (missing, or too far away), or None."""
    if not place.parent:
        return None
    parent = places.get(place.parent)
    if parent is None:
        if place.parent in dropped:
            return f"parent {place.parent!r} of {place.id!r} was not loaded (see its own row)"
        # Suggest an id this gazetteer really has (a user's own file may not hold Damascus).
        example = "damascus" if "damascus" in places else next(iter(sorted(places)), None)
        existing = f"an existing id such as {example!r}" if example else "the id of a place defined above it"
        return f"parent {place.parent!r} of {place.id!r} is not in the gazetteer; use {existing}, or leave it empty"
    limit = MAX_FROM_PARENT_KM.get(parent.kind)
    if limit is None:
        return None
    distance = haversine_km(place.lat, place.lon, parent.lat, parent.lon)
    if distance <= limit:
        return None
    swapped = haversine_km(place.lon, place.lat, parent.lat, parent.lon)
    hint = " (lat and lon look swapped)" if swapped <= limit else ""
    return (
        f"{place.id!r} at {place.lat}, {place.lon} is {distance:.0f} km from its parent {parent.id!r} "
        f"(more than {limit} km for a {parent.kind}){hint}; check the coordinates or the parent"
    )


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
