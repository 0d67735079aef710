from datetime import date

import pytest

from geo.extract.documents import make_article
from geo.extract.pipeline import extract_article


def tag(res, text, published="2012-07-18"):
    article = make_article(text, "t", published=published)
    return {m.surface: m for m in extract_article(article, res).mentions}


# Sentence -> surface -> (is_event, event_type)
RULES = [
    ("Fierce clashes erupted in Midan on Wednesday.", "Midan", True, "Battles"),
    ("Troops shelled Tadamon with mortars.", "Tadamon", True, "Explosions/Remote violence"),
    ("Helicopter gunships fired on Qaboun.", "Qaboun", True, "Explosions/Remote violence"),
    ("A car bomb exploded in Jaramana.", "Jaramana", True, "Explosions/Remote violence"),
    ("The army said it had retaken Midan.", "Midan", True, "Battles"),
    ("Army units drive the rebels out of Midan, state television says.", "Midan", True, "Battles"),
    ("Security forces arrested dozens of men in Barzeh.", "Barzeh", True, "Strategic developments"),
    ("Hundreds of families fled Darayya.", "Darayya", True, "Strategic developments"),
    ("Water and electricity in Yarmouk were cut off.", "Yarmouk", True, "Strategic developments"),
    ("Protesters marched through Douma after Friday prayers.", "Douma", True, "Protests"),
    (
        "Activists said 40 bodies were found in Qaboun, many of them executed.",
        "Qaboun",
        True,
        "Violence against civilians",
    ),
    ("The ambassador to Iraq defected.", "Iraq", True, "Strategic developments"),
    ("Thousands streamed across the border into Lebanon on Thursday.", "Lebanon", True, "Strategic developments"),
    ("Refugees registered in Turkey, Jordan and Iraq.", "Jordan", True, "Strategic developments"),
    ("Rebels shot down a helicopter gunship over Qaboun.", "Qaboun", True, "Battles"),
    ("A mortar shell slammed into a bakery in Qaboun on Monday.", "Qaboun", True, "Explosions/Remote violence"),
    ("The school in Jobar was hit by a shell on Sunday.", "Jobar", True, "Explosions/Remote violence"),
    ("Families who wish to be evacuated from Douma will get buses.", "Douma", False, None),
    ("Scores of families made their way to Lebanon on Tuesday.", "Lebanon", True, "Strategic developments"),
    ("Homes in Douma were damaged due to shelling on Monday.", "Douma", True, "Explosions/Remote violence"),
    ("Troops are due to be deployed to Douma.", "Douma", False, None),
    ("Two VBIEDs exploded in Homs on Monday.", "Homs", True, "Explosions/Remote violence"),
    ("Engineers inspected refugee homes in Jaramana.", "Jaramana", False, None),
    ("The Norwegian Refugee Council opened an office in Homs.", "Homs", False, None),
    (
        "The council condemned a suicide bombing in Damascus and vowed to combat terrorism.",
        "Damascus",
        True,
        "Explosions/Remote violence",
    ),
    ("A boy was shot in the head by a sniper in Douma on Friday.", "Douma", True, "Violence against civilians"),
    ("Ministers condemned the violence at recent meetings held in Geneva.", "Geneva", False, None),
    (
        "A car bomb ripped through a funeral in Jaramana, killing 27 people.",
        "Jaramana",
        True,
        "Explosions/Remote violence",
    ),
    ("Many families have found shelter in the Bekaa Valley.", "Bekaa Valley", True, "Strategic developments"),
    ("Other blasts were reported to the south of Damascus.", "Damascus", True, "Explosions/Remote violence"),
    ("Terrorists tried to infiltrate Jobar from Zamalka and suffered heavy losses.", "Zamalka", True, "Battles"),
    ("Hundreds of families managed to leave Yarmouk for Yalda.", "Yarmouk", True, "Strategic developments"),
    (
        "The Observatory said most fighters had withdrawn from Yabroud overnight.",
        "Yabroud",
        True,
        "Strategic developments",
    ),
    ("A similar deal took effect in Barzeh on 5 January.", "Barzeh", True, "Strategic developments"),
    ("Syrian warplanes struck the outskirts of Arsal on Monday.", "Arsal", True, "Explosions/Remote violence"),
    ("Kurdish fighters expelled jihadists from Ras al-Ain on Wednesday.", "Ras al-Ain", True, "Battles"),
    ("The government expelled two diplomats from Damascus.", "Damascus", False, None),
    ("Kurdish fighters drove ISIS out of Tal Abyad on Monday.", "Tal Abyad", True, "Battles"),
    ("The hilltop town of Maaloula changed hands twice in a week.", "Maaloula", True, "Battles"),
    ("Shelling drove civilians out of Qusayr on Monday.", "Qusayr", True, "Explosions/Remote violence"),
    # A part of a country hosts its violence; the country named as a whole does not.
    ("Government shelling killed 18 people in northern Syria on Sunday.", "Syria", True, "Explosions/Remote violence"),
    ("Doctors across Syria treated the wounded from the shelling.", "Syria", False, None),
    # Checkpoints set up by armed forces (GUIDELINES.md rule 4); residents' barricades are no such step.
    ("The army set up checkpoints around Al-Midan.", "Al-Midan", True, "Strategic developments"),
    ("Rebels and soldiers have set up joint checkpoints in Qudsaya.", "Qudsaya", True, "Strategic developments"),
    ("Residents set up barricades in Latakia to keep out gangs.", "Latakia", False, None),
    # Wire-report verbs: blowing up, targeting, operations, officers killed, weapons handed over, buses out.
    (
        "A truck loaded with explosives blew up outside a police station in Jaramana.",
        "Jaramana",
        True,
        "Explosions/Remote violence",
    ),
    ("Insurgents targeted an army post in Harasta overnight.", "Harasta", True, "Battles"),
    ("The army began a security operation in Zabadani.", "Zabadani", True, "Battles"),
    ("Gunmen killed a colonel in Qudsaya on Friday.", "Qudsaya", True, "Battles"),
    ("Fighters in Barzeh handed over their heavy and medium weapons.", "Barzeh", True, "Strategic developments"),
    ("Green buses ferried 400 gunmen out of Waer on Sunday.", "Waer", True, "Strategic developments"),
    ("The minister said the plan targeted reconstruction in Homs.", "Homs", False, None),
    # Returns and transit are movements of people (displacement); a country after a place holds it.
    ("Around 200 families returned to Qusayr in Syria last Sunday.", "Qusayr", True, "Strategic developments"),
    ("Around 200 families returned to Qusayr in Syria last Sunday.", "Syria", True, "Strategic developments"),
    ("Dozens of families transited through Masnaa on Friday.", "Masnaa", True, "Strategic developments"),
    ("The envoy returned to Damascus on Friday.", "Damascus", False, None),
    ("The minister visited Qusayr, which has seen fierce shelling, then flew to Syria's coast.", "Syria", False, None),
    (
        "Taps ran dry after pumping from the spring in Wadi Barada was cut.",
        "Wadi Barada",
        True,
        "Strategic developments",
    ),
    # references
    ("In Washington, a spokesman said the US was concerned about barrel bombs.", "Washington", False, None),
    ("Residents recalled the 1982 Hama massacre, when troops killed thousands.", "Hama", False, None),
    ("In Jordan's Zaatari camp, refugees clashed with police.", "Jordan", False, None),
    ("Diplomats at the United Nations in New York said the offensive must stop.", "New York", False, None),
    ("The minister said in Damascus on Monday that the army had advanced in Homs.", "Damascus", False, None),
    ("Rebels advanced, a military source told Reuters in Damascus.", "Damascus", False, None),
    ("The fighting came as Khatib, who met Lavrov in Munich, offered talks.", "Munich", False, None),
    ("Residents of the nearby Qassaa and Bab Touma districts heard explosions, they said.", "Bab Touma", False, None),
    ("Hundreds protested in Barzeh, chanting in solidarity with Daraya.", "Daraya", False, None),
    # A bearing is no container: Qadam lies outside Midan (the held-out gold, real-dev and b7 agree;
    # "in the south of Midan" would be the container).
    ("Troops shelled Qadam, south of Midan.", "Midan", False, None),
    ("Troops shelled the south of Midan.", "Midan", True, "Explosions/Remote violence"),
    ("Districts which lie between Sayyida Zeinab and the airport road were shelled.", "Sayyida Zeinab", False, None),
    (
        "Rockets fired from Syria struck the Lebanese border town of Hermel.",
        "Syria",
        True,
        "Explosions/Remote violence",
    ),
    (
        "Rockets fired from Syria struck the Lebanese border town of Hermel.",
        "Hermel",
        True,
        "Explosions/Remote violence",
    ),
    ("Officials accused Damascus of the attacks.", "Damascus", False, None),
    ("Thousands escaped Moadamiya and now live in Qudsaya.", "Moadamiya", True, "Strategic developments"),
    ("In Geneva, the UN office called for an inquiry into the killings in Darayya.", "Geneva", False, None),
    ("Jaramana has largely stayed out of the fighting.", "Jaramana", False, None),
    ("The rebels withdrew and said the fight for Damascus was not over.", "Damascus", False, None),
    ("An activist in Yarmouk said clashes continued.", "Yarmouk", False, None),
    ("A Tadamon-based activist said the army shelled the area.", "Tadamon", False, None),
    ("It interviewed soldiers from Midan, who said they would fight.", "Midan", False, None),
    ("They feared the militia would be sent into Douma.", "Douma", False, None),
    # Real wire copy (b10): artillery "blasting" places, a place "under fire", a raid on an army post.
    ("Army guns blasted rebel positions around Saqba.", "Saqba", True, "Explosions/Remote violence"),
    ("The critics blasted the plan in Saqba on Tuesday.", "Saqba", False, None),
    ("The eastern district of Qaboun was also under heavy fire.", "Qaboun", True, "Battles"),
    ("Rebels killed four soldiers in a night raid on an army checkpoint in Harasta.", "Harasta", True, "Battles"),
    ("The last road into Qaboun was blocked by troops on Monday.", "Qaboun", True, "Strategic developments"),
    ("Envoys urged the Damascus government to lift the siege.", "Damascus", False, None),
    ("Soldiers opened fire on a minibus carrying farm workers in Hama.", "Hama", True, "Violence against civilians"),
    ("Troops made a fresh advance into Jobar on Sunday.", "Jobar", True, "Battles"),
    ("No clashes were reported in Mezzeh.", "Mezzeh", False, None),
    ("Moscow condemned the bombing.", "Moscow", False, None),
    ("Russia’s foreign ministry condemned the attack.", "Russia", False, None),
    ("The situation in Syria is getting worse, with fighting everywhere.", "Syria", False, None),
    ("Residents of Midan said the fighting was heavy.", "Midan", False, None),
    ("“The army shelled us all night,” said an activist in Barzeh.", "Barzeh", False, None),
    ("“Clashes spread,” said Ahmed, spokesman for the military council in Damascus.", "Damascus", False, None),
]


