"""Quality floors: the seed gold (development set) and the held-out set."""

from dataclasses import replace

import pytest

from geo.extract.documents import load_article
from geo.extract.pipeline import extract_article
from geo.tools.evaluate import Prediction, load_gold, score

from .conftest import DATA, SEEDS

SEED_FLOOR = {
    "area_mention_recall": 0.97,
    "area_mention_precision": 0.95,
    "correct_place": 0.97,
    "event_f1": 0.90,
    "event_type_accuracy": 0.90,
    "date_exact": 0.90,
}
# The held-out articles were written and annotated apart from the rules (first
# measured at event F1 0.88, type 0.90, exact date 0.73), then used to improve
# them; the floor sits under today's scores to catch regressions.
HELDOUT_FLOOR = {
    "area_mention_recall": 0.97,
    "area_mention_precision": 0.95,
    "correct_place": 0.97,
    "event_f1": 0.95,
    "event_type_accuracy": 0.95,
    "date_exact": 0.90,
}


# A second set, written by another annotator with other places and phrasings (first
# measured at event F1 0.76, type 0.87, exact date 0.79 before any rule saw it).
TEST2_FLOOR = {
    "area_mention_recall": 0.95,
    "area_mention_precision": 0.95,
    "correct_place": 0.90,  # named facilities (mosques, hospitals) are found but not placed
    "event_f1": 0.87,
    "event_type_accuracy": 0.83,
    "date_exact": 0.88,
}


# A third set (first measured at event F1 0.78, type 0.88, exact date 0.89 before any
# rule saw it; half of it then guided rules, the other half at F1 0.88 -> 0.89).
TEST3_FLOOR = {
    "area_mention_recall": 0.95,
    "area_mention_precision": 0.95,
    "correct_place": 0.95,
    "event_f1": 0.92,
    "event_type_accuracy": 0.90,
    "date_exact": 0.87,  # its annotator dates "overnight" to the publication day; we, as "last night", the day before
}


# A fourth set (first measured at area recall 1.0, area precision 1.0, correct place
# 0.99, event F1 0.88, type 0.91, exact date 0.92 before any rule saw it; then used).
TEST4_FLOOR = {
    "area_mention_recall": 0.97,
    "area_mention_precision": 0.95,
    "correct_place": 0.97,
    "event_f1": 0.92,
    "event_type_accuracy": 0.88,
    "date_exact": 0.88,
}


# A fifth set (first measured at area recall 0.97, area precision 1.0, correct place
# 0.98, event F1 0.85, type 0.88, exact date 0.84 before any rule saw it; then used).
TEST5_FLOOR = {
    "area_mention_recall": 0.95,
    "area_mention_precision": 0.95,
    "correct_place": 0.95,
    "event_f1": 0.93,
    "event_type_accuracy": 0.87,
    "date_exact": 0.87,
}


# A sixth set, kept apart from rule writing: measured once, at area recall 0.98, area
# precision 1.0, correct place 0.99, event F1 0.91, type 0.92, exact date 0.90.
TEST6_FLOOR = {
    "area_mention_recall": 0.95,
    "area_mention_precision": 0.95,
    "correct_place": 0.95,
    "event_f1": 0.88,
    "event_type_accuracy": 0.88,
    "date_exact": 0.87,
}


# The gold of test4 (2 rows) and test5 (1 row) follows "Choosing the event type" (GUIDELINES.md):
# bombs during fighting at a place are Battles; an evacuation under shelling is the shelling.
# Every floor above still holds with the new gold, none was lowered.


def _report(res, gold_path, folder):
    documents, gold = load_gold(gold_path)
    preds = []
    for doc_id in documents:
        result = extract_article(load_article(folder / f"{doc_id}.txt"), res)
        preds += [Prediction.from_mention(m) for m in result.mentions]
    return score(gold, preds)


@pytest.mark.parametrize(
    "gold,folder,floor",
    [
        (DATA / "seeds.gold.json", SEEDS, SEED_FLOOR),
        (DATA / "heldout" / "heldout.gold.json", DATA / "heldout", HELDOUT_FLOOR),
        (DATA / "test2" / "test2.gold.json", DATA / "test2", TEST2_FLOOR),
        (DATA / "test3" / "test3.gold.json", DATA / "test3", TEST3_FLOOR),
        (DATA / "test4" / "test4.gold.json", DATA / "test4", TEST4_FLOOR),
        (DATA / "test5" / "test5.gold.json", DATA / "test5", TEST5_FLOOR),
        (DATA / "test6" / "test6.gold.json", DATA / "test6", TEST6_FLOOR),
    ],
    ids=["seeds", "heldout", "test2", "test3", "test4", "test5", "test6"],
)
def test_quality_floor(res, gold, folder, floor):
    report = _report(res, gold, folder)
    low = {k: report.scores[k] for k, v in floor.items() if report.scores[k] is None or report.scores[k] < v}
    assert not low, f"below the floor: {low}\n{report.format()}"


def _gold(event_type):
    from geo.tools.evaluate import Gold

    return Gold("d", 0, 5, "Jobar", "Jobar", 33.53, 36.33, 2.0, True, event_type, None, None, None)


def _pred(event_type):
    return Prediction("d", 0, 5, "Jobar", "Jobar", 33.53, 36.33, True, event_type, None)


def test_undecided_gold_type_is_not_scored():
    """A gold "*" accepts any predicted type: it neither counts as an error nor in the denominator."""
    report = score(
        [_gold("*"), replace(_gold("Battles"), doc="e")],
        [_pred("Protests"), replace(_pred("Battles"), doc="e")],
    )
    assert report.scores["event_type_accuracy"] == 1.0
    assert report.counts["event_type_accuracy"] == 1
    assert not any(e.startswith("event type") for e in report.errors)


def test_decided_gold_type_is_scored():
    report = score([_gold("Battles")], [_pred("Protests")])
    assert report.scores["event_type_accuracy"] == 0.0
    assert any(e.startswith("event type") for e in report.errors)
