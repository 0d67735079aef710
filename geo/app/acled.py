"""Bring your own data: an ACLED export as a second layer, and where it and the extracted events agree.

ACLED's CSV exports (and its API's CSV) have, among others, the columns
``event_id_cnty, event_date, event_type, sub_event_type, latitude, longitude,
location, notes, source, time_precision, geo_precision``. An extracted event and
an ACLED event *agree* when they are of the same event type, within a few
kilometres (default 5) and a day (default ±1) of each other; each event is
paired at most once, nearest first.

>>> csv_text = ("event_id_cnty,event_date,event_type,latitude,longitude,location\\n"
...             "SYR1,2012-07-16,Battles,33.478,36.309,Tadamon\\n")
>>> events, problems = read_acled_csv(csv_text.encode())
>>> (events[0].event_id, events[0].date, events[0].event_type, problems)
('SYR1', '2012-07-16', 'Battles', [])
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..errors import AcledError, DocumentError
from ..extract.documents import decode_bytes
from ..extract.gazetteer import haversine_km
from ..models import EVENT_TYPES, EventRecord

REQUIRED = ("event_date", "event_type", "latitude", "longitude")
#: Largest ACLED file accepted in the page (a year of a country's events is a few MB).
MAX_BYTES = 50_000_000
#: How far apart in km and days two reports of one event may be.
AGREE_KM = 5.0
AGREE_DAYS = 1
#: Separators a CSV may use: ACLED writes commas; a spreadsheet re-saving it in a French or German
#: locale writes semicolons, and "Unicode text" is tab-separated. The header line's most frequent one wins.
CSV_DELIMITERS = (",", ";", "\t")
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%Y/%m/%d", "%d/%m/%Y")


@dataclass(frozen=True)
class AcledEvent:
    """One row of an ACLED export."""

    event_id: str
    date: str  # ISO
    event_type: str
    sub_event_type: str | None
    lat: float
    lon: float
    location: str | None
    notes: str | None
    source: str | None
    row: int  # line in the file, for messages


@lru_cache(maxsize=8192)
def _date(value: str) -> str:
    # Cached: an export of 200,000 rows holds a few hundred days, and strptime is most of a row's cost.
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"event_date {value!r} is not a date (YYYY-MM-DD or '18 July 2012')")


def _coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {value!r} is not a number") from None
    if not -limit <= number <= limit or number != number:
        raise ValueError(f"{name} {number} is outside -{limit:g}..{limit:g}")
    return number


def _parse_row(row: dict, line: int) -> AcledEvent:
    event_type = (row.get("event_type") or "").strip()
    if event_type not in EVENT_TYPES:
        raise ValueError(f"event_type {event_type!r} is not one of ACLED's six")
    return AcledEvent(
        event_id=(row.get("event_id_cnty") or "").strip() or f"row-{line}",
        date=_date(row.get("event_date") or ""),
        event_type=event_type,
        sub_event_type=(row.get("sub_event_type") or "").strip() or None,
        lat=_coordinate(row.get("latitude"), "latitude", 90),
        lon=_coordinate(row.get("longitude"), "longitude", 180),
        location=(row.get("location") or "").strip() or None,
        notes=(row.get("notes") or "").strip() or None,
        source=(row.get("source") or "").strip() or None,
        row=line,
    )


def read_acled_csv(data: bytes, name: str = "the ACLED file") -> tuple[list[AcledEvent], list[str]]:
    """The events of an ACLED CSV export, and one message per row that could not be read.

    Rows with a problem are listed (line and reason), never dropped silently.

    Raises
    ------
    AcledError
        For a file that is too large, not text, or lacks ACLED's columns.
    """
    if len(data) > MAX_BYTES:
        raise AcledError(f"{name}: larger than {MAX_BYTES // 1_000_000} MB; export a smaller region or period")
    text = _decode(data, name)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise AcledError(
            f"{name}: not an ACLED export: missing the column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns[:12]) or 'none'}); export the data from ACLED as CSV"
        )
    reader.fieldnames = columns
    events, problems = [], []
    try:
        for row in reader:
            line = reader.line_num
            try:
                events.append(_parse_row(row, line))
            except ValueError as exc:
                problems.append(f"line {line}: {exc}; row left out")
    except csv.Error as exc:
        raise AcledError(f"{name}: not a readable CSV file ({exc}); export the data from ACLED as CSV") from None
    return events, problems


def _decode(data: bytes, name: str) -> str:
    """The file's text: UTF-8, UTF-16 (a spreadsheet's "Unicode text") or a legacy encoding; binary refused."""
    if not data.strip():
        return ""  # refused below, for its missing columns
    try:
        return decode_bytes(data, name)[0]
    except DocumentError:
        raise AcledError(f"{name}: binary data, not a CSV export; export the data from ACLED as CSV") from None


def _delimiter(text: str) -> str:
    """The separator of the header line: a comma, or the semicolon or tab a spreadsheet in some locales saves."""
    header = text.split("\n", 1)[0]
    return max(CSV_DELIMITERS, key=header.count)


@dataclass(frozen=True)
class Agreement:
    """How extracted events and ACLED events line up."""

    both: tuple[tuple[EventRecord, AcledEvent, float, int], ...]  # (ours, theirs, km apart, days apart)
    only_extracted: tuple[EventRecord, ...]
    only_acled: tuple[AcledEvent, ...]


def compare(
    extracted: Iterable[EventRecord], acled: Iterable[AcledEvent], km: float = AGREE_KM, days: int = AGREE_DAYS
) -> Agreement:
    """Pair extracted and ACLED events of one type within ``km`` and ``days``; nearest pairs first."""
    ours = [e for e in extracted if e.event_type]
    theirs = list(acled)
    by_type_day: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, a in enumerate(theirs):
        by_type_day[(a.event_type, a.date)].append(j)
    candidates = []
    for i, e in enumerate(ours):
        if not e.date:
            continue  # an undated event cannot be placed in time against another source
        day = date.fromisoformat(e.date)
        for shift in range(-days, days + 1):
            for j in by_type_day.get((e.event_type, (day + timedelta(days=shift)).isoformat()), ()):
                a = theirs[j]
                dist = haversine_km(e.lat, e.lon, a.lat, a.lon)
                if dist <= km:
                    candidates.append((dist, abs(shift), e.event_id, a.event_id, i, j))
    candidates.sort()
    used_i, used_j, both = set(), set(), []
    for dist, shift, _, _, i, j in candidates:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            both.append((ours[i], theirs[j], round(dist, 2), shift))
    return Agreement(
        both=tuple(both),
        only_extracted=tuple(e for i, e in enumerate(ours) if i not in used_i),
        only_acled=tuple(a for j, a in enumerate(theirs) if j not in used_j),
    )


#: The most ACLED events drawn on the map at once. Each is a circle with its popup: 20,000 of them
#: are about 10 MB sent to the browser, and 4 s of the server's time, on every pan or zoom. The
#: tables of the Compare tab still list every one.
DRAW_LIMIT = 2_000


def drawn(agreement: Agreement, box: tuple[float, float, float, float] | None = None, limit: int | None = None):
    """``(the part of agreement the map draws, how many ACLED events were left out)``.

    Every ACLED event when there are ``limit`` or fewer; else those within ``box`` (south, west,
    north, east: the reader's view), agreeing ones first, at most ``limit`` (default :data:`DRAW_LIMIT`).
    """
    limit = DRAW_LIMIT if limit is None else limit
    total = len(agreement.both) + len(agreement.only_acled)
    if total <= limit:
        return agreement, 0

    def inside(a: AcledEvent) -> bool:
        return box is None or (box[0] <= a.lat <= box[2] and box[1] <= a.lon <= box[3])

    both = tuple(pair for pair in agreement.both if inside(pair[1]))[:limit]
    only = tuple(a for a in agreement.only_acled if inside(a))[: limit - len(both)]
    return Agreement(both, agreement.only_extracted, only), total - len(both) - len(only)