@pytest.mark.parametrize("text,surface,is_event,event_type", RULES, ids=[r[0][:40] for r in RULES])
def test_event_rules(res, text, surface, is_event, event_type):
    m = tag(res, text)[surface]
    assert (m.is_event, m.event_type) == (is_event, event_type), m.trigger


def test_army_and_rebels_taking_control(res):
    assert (
        tag(res, "Rebels seized control of Qaboun.")["Qaboun"].sub_event_type == "Non-state actor overtakes territory"
    )
    assert tag(res, "The army took control of Qaboun.")["Qaboun"].sub_event_type == "Government regains territory"


def test_dates_carry_forward_and_anaphora(res):
    text = (
        "A bomb exploded in Rawda on Wednesday. Clashes broke out in Midan yesterday.\n\n"
        "Shelling hit Tadamon. The bombing in Rawda killed three officials."
    )
    out = extract_article(make_article(text, "t", published="2012-07-20"), res).mentions
    dates = [(m.surface, m.date.date) for m in out]
    assert dates == [
        ("Rawda", date(2012, 7, 18)),
        ("Midan", date(2012, 7, 19)),
        ("Tadamon", date(2012, 7, 19)),  # no time expression: the story's current day
        ("Rawda", date(2012, 7, 18)),  # "the bombing" refers back to Wednesday's
    ]


def test_asides_and_tolls(res):
    text = (
        "Security forces yesterday raided homes in the district of Tadamon, which the army retook last month, "
        "and arrested dozens of young men."
    )
    m = tag(res, text, published="2012-08-29")["Tadamon"]
    assert (m.event_type, m.date.date) == ("Strategic developments", date(2012, 8, 28))
    text = (
        "Helicopters dropped barrel bombs on Douma on Sunday. Video showed men pulling bodies from a block in Harasta."
    )
    assert tag(res, text)["Harasta"].event_type == "Explosions/Remote violence"


def test_one_time_expression_dates_the_whole_sentence(res):
    out = tag(res, "Troops stormed and regained control of Midan late on Friday after two days of street battles.")
    assert out["Midan"].date.date == date(2012, 7, 13)
    out = tag(res, "Rebels are clashing in Qaboun and a bomb killed three officials in Rawda on Wednesday.")
    assert out["Qaboun"].date.date == date(2012, 7, 18) and out["Qaboun"].date.basis == "publication date"
    assert out["Rawda"].date.date == date(2012, 7, 18)


