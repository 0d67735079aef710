"""Plain data passed between the pipeline's stages.

Every stage takes and returns these frozen dataclasses; nothing downstream
assembles dictionaries by hand (the exporters in :mod:`geo.export` are the one
place where they become GeoJSON properties or CSV rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Kinds a gazetteer row may have, from the smallest to the largest.
PLACE_KINDS = (
    "landmark",
    "camp",
    "neighbourhood",
    "mountain",
    "town",
    "city",
    "governorate",
    "region",
    "country",
)

#: ACLED's event types and sub-event types (ACLED codebook, 2023).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

#: Date precisions, finest first (ACLED time_precision 1, 2, 3; then unknown).
DATE_PRECISIONS = ("day", "week", "month", "unknown")


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: one place with a sourced WGS84 coordinate."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    source: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    note: str = ""
    needs_cue: bool = False  # also a common word or name: match only after "in", "near", ...
    origin: str = ""  # "file.csv:row" the entry was read from

    @property
    def geo_precision(self) -> int:
        """ACLED geo_precision: 1 a particular place, 2 part of a region, 3 a region."""
        if self.kind in ("landmark", "camp", "neighbourhood", "mountain", "town", "city"):
            return 1
        if self.kind == "governorate":
            return 2
        return 3

    @property
    def uncertainty_km(self) -> float:
        """Radius within which the reported event lies, for drawing."""
        return UNCERTAINTY_KM.get(self.kind, 50.0)


#: How far from its coordinate an event at a place of each kind may be.
UNCERTAINTY_KM = {
    "landmark": 0.3,
    "camp": 1.0,
    "neighbourhood": 1.0,
    "mountain": 3.0,
    "town": 2.0,
    "city": 8.0,
    "governorate": 40.0,
    "region": 40.0,
    "country": 300.0,
}


@dataclass(frozen=True)
class Article:
    """One news text with what is known of where and when it appeared."""

    doc_id: str
    text: str
    published: date | None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_basis: str | None = None
    source_path: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    """A candidate place name found in a text, before events and dates."""

    start: int
    end: int
    surface: str
    place: Place | None  # None: a place-like name the gazetteer does not know
    how: str  # "alias", "key", "fuzzy" or "cue" (unresolved name after a locative cue)


@dataclass(frozen=True)
class ResolvedDate:
    """When an event happened, as the text lets us say it."""

    date: date | None
    precision: str = "unknown"  # one of DATE_PRECISIONS
    basis: str | None = None  # the words the date rests on
    start: date | None = None  # interval the event lies in (UCDP style)
    end: date | None = None


UNKNOWN_DATE = ResolvedDate(None, "unknown", None)


@dataclass(frozen=True)
class Mention:
    """One place mention with its event reading, date and evidence."""

    doc_id: str
    start: int
    end: int
    surface: str
    place: Place | None
    sentence: str
    sentence_start: int
    is_event: bool = False
    event_type: str | None = None
    sub_event_type: str | None = None
    trigger: str | None = None  # the words that make it an event
    date: ResolvedDate = UNKNOWN_DATE
    attribution: str | None = None
    verified: bool | None = None  # False: the text calls the report unverified
    how: str = "alias"

    @property
    def mention_id(self) -> str:
        """Stable across runs: document and character offsets."""
        return f"{self.doc_id}:{self.start}-{self.end}"

    @property
    def resolved(self) -> bool:
        return self.place is not None


@dataclass(frozen=True)
class ArticleResult:
    """Everything the pipeline found in one article."""

    article: Article
    mentions: tuple[Mention, ...]
    warnings: tuple[str, ...] = ()

    @property
    def unresolved(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if m.place is None)


@dataclass(frozen=True)
class Event:
    """Mentions of one place, event type and date merged across documents."""

    event_id: str
    place: Place
    event_type: str
    sub_event_type: str | None
    date: ResolvedDate
    mentions: tuple[Mention, ...]
    articles: tuple[Article, ...] = field(default=())

    @property
    def corroboration(self) -> int:
        """Number of distinct outlets (or documents without one) reporting it."""
        return len({a.outlet or a.doc_id for a in self.articles})
