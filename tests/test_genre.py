"""Humanitarian reporting: the context rules that keep aid, needs, appeals and statistics off the map.

UN situation reports, press releases and statements tell of deliveries, access, hosting, needs and
counts over months far more than of clashes (GUIDELINES.md: only what happened at a place on a day
is an event). Each rule in ``lexicon.json`` (``trigger_blockers``, ``place_rules``) and the
``period-count`` rule of :mod:`geo.extract.events` has sentences here that must make it fire (the
mention is no event and keeps the rule's id in ``reference_rule``) and sentences that must not (a
near phrasing that tells an act). The sentences were written for these tests.
"""

import json

import pytest

from geo.errors import LexiconError
from geo.extract.documents import make_article
from geo.extract.lexicon import DEFAULT_LEXICON, load_lexicon
from geo.extract.pipeline import extract_article


def _mention(res, text, surface, published="2014-02-10"):
    article = make_article(text, "g", published=published)
    found = [m for m in extract_article(article, res).mentions if m.surface == surface]
    assert found, f"{surface!r} not found in {text!r}"
    return found[0]


# (rule id, sentence, place): the rule fires, the place is no event.
FIRES = [
    ("agreement-talk", "Mediators began talks on a local truce for Zabadani.", "Zabadani"),
    ("agreement-talk", "A ceasefire in Madaya is expected within days.", "Madaya"),
    ("aid-movement", "Relief trucks entered Talbiseh on Monday for the first time in weeks.", "Talbiseh"),
    ("aid-movement", "A joint UN team arrived in Douma on Wednesday to look at the water network.", "Douma"),
    ("aid-movement", "The agency said it was withdrawing all foreign staff from Raqqa.", "Raqqa"),
    ("to-verify", "Observers drove to Taftanaz on Friday to investigate reports of an air strike.", "Taftanaz"),
    ("aid-access", "Nutrition supplies are scarce in Madaya, which has been cut off from aid since autumn.", "Madaya"),
    ("people-displaced", "Families displaced from Qusayr now rent rooms in Hama.", "Qusayr"),
    ("aid-recipients", "The agency gives monthly rations to 5,000 refugees in Sweida.", "Sweida"),
    ("since-clause", "Engineers reached the water plant in Yabroud for the first time since the shelling.", "Yabroud"),
    ("appeal", "The envoy asked for an end to the bombardment of Daraya.", "Daraya"),
    ("appeal", "Agencies pressed the parties to lift the blockade of Moadamiyeh.", "Moadamiyeh"),
    ("appeal", "The spokesman said the bombing of homes in Douma has to stop.", "Douma"),
    ("appeal", "The UN calls on all parties to allow the safe evacuation of civilians from Mleiha.", "Mleiha"),
    ("affected-by", "Farmers around Hama have borne the brunt of the fighting.", "Hama"),
    ("affected-by", "Teachers in districts affected by clashes, such as Barzeh, cannot reach schools.", "Barzeh"),
    ("may-force", "Officials said renewed air strikes might drive tens of thousands to flee Idlib.", "Idlib"),
    ("displaced-stock", "Nearly 300,000 people are now displaced inside Latakia governorate.", "Latakia governorate"),
    ("host", "Tartous has taken in tens of thousands of families and is hosting more every week.", "Tartous"),
    ("host", "Qudsaya is home to some 60,000 displaced people.", "Qudsaya"),
    ("host", "Most families who left Homs are living in rented flats in Tartous.", "Tartous"),
    ("route", "Two Gulf carriers cancelled all flights to Aleppo after the fighting.", "Aleppo"),
    ("seen-from", "Columns of smoke from the bombardment were visible from Mezzeh.", "Mezzeh"),
    ("goal", "The rebels named their offensive a campaign to liberate Hama.", "Hama"),
    ("place-state", "Fighting spread north, and Idlib has become the main battleground.", "Idlib"),
    ("place-state", "Troops took three villages, but Yabroud has remained a rebel stronghold.", "Yabroud"),
    ("period-count", "More than 80,000 people have left Raqqa over the past four months.", "Raqqa"),
    ("period-count", "Since the start of the crisis, some 3,000 people have been killed in Daraa.", "Daraa"),
    ("period-count", "An estimated 120,000 people have fled Deir ez-Zor since June 2012.", "Deir ez-Zor"),
    ("displaced-stock", "A third of the camp's people are thought to have been displaced within Daraa.", "Daraa"),
    ("people-stock", "About 90,000 refugees are hosted in Sweida, with 4,000 more in Hama.", "Hama"),
    ("people-stock", "Some 12,000 refugees remain sheltered in Jaramana and 3,000 in Qudsaya.", "Qudsaya"),
    ("people-stock", "Some 2,000 refugees are now in school buildings in Qudsaya.", "Qudsaya"),
    ("origin-label", "Teachers from the agency visited Yarmouk refugees in two schools on Monday.", "Yarmouk"),
    ("origin-label", "The agency counts 40,000 Palestine refugees who have fled the fighting.", "Palestine"),
    ("conflict-label", "Donors met on Monday as the Syria conflict entered its fourth year.", "Syria"),
    ("people-displaced", "Most of the displaced in the shelter are from Adra.", "Adra"),
    ("people-displaced", "The number of internally displaced in Hama passed 200,000 in May.", "Hama"),
    ("affected-by", "Agencies are feeding families displaced by shelling in Rural Damascus.", "Rural Damascus"),
    ("siege-state", "Moadamiyeh has been under siege since last October.", "Moadamiyeh"),
    ("siege-state", "The old quarter of Homs remains besieged, aid workers said.", "Homs"),
    ("period-count", "Since the beginning of March, 9,000 people have left Mleiha for Jaramana.", "Mleiha"),
    ("non-violent-death", "Twelve residents died of hunger in Yarmouk last month.", "Yarmouk"),
    ("hazard", "Unexploded ordnance and landmines still pose a grave risk around Qusayr.", "Qusayr"),
    ("area-list", "Shelling and clashes were recorded in the governorates of Idlib, Hama and Latakia.", "Hama"),
    ("area-list", "Air strikes went on in Aleppo, Idlib, Hama and Raqqa provinces throughout the month.", "Idlib"),
    ("aid-movement", "The council approved the deployment of an unarmed monitoring mission to Hama.", "Hama"),
    ("aid-movement", "Diplomats discussed the deployment of more observers to Deraa next month.", "Deraa"),
    ("agreement-talk", "Mediators said ceasefire negotiations over Zabadani stalled on Monday.", "Zabadani"),
    ("agreement-talk", "Elders said a truce proposal covering Moadamiyeh was on the table.", "Moadamiyeh"),
    ("appeal", "The envoy urged that families trapped in Qusayr be allowed to leave.", "Qusayr"),
    ("appeal", "Allies must ensure the army stops using heavy weapons in Rastan.", "Rastan"),
    ("feared-act", "The envoy warned that an assault on Aleppo would be catastrophic.", "Aleppo"),
    ("feared-act", "Analysts said a fresh offensive against Idlib might prove costly for both sides.", "Idlib"),
    ("norm", "He reminded the parties that attacks on hospitals in Idlib are prohibited.", "Idlib"),
    ("norm", "The shelling of schools in Douma is strictly forbidden under the law.", "Douma"),
    ("party-noun", "Hundreds of armed defectors gathered in Rastan on Monday.", "Rastan"),
    ("projectile-fell", "Debris fell onto the roof of a school in Qaboun on Monday.", "Qaboun"),
]

