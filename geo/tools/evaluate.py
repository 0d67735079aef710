"""Scoring extraction against gold annotations (the format of ``tests/data/*.gold.json``).

A predicted mention matches a gold mention in the same document when their
character spans overlap (pairs are made greedily by largest overlap). The
place is right when the predicted coordinate lies within the gold's
``tol_km`` of the gold coordinate, whatever the gazetteer calls it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ..errors import GoldError
from ..extract.gazetteer import haversine_km
from ..models import Mention

#: A gold event type the text does not decide (GUIDELINES.md): any predicted type is accepted, none is scored.
UNDECIDED = "*"
#: The Damascus area: within this distance of the city centre.
DAMASCUS = (33.5102, 36.29128)
AREA_KM = 30.0
GOLD_FIELDS = ("doc", "start", "end", "surface", "place", "lat", "lon", "tol_km", "is_event")


@dataclass(frozen=True)
class Gold:
    doc: str
    start: int
    end: int
    surface: str
    place: str
    lat: float
    lon: float
    tol_km: float
    is_event: bool
    event_type: str | None
    sub_event_type: str | None
    date: date | None
    date_basis: str | None

    @property
    def in_area(self) -> bool:
        return haversine_km(self.lat, self.lon, *DAMASCUS) <= AREA_KM


@dataclass(frozen=True)
class Prediction:
    """What scoring needs of a predicted mention (from the pipeline or a GeoJSON file)."""

    doc: str
    start: int
    end: int
    surface: str
    place: str | None
    lat: float | None
    lon: float | None
    is_event: bool
    event_type: str | None
    date: date | None

    @property
    def in_area(self) -> bool:
        # An unresolved name counts as in the area: it may be a Damascus place we missed.
        if self.lat is None or self.lon is None:
            return True
        return haversine_km(self.lat, self.lon, *DAMASCUS) <= AREA_KM

    @classmethod
    def from_mention(cls, m: Mention) -> Prediction:
        p = m.place
        return cls(
            m.doc_id,
            m.start,
            m.end,
            m.surface,
            p.name if p else None,
            p.lat if p else None,
            p.lon if p else None,
            m.is_event,
            m.event_type,
            m.date.date,
        )

    @classmethod
    def from_feature(cls, feature: dict) -> Prediction:
        props = feature.get("properties") or {}
        geom = feature.get("geometry") or {}
        lon, lat = (geom.get("coordinates") or [None, None])[:2]
        when = props.get("date")
        return cls(
            props["doc_id"],
            int(props["start"]),
            int(props["end"]),
            props.get("surface", ""),
            props.get("place"),
            lat,
            lon,
            bool(props.get("is_event")),
            props.get("event_type"),
            date.fromisoformat(when) if when else None,
        )


def load_gold(path: str | Path) -> tuple[dict, list[Gold]]:
    """Read a gold file; malformed entries raise :class:`GoldError` naming the entry."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        documents, raw = data["documents"], data["mentions"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise GoldError(f"{path}: not a gold file with 'documents' and 'mentions' ({exc})") from None
    if not isinstance(documents, dict) or not all(isinstance(v, dict) for v in documents.values()):
        raise GoldError(
            f"{path}: 'documents' must map each document id to its metadata, as "
            '{"01": {"published": "2012-07-18"}}'
        )
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        raise GoldError(f"{path}: 'mentions' must be a list of objects, one per gold mention")
    out = []
    for i, m in enumerate(raw):
        missing = [f for f in GOLD_FIELDS if f not in m]
        if missing:
            raise GoldError(f"{path}: mention {i} lacks {', '.join(missing)}")
        try:
            out.append(
                Gold(
                    m["doc"],
                    int(m["start"]),
                    int(m["end"]),
                    m["surface"],
                    m["place"],
                    float(m["lat"]),
                    float(m["lon"]),
                    float(m["tol_km"]),
                    bool(m["is_event"]),
                    m.get("event_type"),
                    m.get("sub_event_type"),
                    date.fromisoformat(m["date"]) if m.get("date") else None,
                    m.get("date_basis"),
                )
            )
        except (TypeError, ValueError) as exc:
            raise GoldError(f"{path}: mention {i} is malformed ({exc})") from None
    return documents, out


