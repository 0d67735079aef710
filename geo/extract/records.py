"""The last extraction step: each :class:`~geo.models.Mention` flattened into a record.

The record copies in what later layers need (the place's name, point and
administrative names from the gazetteer; the article's title and outlet), so
the store, the writers and the map never look anything up again.
"""

from __future__ import annotations

from datetime import date

from ..models import Article, ArticleResult, Mention, MentionRecord, Place
from .gazetteer import Gazetteer


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def admin_names(place: Place | None, gaz: Gazetteer | None) -> tuple[str | None, str | None]:
    """(admin1, country) names of a place from its gazetteer ancestors.

    >>> from geo.extract.pipeline import load_resources
    >>> gaz = load_resources().gazetteer
    >>> admin_names(gaz.get("tadamon"), gaz)
    ('Damascus', 'Syria')
    """
    if place is None or gaz is None:
        return None, None
    chain = [place, *gaz.ancestors(place)]
    admin1 = next((p.name for p in chain if p.kind == "governorate"), None)
    country = next((p.name for p in chain if p.kind == "country"), None)
    if admin1 is None:
        # Damascus is its own governorate: a city with none above it is its places' admin1.
        admin1 = next((p.name for p in chain if p.kind == "city"), None)
    return admin1, country


def mention_record(m: Mention, article: Article, gaz: Gazetteer | None = None) -> MentionRecord:
    """The flat record of one mention of ``article``."""
    p = m.place
    admin1, country = admin_names(p, gaz)
    return MentionRecord(
        mention_id=m.mention_id,
        doc_id=m.doc_id,
        start=m.start,
        end=m.end,
        surface=m.surface,
        place_id=p.id if p else None,
        place=p.name if p else None,
        place_kind=p.kind if p else None,
        lat=p.lat if p else None,
        lon=p.lon if p else None,
        geo_precision=p.geo_precision if p else None,
        uncertainty_km=p.uncertainty_km if p else None,
        admin1=admin1,
        country=country,
        place_source=p.source if p else None,
        is_event=m.is_event,
        event_type=m.event_type,
        sub_event_type=m.sub_event_type,
        trigger=m.trigger,
        date=_iso(m.date.date),
        date_precision=m.date.precision,
        date_basis=m.date.basis,
        date_start=_iso(m.date.start),
        date_end=_iso(m.date.end),
        sentence=m.sentence,
        sentence_start=m.sentence_start,
        attribution=m.attribution,
        verified=m.verified,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        published=_iso(article.published),
        match=m.how,
        event_rule=m.event_rule,
        type_basis=m.type_basis,
        reference_rule=m.reference_rule,
        date_rule=m.date_rule,
        ambiguous=m.ambiguous,
        alternatives=tuple(m.alternatives),
        place_basis=m.place_basis,
    )


def article_records(result: ArticleResult, gaz: Gazetteer | None = None) -> list[MentionRecord]:
    """The records of every mention of one extracted article, in text order."""
    return [mention_record(m, result.article, gaz) for m in result.mentions]
