"""Plain data passed between the pipeline's stages.

Extraction works on :class:`Article`, :class:`Place`, :class:`Span` and
:class:`Mention`; its last step flattens each mention into a
:class:`MentionRecord`, the one record the store, the writers and the map
share, and :func:`geo.export.merge.merge_events` groups records into
:class:`EventRecord` s. Nothing downstream assembles dictionaries by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter

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
    is_default: bool = False  # the place a name shared with other places means when the text does not say

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
    ambiguous: bool = False  # the name is shared by several places; `place` is the one chosen
    alternatives: tuple[str, ...] = ()  # ids of the other places the name may denote
    place_basis: str | None = None  # why `place` was chosen among them ("near 'Homs'", "default")


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
    # Why: the rule ids behind the reading, so a user can ask.
    event_rule: str | None = None  # the trigger rule that made it an event ("shelling"), or why not ("unreal")
    type_basis: str | None = None  # "trigger", "precedence", "sentence", "story" or "undecided" (a best guess)
    reference_rule: str | None = None  # the reference rule that kept it from being an event ("speaker")
    date_rule: str | None = None  # what dated it: "time:weekday", "sentence time", "story day", "publication" ...
    ambiguous: bool = False  # the name is shared by several places (see Span)
    alternatives: tuple[str, ...] = ()  # ids of the other places the name may denote
    place_basis: str | None = None  # why `place` was chosen among them

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


# --- the records every layer after extraction shares --------------------------------------------


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """One place mention as it is stored, exported, filtered and mapped.

    Flat and self-contained (the place's name and point, the article's title
    and outlet are copied in), so the store, the writers and the map need no
    gazetteer. Dates are ISO strings (calendar days, never datetimes). Built
    from a :class:`Mention` by :func:`geo.extract.records.mention_record`.
    """

    mention_id: str
    doc_id: str
    start: int
    end: int
    surface: str
    place_id: str | None
    place: str | None
    place_kind: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    uncertainty_km: float | None
    admin1: str | None
    country: str | None
    place_source: str | None
    is_event: bool
    event_type: str | None
    sub_event_type: str | None
    trigger: str | None
    date: str | None
    date_precision: str
    date_basis: str | None
    date_start: str | None
    date_end: str | None
    sentence: str
    sentence_start: int
    attribution: str | None
    verified: bool | None  # False: the text calls the report unverified
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    match: str
    # Why (issue: users should be able to ask): the rule ids behind the reading.
    event_rule: str | None = None  # the trigger rule that made it an event, or why a trigger did not count
    type_basis: str | None = None  # how the type was chosen: "trigger", "precedence", ..., "undecided"
    reference_rule: str | None = None  # the reference rule that kept it from being an event ("speaker")
    date_rule: str | None = None  # what dated it ("time:weekday", "story day", "publication", ...)
    ambiguous: bool = False  # the name is shared by several places
    alternatives: tuple[str, ...] = ()  # ids of the other places the name may denote
    place_basis: str | None = None  # why this place was chosen among them ("near 'Homs'", "default")

    @property
    def resolved(self) -> bool:
        return self.place_id is not None

    def properties(self) -> dict:
        """The exported properties, in :data:`MENTION_PROPERTIES` order."""
        props = dict(zip(MENTION_PROPERTIES, _MENTION_VALUES(self)))  # one C call for every field
        props["alternatives"] = list(self.alternatives)
        return props


#: Why a mention reads as it does: the rules behind it, and the other places its name may denote.
WHY_FIELDS = ("event_rule", "type_basis", "reference_rule", "date_rule", "ambiguous", "alternatives")

#: Properties of an exported mention, in order: the record's fields but the point (the
#: geometry carries it) and the sentence's offset, plus ``resolved``.
MENTION_PROPERTIES = (
    "mention_id",
    "doc_id",
    "start",
    "end",
    "surface",
    "resolved",
    "place_id",
    "place",
    "place_kind",
    "geo_precision",
    "uncertainty_km",
    "admin1",
    "country",
    "place_source",
    "is_event",
    "event_type",
    "sub_event_type",
    "trigger",
    "date",
    "date_precision",
    "date_basis",
    "date_start",
    "date_end",
    "sentence",
    "attribution",
    "verified",
    "title",
    "outlet",
    "url",
    "published",
    "match",
    *WHY_FIELDS,
    "place_basis",
)
# The values of those properties, in that order, in one call (``resolved`` is a property too).
_MENTION_VALUES = attrgetter(*MENTION_PROPERTIES)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """Mentions of one place, event type and day merged across documents.

    Made only by :func:`geo.export.merge.merge_events`; ``event_type`` is None
    for a group of mere place mentions (the map's "all mentions" view).
    """

    event_id: str
    place_id: str
    place: str
    place_kind: str | None
    lat: float
    lon: float
    geo_precision: int | None
    uncertainty_km: float | None
    admin1: str | None
    country: str | None
    event_type: str | None
    sub_event_type: str | None
    date: str | None
    date_precision: str
    date_basis: str | None
    mentions: tuple[MentionRecord, ...]

    @property
    def is_event(self) -> bool:
        return self.event_type is not None

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets reporting it (the document id where an article names none), sorted."""
        return tuple(sorted({m.outlet or m.doc_id for m in self.mentions}))

    @property
    def reports(self) -> int:
        """Number of mentions (reports) merged into it."""
        return len(self.mentions)

    @property
    def corroboration(self) -> int:
        """Number of distinct outlets (or documents without one) reporting it."""
        return len(self.outlets)

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.doc_id for m in self.mentions))

    @property
    def attributions(self) -> tuple[str, ...]:
        return tuple(sorted({m.attribution for m in self.mentions if m.attribution}))

    @property
    def unverified(self) -> bool:
        return any(m.verified is False for m in self.mentions)

    def properties(self) -> dict:
        """The exported properties of the event (GeoJSON ``--level events``)."""
        return {
            "event_id": self.event_id,
            "place_id": self.place_id,
            "place": self.place,
            "place_kind": self.place_kind,
            "geo_precision": self.geo_precision,
            "uncertainty_km": self.uncertainty_km,
            "admin1": self.admin1,
            "country": self.country,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date,
            "date_precision": self.date_precision,
            "date_basis": self.date_basis,
            "corroboration": self.corroboration,
            "sources": "; ".join(self.outlets),
            "doc_ids": list(self.doc_ids),
            "mention_ids": [m.mention_id for m in self.mentions],
            "sentences": [m.sentence for m in self.mentions],
            "attribution": "; ".join(self.attributions) or None,
            "verified": False if self.unverified else None,
        }