@dataclass
class Report:
    """Scores and the list of errors behind them."""

    counts: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def format(self, show_errors: bool = True) -> str:
        lines = ["metric                         score   (n)"]
        for name, value in self.scores.items():
            n = self.counts.get(name)
            shown = "   n/a" if value is None else f"{value:6.3f}"
            lines.append(f"{name:30s} {shown}" + (f"   ({n:g})" if n is not None else ""))
        if show_errors and self.errors:
            lines.append(f"\n{len(self.errors)} errors:")
            lines.extend("  " + e for e in self.errors)
        return "\n".join(lines)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def pair(gold: list[Gold], preds: list[Prediction]) -> list[tuple[Gold, Prediction]]:
    """Match gold and predicted mentions by overlapping spans, largest overlap first."""
    by_doc: dict[str, list[Prediction]] = defaultdict(list)
    for p in preds:
        by_doc[p.doc].append(p)
    candidates = []
    for gi, g in enumerate(gold):
        for p in by_doc.get(g.doc, ()):
            overlap = min(g.end, p.end) - max(g.start, p.start)
            if overlap > 0:
                candidates.append((-overlap, gi, id(p), g, p))
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pid, g, p in sorted(candidates, key=lambda c: c[:3]):
        if gi not in used_g and pid not in used_p:
            used_g.add(gi)
            used_p.add(pid)
            pairs.append((g, p))
    return pairs


def score(gold: list[Gold], preds: Iterable[Prediction]) -> Report:
    """Compute every metric of the quality floor, with the errors behind them."""
    preds = list(preds)
    docs = {g.doc for g in gold}
    preds = [p for p in preds if p.doc in docs]
    pairs = pair(gold, preds)
    matched_g = {id(g) for g, _ in pairs}
    matched_p = {id(p) for _, p in pairs}
    rep = Report()
    err = rep.errors

    def where(g_or_p) -> str:
        return f"{g_or_p.doc}:{g_or_p.start} {g_or_p.surface!r}"

    for g in gold:
        if id(g) not in matched_g:
            err.append(f"missed      {where(g)} ({g.place})")
    for p in preds:
        if id(p) not in matched_p:
            err.append(f"spurious    {where(p)} -> {p.place}" + (" [event]" if p.is_event else ""))

    right_place = [p.lat is not None and haversine_km(p.lat, p.lon, g.lat, g.lon) <= g.tol_km for g, p in pairs]
    area_pairs = [(g, p, ok) for (g, p), ok in zip(pairs, right_place) if g.in_area]
    for (g, p), ok in zip(pairs, right_place):
        if not ok:
            err.append(f"wrong place {where(g)}: {p.place} ({p.lat}, {p.lon}) not within {g.tol_km} km of {g.place}")
        if g.is_event != p.is_event:
            err.append(f"is_event    {where(g)}: predicted {p.is_event}, gold {g.is_event}")
    tp = [(g, p) for g, p in pairs if g.is_event and p.is_event]
    typed = [(g, p) for g, p in tp if g.event_type != UNDECIDED]
    for g, p in tp:
        if g.event_type != UNDECIDED and g.event_type != p.event_type:
            err.append(f"event type  {where(g)}: {p.event_type} vs gold {g.event_type}")
        if g.date != p.date:
            err.append(f"date        {where(g)}: {p.date} vs gold {g.date} ({g.date_basis})")

    gold_area = [g for g in gold if g.in_area]
    pred_area = [p for p in preds if p.in_area]
    n_pred_events = sum(p.is_event for p in preds)
    n_gold_events = sum(g.is_event for g in gold)
    precision, recall = _ratio(len(tp), n_pred_events), _ratio(len(tp), n_gold_events)

    def near(a: date | None, b: date | None) -> bool:
        return a == b or (a is not None and b is not None and abs(a - b) <= timedelta(days=1))

    rep.scores = {
        "mention_recall": _ratio(len(pairs), len(gold)),
        "mention_precision": _ratio(len(pairs), len(preds)),
        "area_mention_recall": _ratio(sum(1 for g in gold_area if id(g) in matched_g), len(gold_area)),
        "area_mention_precision": _ratio(sum(1 for p in pred_area if id(p) in matched_p), len(pred_area)),
        "correct_place": _ratio(sum(right_place), len(pairs)),
        "area_correct_place": _ratio(sum(ok for _, _, ok in area_pairs), len(area_pairs)),
        "is_event_accuracy": _ratio(sum(g.is_event == p.is_event for g, p in pairs), len(pairs)),
        "event_precision": precision,
        "event_recall": recall,
        "event_f1": _f1(precision, recall),
        "event_type_accuracy": _ratio(sum(g.event_type == p.event_type for g, p in typed), len(typed)),
        "date_exact": _ratio(sum(g.date == p.date for g, p in tp), len(tp)),
        "date_within_1_day": _ratio(sum(near(g.date, p.date) for g, p in tp), len(tp)),
    }
    rep.counts = {
        "mention_recall": len(gold),
        "mention_precision": len(preds),
        "area_mention_recall": len(gold_area),
        "area_mention_precision": len(pred_area),
        "correct_place": len(pairs),
        "area_correct_place": len(area_pairs),
        "is_event_accuracy": len(pairs),
        "event_precision": n_pred_events,
        "event_recall": n_gold_events,
        "event_type_accuracy": len(typed),
        "date_exact": len(tp),
        "date_within_1_day": len(tp),
    }
    return rep