# (rule id, sentence, place): a near phrasing the rule must leave alone; the place is an event.
SPARES = [
    ("agreement-talk", "After weeks of talks, a truce took effect in Zabadani on Monday.", "Zabadani"),
    ("agreement-talk", "A truce in Madaya was agreed on Sunday.", "Madaya"),
    ("aid-movement", "Army tanks entered Talbiseh on Monday after a week of shelling.", "Talbiseh"),
    ("aid-movement", "The UN said troops entered Douma on Wednesday.", "Douma"),
    ("aid-movement", "The army withdrew its armoured units from Raqqa on Sunday.", "Raqqa"),
    ("to-verify", "Observers confirmed that an air strike hit Taftanaz on Friday.", "Taftanaz"),
    ("aid-access", "Government forces cut off Madaya on Tuesday.", "Madaya"),
    ("people-displaced", "Shelling displaced hundreds of families from Qusayr on Sunday.", "Qusayr"),
    ("aid-recipients", "Thousands of displaced people crossed into Sweida on Monday.", "Sweida"),
    ("since-clause", "Rebels have since seized the hospital in Yabroud, activists said.", "Yabroud"),
    ("appeal", "Government forces ended their siege of Daraya on Thursday.", "Daraya"),
    ("appeal", "The bombing of homes in Douma did not stop on Sunday, residents said.", "Douma"),
    ("affected-by", "Heavy clashes hit Barzeh on Monday.", "Barzeh"),
    ("may-force", "Air strikes forced tens of thousands to flee Idlib last week.", "Idlib"),
    ("displaced-stock", "Clashes on Monday displaced 3,000 people inside Latakia.", "Latakia"),
    ("host", "Tartous was hit by two car bombs on Sunday.", "Tartous"),
    ("route", "Rebels fired rockets into Aleppo on Friday.", "Aleppo"),
    ("seen-from", "Mortars fell on Mezzeh on Sunday, residents said.", "Mezzeh"),
    ("goal", "Rebels liberated two checkpoints in Hama on Saturday.", "Hama"),
    ("place-state", "Idlib became a battleground on Monday when rebels stormed two army posts.", "Idlib"),
    ("place-state", "Yabroud, a rebel stronghold, was shelled by tanks on Sunday.", "Yabroud"),
    ("period-count", "On 3 February, clashes in Raqqa forced 80,000 people to leave.", "Raqqa"),
    ("period-count", "The shelling of Daraa on Monday was the heaviest since the start of the crisis.", "Daraa"),
    ("displaced-stock", "Shelling on Friday is estimated to have displaced 2,000 people from Daraa.", "Daraa"),
    ("people-stock", "Some 3,000 refugees crossed into Jordan from Daraa on Tuesday.", "Jordan"),
    ("origin-label", "Refugees fled Yarmouk on Sunday after air strikes.", "Yarmouk"),
    ("conflict-label", "Government jets struck Aleppo on Monday in the fiercest raids of the war.", "Aleppo"),
    ("siege-state", "Government forces besieged Moadamiyeh on Tuesday.", "Moadamiyeh"),
    ("non-violent-death", "Residents of Yarmouk died of their wounds after shelling on Monday.", "Yarmouk"),
    ("hazard", "A landmine exploded near Qusayr on Sunday, wounding two farmers.", "Qusayr"),
    ("area-list", "Air strikes hit the provinces of Idlib and Hama on Monday, killing nine people.", "Hama"),
    ("area-list", "Rebels attacked checkpoints in Idlib and Hama provinces this week.", "Idlib"),
    ("aid-movement", "The deployment of two armoured brigades to Hama began on Sunday.", "Hama"),
    ("agreement-talk", "A ceasefire negotiated by local elders took effect in Moadamiyeh on Monday.", "Moadamiyeh"),
    ("appeal", "Families trapped in Qusayr were allowed to leave on Sunday.", "Qusayr"),
    ("appeal", "The army has been using heavy weapons in Rastan since dawn, residents said.", "Rastan"),
    ("aid-movement", "Water supplies to Aleppo were cut on Saturday, the water board said.", "Aleppo"),
    ("feared-act", "The assault on Aleppo, which might have been avoided, killed dozens on Monday.", "Aleppo"),
    ("feared-act", "The shelling of Homs on Monday would later be called the worst of the war.", "Homs"),
    ("norm", "Attacks on hospitals in Idlib were condemned on Monday.", "Idlib"),
    ("norm", "Jets bombed a hospital in Douma on Sunday, a prohibited act under the law.", "Douma"),
    ("party-noun", "Two army officers and their men defected in Rastan on Monday.", "Rastan"),
    ("projectile-fell", "Qusayr fell on Wednesday after a three-week siege.", "Qusayr"),
]

