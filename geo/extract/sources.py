"""Where articles come from: ``.txt`` files (with sidecars), folders of them, and JSON Lines files.

A JSON Lines file (``.jsonl``) holds one article per line, an object with ``text``
and optionally ``id`` (the document id), ``title``, ``outlet``, ``url``,
``published`` and ``published_basis``: the form a newsroom's archive export or a
scraper usually gives. Files are read line by line, so memory stays bounded
whatever their size; a bad line is a :class:`~geo.extract.pipeline.Failure`
naming the file and line, and the next line is read.

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> lines = [{"id": "a1", "text": "Clashes erupted in Midan.", "published": "2012-07-17"}, "not an object"]
>>> _ = (folder / "wire.jsonl").write_text("\\n".join(json.dumps(x) for x in lines) + "\\n")
>>> items = list(iter_sources([folder]))
>>> [type(i).__name__ for i in items]
['JsonLine', 'JsonLine']
>>> read_source(items[0]).doc_id, read_source(items[1]).message
('a1', "...wire.jsonl:2: not a JSON object with a 'text' field; give each line {...text...}")
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import ClashmapError
from ..models import Article
from .documents import (
    DEFAULT_MAX_BYTES,
    check_size,
    doc_id_for,
    looks_binary,
    make_article,
    open_regular,
    shown,
    walk_sorted,
)
from .pipeline import Failure, read_article, unique_paths

JSONL_SUFFIX = ".jsonl"
#: A document id usable in mention ids, file names and URLs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class JsonLine:
    """One line of a JSON Lines file, not yet parsed (small enough to send to a worker)."""

    path: str
    lineno: int
    data: bytes


def _jsonl_lines(path: Path, max_bytes: int) -> Iterator[JsonLine | Failure]:
    """The lines of one file, each at most ``max_bytes``; longer lines are skipped with a Failure."""
    try:
        fh = open_regular(path)
    except ClashmapError as exc:
        yield Failure(str(path), str(exc))
        return
    with fh:
        problem = _not_json_lines(fh.peek(4096)[:4096])
        if problem:  # said once for the file, not once for each of its lines
            yield Failure(str(path), f"{shown(path)}: {problem}")
            return
        lineno = 0
        while True:
            line = fh.readline(max_bytes + 1)
            if not line:
                return
            lineno += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of the long line, in bounded reads
                    line = fh.readline(max_bytes + 1)
                yield Failure(
                    f"{path}:{lineno}",
                    f"{shown(path)}:{lineno}: line larger than the {max_bytes / 1e6:.1f} MB limit for one article; "
                    "split it or raise --max-bytes",
                )
                continue
            if line.strip():
                yield JsonLine(str(path), lineno, line)


def _not_json_lines(head: bytes) -> str | None:
    """Why a file whose first bytes are ``head`` cannot be UTF-8 JSON Lines (UTF-16/32, binary), or None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:2] == b"\x00" or head[:1] == b"\x00":
        return "UTF-16 or UTF-32 text, not UTF-8 JSON Lines; save it again as UTF-8"
    if looks_binary(head):
        return "binary data, not JSON Lines (one JSON object per line, in UTF-8); give the .jsonl export itself"
    return None


def iter_sources(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Path | JsonLine | Failure]:
    """Every article source under ``paths``, in order, streamed.

    ``.jsonl`` files (given directly or found in folders) yield their lines;
    everything else goes through :func:`~geo.extract.pipeline.unique_paths`.
    """
    plain: list[str | Path] = []
    for raw in paths:
        path = Path(raw)
        if path.suffix == JSONL_SUFFIX and path.is_file():
            yield from unique_paths(plain)
            plain = []
            yield from _jsonl_lines(path, max_bytes)
        elif path.is_dir():
            yield from unique_paths(plain)
            plain = []
            yield from unique_paths([path])
            for found in walk_sorted(path, JSONL_SUFFIX):
                if found.is_file():
                    yield from _jsonl_lines(found, max_bytes)
        else:
            plain.append(raw)
    yield from unique_paths(plain)


def _doc_id(obj: dict, item: JsonLine) -> str:
    given = obj.get("id", obj.get("doc_id"))
    if isinstance(given, (str, int)) and _SAFE_ID.match(str(given)):
        return str(given)
    # No usable id: one derived from where the line is, stable across runs.
    where = f"{shown(Path(item.path).name)}:{item.lineno}".encode()
    return f"{doc_id_for(item.path)[:40]}-{item.lineno}-{hashlib.sha1(where).hexdigest()[:6]}"


def parse_json_line(item: JsonLine, published: date | str | None = None, latest: date | None = None) -> Article:
    """The article one JSON line holds; a malformed line raises :class:`ClashmapError` naming it.

    ``latest`` is the latest publication date accepted (see :func:`~geo.extract.documents.parse_date`).
    """
    where = f"{shown(item.path)}:{item.lineno}"
    try:
        obj = json.loads(item.data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ClashmapError(
            f"{where}: not valid UTF-8 (byte {exc.start}); fix the line or save the file as UTF-8"
        ) from None
    except ValueError as exc:
        raise ClashmapError(f"{where}: not valid JSON ({exc}); fix or remove the line") from None
    except RecursionError:
        raise ClashmapError(f"{where}: JSON nested too deeply to be an article; fix or remove the line") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ClashmapError(f"{where}: not a JSON object with a 'text' field; give each line {{...text...}}")
    meta = {k: obj.get(k) for k in ("title", "outlet", "url", "published", "published_basis")}
    return make_article(
        obj["text"],
        _doc_id(obj, item),
        published=meta["published"] or published,
        title=meta["title"],
        outlet=meta["outlet"],
        url=meta["url"],
        published_basis=meta["published_basis"],
        source_path=where,
        latest=latest,
        published_from=where if meta["published"] else None,
    )


def read_source(
    item: Path | JsonLine | Failure,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    latest: date | None = None,
) -> Article | Failure:
    """Load one source, turning any problem with it into a :class:`Failure`."""
    if not isinstance(item, JsonLine):
        return read_article(item, published, max_bytes, latest)
    try:
        check_size(len(item.data), f"{shown(item.path)}:{item.lineno}", max_bytes, "split it or raise --max-bytes")
        return parse_json_line(item, published, latest)
    except ClashmapError as exc:
        return Failure(f"{item.path}:{item.lineno}", str(exc))
