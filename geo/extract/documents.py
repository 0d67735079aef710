"""Articles and their metadata: reading text files and `.meta.json` sidecars.

An article is a text file; beside it, `<stem>.meta.json` may give `title`,
`outlet`, `url`, `published` (ISO date) and `published_basis`. Reading never
guesses silently: every fallback (another encoding, replaced bytes, stripped
HTML, a missing or refused date, a field cut short) is recorded as a warning
on the :class:`Article`.

What reading guarantees, whatever the input:

- Only regular files are read, and never more than their size limit plus one
  byte: a folder, a named pipe or a device (``/dev/zero``) is refused with a
  message, never read, so one bad path cannot hang a run or fill memory.
- One offset space: every offset (mention, sentence) indexes the stored text,
  which is the decoded text with markup, HTML entities and control characters
  replaced *in place* by characters of the same total length (spaces after an
  entity's character), so offsets into the original decoded text stay valid.
- Names that are not valid UTF-8 (or hold control characters) reach messages
  and document ids as backslash escapes (:func:`shown`, :func:`doc_id_for`),
  so writing an output never fails on a file name.
- Publication dates outside :data:`EARLIEST_PUBLISHED` .. the caller's
  ``latest`` are refused with a warning; nothing downstream sees year 1 or 9999.
"""

from __future__ import annotations

import codecs
import html
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from html.entities import html5
from pathlib import Path
from typing import BinaryIO

from ..errors import ClashmapError, DocumentError, MetadataError
from ..models import Article

#: Articles larger than this are refused: a news article is tens of kilobytes,
#: so a file this big is a concatenation or a mistake (raise it with --max-bytes).
DEFAULT_MAX_BYTES = 5_000_000

#: Sidecars larger than this are refused: a sidecar holds a few short fields.
META_MAX_BYTES = 1_000_000

#: Title, outlet, url and date basis are cut to this many characters (with a
#: warning): each is copied into every feature of the article.
META_MAX_CHARS = 1_000

META_SUFFIX = ".meta.json"
META_FIELDS = ("title", "outlet", "url", "published", "published_basis", "title_basis")

#: The earliest publication date accepted: an earlier one is a typo (year 0001).
EARLIEST_PUBLISHED = date(1900, 1, 1)

#: The latest publication date accepted when the caller gives none. The CLI and
#: the app pass :func:`latest_published` of today; this fixed bound only keeps
#: date arithmetic ("tomorrow", "next week") far from ``date.max``.
FALLBACK_LATEST = date(2100, 1, 1)

#: The legacy encodings a news text may come in, most likely first. Left free,
#: the detector picks rarities (mac_iceland, cp1006) for short Arabic or Latin texts.
LEGACY_ENCODINGS = (
    "cp1256",  # Arabic (Windows)
    "iso8859_6",  # Arabic (ISO)
    "cp1252",  # Western European (Windows)
    "latin_1",
    "iso8859_15",
    "mac_roman",
    "cp1250",  # Central European
    "cp1251",  # Cyrillic
    "koi8_r",
    "cp1253",  # Greek
    "cp1254",  # Turkish
    "cp1255",  # Hebrew
)

_WESTERN = ("English", "French", "Spanish", "Portuguese", "Italian", "German", "Dutch", "Danish", "Norwegian")
_WESTERN += ("Swedish", "Finnish", "Indonesian")
#: The languages each legacy encoding was made for (as charset_normalizer names them). The
#: detector scores cp1250 and cp1252 alike on most Latin texts and then takes cp1250, which
#: turns French "à" into "ŕ" and Portuguese "não" into "năo"; among equally scored decodings,
#: the one whose detected language is one of its encoding's own wins.
ENCODING_LANGUAGES = {
    "cp1252": _WESTERN,
    "latin_1": _WESTERN,
    "iso8859_15": _WESTERN,
    "mac_roman": _WESTERN,
    "cp1250": ("Czech", "Slovak", "Polish", "Hungarian", "Croatian", "Slovene", "Romanian", "Serbian"),
    "cp1254": ("Turkish",),
    "cp1256": ("Arabic", "Farsi"),
    "iso8859_6": ("Arabic",),
    "cp1251": ("Russian", "Ukrainian", "Bulgarian", "Serbian", "Kazakh"),
    "koi8_r": ("Russian",),
    "cp1253": ("Greek",),
    "cp1255": ("Hebrew",),
}

