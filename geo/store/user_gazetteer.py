"""The readers' own gazetteer: places added in the app, in a CSV beside the curated one.

A row is checked by the same rules the gazetteer loader applies (the row's
fields, a free id, a known parent within reach: :func:`geo.extract.gazetteer.read_gazetteer`)
before it is written, and the file is always rewritten whole, with today's
header, through a temporary file and an atomic rename: a file from an older
clashmap (9 columns) or edited by hand (no final newline) is carried over, not
appended to. Loading keeps the valid rows and lists the others
(:func:`load_user_gazetteer`), which the app shows for fixing or removal.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from ..errors import GazetteerError
from ..extract.gazetteer import COLUMNS as GAZETTEER_COLUMNS
from ..extract.gazetteer import Gazetteer, RawRow, RowProblem, check_rows, read_gazetteer, read_rows

try:  # POSIX: one writer at a time across the app's sessions and processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: writes stay atomic, only not serialised
    fcntl = None


def user_gazetteer_path() -> Path:
    """The user gazetteer: ``$CLASHMAP_USER_GAZETTEER`` or ``data/user_gazetteer.csv`` under the working folder."""
    return Path(os.environ.get("CLASHMAP_USER_GAZETTEER") or Path("data") / "user_gazetteer.csv")


def load_user_gazetteer(path: str | Path, base: Gazetteer) -> tuple[Gazetteer, list[RowProblem]]:
    """``base`` plus the valid rows of the user gazetteer at ``path``, and the rows left out with why.

    A missing file is an empty user gazetteer. Never raises for a bad row.
    """
    path = Path(path)
    if not path.is_file():
        return base, []
    return read_gazetteer([path], base=_without(base, path))


def read_user_rows(path: str | Path) -> list[RawRow]:
    """The rows of the user gazetteer as written (valid or not), in file order; [] if there is none."""
    path = Path(path)
    if not path.exists():
        return []
    rows, problem = read_rows(path)
    if problem:
        raise GazetteerError(f"{path}: {problem}; fix the file by hand or move it aside, then add places again")
    return rows


def clean_row(row: dict) -> dict[str, str]:
    """A row of the gazetteer's columns as text; numbers (0 included) become their decimal text."""
    return {c: "" if row.get(c) is None else str(row.get(c)).strip() for c in GAZETTEER_COLUMNS}


def check_user_rows(path: str | Path, rows: list[dict], gaz: Gazetteer) -> list[RowProblem]:
    """The rows loading would leave out if the user gazetteer at ``path`` held ``rows``, with why.

    Validated exactly as loading validates them, on top of ``gaz`` (the
    curated gazetteer; places ``gaz`` read from ``path`` itself are set aside,
    since ``rows`` replace them).
    """
    path = Path(path)
    raw = [
        RawRow(i + 2, clean_row(r), tuple(r.get(None) or ()))  # line i + 2: after the header
        for i, r in enumerate(rows)
    ]
    _, problems = check_rows([(str(path), raw)], base=_without(gaz, path))
    return problems


def add_user_place(path: str | Path, row: dict, gaz: Gazetteer):
    """Validate one place and add it to the user gazetteer CSV (created if missing).

    ``row`` has the gazetteer's columns (id, name, aliases as ``a|b``, kind,
    parent, lat, lon, source, note, match). Returns the parsed
    :class:`~geo.models.Place`.

    Raises
    ------
    GazetteerError
        Naming the problem (empty source, bad coordinate, taken id, unknown or
        distant parent), or a user gazetteer file that cannot be read.
    """
    path = Path(path)
    new = clean_row(row)
    with _locked(path):
        rows = [r.as_row() for r in read_user_rows(path)]
        _save(path, rows, [*rows, new], len(rows), gaz, "cannot add the place")
    return _place(path, new["id"], gaz)


def replace_user_row(path: str | Path, index: int, expected: dict, row: dict, gaz: Gazetteer) -> None:
    """Replace row ``index`` (which must still read ``expected``) after checking the new values.

    Raises :class:`GazetteerError` naming the problem, or when the file changed meanwhile.
    """
    path = Path(path)
    with _locked(path):
        rows = _rows_checked(path, index, expected)
        changed = [*rows[:index], clean_row(row), *rows[index + 1 :]]
        _save(path, rows, changed, index, gaz, "cannot save the row")


def delete_user_row(path: str | Path, index: int, expected: dict) -> None:
    """Remove row ``index`` (which must still read ``expected``) from the user gazetteer."""
    path = Path(path)
    with _locked(path):
        rows = _rows_checked(path, index, expected)
        del rows[index]
        _write(path, rows)


