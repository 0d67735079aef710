import pytest

from geo.extract.match import filter_spans, find_mentions, tokens
from geo.models import Span

# Spelling in running text -> the gazetteer id it must resolve to.
TABLE = [
    ("Clashes erupted in Kafar Souseh.", "Kafar Souseh", "kafr-sousa"),
    ("Clashes erupted in Kfar Sousa.", "Kfar Sousa", "kafr-sousa"),
    ("Clashes erupted in Kafr Sousa.", "Kafr Sousa", "kafr-sousa"),
    ("Clashes erupted in Kafersouseh.", "Kafersouseh", "kafr-sousa"),
    ("Shells fell on Yarmuk camp.", "Yarmuk camp", "yarmouk-camp"),
    ("Shells fell on Yarmouk.", "Yarmouk", "yarmouk-camp"),
    ("Troops entered Al-Hajar Al-Aswad.", "Al-Hajar Al-Aswad", "hajar-al-aswad"),
    ("Troops entered Hajar Aswad.", "Hajar Aswad", "hajar-al-aswad"),
    ("Mortars hit Tadamun.", "Tadamun", "tadamon"),
    ("Fighting in Qadam and Kadam.", "Kadam", "qadam"),
    ("Raids in Al-Kaboun overnight.", "Al-Kaboun", "qaboun"),
    ("Raids in Qaboun overnight.", "Qaboun", "qaboun"),
    ("Pilgrims in Sayyidah Zaynab.", "Sayyidah Zaynab", "sayyida-zaynab"),
    ("Families fled Nahr Aisha.", "Nahr Aisha", "nahr-aisha"),
    ("Families fled Nahr Ayshe.", "Nahr Ayshe", "nahr-aisha"),
    ("Tanks shelled Mazzeh.", "Mazzeh", "mezzeh"),
    ("Tanks shelled the Mezze district.", "Mezze", "mezzeh"),
    ("Gunfire in Jobar and Barzeh.", "Barzeh", "barzeh"),
    ("Rebels pushed into Djobar.", "Djobar", "jobar"),
    ("A bomb in Jaramana.", "Jaramana", "jaramana"),
    ("Protests in Douma.", "Douma", "douma"),
    ("Troops in Daraya.", "Daraya", "darayya"),
    ("Shelling of Moadamiyeh.", "Moadamiyeh", "moadamiyeh"),
]


@pytest.mark.parametrize("text,surface,place_id", TABLE, ids=[t[1] for t in TABLE])
def test_spelling_variants_resolve_to_one_place(gaz, text, surface, place_id):
    found = {s.surface: s.place.id for s in find_mentions(text, gaz) if s.place}
    assert found.get(surface) == place_id, found


def _surfaces(text, gaz):
    return [(s.surface, s.place.id if s.place else None) for s in find_mentions(text, gaz)]


def test_longest_match_wins(gaz):
    assert _surfaces("Fighters came from Damascus province.", gaz) == [("Damascus province", "rif-dimashq")]


def test_possessive_and_hyphenated_compound(gaz):
    out = _surfaces("London’s institute and a Tadamon-based activist from the UK-based group.", gaz)
    assert ("London", "london") in out
    assert ("Tadamon", "tadamon") in out
    assert ("UK", "united-kingdom") in out


def test_tokens_not_substrings(gaz):
    assert _surfaces("The Homsi family and a Damascene merchant met.", gaz) == []


def test_demonyms_organisations_and_person_names_are_not_places(gaz):
    text = (
        "The Syrian Observatory, the Free Syrian Army and Russian agencies said British Foreign "
        "Secretary William Hague met Jacob Hussein at the White House."
    )
    assert [p for _, p in _surfaces(text, gaz) if p] == []


def test_place_inside_an_organisation_name_is_not_a_mention(gaz):
    assert _surfaces("The Washington Post and the Jordan Times reported it.", gaz) == []


def test_common_word_place_needs_a_cue(gaz):
    assert _surfaces("Chad said he would stay.", gaz) == []
    assert _surfaces("Fighting spread in Chad.", gaz) == [("Chad", "chad")]
    assert _surfaces("Refugees reached Chad.", gaz) == []  # a verb is not a locative cue


def test_lower_case_landmark_name(gaz):
    out = _surfaces("A bomb exploded in the national security headquarters.", gaz)
    assert out == [("national security headquarters", "national-security-bureau")]


def test_unknown_names_after_cues_are_reported_not_dropped(gaz):
    out = _surfaces("Clashes erupted in the district of Qusour and in Jdeidet Wadi Zubair yesterday.", gaz)
    assert ("Qusour", None) in out
    assert ("Jdeidet Wadi Zubair", None) in out


def test_adjectives_and_months_after_in_are_not_unresolved_places(gaz):
    out = _surfaces("Cleansing in Alawite areas began in March, in Mr Assad's view.", gaz)
    assert out == []


def test_articles_are_not_names(gaz):
    out = _surfaces("An analyst at London's institute, as Russia said.", gaz)
    assert [s for s, _ in out] == ["London", "Russia"]


def test_filter_spans_keeps_longest():
    spans = [
        Span(0, 8, "Damascus", None, "key"),
        Span(0, 17, "Damascus province", None, "key"),
        Span(20, 25, "Midan", None, "key"),
    ]
    assert [s.surface for s in filter_spans(spans)] == ["Damascus province", "Midan"]


def test_tokens_cut_possessives():
    text = "Syria’s army and Tlas’ family"
    assert [text[s:e] for s, e in tokens(text)] == ["Syria", "army", "and", "Tlas", "family"]


def test_named_facilities_are_reported(gaz):
    out = _surfaces("Rockets hit the Abdel Qader al-Husseini mosque and Al-Mouwasat Hospital.", gaz)
    assert ("Abdel Qader al-Husseini mosque", None) in out
    assert ("Al-Mouwasat Hospital", None) in out