#: Share of control bytes above which a file is binary, not text with a few stray NULs.
BINARY_SHARE = 0.05

#: How a path that is not a regular file is named in the refusal; a FIFO would
#: block the reader forever and a device may never end, so neither is opened for reading.
_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)
#: O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal
#: device must not become ours. Both are absent (and not needed) on Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

#: Byte-order marks, longest first (UTF-32-LE's mark begins with UTF-16-LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
#: Control characters blanked in every text: all C0/C1 controls but tab, line
#: feed and carriage return (which the sentence splitter reads).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = str.maketrans("\t\n\r", "   ")
#: What :func:`safe_text` escapes in names: controls (tab and line breaks too), line separators, surrogates,
#: and the bidirectional overrides and isolates that make "evil\u202egnp.txt" display as "eviltxt.png".
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Bytes that are not UTF-8, as ``surrogateescape`` decodes them.
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")

#: Markup, found in one forward scan. Every repetition is bounded and a tag
#: cannot contain ``<``, so no match runs past the next ``<`` or 2,000 characters;
#: the ends of scripts, styles and comments (blanked whole, with what they hold)
#: are searched by :class:`_Closings`.
_OPENING = re.compile(r"<(?:(script|style)\b[^<>]{0,2000}>|(!--))", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]{0,2000}>")
_CLOSING = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
    "!--": re.compile(r"-->"),
}
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def latest_published(today: date) -> date:
    """The latest publication date to accept on ``today``: tomorrow, for time zones ahead.

    Computed at the edge (CLI, app) and passed down, so the library never reads the clock.

    >>> latest_published(date(2012, 7, 17))
    datetime.date(2012, 7, 18)
    """
    return today + timedelta(days=1)


def safe_text(text: str) -> str:
    """``text`` with undecodable bytes, lone surrogates and control characters as backslash escapes.

    A byte that was not UTF-8 (decoded with ``surrogateescape``, as file names
    are) shows as ``\\xe9``; the result can be written as UTF-8, printed and used
    as an id whatever the input, and escaping it again changes nothing.

    >>> safe_text(os.fsdecode(b"caf\\xe9\\n.txt"))
    'caf\\\\xe9\\\\n.txt'
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # the byte surrogateescape kept
        return f"\\x{code - 0xDC00:02x}"
    return match.group(0).encode("unicode_escape").decode("ascii")


def shown(path: str | os.PathLike) -> str:
    """A path as it appears in messages: the real name, with :func:`safe_text` escapes."""
    return safe_text(os.fsdecode(path))


def doc_id_for(path: str | os.PathLike) -> str:
    """The document id of an article file: its stem, with :func:`safe_text` escapes.

    >>> doc_id_for("seeds/000_9b59.txt")
    '000_9b59'
    """
    return safe_text(Path(os.fsdecode(path)).stem)


def check_size(
    size: int,
    name: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fix: str = "split it into articles",
    what: str = "one article",
) -> None:
    """Refuse an input larger than `max_bytes`, saying what to do instead."""
    if size > max_bytes:
        raise DocumentError(
            f"{name}: {size / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.1f} MB limit for {what}; {fix}"
        )


def open_regular(path: str | os.PathLike, error: type[ClashmapError] = DocumentError) -> BinaryIO:
    """Open a regular file for reading (binary); refuse anything else with ``error``.

    The file is opened without blocking (a FIFO would wait for a writer forever)
    and its type checked on the open descriptor, so nothing can be swapped in
    between the check and the read.
    """
    name = shown(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise error(f"{name}: cannot open ({exc.strerror}); check that it exists and that you may read it") from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise error(f"{name}: cannot read ({exc.strerror}); check the disk or copy the file again") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((label for test, label in _NOT_REGULAR if test(mode)), "something else")
        raise error(
            f"{name}: is {kind}, not a regular file; only regular files are read: replace it with the file or remove it"
        )
    return os.fdopen(fd, "rb")


def read_regular_file(
    path: str | os.PathLike,
    limit: int,
    *,
    what: str = "one article",
    fix: str = "split it into articles",
    error: type[ClashmapError] = DocumentError,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is refused.

    See :func:`open_regular`; at most ``limit + 1`` bytes are read, so a file
    that grows while it is read cannot fill memory.

    Raises
    ------
    DocumentError (or ``error``)
        For a path that cannot be opened, is not a regular file, or is too large.
    """
    with open_regular(path, error) as fh:
        try:
            check_size(os.fstat(fh.fileno()).st_size, shown(path), limit, fix, what)
            data = fh.read(limit + 1)
            check_size(len(data), shown(path), limit, fix, what)  # it grew while we read
        except DocumentError as exc:
            raise error(str(exc)) from None
        except OSError as exc:
            raise error(f"{shown(path)}: cannot read ({exc.strerror}); check the disk or copy the file again") from None
    return data


