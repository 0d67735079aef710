"""Every named rule's own examples: the registries of rules held as data run here.

Each rule of ``reference_rules.json`` (and each rule of ``lexicon.json`` that carries
``examples``) lists sentences in which the rule must fire on the place marked with brackets
("said an activist in [Douma]": the mention keeps the rule's id in ``reference_rule``) and
sentences in which it must not. The sentences were written for these tests.
"""

import json

import pytest

from geo.errors import LexiconError
from geo.extract.documents import make_article
from geo.extract.lexicon import DEFAULT_LEXICON, DEFAULT_REFERENCE_RULES, load_lexicon
from geo.extract.pipeline import Resources, extract_article
from geo.extract.references import CHECKS, first_words, last_words

REFERENCE = json.loads(DEFAULT_REFERENCE_RULES.read_text(encoding="utf-8"))
LEXICON = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
# The rule that hands over to the lexicon's place rules fires under their ids.
PLACE_RULE_IDS = {r["id"] for r in LEXICON["place_rules"]}


def _registries():
    """(registry name, rule) for every rule that may carry examples."""
    yield from (("reference_rules", rule) for rule in REFERENCE["rules"])
    for name in ("place_rules", "trigger_blockers"):
        yield from ((name, rule) for rule in LEXICON[name] if "examples" in rule)


def _cases():
    for registry, rule in _registries():
        for way, fires in (("fires", True), ("does_not_fire", False)):
            for text in rule["examples"][way]:
                yield pytest.param(rule, text, fires, id=f"{registry}:{rule['id']}:{way}:{text[:30]}")


def _marked(text: str) -> tuple[str, int, int]:
    """The text without the brackets, and where the bracketed place is in it."""
    start = text.index("[")
    end = text.index("]", start) - 1
    return text.replace("[", "", 1).replace("]", "", 1), start, end


def _ids(rule: dict) -> set[str]:
    return PLACE_RULE_IDS if rule.get("check") == "place_rules" else {rule["id"]}


@pytest.mark.parametrize("rule,text,fires", list(_cases()))
def test_rule_example(res, rule, text, fires):
    plain, start, end = _marked(text)
    article = make_article(plain, "rules", published="2014-02-10")
    found = [m for m in extract_article(article, res).mentions if (m.start, m.end) == (start, end)]
    assert found, f"no place mention at {plain[start:end]!r} in {plain!r}"
    if fires:
        assert found[0].reference_rule in _ids(rule), f"{rule['id']} should fire (got {found[0].reference_rule!r})"
    else:
        assert found[0].reference_rule not in _ids(rule), f"{rule['id']} should not fire"


def test_every_reference_rule_has_examples_both_ways():
    """A rule added without sentences that show it fire and not fire fails here."""
    for rule in REFERENCE["rules"]:
        if rule.get("check") == "place_rules":
            continue  # the place rules' own examples are in tests/test_genre.py
        assert rule["examples"]["fires"] and rule["examples"]["does_not_fire"], rule["id"]


def test_every_reference_rule_says_why_and_names_known_checks():
    for rule in REFERENCE["rules"]:
        assert rule.get("why"), rule["id"]
        assert rule.get("check") is None or rule["check"] in CHECKS, rule["id"]


def test_todays_reference_ids_are_kept():
    """The ids are exported (``reference_rule``): renaming one breaks users' filters."""
    ids = {rule["id"] for rule in REFERENCE["rules"]}
    assert {
        "heading",
        "compound",
        "based",
        "title",
        "possessive",
        "speaker",
        "origin",
        "attribution",
        "metonymy",
        "area-list",
        "description",
        "generic",
        "solidarity",
        "locator",
        "meeting",
        "wire dateline",
        "statement",
        "dateline",
        "not located",
    } <= ids


def _write_rules(tmp_path, change) -> tuple:
    data = json.loads(DEFAULT_REFERENCE_RULES.read_text(encoding="utf-8"))
    change(data["rules"])
    path = tmp_path / "reference_rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return DEFAULT_LEXICON, path


def test_a_rule_naming_an_unknown_word_list_is_named(tmp_path):
    def change(rules):
        rules[2]["pattern"] = r"\b(?:{no_such_words})\s+$"

    with pytest.raises(LexiconError, match="'based'.*no_such_words.*words"):
        load_lexicon(*_write_rules(tmp_path, change))


def test_a_rule_with_an_unknown_side_is_named(tmp_path):
    def change(rules):
        rules[2]["side"] = "around"

    with pytest.raises(LexiconError, match="'based'.*around.*before-list"):
        load_lexicon(*_write_rules(tmp_path, change))


def test_a_rule_with_an_unknown_gate_is_named(tmp_path):
    def change(rules):
        rules[2]["applies_to"] = {"kind": ["city"]}

    with pytest.raises(LexiconError, match="'based'.*kind.*kinds"):
        load_lexicon(*_write_rules(tmp_path, change))


def test_a_rule_naming_an_unknown_check_is_named(res, tmp_path):
    def change(rules):
        rules[0]["check"] = "no_such_check"

    lexicon = load_lexicon(*_write_rules(tmp_path, change))
    article = make_article("Shells hit Douma on Monday.", "rules", published="2014-02-10")
    with pytest.raises(LexiconError, match="'heading'.*no_such_check.*in_heading"):
        extract_article(article, Resources(res.gazetteer, lexicon, res.home_country))


def test_windows_are_counted_in_words():
    assert last_words("rebels said that troops shelled the town of ", 3) == "the town of "
    assert last_words("of ", 3) == "of "
    assert first_words(" residents said on Monday that", 2) == " residents said "
    assert first_words(" said", 4) == " said"