def slug(name: str) -> str:
    """A gazetteer id from a name, in any script.

    Latin letters are kept (accents dropped); a name with none (Arabic,
    Cyrillic, ...) gets ``place-`` and 8 hex digits of its hash, so two such
    names get two ids.

    >>> slug("Bab Touma"), slug("Ḥarasta"), slug("باب توما") == slug("باب توما"), slug("باب توما") == slug("دوما")
    ('bab-touma', 'harasta', True, False)
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    latin = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if latin:
        return latin
    digest = hashlib.sha256(unicodedata.normalize("NFC", " ".join(name.split())).encode("utf-8")).hexdigest()
    return f"place-{digest[:8]}"


def _without(gaz: Gazetteer, path: Path) -> Gazetteer:
    """``gaz`` less the places it read from ``path`` (their rows are being re-read or replaced)."""
    mine = [pid for pid, p in gaz.places.items() if p.origin.rpartition(":")[0] == str(path)]
    if not mine:
        return gaz
    return Gazetteer(
        {pid: p for pid, p in gaz.places.items() if pid not in mine},
        files=tuple(f for f in gaz.files if f != str(path)),
    )


def _rows_checked(path: Path, index: int, expected: dict) -> list[dict]:
    rows = [r.as_row() for r in read_user_rows(path)]
    if not 0 <= index < len(rows) or clean_row(rows[index]) != clean_row(expected):
        raise GazetteerError(f"{path} changed meanwhile (row {index + 1} is not what was shown); reload the page")
    return rows


#: The longest name, alias, source or note a reader may give: a place name is a few words, and
#: every name is copied into each of its mentions and matched against every article.
MAX_FIELD_CHARS = 300
#: Columns holding numbers, where a leading minus is a sign, not a spreadsheet formula.
_NUMBER_COLUMNS = ("lat", "lon")
#: First characters a spreadsheet runs as a formula (the file is meant to be opened and edited in one).
_FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def reader_field_problem(row: dict) -> str | None:
    """Why a row a reader typed cannot be written as it is (a field too long, on two lines, a formula), or None.

    These are checks on what a reader types, beyond the gazetteer's own rules
    (:func:`~geo.extract.gazetteer.check_rows`): the file is read by spreadsheets and by people.

    >>> reader_field_problem({"name": "=HYPERLINK(1)", "lat": "-33.5"})
    "name '=HYPERLINK(1)' starts with '=', which a spreadsheet runs as a formula; remove that character"
    """
    for column, value in clean_row(row).items():
        if column in _NUMBER_COLUMNS or not value:
            continue
        if len(value) > MAX_FIELD_CHARS:
            return f"{column} is {len(value):,} characters long, more than {MAX_FIELD_CHARS}; shorten it"
        if _LINE_BREAK_OR_CONTROL.search(value):
            return f"{column} {value!r} holds a line break or a control character; write it on one line"
        parts = value.split("|") if column == "aliases" else [value]
        bad = next((part.strip() for part in parts if part.strip().startswith(_FORMULA_STARTS)), None)
        if bad:
            return (
                f"{column} {bad!r} starts with {bad[0]!r}, which a spreadsheet runs as a formula; remove that character"
            )
    return None


def _save(path: Path, before: list[dict], after: list[dict], index: int, gaz: Gazetteer, what: str) -> None:
    """Write ``after`` unless row ``index`` would not load, or would stop another row from loading."""
    typed = reader_field_problem(after[index])
    if typed:
        raise GazetteerError(f"{what}: {typed}")
    problems = check_user_rows(path, after, gaz)
    own = [p.problem for p in problems if p.index == index]
    if own:
        raise GazetteerError(f"{what}: {own[0]}")
    failing_before = {p.index for p in check_user_rows(path, before, gaz)}
    for p in problems:
        if p.index not in failing_before:
            name = after[p.index].get("name") or after[p.index].get("id")
            raise GazetteerError(f"{what}: row {p.index + 1} ({name}) would then not load: {p.problem}")
    _write(path, after)


def _place(path: Path, pid: str, gaz: Gazetteer):
    loaded, _ = load_user_gazetteer(path, gaz)
    return loaded.places[pid]


def _write(path: Path, rows: list[dict]) -> None:
    """Write the whole file (today's header, one row per place) atomically: a temporary file, then a rename.

    A row read with fields beyond the header keeps them (after today's
    columns), so a row that did not load is kept as it was, for fixing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(GAZETTEER_COLUMNS)
            for row in rows:
                clean = clean_row(row)
                writer.writerow([clean[c] for c in GAZETTEER_COLUMNS] + list(row.get(None) or ()))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock beside the file while reading, checking and rewriting it.

    A file-system error on the way becomes a :class:`GazetteerError` naming the fix.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            yield
    except OSError as exc:
        raise GazetteerError(
            f"cannot write the user gazetteer {path} ({exc.strerror or exc}); make its folder writable "
            "by the app, or set CLASHMAP_USER_GAZETTEER to a writable file path"
        ) from None