def decode_bytes(data: bytes, name: str = "text") -> tuple[str, list[str]]:
    """Decode an article's bytes to text, refusing what is not text.

    - A byte-order mark decides (UTF-8, UTF-16, UTF-32); BOM-less UTF-16 is
      recognised by its NUL bytes all on odd (or all on even) positions.
    - UTF-8 with a few bad bytes stays UTF-8: each bad byte becomes U+FFFD and a
      warning gives their count and the first one's position.
    - Only text that is clearly not UTF-8 (more bad bytes than valid non-ASCII
      characters) is decoded with the most likely legacy encoding, with a warning.

    Stray control characters (NUL, ...) are left for :func:`make_article` to blank.

    Raises
    ------
    DocumentError
        If the data is empty, only whitespace, or binary.
    """
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty; nothing to extract")
    warnings: list[str] = []
    text = _decode_marked(data, name, warnings)
    if text is None:
        if looks_binary(data[:65536]):
            raise DocumentError(
                f"{name}: binary data (NUL or other control bytes), not a text article; "
                "save the article as plain text (.txt) first"
            )
        text = _decode_utf8(data, name, warnings)
    sample = text[:65536]
    if not sample.strip():
        raise DocumentError(f"{name}: the file is empty; nothing to extract")
    if len(_CONTROL.findall(sample)) > BINARY_SHARE * len(sample):
        raise DocumentError(
            f"{name}: mostly control characters, not a text article; save the article as plain text (.txt) first"
        )
    return text, warnings


def looks_binary(sample: bytes) -> bool:
    """Whether more than :data:`BINARY_SHARE` of ``sample`` are control bytes (NUL, ...): binary, not text.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00"), looks_binary(b"Clashes in Midan.\\n")
    (True, False)
    """
    return len(_CONTROL_BYTES.findall(sample)) > BINARY_SHARE * len(sample)


def _decode_marked(data: bytes, name: str, warnings: list[str]) -> str | None:
    """Text in UTF-16/32 (by its BOM, or BOM-less UTF-16 by its NULs); None for anything else."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                return None  # read by _decode_utf8, which drops the mark
            return _decode_wide(data[len(bom) :], codec, label, name, warnings)
    codec = _utf16_without_bom(data)
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    warnings.append(f"{name}: no byte-order mark; read as {codec.upper()} from its NUL bytes: check the text")
    return text


def _decode_wide(data: bytes, codec: str, label: str, name: str, warnings: list[str]) -> str:
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
    if bad:
        warnings.append(f"{name}: {bad} invalid {label} sequence(s) replaced by \ufffd; re-save the file")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16-LE or -BE when NULs fill one byte position of many pairs and never the other.

    ASCII letters, digits, spaces and punctuation in UTF-16 have a NUL high
    byte; text in any 8-bit encoding has no NUL at all.
    """
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.1 * pairs and even <= 0.01 * pairs:
        return "utf-16-le"
    if even >= 0.1 * pairs and odd <= 0.01 * pairs:
        return "utf-16-be"
    return None


