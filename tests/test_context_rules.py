"""Every context rule of ``context_rules.json`` on its own examples, named by its id.

A rule's examples mark in brackets what it applies to (the trigger, the place, the time
expression, or the gap between two things: "troops entered Homs[ after fierce ]clashes");
a rule read over the whole sentence has none. The rule must fire on each ``fires`` example
and not on each ``does_not_fire`` one, read in its own window (``side``, ``window``) as the
code reads it. A time expression's brackets mark what its pattern finds. The sentences were
written for these tests.
"""

import json
import re
from pathlib import Path

import pytest

from geo.errors import LexiconError
from geo.extract import dates, events
from geo.extract.rules import DEFAULT_CONTEXT_RULES, context_rules, load_context_rules, rule

RULES = context_rules()


def _marked(text: str) -> tuple[str, int, int]:
    """The text without its brackets, and where the bracketed part is (0, 0 when none)."""
    if "[" not in text:
        return text, 0, 0
    start = text.index("[")
    end = text.index("]", start) - 1
    return text.replace("[", "", 1).replace("]", "", 1), start, end


def _cases():
    for r in RULES.rules.values():
        for way, texts in (("fires", r.must_fire), ("does_not_fire", r.must_not_fire)):
            for text in texts:
                yield pytest.param(r.id, text, way == "fires", id=f"{r.id}:{way}:{text[:30]}")


@pytest.mark.parametrize("rule_id,text,fires", list(_cases()))
def test_rule_example(rule_id, text, fires):
    r = rule(rule_id)
    plain, start, end = _marked(text)
    window = r.window(plain, start, end)
    if fires:
        assert r.fires(plain, start, end), f"{rule_id} should fire on {window!r} (from {plain!r})"
    else:
        assert not r.fires(plain, start, end), f"{rule_id} should not fire on {window!r} (from {plain!r})"


def _time_cases():
    for t in RULES.time_expressions:
        for way, texts in (("fires", t.must_fire), ("does_not_fire", t.must_not_fire)):
            for text in texts:
                yield pytest.param(t.id, text, way == "fires", id=f"{t.id}:{way}:{text[:30]}")


@pytest.mark.parametrize("pattern_id,text,fires", list(_time_cases()))
def test_time_expression_example(pattern_id, text, fires):
    entry = next(t for t in RULES.time_expressions if t.id == pattern_id)
    plain, start, end = _marked(text)
    found = re.compile(entry.pattern, re.IGNORECASE).search(plain)
    if fires:
        assert found is not None, f"{pattern_id} finds nothing in {plain!r}"
        assert found.span() == (start, end), f"{pattern_id} finds {found.group(0)!r}, not {plain[start:end]!r}"
    else:
        assert found is None, f"{pattern_id} should find nothing in {plain!r} (found {found.group(0)!r})"


@pytest.mark.parametrize("entry", [*RULES.rules.values(), *RULES.time_expressions], ids=lambda e: e.id)
def test_every_rule_has_examples_both_ways(entry):
    assert entry.must_fire and entry.must_not_fire, f"{entry.id}: give examples that fire and that do not"


def _asked(module) -> set[str]:
    return set(re.findall(r'\brule\("([\w-]+)"\)', Path(module.__file__).read_text(encoding="utf-8")))


@pytest.mark.parametrize("module", [events, dates], ids=lambda m: m.__name__)
def test_the_code_asks_each_rule_of_its_module_and_no_other(module):
    name = module.__name__.rsplit(".", 1)[1]
    held = {r.id for r in RULES.rules.values() if r.module == name}
    assert _asked(module) == held


def test_time_table_keeps_the_kinds_resolve_reads():
    kinds = [t.kind for t in RULES.time_expressions]
    assert kinds[:3] == ["iso", "dmy", "mdy"]  # a full date wins over a month or a weekday where both start
    assert len({t.id for t in RULES.time_expressions}) == len(kinds)
    assert [k for k, _ in dates.time_table().compiled] == kinds


def test_word_lists_are_filled_from_words_py():
    weekday = next(t for t in RULES.time_expressions if t.id == "weekday")
    assert "monday|tuesday" in weekday.pattern and "{weekdays}" not in weekday.pattern
    raw = json.loads(DEFAULT_CONTEXT_RULES.read_text(encoding="utf-8"))
    assert "{weekdays}" in next(t for t in raw["time_expressions"] if t["id"] == "weekday")["pattern"]


def _write(tmp_path, rules=(), times=(), fragments=None) -> Path:
    path = tmp_path / "context_rules.json"
    path.write_text(
        json.dumps({"fragments": fragments or {}, "rules": list(rules), "time_expressions": list(times)}),
        encoding="utf-8",
    )
    return path


_GOOD = {"id": "x", "module": "events", "applies_to": "trigger", "side": "before", "pattern": "a", "why": "w"}


def test_a_well_formed_file_loads(tmp_path):
    loaded = load_context_rules(_write(tmp_path, [_GOOD]))
    assert loaded.rules["x"].fires("ab", 1, 1)
    assert not loaded.rules["x"].fires("ba", 1, 1)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"side": "left"}, "side 'left'; use one of before"),
        ({"use": "find"}, "use 'find'; use one of search"),
        ({"pattern": "(a"}, "context rule 'x' is malformed"),
        ({"pattern": "{nowhere}"}, "names {nowhere}, which is neither a word list"),
    ],
)
def test_a_malformed_rule_is_named_with_the_fix(tmp_path, change, message):
    with pytest.raises(LexiconError, match=re.escape(message)):
        load_context_rules(_write(tmp_path, [{**_GOOD, **change}]))


def test_a_rule_defined_twice_is_refused(tmp_path):
    with pytest.raises(LexiconError, match="defined twice"):
        load_context_rules(_write(tmp_path, [_GOOD, _GOOD]))


def test_a_malformed_time_expression_is_named(tmp_path):
    bad = {"id": "odd", "kind": "weekday", "pattern": "(?P<wd>", "why": "w"}
    with pytest.raises(LexiconError, match="time expression 'odd' is malformed"):
        load_context_rules(_write(tmp_path, times=[bad]))


def test_an_unknown_rule_id_names_the_file():
    with pytest.raises(LexiconError, match="no context rule 'no-such-rule' in context_rules.json"):
        rule("no-such-rule")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(LexiconError, match="cannot read the context rules"):
        load_context_rules(tmp_path / "absent.json")
