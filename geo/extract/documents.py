"""Articles and their metadata: reading text files and `.meta.json` sidecars.

An article is a UTF-8 text file; beside it, `<stem>.meta.json` may give
`title`, `outlet`, `url`, `published` (ISO date) and `published_basis`.
Reading never guesses silently: every fallback (another encoding, stripped
HTML, a missing date) is recorded as a warning on the :class:`Article`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from ..errors import DocumentError, MetadataError
from ..models import Article

#: Articles larger than this are refused: a news article is tens of kilobytes,
#: so a file this big is a concatenation or a mistake (raise it with --max-bytes).
DEFAULT_MAX_BYTES = 5_000_000

META_SUFFIX = ".meta.json"
META_FIELDS = ("title", "outlet", "url", "published", "published_basis", "title_basis")

_TAG = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[A-Za-z/!?][^<>]{0,2000}>",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str = "text") -> tuple[str, list[str]]:
    """Decode an article's bytes to text, refusing what is not text.

    UTF-8 (with or without a byte-order mark) is read as is; anything else is
    decoded with the most likely legacy encoding (cp1256, cp1252, latin-1, ...)
    and a warning says so.

    Raises
    ------
    DocumentError
        If the data is empty, only whitespace, or binary.
    """
    warnings: list[str] = []
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty; nothing to extract")
    if b"\x00" in data[:65536]:
        raise DocumentError(
            f"{name}: binary data (NUL bytes), not a text article; save the article as plain text (.txt) first"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text, encoding = _decode_legacy(data)
        warnings.append(
            f"{name}: not valid UTF-8 (byte {exc.start}); decoded as {encoding}: "
            "check the names in the text, or re-save the file as UTF-8"
        )
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > 0.05 * len(sample):
        raise DocumentError(
            f"{name}: mostly control characters, not a text article; save the article as plain text (.txt) first"
        )
    return text, warnings


def _decode_legacy(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def strip_markup(text: str) -> tuple[str, int]:
    """Blank out HTML tags, scripts and comments, keeping every offset.

    Each removed character becomes a space (line breaks are kept), so character
    offsets into the cleaned text are offsets into the original too.

    >>> strip_markup("in <b>Midan</b>")
    ('in    Midan    ', 2)
    """
    count = 0

    def blank(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return re.sub(r"[^\n]", " ", match.group(0))

    return _TAG.sub(blank, text), count


def parse_date(value: object, what: str) -> date:
    """Parse an ISO date (YYYY-MM-DD), naming the field in the error."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a date written YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"{what} must be a date written YYYY-MM-DD, got {value!r}") from None


def read_metadata(path: Path) -> dict:
    """Read a `.meta.json` sidecar; a missing file is an empty dict."""
    if not path.exists():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{path}: not valid JSON ({exc}); fix or delete the sidecar") from None
    if not isinstance(meta, dict):
        raise MetadataError(f"{path}: must hold a JSON object with {', '.join(META_FIELDS)}")
    return meta


def make_article(
    text: str,
    doc_id: str,
    *,
    published: date | str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published_basis: str | None = None,
    source_path: str | None = None,
    warnings: Iterable[str] = (),
    missing_date_hint: str | None = None,
) -> Article:
    """Build an :class:`Article` from decoded text, cleaning markup.

    A missing or invalid publication date is a warning, and relative dates in
    the article are then left unresolved rather than guessed; `missing_date_hint`
    says how the user can give one (the default names the sidecar and --published).
    """
    notes = list(warnings)
    if not text.strip():
        raise DocumentError(f"{doc_id}: the text is empty; nothing to extract")
    text, tags = strip_markup(text)
    if tags:
        notes.append(f"{doc_id}: {tags} HTML tags/scripts removed from the text (shown as blanks)")
    when: date | None = None
    if isinstance(published, date):
        when = published
    elif published not in (None, ""):
        try:
            when = parse_date(published, f"{doc_id}: published")
        except ValueError as exc:
            notes.append(f"{exc}; relative dates in this article are left unresolved")
    if when is None and not any("published" in n for n in notes):
        hint = missing_date_hint or f"add 'published' to {doc_id}{META_SUFFIX} or pass --published"
        notes.append(f"{doc_id}: no publication date ({hint}); relative dates in this article are left unresolved")
    return Article(
        doc_id=doc_id,
        text=text,
        published=when,
        title=_clean(title),
        outlet=_clean(outlet),
        url=_clean(url),
        published_basis=_clean(published_basis),
        source_path=source_path,
        warnings=tuple(notes),
    )


def _clean(value: object) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def check_size(size: int, name: str, max_bytes: int = DEFAULT_MAX_BYTES, fix: str = "split it into articles") -> None:
    """Refuse an article larger than `max_bytes`, saying what to do instead."""
    if size > max_bytes:
        raise DocumentError(
            f"{name}: {size / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.1f} MB limit for one article; {fix}"
        )


def load_article(
    path: str | Path,
    *,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article:
    """Read one `.txt` article and its sidecar.

    Parameters
    ----------
    path:
        The text file. Its stem is the document id.
    published:
        Publication date to use when the sidecar gives none.
    max_bytes:
        Files larger than this are refused with a :class:`DocumentError`.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    check_size(size, str(path), max_bytes, "split it into articles or raise --max-bytes")
    text, warnings = decode_bytes(path.read_bytes(), str(path))
    meta = read_metadata(path.with_name(path.stem + META_SUFFIX))
    return make_article(
        text,
        path.stem,
        published=meta.get("published") or published,
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        url=meta.get("url"),
        published_basis=meta.get("published_basis"),
        source_path=str(path),
        warnings=warnings,
    )


def article_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders to `.txt` files, in a stable (sorted) order.

    Raises
    ------
    DocumentError
        For a path that does not exist.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.txt") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise DocumentError(f"{path}: no such file or folder")