def _decode_utf8(data: bytes, name: str, warnings: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED_BYTE.findall(text))
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters that are UTF-8
    if bad > valid:
        text, encoding = _decode_legacy(data)
        warnings.append(
            f"{name}: not valid UTF-8 (byte {first}); decoded as {encoding}: "
            "check the names in the text, or re-save the file as UTF-8"
        )
        return text
    warnings.append(
        f"{name}: {bad} byte(s) not valid UTF-8 (the first at byte {first}) replaced by \ufffd, "
        "the rest read as UTF-8: check the text there, or re-save the file as UTF-8"
    )
    return _ESCAPED_BYTE.sub("\ufffd", text)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000], cp_isolation=list(LEGACY_ENCODINGS))
    best = matches.best()
    if best is not None:
        tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
        best = next((m for m in tied if m.languages and m.languages[0] in ENCODING_LANGUAGES.get(m.encoding, ())), best)
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def blank_controls(text: str) -> tuple[str, int]:
    """Replace control characters (all but tab, LF, CR) by spaces and lone surrogates by U+FFFD.

    Each is one character for one, so offsets do not move.

    >>> blank_controls("Midan\\x00 clashes")
    ('Midan  clashes', 1)
    """
    count = 0

    def space(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return " "

    text = _CONTROL.sub(space, text)
    return _SURROGATE.sub("\ufffd", text), count


def strip_markup(text: str) -> tuple[str, int]:
    """Blank out HTML tags, scripts and comments, and decode entities, keeping every offset.

    Each removed character becomes a space (line breaks are kept), so character
    offsets into the cleaned text are offsets into the original too. When any
    markup was found, HTML entities (``&amp;``, ``&#39;``) are decoded too, the
    character followed by spaces to the entity's length. One forward scan: the
    time is linear in the text's length whatever it holds (``"<!--" * n`` too).

    >>> strip_markup("in <b>Midan</b> &amp; Qaboun")
    ('in    Midan     &     Qaboun', 2)
    """
    if _MARKUP.search(text) is None:
        return text, 0
    count = 0

    def tag(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return _blank(match.group(0))

    out: list[str] = []
    closings = _Closings(text)
    done = pos = 0  # text before `done` is in `out`; blocks are searched from `pos`
    while (opening := _OPENING.search(text, pos)) is not None:
        closing = closings.after(opening.group(1) or opening.group(2), opening.end())
        if closing is None:  # unclosed: blanked below as an ordinary tag, if it is one
            pos = opening.start() + 1
            continue
        out += (_TAG.sub(tag, text[done : opening.start()]), _blank(text[opening.start() : closing.end()]))
        count += 1
        done = pos = closing.end()
    out.append(_TAG.sub(tag, text[done:]))
    if not count:
        return text, 0
    # Entities are decoded only now: blanked markup holds no "&", and plain text keeps its own.
    return _decode_entities("".join(out)), count


class _Closings:
    """The next ``</script>``, ``</style>`` or ``-->`` after a position, each text searched once.

    Searching from every opening to the end would be quadratic on ``"<!--" * n``;
    positions only move forward, so a found closing serves every opening before
    it and a failed search serves every later one.
    """

    def __init__(self, text: str):
        self.text = text
        self.found: dict[str, re.Match[str] | None] = {}

    def after(self, kind: str, pos: int) -> re.Match[str] | None:
        kind = kind.lower()
        if kind in self.found:
            last = self.found[kind]
            if last is None or last.start() >= pos:
                return last
        self.found[kind] = _CLOSING[kind].search(self.text, pos)
        return self.found[kind]


def _blank(markup: str) -> str:
    """Spaces for every character of ``markup`` but its line breaks."""
    if "\n" not in markup:
        return " " * len(markup)
    return "\n".join(" " * len(line) for line in markup.split("\n"))


def _decode_entities(text: str) -> str:
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(match: re.Match[str]) -> str:
    ref = match.group(0)
    if ref[1] == "#":
        char = html.unescape(ref)
    else:
        char = html5.get(ref[1:], ref)  # exact names only: "&notit;" is not "&not" + "it;"
    if len(char) >= len(ref):
        return ref
    char, _ = blank_controls(char)
    return char + " " * (len(ref) - len(char))


def parse_date(value: object, what: str, latest: date | None = None) -> date:
    """Parse an ISO date (YYYY-MM-DD) within the accepted range, naming the field in the error.

    The range is :data:`EARLIEST_PUBLISHED` .. ``latest`` (default
    :data:`FALLBACK_LATEST`; the CLI and the app pass :func:`latest_published`).

    >>> parse_date("0001-01-01", "published")
    Traceback (most recent call last):
    ...
    ValueError: published 0001-01-01 is outside 1900-01-01 .. 2100-01-01; give the date the article was published
    """
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        if not isinstance(value, str):
            raise ValueError(f"{what} must be a date written YYYY-MM-DD, got {value!r}")
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(f"{what} must be a date written YYYY-MM-DD, got {value!r}") from None
    latest = latest or FALLBACK_LATEST
    if not EARLIEST_PUBLISHED <= value <= latest:
        raise ValueError(
            f"{what} {value.isoformat()} is outside {EARLIEST_PUBLISHED.isoformat()} .. {latest.isoformat()}; "
            "give the date the article was published"
        )
    return value


def read_metadata(path: str | os.PathLike, max_bytes: int = META_MAX_BYTES) -> dict:
    """Read a `.meta.json` sidecar; a missing file is an empty dict.

    Raises
    ------
    MetadataError
        For a sidecar that is not a regular file, is larger than ``max_bytes``,
        is not JSON, nests too deeply, or does not hold an object.
    """
    if not os.path.lexists(path):
        return {}
    name = shown(path)
    fix = f"it should hold one JSON object of {', '.join(META_FIELDS)}"
    data = read_regular_file(path, max_bytes, what="a sidecar", fix=fix, error=MetadataError)
    try:
        meta = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{name}: not valid JSON ({exc}); fix or delete the sidecar") from None
    except RecursionError:
        raise MetadataError(f"{name}: JSON nested too deeply to be a sidecar; {fix}") from None
    if not isinstance(meta, dict):
        raise MetadataError(f"{name}: must hold a JSON object with {', '.join(META_FIELDS)}")
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
    latest: date | None = None,
    published_from: str | None = None,
) -> Article:
    """Build an :class:`Article` from decoded text, cleaning markup and control characters.

    A missing, invalid or out-of-range publication date (outside
    :data:`EARLIEST_PUBLISHED` .. ``latest``) is a warning, and relative dates in
    the article are then left unresolved rather than guessed; `missing_date_hint`
    says how the user can give one (the default names the sidecar and --published),
    `published_from` where the date came from (default: the document id).
    Title, outlet, url and basis are cut to :data:`META_MAX_CHARS`, with a warning.
    """
    notes = list(warnings)
    if not text.strip():
        raise DocumentError(f"{doc_id}: the text is empty; nothing to extract")
    text, tags = strip_markup(text)
    if tags:
        notes.append(f"{doc_id}: {tags} HTML tags/scripts removed from the text (shown as blanks)")
    text, controls = blank_controls(text)
    if controls:
        notes.append(f"{doc_id}: {controls} control characters (NUL, ...) replaced by spaces")
    if not text.strip():
        raise DocumentError(f"{doc_id}: nothing but markup or control characters; nothing to extract")
    when = _publication_date(published, published_from or doc_id, latest, missing_date_hint, notes)
    fields = {
        key: _field(value, key, doc_id, notes)
        for key, value in (("title", title), ("outlet", outlet), ("url", url), ("published_basis", published_basis))
    }
    return Article(
        doc_id=doc_id,
        text=text,
        published=when,
        source_path=source_path,
        warnings=tuple(notes),
        **fields,
    )


def _publication_date(
    value: object, source: str, latest: date | None, hint: str | None, notes: list[str]
) -> date | None:
    if value in (None, ""):
        hint = hint or f"add 'published' to {source}{META_SUFFIX} or pass --published"
        notes.append(f"{source}: no publication date ({hint}); relative dates in this article are left unresolved")
        return None
    try:
        return parse_date(value, f"{source}: published", latest)
    except ValueError as exc:
        notes.append(f"{exc}; relative dates in this article are left unresolved")
        return None


def _field(value: object, key: str, doc_id: str, notes: list[str]) -> str | None:
    """One metadata field as clean text of at most :data:`META_MAX_CHARS` characters, or None."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        notes.append(f"{doc_id}: {key} must be text, not a JSON {type(value).__name__}; it is ignored")
        return None
    text = blank_controls(str(value))[0].translate(_LINE_BREAKS).strip()  # one line: it is a label
    if len(text) > META_MAX_CHARS:
        notes.append(f"{doc_id}: {key} cut from {len(text):,} to {META_MAX_CHARS:,} characters; shorten it")
        text = text[:META_MAX_CHARS].rstrip()
    return text or None


def load_article(
    path: str | Path,
    *,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    latest: date | None = None,
) -> Article:
    """Read one `.txt` article and its sidecar.

    Parameters
    ----------
    path:
        The text file. Its stem is the document id (see :func:`doc_id_for`).
    published:
        Publication date to use when the sidecar gives none.
    max_bytes:
        Files larger than this are refused with a :class:`DocumentError`.
    latest:
        The latest publication date accepted (see :func:`parse_date`).

    Raises
    ------
    DocumentError, MetadataError
        For a file or sidecar that cannot be read; the message names it and the fix.
    """
    path = Path(path)
    if path.name.endswith(META_SUFFIX):  # given by name (a shell glob): its JSON is no article's text
        article = shown(path.with_name(path.name[: -len(META_SUFFIX)] + ".txt"))
        raise DocumentError(
            f"{shown(path)}: is a sidecar (the metadata of {article}), not an article; it is read with its "
            "article: give the .txt files (*.txt) or their folder"
        )
    data = read_regular_file(path, max_bytes, fix="split it into articles or raise --max-bytes")
    text, warnings = decode_bytes(data, shown(path))
    sidecar = path.with_name(path.stem + META_SUFFIX)
    meta = read_metadata(sidecar)
    return make_article(
        text,
        doc_id_for(path),
        published=meta.get("published") or published,
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        url=meta.get("url"),
        published_basis=meta.get("published_basis"),
        source_path=str(path),
        warnings=warnings,
        latest=latest,
        published_from=shown(sidecar) if meta.get("published") else None,
    )


def walk_sorted(folder: Path, suffix: str) -> Iterator[Path]:
    """Entries under ``folder`` whose names end in ``suffix`` (but folders), depth first, sorted.

    The order of ``sorted(folder.rglob("*" + suffix))`` (paths compare part by part), but
    streamed: only one folder's listing is held at a time, so a million files cost no more
    memory than the largest folder. Like ``rglob``, symbolic links to folders are not followed.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return  # an unreadable sub-folder: as rglob, skip it
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from walk_sorted(Path(entry.path), suffix)
        elif entry.name.endswith(suffix):
            yield Path(entry.path)


def article_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders to `.txt` files, in a stable (sorted) order.

    Anything that exists and is not a folder is yielded (a FIFO named ``x.txt``
    too), so that reading refuses it with the reason rather than skipping it.

    Raises
    ------
    DocumentError
        For a path that does not exist.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from walk_sorted(path, ".txt")
        elif os.path.lexists(path):
            yield path
        else:
            raise DocumentError(f"{shown(path)}: no such file or folder")
