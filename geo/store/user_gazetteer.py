"""The readers' own gazetteer: places added in the app, in a CSV beside the curated one.

Rows are validated by the same rules the gazetteer loader applies
(:func:`geo.extract.gazetteer.parse_row`) before they are written.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from pathlib import Path

from ..errors import GazetteerError
from ..extract.gazetteer import COLUMNS as GAZETTEER_COLUMNS
from ..extract.gazetteer import Gazetteer, parse_row
from ..models import Place


def user_gazetteer_path() -> Path:
    """The user gazetteer: ``$CLASHMAP_USER_GAZETTEER`` or ``data/user_gazetteer.csv`` under the working folder."""
    return Path(os.environ.get("CLASHMAP_USER_GAZETTEER") or Path("data") / "user_gazetteer.csv")


def add_user_place(path: str | Path, row: dict, gaz: Gazetteer) -> Place:
    """Validate one place and append it to the user gazetteer CSV (created if missing).

    ``row`` has the gazetteer's columns (id, name, aliases as ``a|b``, kind,
    parent, lat, lon, source, note). Returns the parsed :class:`~geo.models.Place`.

    Raises
    ------
    GazetteerError
        Naming the problem (empty source, bad coordinate, taken id, unknown parent).
    """
    path = Path(path)
    clean = {c: str(row.get(c) or "").strip() for c in GAZETTEER_COLUMNS}
    place, problem = parse_row(clean, f"{path.name}:new")
    if problem:
        raise GazetteerError(f"cannot add the place: {problem}")
    if gaz.get(place.id):
        raise GazetteerError(f"cannot add the place: id {place.id!r} is taken; choose another id")
    if place.parent and not gaz.get(place.parent):
        raise GazetteerError(
            f"cannot add the place: parent {place.parent!r} is not in the gazetteer; "
            "use an existing id such as 'damascus' or leave it empty"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=GAZETTEER_COLUMNS, lineterminator="\n")
    if new:
        writer.writeheader()
    writer.writerow(clean)
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    return place


def slug(name: str) -> str:
    """A gazetteer id from a name: ``"Bab Touma"`` -> ``"bab-touma"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "place"
