"""The extraction pipeline: article -> place spans -> tagged mentions.

This module only composes the stages; each lives in its own module
(:mod:`geo.extract.documents`, :mod:`geo.extract.match`, :mod:`geo.extract.events`,
:mod:`geo.extract.dates`); :mod:`geo.extract.records` flattens the result and
:mod:`geo.extract.batch` runs it over many files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..errors import ClashmapError
from ..models import Article, ArticleResult, Place
from .documents import DEFAULT_MAX_BYTES, article_paths, doc_id_for, load_article, shown
from .events import tag_article
from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from .match import find_mentions

#: The country whose conflict the articles report; places outside it are "foreign".
HOME_COUNTRY = "syria"


@dataclass(frozen=True)
class Resources:
    """Everything extraction needs, loaded once."""

    gazetteer: Gazetteer
    lexicon: Lexicon
    home_country: str = HOME_COUNTRY

    def is_foreign(self, place: Place) -> bool:
        if place.id == self.home_country:
            return False
        return all(p.id != self.home_country for p in self.gazetteer.ancestors(place))


def load_resources(
    gazetteer: Iterable[str | Path] | None = None,
    lexicon: str | Path = DEFAULT_LEXICON,
    home_country: str = HOME_COUNTRY,
) -> Resources:
    """Load the gazetteer (default: the curated one) and the lexicon."""
    return Resources(load_gazetteer(gazetteer), load_lexicon(lexicon), home_country)


@lru_cache(maxsize=1)
def default_resources() -> Resources:
    """The curated gazetteer and the default lexicon, loaded once per process (read-only)."""
    return load_resources()


def extract_article(article: Article, res: Resources) -> ArticleResult:
    """Find and tag every place mention in one article.

    >>> res = load_resources()
    >>> from geo.extract.documents import make_article
    >>> a = make_article("Clashes erupted in Tadamon on Monday.", "x", published="2012-07-17")
    >>> m = extract_article(a, res).mentions[0]
    >>> (m.place.name, m.event_type, str(m.date.date))
    ('Tadamon', 'Battles', '2012-07-16')
    """
    spans = find_mentions(article.text, res.gazetteer)
    mentions = tag_article(article, spans, res.lexicon, res.is_foreign)
    warnings = list(article.warnings)
    for m in mentions:
        if m.place is None:
            warnings.append(f"{article.doc_id}: unresolved place name {m.surface!r} at {m.start}")
    return ArticleResult(article, tuple(mentions), tuple(warnings))


@dataclass(frozen=True)
class Failure:
    """A file that could not be read or extracted, with the reason (which names the file)."""

    path: str
    message: str


def unique_paths(paths: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Article files from files and folders, in order.

    A missing path, or a second file with an already seen document id (see
    :func:`~geo.extract.documents.doc_id_for`), is a :class:`Failure`, so no
    mention id is ever shared by two articles.
    """
    seen: dict[str, str] = {}
    for raw in paths:
        try:
            files = list(article_paths([raw]))
        except ClashmapError as exc:
            yield Failure(str(raw), str(exc))
            continue
        except OSError as exc:
            yield Failure(str(raw), f"{shown(raw)}: cannot list ({exc.strerror}); check the folder and its permissions")
            continue
        for path in files:
            doc_id = doc_id_for(path)
            if doc_id in seen:
                yield Failure(str(path), f"{shown(path)}: document id {doc_id!r} is also {seen[doc_id]}; rename one")
                continue
            seen[doc_id] = shown(path)
            yield path


def read_article(
    path: Path | Failure,
    published: date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    latest: date | None = None,
) -> Article | Failure:
    """Load one article, turning a reading problem into a :class:`Failure`.

    ``latest`` is the latest publication date accepted (see
    :func:`~geo.extract.documents.parse_date`).
    """
    if isinstance(path, Failure):
        return path
    try:
        return load_article(path, published=published, max_bytes=max_bytes, latest=latest)
    except ClashmapError as exc:
        return Failure(str(path), str(exc))