def test_headlines_and_wire_datelines(res):
    text = (
        "Syria crisis: air strikes on Douma – live updates\n\n"
        "DAMASCUS, Nov. 12 (Xinhua) -- Mortar shells slammed into Qaboun on Tuesday."
    )
    out = extract_article(make_article(text, "t", published="2013-11-12"), res).mentions
    assert [(m.surface, m.is_event) for m in out] == [
        ("Syria", False),
        ("Douma", False),
        ("DAMASCUS", False),
        ("Qaboun", True),
    ]


def test_no_publication_date_leaves_dates_unresolved(res):
    m = tag(res, "Clashes erupted in Midan yesterday.", published=None)["Midan"]
    assert m.is_event and m.date.date is None


def test_attribution_and_verification(res):
    text = (
        "Activists said troops stormed Qaboun. The report could not be independently verified.\n\n"
        "The Syrian Observatory for Human Rights said clashes erupted in Barzeh."
    )
    out = tag(res, text)
    assert out["Qaboun"].attribution == "activists" and out["Qaboun"].verified is False
    assert out["Barzeh"].attribution == "Syrian Observatory for Human Rights"


def test_evidence_offsets(res):
    text = "Intro line.\n\nClashes erupted in the Damascus district of Assali."
    for m in extract_article(make_article(text, "t", published="2012-07-18"), res).mentions:
        assert text[m.start : m.end] == m.surface
        assert text[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence
        assert m.mention_id == f"t:{m.start}-{m.end}"


def test_markup_after_a_sentence_does_not_make_it_a_heading(res):
    m = tag(res, "Clashes erupted in Barzeh on Monday, activists said. <b>bold</b>")["Barzeh"]
    assert m.is_event and m.event_type == "Battles"


def _dates(res, text, published):
    out = extract_article(make_article(text, "t", published=published), res).mentions
    return {m.surface: m.date.date for m in out if m.is_event}


def test_dates_from_the_story(res):
    # A wire dateline is the report's day; "on Tuesday" in the text dates the act (6 March 2013 a Wednesday).
    got = _dates(res, "BEIRUT, March 6 (Reuters) - Government jets pounded Jobar on Tuesday.", "2013-03-06")
    assert got["Jobar"] == date(2013, 3, 5)
    # "for a second day": the story's current day; the next sentence stays on it.
    text = "Troops pounded Douma for a second day. Snipers were deployed in Harasta."
    assert _dates(res, text, "2012-01-30") == {"Douma": date(2012, 1, 30), "Harasta": date(2012, 1, 30)}
    # A perfect relative clause's time dates that clause only, and does not move the story's day.
    text = (
        "Government forces stormed Saqba, retaking several villages that had fallen to rebels in recent days. "
        "Snipers were deployed in Harasta."
    )
    assert _dates(res, text, "2012-01-30") == {"Saqba": date(2012, 1, 30), "Harasta": date(2012, 1, 30)}
    # "follows the Saturday bombing": Saturday dates the bombing, not the shooting.
    text = "Gunmen shot dead a judge in Jaramana, in an attack that follows the Saturday bombing of a checkpoint."
    assert _dates(res, text, "2012-02-19")["Jaramana"] == date(2012, 2, 19)
    # A present-perfect lead is the day's news; the place's description keeps its own time.
    text = "Troops have again shelled Qaboun, where dozens were executed last week."
    got = tag(res, text, published="2012-05-31")["Qaboun"]
    assert (got.event_type, got.date.date) == ("Explosions/Remote violence", date(2012, 5, 31))
    # Without such a lead the relative clause may tell the place's event and date it.
    text = "Fighting continued near Qaboun, where rebels repelled an advance the previous day."
    assert _dates(res, text, "2012-05-31")["Qaboun"] == date(2012, 5, 30)


# "Choosing the event type": sentence (or story) -> surface -> (is_event, type, type_basis).
# Each rule has sentences where it must fire and where it must not.
TYPE_RULES = [
    # precedence: a higher kind of violence bearing on the place wins (rules 3 and 4)
    ("Tanks rolled into Qaboun amid heavy exchanges of fire.", "Qaboun", True, "Battles", "precedence"),
    ("Tanks rolled into Qaboun.", "Qaboun", True, "Strategic developments", "trigger"),
    # "The fighting came as ...": the fighting told before, not violence at the place of the as-clause
    (
        "The fighting came as rebels fired mortars into the heart of Jobar.",
        "Jobar",
        True,
        "Explosions/Remote violence",
        "trigger",
    ),
    ("Rebels fired mortars into Jobar amid heavy fighting.", "Jobar", True, "Battles", "precedence"),
    # remote fire serving a ground assault told in the sentence belongs to the battle (rule 3)
    (
        "Artillery pounded Harasta as troops pressed a bid to recapture the suburb.",
        "Harasta",
        True,
        "Battles",
        "precedence",
    ),
    (
        "Jets struck Harasta in a bid to dislodge the rebels holding it.",
        "Harasta",
        True,
        "Battles",
        "precedence",
    ),
    (
        "Jets struck Harasta in a bid to break the rebels' morale.",
        "Harasta",
        True,
        "Explosions/Remote violence",
        "trigger",
    ),
    # a prepositional relative clause describes the place: it picks no type (rule 6)
    (
        "Shells fell through the night on the hill villages near Yabroud and on Rankous, to which families fled.",
        "Rankous",
        True,
        "Explosions/Remote violence",
        "trigger",
    ),
    ("Shells fell on Yabroud, and families fled to Rankous.", "Rankous", True, "Strategic developments", "trigger"),
    # a move won by the fighting named after the place belongs to it (rules 4 and 5)
    ("Soldiers entered parts of Rankous after heavy clashes with rebels.", "Rankous", True, "Battles", "precedence"),
    ("Soldiers entered Rankous on Monday, days after clashes.", "Rankous", True, "Strategic developments", "trigger"),
    (
        "Jets dropped barrel bombs on Harasta and fierce fighting raged near its main square.",
        "Harasta",
        True,
        "Battles",
        "precedence",
    ),
    # ... but not violence told of another place, of a place noun, at another time, or in a quote
    (
        "Rebels clashed with troops in Barzeh while jets bombed Douma.",
        "Douma",
        True,
        "Explosions/Remote violence",
        "trigger",
    ),
    (
        "The army shelled residential districts and closed off the main road into Midan.",
        "Midan",
        True,
        "Strategic developments",
        "trigger",
    ),
    ("The bombing of a bus came after troops withdrew from Midan.", "Midan", True, "Strategic developments", "trigger"),
    (
        "“They shelled us for weeks,” said a woman who fled Douma on Friday.",
        "Douma",
        True,
        "Strategic developments",
        "trigger",
    ),
    ("Shells fell on Qaboun.", "Qaboun", True, "Explosions/Remote violence", "trigger"),
    # fatality and vague words take the violence of the sentence ...
    (
        "Five people were killed in Douma when shells hit a market.",
        "Douma",
        True,
        "Explosions/Remote violence",
        "trigger",
    ),
    # civilians killed by shelling: the shelling's type (rule 2)
    (
        "Five civilians were killed in Douma when shells hit a market.",
        "Douma",
        True,
        "Explosions/Remote violence",
        "precedence",
    ),
    # ... else the story's account of the place, or of the same word ...
    (
        "Heavy fighting raged in Jobar on Monday. Later an attack on a checkpoint in Jobar left five dead.",
        "Jobar",
        True,
        "Battles",
        "story",
    ),
    (
        "Rebels stepped up their attacks on Midan in the heaviest fighting for months. Troops shelled Qaboun. "
        "Video showed an attack on an army post in Barzeh.",
        "Barzeh",
        True,
        "Battles",
        "story",
    ),
    # ... else a best guess, flagged
    ("Twelve people died in Jaramana.", "Jaramana", True, "Violence against civilians", "undecided"),
    # "shot dead" is violence against civilians; a prevented rally is no protest
    ("Gunmen shot dead a lawyer in Jaramana.", "Jaramana", True, "Violence against civilians", "trigger"),
    ("Police deployed in Midan to prevent a rally.", "Midan", True, "Strategic developments", "trigger"),
    ("Police blocked students from holding a protest in Midan.", "Midan", False, None, None),
    ("Students held a protest in Midan.", "Midan", True, "Protests", "trigger"),
    # "displaced families" describes people; "families were displaced" tells an event
    ("Thousands of displaced families live in Rawda.", "Rawda", False, None, None),
    ("Thousands of families were displaced from Rawda.", "Rawda", True, "Strategic developments", "trigger"),
]


@pytest.mark.parametrize("text,surface,is_event,event_type,basis", TYPE_RULES, ids=[r[0][:50] for r in TYPE_RULES])
def test_type_rules(res, text, surface, is_event, event_type, basis):
    out = extract_article(make_article(text, "t", published="2012-07-18"), res).mentions
    m = [m for m in out if m.surface == surface][-1]
    assert (m.is_event, m.event_type, m.type_basis) == (is_event, event_type, basis), (m.trigger, m.event_rule)
    if is_event:
        assert m.event_rule and m.date_rule


@pytest.mark.parametrize(
    "text,surface,rule",
    [
        ("The carrier, based in Dubai, halted flights after clashes near the airport.", "Dubai", "based"),
        ("Clashes broke out in Dubai.", "Dubai", None),
        ("Gunmen shot dead an Aleppo city council member.", "Aleppo city", "title"),
        ("Gunmen shot dead a lawyer in Aleppo.", "Aleppo", None),
        ("“Clashes spread,” said an activist in Barzeh.", "Barzeh", "speaker"),
    ],
)
def test_reference_rules_are_kept(res, text, surface, rule):
    m = tag(res, text)[surface]
    assert m.reference_rule == rule
    assert m.is_event == (rule is None)


@pytest.mark.parametrize(
    "text,surface,is_event,event_type",
    [
        # a sniper is an actor; a shot by a sniper is violence
        ("A boy was shot by a sniper in Qaboun.", "Qaboun", True, "Violence against civilians"),
        ("Government snipers deployed in Harasta.", "Harasta", True, "Strategic developments"),
        # a trigger word labelling a place or people tells no event
        ("Troops pounded the protest hub of Homs with rockets.", "Homs", True, "Explosions/Remote violence"),
        ("Hundreds joined a protest in Homs.", "Homs", True, "Protests"),
        ("Protest leaders in Homs called for a strike.", "Homs", False, None),
        # advancing on a place is a movement of forces
        ("Rebels began moving on Harasta.", "Harasta", True, "Strategic developments"),
        # deaths in "the unrest in X" happened at X; "the unrest in X" alone is general
        ("Nine people were killed in the unrest in Homs.", "Homs", True, "Violence against civilians"),
        ("The unrest in Homs worries diplomats.", "Homs", False, None),
        # a road named for where it leads locates other places
        ("Rebels attacked a base near the highway to the northern city of Aleppo.", "Aleppo", False, None),
        ("Rebels attacked a base near Aleppo.", "Aleppo", True, "Battles"),
        # "based in nearby X": where observers sit
        ("Monitors based in nearby Homs said clashes continued.", "Homs", False, None),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_description_and_actor_rules(res, text, surface, is_event, event_type):
    m = tag(res, text)[surface]
    assert (m.is_event, m.event_type) == (is_event, event_type), (m.trigger, m.reference_rule)


def test_a_later_sentence_dates_an_earlier_takeover(res):
    # 20 June 2011 was a Monday.
    text = (
        "Thousands fled to Lebanon on Monday after troops took control of Qusair. Residents described looting. "
        "State media said soldiers moved in early Sunday, backed by tanks."
    )
    got = extract_article(make_article(text, "t", published="2011-06-20"), res).mentions
    qusair = next(m for m in got if m.surface == "Qusair")
    assert (qusair.date.date, qusair.date_rule) == (date(2011, 6, 19), "later sentence")
    # Not from a sentence about another place, nor to a later day.
    text = (
        "Thousands fled to Lebanon on Monday after troops took control of Qusair. "
        "Soldiers moved into Yabroud early Sunday."
    )
    got = extract_article(make_article(text, "t", published="2011-06-20"), res).mentions
    assert next(m for m in got if m.surface == "Qusair").date.date == date(2011, 6, 20)


def test_a_report_day_does_not_date_what_is_reported(res):
    text = "Television showed burned cars in Qusair on Monday, claiming that troops captured the town."
    m = tag(res, text, published="2011-06-22")["Qusair"]
    assert m.date.date == date(2011, 6, 22)  # the story's day, not Monday 20 June
    text = "Television showed that troops captured Qusair on Monday."
    assert tag(res, text, published="2011-06-22")["Qusair"].date.date == date(2011, 6, 20)


def test_reportedly_keeps_the_story_day(res):
    """'Reportedly' hedges the fact, not its time: the story's day still dates it."""
    text = "Mortars hit Jobar on Tuesday. Another mortar attack in Qaboun reportedly killed three children."
    m = tag(res, text, published="2014-04-30")["Qaboun"]
    assert m.is_event and str(m.date.date) == "2014-04-29"


def test_also_adds_to_the_act_just_told_on_its_day(res):
    """'Shelling also hit X' is more of the shelling told before, on that shelling's day."""
    text = (
        "Mortar fire struck Jobar on Thursday morning, a monitor said. "
        "Eleven soldiers died in Aleppo on Wednesday, it added. "
        "Activists reported that shelling also hit Qaboun."
    )
    assert _dates(res, text, "2013-06-21")["Qaboun"] == date(2013, 6, 20)
    # Without "also" the sentence takes the story's current day, the Wednesday just named.
    text = text.replace("shelling also hit", "shelling hit")
    assert _dates(res, text, "2013-06-21")["Qaboun"] == date(2013, 6, 19)


def test_an_act_still_going_on_takes_the_story_day(res):
    text = "Fighting that broke out in Jobar two days earlier was still going on, a monitor said."
    assert _dates(res, text, "2013-06-21")["Jobar"] == date(2013, 6, 21)
    text = "Fighting broke out in Jobar two days earlier, a monitor said."
    assert _dates(res, text, "2013-06-21")["Jobar"] == date(2013, 6, 19)


def test_a_present_perfect_tally_over_places_has_no_day(res):
    """After the story names its day, 'have been agreed in A and B, among others' sums earlier acts."""
    lead = "Troops and rebels agreed a truce in Qadam on Sunday. "
    text = lead + "Similar truces have also been agreed in several suburbs, such as Babila and Yalda."
    got = _dates(res, text, "2014-02-18")
    assert got["Qadam"] == date(2014, 2, 16) and got["Babila"] is None and got["Yalda"] is None
    # One place, no series: the story's day.
    text = lead + "A similar truce has been agreed in Babila."
    assert _dates(res, text, "2014-02-18")["Babila"] == date(2014, 2, 16)
    # Told in the past, the series is the story's day too.
    text = lead + "Similar truces were agreed in several suburbs, such as Babila and Yalda."
    assert _dates(res, text, "2014-02-18")["Babila"] == date(2014, 2, 16)
    # A present-perfect lead, before any day is named, is the day's news.
    text = "Troops have shelled several suburbs, including Babila and Yalda, activists said."
    assert _dates(res, text, "2014-02-18")["Babila"] == date(2014, 2, 18)


def test_is_now_moves_the_story_to_the_publication_day(res):
    text = "Families fled Qara on Saturday evening. Most of the newly arrived refugees are now in Arsal."
    assert _dates(res, text, "2013-11-19") == {"Qara": date(2013, 11, 16), "Arsal": date(2013, 11, 19)}
    # The next sentence stays on that day.
    text = "Families fled Qara on Saturday evening. Some are now in tents. Fifty families moved on to Arsal."
    assert _dates(res, text, "2013-11-19")["Arsal"] == date(2013, 11, 19)
    text = "Families fled Qara on Saturday evening. Fifty families moved on to Arsal."
    assert _dates(res, text, "2013-11-19")["Arsal"] == date(2013, 11, 16)


def test_a_day_that_dates_the_telling_does_not_date_what_had_happened(res):
    text = "A monitor said on Monday that soldiers had withdrawn from Qaboun."
    assert _dates(res, text, "2013-06-19")["Qaboun"] is None
    text = "On Monday, a monitor said that soldiers had withdrawn from Qaboun."
    assert _dates(res, text, "2013-06-19")["Qaboun"] is None
    # The act's own time, or a simple past, keeps the day.
    text = "A monitor said on Monday that soldiers had withdrawn from Qaboun on Sunday."
    assert _dates(res, text, "2013-06-19")["Qaboun"] == date(2013, 6, 16)
    text = "A monitor said on Monday that soldiers withdrew from Qaboun."
    assert _dates(res, text, "2013-06-19")["Qaboun"] == date(2013, 6, 17)


def test_media_reports_leave_the_day_unknown(res):
    text = "Mortars hit Jobar on Tuesday. Media reports have claimed that troops shelled Qaboun."
    m = tag(res, text, published="2014-04-30")["Qaboun"]
    assert m.is_event and m.date.date is None


def test_atrocities_take_the_type_of_the_story(res):
    """'Atrocities' names no kind of violence: alone it is undecided, after a told act it shares its type."""
    alone = tag(res, "Rights groups condemned the atrocities committed in Houla on Friday.", "2012-06-01")["Houla"]
    assert alone.is_event and alone.type_basis == "undecided"
    story = "Troops shelled Houla on Friday. Rights groups condemned the atrocities committed in Houla."
    m = extract_article(make_article(story, "t", published="2012-06-01"), res).mentions[-1]
    assert m.is_event and m.event_type == "Explosions/Remote violence" and m.type_basis == "story"


def test_hostilities_are_fighting_of_no_stated_kind(res):
    """UN reports say 'hostilities': an event whose kind the sentence's own violence decides."""
    vague = tag(res, "Hostilities continued in Jobar and Qaboun on Monday.", "2014-05-20")["Jobar"]
    assert vague.is_event and vague.type_basis == "undecided"
    typed = tag(res, "Hostilities including air strikes and shelling hit Jobar on Monday.", "2014-05-20")["Jobar"]
    assert typed.is_event and typed.event_type == "Explosions/Remote violence"
    ended = tag(res, "Both sides agreed to a cessation of hostilities in Barzeh.", "2014-05-20")["Barzeh"]
    assert ended.event_rule != "hostilities"


# Agreements between armed parties (GUIDELINES.md rule 5: Strategic developments, Agreement) in the
# forms wire and UN reports use: plural and passive truces, extended pauses, evacuations under them.
AGREEMENTS = [
    ("Army officers and rebel commanders signed truces covering Zabadani and Madaya.", "Madaya", True),
    ("Ceasefires have been reached in Barzeh and Qaboun.", "Qaboun", True),
    ("Both sides agreed to prolong the humanitarian pause in Tadamon by two days.", "Tadamon", True),
    ("The governor announced an extension of the ceasefire in Yarmouk.", "Yarmouk", True),
    ("Local truces in Qudsaya and Hameh came into force on Sunday.", "Hameh", True),
    ("A new truce is expected to be agreed for Harasta.", "Harasta", False),
    ("Talks on a ceasefire in Daraya are under way.", "Daraya", False),
    ("Damascus portrays the local truces as a victory.", "Damascus", False),  # metonymy
]


@pytest.mark.parametrize("text,surface,is_event", AGREEMENTS, ids=[t[:40] for t, _, _ in AGREEMENTS])
def test_agreements(res, text, surface, is_event):
    m = tag(res, text, published="2014-02-18")[surface]
    assert m.is_event == is_event, m.reference_rule
    if is_event:
        assert (m.event_type, m.sub_event_type, m.event_rule) == ("Strategic developments", "Agreement", "agreement")


def test_evacuations_are_displacement(res):
    m = tag(res, "Red Crescent volunteers managed to evacuate 300 civilians from Moadamiyeh on Sunday.", "2014-02-18")
    got = m["Moadamiyeh"]
    assert (got.is_event, got.event_rule, got.date.date) == (True, "displacement", date(2014, 2, 16))
    assert not tag(res, "Residents hope to evacuate the wounded from Douma.", "2014-02-18")["Douma"].is_event


def test_acts_with_no_single_day(res):
    """'had already been agreed' and 'since Saturday' sum up days before the story's day: no day."""
    text = "Rebels clashed with troops in Jobar on Monday. Truces had already been agreed in Qaboun and Barzeh."
    got = tag(res, text, "2014-02-18")
    assert got["Jobar"].date.date == date(2014, 2, 17)
    assert got["Qaboun"].is_event and got["Qaboun"].date.date is None
    assert got["Qaboun"].date_rule == "no single day"
    text = "Some 900 people have been evacuated from Moadamiyeh since Saturday, officials said on Tuesday."
    m = tag(res, text, "2014-02-18")["Moadamiyeh"]
    assert m.is_event and m.date.date is None
    # Near phrasings keep their day: a time of their own, or a "since" that limits nothing.
    assert tag(res, "Troops had already shelled Douma on Sunday.", "2014-02-18")["Douma"].date.date == date(2014, 2, 16)
    m = tag(res, "Troops shelled Douma on Sunday for the first time since the truce.", "2014-02-18")["Douma"]
    assert m.date.date == date(2014, 2, 16)
    # With no count, an act going on "since Sunday" is dated by the day it began.
    m = tag(res, "Artillery has pounded Qaboun since Sunday, residents said.", "2014-02-18")["Qaboun"]
    assert m.date.date == date(2014, 2, 16)


# Statements and reports (UN, rights groups, governments): the ways they tell violence at places.
REPORT_LANGUAGE = [
    # A list of examples between dashes names parts of the place before it and shares its clause.
    ("Districts of Homs – including Baba Amr, Inshaat and Khalidiyeh – came under heavy shelling.", "Inshaat", True),
    ("Several suburbs – notably Douma and Harasta – were bombed by jets on Monday.", "Harasta", True),
    ("Villages near Hama — such as Kafr Zita and Latamneh — have been shelled for days.", "Latamneh", True),
    # An aside that is not a list still cuts its clause off.
    ("Tanks shelled Homs – Hama, by contrast, was calm – on Tuesday.", "Hama", False),
    # A build-up or massing of forces is a movement of armed forces.
    ("Witnesses reported a troop build-up around Hama on Wednesday.", "Hama", True),
    ("The army was massing tanks near Rastan on Sunday.", "Rastan", True),
    ("Residents described a build-up of armour on the edge of Douma.", "Douma", True),
    ("Economists warned of a build-up of debt in Hama.", "Hama", False),
    # Where a speaker held a news conference or an envoy met a leader is the venue, not the event's place.
    ("He told a news conference with the Jordanian minister, Nasser Judeh, in Amman that shells hit.", "Amman", False),
    ("While the envoy was meeting on Monday with officials in Damascus, artillery pounded Homs.", "Damascus", False),
    ("While the envoy was meeting on Monday with officials in Damascus, artillery pounded Homs.", "Homs", True),
    # A quoted report title names its subject.
    ("The report, “Death From the Skies: Air Raids on Aleppo,” was published today.", "Aleppo", False),
    ('Its new study, titled "Under Fire in Idlib", documents 40 attacks.', "Idlib", False),
    # The deployment of a UN mission or of monitors, and ceasefire negotiations, are no events.
    ("The council agreed to the deployment of a United Nations observer mission to Syria.", "Syria", False),
    ("Mediators said ceasefire negotiations over the Old City of Homs dragged on.", "Old City of Homs", False),
    ("The ceasefire agreed for the Old City of Homs took effect on Friday.", "Old City of Homs", True),
    # An appeal in the subjunctive ("urged that X be allowed to leave") reports nothing done.
    ("The envoy urged that families trapped in Qusayr be allowed to flee.", "Qusayr", False),
    ("The agency asked that families in Douma be allowed to leave.", "Douma", False),
    ("Families in Douma were allowed to leave on Monday.", "Douma", True),
    # Nominal violence in statements: the use of heavy weapons, the targeting of a town, aircraft.
    ("The Secretary-General is appalled by the use of heavy weapons in Rastan.", "Rastan", True),
    ("Witnesses said troops fired heavy weaponry into Talbiseh overnight.", "Talbiseh", True),
    ("He condemned the indiscriminate targeting of Kafr Nabl.", "Kafr Nabl", True),
    ("Government aircraft struck a bakery in Halfaya on Thursday.", "Halfaya", True),
    ("The aircraft landed safely in Latakia.", "Latakia", False),
    ("Rebels have no heavy weapons in Rastan.", "Rastan", False),
    ("Two aid workers were killed in crossfire in Yarmouk on Sunday.", "Yarmouk", True),
    ("A volunteer caught in cross-fire near Khan Eshieh died of his wounds.", "Khan Eshieh", True),
    # Fire at people, executions at close range, mass graves.
    ("Observers were shot at in Haffa on Tuesday.", "Haffa", True),
    ("A UN vehicle was shot at near Douma.", "Douma", True),
    ("Three men were shot at close range in Haffa.", "Haffa", True),
    ("Mass graves were found in Daraya on Sunday.", "Daraya", True),
    # A direction before the container: "Qusayr, western Syria".
    ("Fighting raged on Saturday in Qusayr, western Syria.", "Syria", True),
    ("Jets bombed Saraqeb in northern Syria on Monday.", "Syria", True),
]


@pytest.mark.parametrize("text,surface,is_event", REPORT_LANGUAGE, ids=[f"{s}:{t[:40]}" for t, s, _ in REPORT_LANGUAGE])
def test_report_language(res, text, surface, is_event):
    m = tag(res, text, "2013-06-01")[surface]
    assert m.is_event == is_event, (m.trigger, m.reference_rule)


def test_a_citys_possessive_before_a_named_square_is_its_container(res):
    for text in (
        "A car bomb exploded in Damascus's busy central Sabaa Bahrat Square on Monday.",
        "Two blasts tore through Aleppo’s main Saadallah al-Jabiri Square on Wednesday.",
    ):
        m = tag(res, text, "2012-10-05")
        city = m.get("Damascus") or m["Aleppo"]
        assert city.is_event and city.event_type == "Explosions/Remote violence", city.reference_rule


def test_a_later_sentence_says_when_the_act_took_place(res):
    text = "The agency is appalled by reports of an air raid on Douma. Reports say the attack took place on Sunday."
    m = tag(res, text, "2013-12-17")["Douma"]
    assert (m.date.date, m.date_rule) == (date(2013, 12, 15), "later sentence")
    text = "Rights groups condemned the bombing of a market in Jisr al-Shughour. The blast happened on Friday."
    assert tag(res, text, "2013-12-17")["Jisr al-Shughour"].date.date == date(2013, 12, 13)
    # A sentence naming another place, or a meeting that took place, dates nothing.
    text = "Jets struck Douma. The attack on Harasta took place on Sunday."
    assert tag(res, text, "2013-12-17")["Douma"].date.date == date(2013, 12, 17)
    text = "Jets struck Douma. The meeting took place on Sunday."
    assert tag(res, text, "2013-12-17")["Douma"].date.date == date(2013, 12, 17)


def test_a_toll_after_the_act_does_not_type_or_date_it(res):
    """', causing dozens of deaths': the act before it (dated 'on Wednesday') is the event."""
    text = "The council condemned the bombings that took place on Wednesday in Aleppo, causing dozens of deaths."
    m = tag(res, text, "2012-10-05")["Aleppo"]
    assert (m.event_type, m.date.date) == ("Explosions/Remote violence", date(2012, 10, 3))
    text = "Gunmen attacked a checkpoint in Idlib on Monday, leaving more than twenty soldiers dead."
    m = tag(res, text, "2012-10-05")["Idlib"]
    assert m.date.date == date(2012, 10, 1) and m.event_rule != "fatality"


def test_fighting_in_these_areas_bears_on_the_places_named(res):
    """Shelling of A and B 'and exchanges of fire in these areas': Battles at A and B (precedence)."""
    text = (
        "Residential areas of Homs, Rastan and Talbiseh have been shelled by government forces and "
        "there have been heavy exchanges of fire with opposition fighters in these areas."
    )
    got = tag(res, text, "2012-02-09")
    assert all(got[s].event_type == "Battles" for s in ("Homs", "Rastan", "Talbiseh"))
    text = "Government forces shelled Rastan and Talbiseh, and rebels clashed with troops in two villages far north."
    assert tag(res, text, "2012-02-09")["Rastan"].event_type == "Explosions/Remote violence"


def test_an_act_and_its_means_share_the_time_of_their_clause(res):
    """'Douma, which was bombed by jets on Monday': the act's means sits between it and its day."""
    for text in (
        "Aid reached Douma, which was bombed by jets on Monday.",
        "A convoy entered Douma, which had been shelled with mortars on Monday.",
        "The team visited Douma, which was hit by government rockets on Monday.",
    ):
        assert tag(res, text, "2013-06-05")["Douma"].date.date == date(2013, 6, 3), text


def test_the_month_may_is_not_the_modal(res):
    """'On 10 May, jets struck Daraya': a capital May after the first word is the month."""
    for text, day in (
        ("On 10 May, jets struck Daraya.", date(2014, 5, 10)),
        ("On 12 May, before dawn, rockets hit Daraya.", date(2014, 5, 12)),
        ("Rockets hit Daraya late on 12 May, residents said.", date(2014, 5, 12)),
    ):
        m = tag(res, text, "2014-05-15")["Daraya"]
        assert m.is_event and m.date.date == day, text
    assert tag(res, "Between 10 and 12 May, jets struck Daraya repeatedly.", "2014-05-15")["Daraya"].is_event
    # The modal still makes an act hypothetical.
    assert not tag(res, "Officials said the army may shell Daraya.", "2014-05-15")["Daraya"].is_event


# Wire reporting in phrasings the rules had not met (issue 10, branch realtext3): each class in a few
# wordings of our own. Sentence -> surface -> (is_event, event_type).
NEWS_RULES = [
    # What was said is an act, not a description of the speaker: "X said troops stormed Y".
    (
        "Two activist groups, one of them based abroad, said troops stormed Talbiseh with tanks.",
        "Talbiseh",
        True,
        "Battles",
    ),
    (
        "The Observatory, a monitoring group, said government forces shelled Harasta overnight.",
        "Harasta",
        True,
        "Explosions/Remote violence",
    ),
    ("Residents, reached by phone, said rebels overran a checkpoint near Saraqeb.", "Saraqeb", True, "Battles"),
    ("Fighting went on all day, said a doctor reached by phone in Douma.", "Douma", False, None),
    ("Troops advanced, said Abu Omar, a fighter in the besieged district of Khalidiyeh.", "Khalidiyeh", False, None),
    # Fire named by what is fired is shelling, not a gun battle.
    ("Troops were firing mortar shells at Arbin on Monday.", "Arbin", True, "Explosions/Remote violence"),
    ("Rebels fired rockets at Nubl overnight.", "Nubl", True, "Explosions/Remote violence"),
    # Aircraft and the barrels they drop.
    (
        "Government aircraft dropped explosive-filled barrels on Douma on Monday.",
        "Douma",
        True,
        "Explosions/Remote violence",
    ),
    ("Helicopters rolled two barrels of explosives onto Daraya at dawn.", "Daraya", True, "Explosions/Remote violence"),
    ("Military aircraft struck Saraqeb on Friday.", "Saraqeb", True, "Explosions/Remote violence"),
    ("Rebels fired anti-aircraft guns at a helicopter over Jobar.", "Jobar", True, "Explosions/Remote violence"),
    # Taking a place in phrasal and -ing forms; pushing forces out.
    ("Government forces took over Qusayr on Monday.", "Qusayr", True, "Battles"),
    ("Rebels have taken over most of Maaloula, activists said.", "Maaloula", True, "Battles"),
    ("Rebels pushed government forces out of Raqqa on Monday.", "Raqqa", True, "Battles"),
    ("The army ended a month of shelling by capturing Talbiseh.", "Talbiseh", True, "Battles"),
    # Taking told as a noun or a state newly won.
    ("Qusayr's fall on Monday was a blow to the rebels.", "Qusayr", True, "Battles"),
    ("The capture of Yabroud on Sunday opened the road to the border.", "Yabroud", True, "Battles"),
    ("Yabroud's capture on Sunday cut a supply line.", "Yabroud", True, "Battles"),
    ("The army said it had cleared Qusayr of terrorists on Monday.", "Qusayr", True, "Battles"),
    ("The Observatory said rebels were now in control of most of Raqqa.", "Raqqa", True, "Battles"),
    ("Opposition fighters now control the town of Saraqeb, activists said.", "Saraqeb", True, "Battles"),
    ("Rebels fear capture of their families in Douma.", "Douma", False, None),
    # Near phrasings that tell no violence there.
    ("A civilian aircraft landed in Damascus on Monday.", "Damascus", False, None),
    ("Activists launched a campaign against corruption in Homs on Monday.", "Homs", False, None),
    ("Congress debated strikes on Syria on Monday.", "Syria", False, None),
    ("Diplomats said the officers had tried to seize power in Damascus.", "Damascus", False, None),
    ("The new commander took over in Homs on Monday.", "Homs", False, None),
    ("Police announced the seizure of drugs in Latakia on Monday.", "Latakia", False, None),
    ("Troops cleared the road to Homs of mines.", "Homs", False, None),
    # Ground fighting in other words.
    ("The army pushed deeper into Baba Amr on Monday.", "Baba Amr", True, "Battles"),
    ("Troops and rebels traded fire in Qadam on Monday.", "Qadam", True, "Battles"),
    ("Rebels said they had destroyed three tanks in Zabadani.", "Zabadani", True, "Battles"),
    (
        "Efforts to flush out the rebels from the Old City of Homs have so far failed.",
        "Old City of Homs",
        True,
        "Battles",
    ),
    ("Troops tried to dislodge fighters from Jobar on Sunday.", "Jobar", True, "Battles"),
    ("Troops backed by tanks swept into Talbiseh on Monday.", "Talbiseh", True, "Battles"),
    ("Soldiers hunted down rebels in the orchards of Douma.", "Douma", True, "Battles"),
    ("Two civilians were caught in crossfire in Barzeh on Monday.", "Barzeh", True, "Battles"),
    ("Rebels in Douma said they had repelled an army push on Monday.", "Douma", True, "Battles"),
    ("Mortar bombs fell on Bab Touma and Qassaa on Monday.", "Qassaa", True, "Explosions/Remote violence"),
    ("The army mounted a counterattack in Saraqeb on Monday.", "Saraqeb", True, "Battles"),
    ("Fighters engaged troops in Harasta on Monday.", "Harasta", True, "Battles"),
    ("Officials engaged in talks with rebels in Homs on Monday.", "Homs", False, None),
    ("Residents said weeks of battering had left Talbiseh in ruins.", "Talbiseh", True, "Explosions/Remote violence"),
    # "the battered district" describes the place (rule 6): it types nothing.
    ("Families returned to the battered district of Baba Amr on Thursday.", "Baba Amr", True, "Strategic developments"),
    # The base form after "to": acts begun or kept up; plans stay unreal.
    ("Government forces continued to pound Zabadani on Monday.", "Zabadani", True, "Explosions/Remote violence"),
    ("Troops began to shell Douma at dawn on Monday.", "Douma", True, "Explosions/Remote violence"),
    ("Rebels tried to storm the airport in Deir ez-Zor on Monday.", "Deir ez-Zor", True, "Battles"),
    ("Troops are preparing to storm Qusayr, a source said.", "Qusayr", False, None),
    ("A new wave of strikes on Saraqeb killed nine on Monday.", "Saraqeb", True, "Explosions/Remote violence"),
    ("Shopkeepers in Hama held a strike on Monday.", "Hama", False, None),
    # Hitting a military target: the sentence or the story names the kind of violence.
    ("Rebels struck an army convoy in Idlib province and fought its escort.", "Idlib province", True, "Battles"),
    ("Mortars hit a school in Jaramana on Monday.", "Jaramana", True, "Explosions/Remote violence"),
    (
        "Many feared a repeat of the army's campaign against the rebel-held district of Baba Amr.",
        "Baba Amr",
        True,
        "Battles",
    ),
    # Defectors as a party to the fighting: the fighting names the type, no defection is told.
    (
        "Monitors reported clashes between soldiers and army defectors in the town of Saraqeb, in Idlib province.",
        "Idlib province",
        True,
        "Battles",
    ),
    (
        "Both groups reported clashes with army defectors known as the Free Syrian Army in Deir ez-Zor.",
        "Deir ez-Zor",
        True,
        "Battles",
    ),
    ("Twenty soldiers defected in Rastan on Monday.", "Rastan", True, "Strategic developments"),
    # A statement made in a foreign city: the city is where it was said, whatever it counts.
    ("In Geneva, the refugee agency said 40,000 Syrians had fled their homes since March.", "Geneva", False, None),
    ("In Jordan, officials said 2,000 Syrians crossed the border on Monday.", "Jordan", True, "Strategic developments"),
    # A distance locates another place.
    ("Troops clashed with rebels in Qudsaya, about eight kilometres from central Damascus.", "Damascus", False, None),
    (
        "Troops clashed with rebels in Qudsaya, about eight kilometres from central Damascus.",
        "Qudsaya",
        True,
        "Battles",
    ),
]


@pytest.mark.parametrize("text,surface,is_event,event_type", NEWS_RULES, ids=[r[0][:40] for r in NEWS_RULES])
def test_news_phrasings(res, text, surface, is_event, event_type):
    m = tag(res, text, published="2013-01-08")[surface]
    assert (m.is_event, m.event_type) == (is_event, event_type), (m.trigger, m.event_rule, m.reference_rule)


def test_a_reduced_relative_clause_dates_only_itself(res):
    """'X visited recently by monitors' describes X: 'recently' leaves the present-perfect lead its day."""
    for text in (
        "Troops have been shelling two towns near Hama visited recently by UN monitors, activists say.",
        "Forces have pounded Talbiseh, seen last week by reporters, residents say.",
    ):
        m = next(m for m in tag(res, text, published="2012-04-25").values() if m.is_event)
        assert m.date.date == date(2012, 4, 25), (text, m.date)
    # Not a reduced relative: the time dates the act.
    m = tag(res, "Troops shelled Talbiseh recently, residents say.", published="2012-04-25")["Talbiseh"]
    assert m.date.date is None


def test_a_sentence_opened_by_a_recent_month_moves_the_story_there(res):
    """'In early February, ...' tells that month's story: the next sentences have no single day until one is named."""
    text = (
        "Clashes erupted in Qatana on Friday. In early February, the army launched a campaign against the suburbs. "
        "The attack on Douma was followed by an offensive on Baba Amr. On Thursday, troops shelled Zabadani."
    )
    got = tag(res, text, published="2012-03-16")
    assert got["Qatana"].date.date == date(2012, 3, 16)
    assert got["Douma"].is_event and got["Douma"].date.date is None
    assert got["Baba Amr"].date.date is None
    assert got["Zabadani"].date.date == date(2012, 3, 15)
    # A year long past does not move the story: the uprising's start is background.
    text = "Troops shelled Qatana on Friday. In March 2011, protests began in Daraa. Troops also stormed Zabadani."
    assert tag(res, text, published="2012-03-16")["Zabadani"].date.date == date(2012, 3, 16)


def test_hitting_a_target_takes_the_story_type(res):
    """'They hit a convoy in X' names no weapon: the story's air strikes type it (rule 1, vague words)."""
    text = "Jets bombed Douma on Sunday, killing 20. They hit a convoy of cars on a road in Harasta, a monitor said."
    m = tag(res, text, published="2013-12-22")["Harasta"]
    assert (m.is_event, m.event_type, m.type_basis) == (True, "Explosions/Remote violence", "story")