# Humanitarian sentences that still tell events: the rules must not hide them.
EVENTS = [
    ("A convoy carrying medicines came under fire near Harasta on Thursday.", "Harasta", "Battles"),
    ("Armed men fired on a relief lorry in Homs yesterday.", "Homs", "Battles"),
    ("Mortars struck a school sheltering families in Jaramana on Sunday.", "Jaramana", "Explosions/Remote violence"),
    ("The UN condemned the shelling of Khan Eshieh camp on Tuesday.", "Khan Eshieh camp", "Explosions/Remote violence"),
    ("Fighting in Adra on Wednesday displaced some 5,000 people.", "Adra", "Battles"),
    # Refugees counted in a neighbouring country are crossings there, however long the period.
    ("Some 200,000 Syrians have registered as refugees in Jordan since the uprising began.", "Jordan", None),
    # No count: a long act at a place is still told ("period-count" needs a statistic).
    ("For nearly three months, government forces shelled Qaboun every day.", "Qaboun", None),
]


@pytest.mark.parametrize("rule,text,surface", FIRES, ids=[f"{r}:{t[:30]}" for r, t, _ in FIRES])
def test_rule_fires(res, rule, text, surface):
    m = _mention(res, text, surface)
    assert not m.is_event, f"{surface} should be no event ({m.event_rule}, {m.trigger!r})"
    assert m.reference_rule == rule


@pytest.mark.parametrize("rule,text,surface", SPARES, ids=[f"{r}:{t[:30]}" for r, t, _ in SPARES])
def test_rule_spares(res, rule, text, surface):
    m = _mention(res, text, surface)
    assert m.reference_rule != rule
    assert m.is_event, f"{surface} should be an event (reference_rule {m.reference_rule!r})"


@pytest.mark.parametrize("text,surface,event_type", EVENTS, ids=[t[:40] for t, _, _ in EVENTS])
def test_humanitarian_events_stay(res, text, surface, event_type):
    m = _mention(res, text, surface)
    assert m.is_event, f"{surface} should be an event (reference_rule {m.reference_rule!r})"
    assert event_type is None or m.event_type == event_type


def test_every_rule_has_examples_both_ways():
    """A rule added to the lexicon without sentences that show it fire and not fire fails here."""
    data = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    ids = {r["id"] for r in data["trigger_blockers"] + data["place_rules"]} | {"period-count", "area-list"}
    assert ids == {r for r, _, _ in FIRES}
    assert ids == {r for r, _, _ in SPARES}


def test_every_rule_says_why():
    data = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    assert all(r.get("why") for r in data["trigger_blockers"] + data["place_rules"])


def test_a_rule_with_an_unknown_side_is_named(tmp_path):
    data = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    data["place_rules"][0]["side"] = "around"
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LexiconError, match="host.*around"):
        load_lexicon(path)
