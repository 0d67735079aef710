from datetime import date

import pytest

from geo.extract.dates import find_time_expressions, resolve
from geo.models import ResolvedDate

PUB = date(2012, 7, 22)  # a Sunday

# Expression in a sentence -> (date, precision), published Sunday 22 July 2012.
TABLE = [
    ("clashes on Wednesday", date(2012, 7, 18), "day"),
    ("clashes on Sunday", date(2012, 7, 22), "day"),
    ("clashes last Sunday", date(2012, 7, 15), "day"),
    ("late on Friday", date(2012, 7, 20), "day"),
    ("on Saturday night", date(2012, 7, 21), "day"),
    ("Thursday's vote", date(2012, 7, 19), "day"),
    ("yesterday", date(2012, 7, 21), "day"),
    ("the day before yesterday", date(2012, 7, 20), "day"),
    ("last night", date(2012, 7, 21), "day"),
    ("overnight", date(2012, 7, 21), "day"),
    ("today", date(2012, 7, 22), "day"),
    ("this morning", date(2012, 7, 22), "day"),
    ("July 15", date(2012, 7, 15), "day"),
    ("15 July", date(2012, 7, 15), "day"),
    ("on July 20, 2012", date(2012, 7, 20), "day"),
    ("2012-07-14", date(2012, 7, 14), "day"),
    ("two weeks ago", date(2012, 7, 8), "day"),
    ("two days before Thursday's attack", date(2012, 7, 17), "day"),
    ("the day after Wednesday's bombing", date(2012, 7, 19), "day"),
    ("11 days ago", date(2012, 7, 11), "day"),
    ("three days ago", date(2012, 7, 19), "day"),
    ("a week ago", date(2012, 7, 15), "day"),
    ("last week", None, "week"),
    ("earlier this week", None, "week"),
    ("last month", None, "month"),
    ("in May", None, "month"),
    ("December 30", date(2011, 12, 30), "day"),  # after publication: last year
    # A day named after "the night of": the day, not the month.
    ("on the night of July 15", date(2012, 7, 15), "day"),
    ("in the early hours of July 3", date(2012, 7, 3), "day"),
    ("the previous evening", date(2012, 7, 21), "day"),
    # UN updates count over spans of days or weeks: no single day.
    ("in the last 2 weeks", None, "unknown"),
    ("over the past several days", None, "unknown"),
    ("during the reporting period", None, "unknown"),
    ("throughout the week", None, "unknown"),
    ("over the weekend", None, "unknown"),
    # A part of the day before a weekday: the weekday dates it.
    ("at dawn on Friday", date(2012, 7, 20), "day"),
    ("in the early morning of Thursday", date(2012, 7, 19), "day"),
]


@pytest.mark.parametrize("phrase,expected,precision", TABLE, ids=[t[0] for t in TABLE])
def test_date_table(phrase, expected, precision):
    found = find_time_expressions(f"It happened {phrase}.")
    assert len(found) == 1, found
    got = resolve(found[0], PUB)
    assert (got.date, got.precision) == (expected, precision)
    assert got.basis


@pytest.mark.parametrize(
    "phrase,start,end",
    [
        ("last week", date(2012, 7, 9), date(2012, 7, 15)),
        ("earlier this week", date(2012, 7, 16), date(2012, 7, 21)),
        ("last month", date(2012, 6, 1), date(2012, 6, 30)),
        ("in May", date(2012, 5, 1), date(2012, 5, 31)),
    ],
)
def test_weeks_and_months_keep_their_interval(phrase, start, end):
    (expr,) = find_time_expressions(f"It happened {phrase}.")
    got = resolve(expr, PUB)
    assert (got.date, got.start, got.end) == (None, start, end)


def test_relative_to_the_story_day():
    ref = ResolvedDate(date(2012, 7, 16), "day", "yesterday")
    for phrase, expected in [
        ("later in the day", date(2012, 7, 16)),
        ("within hours", date(2012, 7, 16)),
        ("the next day", date(2012, 7, 17)),
        ("two days later", date(2012, 7, 18)),
    ]:
        (expr,) = find_time_expressions(phrase)
        assert resolve(expr, PUB, ref).date == expected, phrase


def test_without_publication_date_relative_dates_stay_unresolved():
    (expr,) = find_time_expressions("on Wednesday")
    assert resolve(expr, None).date is None
    (expr,) = find_time_expressions("15 July 2012")
    assert resolve(expr, None).date == date(2012, 7, 15)


@pytest.mark.parametrize(
    "sentence",
    ["the turning point was July 15", "The Sunday Times reported", "He may go", "the March of the rebels"],
)
def test_not_event_dates(sentence):
    assert find_time_expressions(sentence) == []


def test_bounds_and_background():
    found = find_time_expressions("the worst since the revolt broke out in March 2011")
    assert found and all(e.bound for e in found)
    (count,) = find_time_expressions("200,000 have registered as refugees since the uprising began")
    assert count.kind == "cumulative" and resolve(count, PUB).date is None
    (following,) = find_time_expressions("Following clashes on Sunday, troops advanced")
    assert following.background and not following.bound
    (until,) = find_time_expressions("the vote was delayed until Thursday")
    assert until.bound


def test_a_day_after_dates_the_earlier_event():
    ref = ResolvedDate(date(2012, 7, 19), "day", "on Thursday")
    (expr,) = find_time_expressions("The violence came a day after a bomb tore through")
    assert expr.background and resolve(expr, PUB, ref).date == date(2012, 7, 18)


def test_have_since_is_undated():
    (expr,) = find_time_expressions("and have since driven rebels from Mezzeh")
    assert resolve(expr, PUB).date is None


def test_a_clock_time_in_another_zone_names_no_story_day():
    """ "near midnight (2200 GMT Saturday)": the hour converted, not a new day for the story."""
    (expr,) = find_time_expressions("A blast woke the district near midnight (2200 GMT Saturday).")
    assert expr.background and not expr.bound
    (plain,) = find_time_expressions("A blast woke the district on Saturday.")
    assert not plain.background


def test_a_campaign_weeks_long_has_no_day_and_keeps_the_story_day():
    found = find_time_expressions("Troops fought on Monday, part of a monthslong push to retake the suburbs.")
    assert [e.kind for e in found] == ["weekday", "recent"]
    assert found[1].background and resolve(found[1], PUB).date is None
    (hyphen,) = find_time_expressions("a weeks-long siege of the town")
    assert resolve(hyphen, PUB).date is None
    # The singular forms too ("a month-long blockade"); not "a year-long", often a label ("the year-long revolt").
    (singular,) = find_time_expressions("residents endured a month-long blockade of the suburb")
    assert singular.background and resolve(singular, PUB).date is None
    assert [e.kind for e in find_time_expressions("a day-long standoff at the checkpoint")] == ["recent"]
    assert find_time_expressions("a long day at the checkpoint") == []
    # "all day long" is the story's day, not a campaign.
    assert [e.kind for e in find_time_expressions("they fought all day long")] == []


def test_the_start_of_an_act_that_goes_on_dates_no_event():
    """'Fighting that erupted on Sunday continued ...': Sunday is only where it began."""
    (start,) = find_time_expressions("Battles that broke out two days earlier near the airport were still raging.")
    assert start.bound and start.background
    start, later = find_time_expressions("Shelling that started on Friday went on through Monday night.")
    assert start.bound and not later.bound
    # Without the going on, the start is the act's day.
    (alone,) = find_time_expressions("Shelling started on Friday near the airport.")
    assert not alone.bound and not alone.background


def test_a_before_clause_dates_its_own_act_not_the_story_day():
    weeks, clause = find_time_expressions("Shells fell for weeks before the troops went in on March 3.")
    assert clause.background
    # "for weeks": a campaign over many days, no single one, and not the story's day.
    assert (weeks.kind, weeks.background, resolve(weeks, PUB).date) == ("recent", True, None)
    (dawn,) = find_time_expressions("Troops went in before dawn on Sunday.")
    assert not dawn.background


def test_recently_is_unknown():
    (expr,) = find_time_expressions("as was recently said")
    assert resolve(expr, PUB).date is None


# Story rules: (sentence, index of the expression, flag, expected), published Sunday 22 July 2012.
STORY_RULES = [
    # "for a second day": the story's current day (here the publication day)
    ("Tanks shelled the town for a third straight day.", 0, "kind", "continuing"),
    ("Tanks shelled the town for the second day.", 0, "kind", "continuing"),
    ("Tanks shelled the town for two days.", None, "kind", None),  # a duration, not the story's day
    # two weekdays: a span, no single day
    ("Forty people died on Friday and Saturday.", 0, "kind", "weekdays"),
    ("Forty people died on Friday.", 0, "kind", "weekday"),
    # "follows the Saturday bombing": the time dates the earlier act, not the story's day
    ("The arrests follow the Saturday bombing of a bus.", 0, "background", True),
    ("The arrests followed on Saturday.", 0, "background", False),
    # a relative clause in the perfect: its time dates only that clause
    ("Troops retook towns that had fallen to rebels in recent days.", 0, "clause_start", 20),
    ("Troops retook the towns in recent days.", 0, "clause_start", None),
    # a wire dateline's date is the report's day, not an event's
    ("BEIRUT, March 6 (Reuters) - Jets pounded Jobar on Tuesday.", 0, "dateline", True),
    ("BEIRUT, March 6 (Reuters) - Jets pounded Jobar on Tuesday.", 1, "dateline", False),
    ("On March 6, jets pounded Jobar.", 0, "dateline", False),
]


@pytest.mark.parametrize("text,index,attribute,expected", STORY_RULES, ids=[r[0][:45] for r in STORY_RULES])
def test_story_rules(text, index, attribute, expected):
    found = find_time_expressions(text)
    if index is None:
        assert all(getattr(t, attribute) != "continuing" for t in found)
        return
    assert getattr(found[index], attribute) == expected


def test_continuing_and_weekday_pairs_resolve():
    (second,) = find_time_expressions("Tanks shelled the town for a second day.")
    assert resolve(second, PUB).date == PUB
    ref = ResolvedDate(date(2012, 7, 20), "day", "on Friday", date(2012, 7, 20), date(2012, 7, 20))
    assert resolve(second, PUB, ref).date == date(2012, 7, 20)
    (pair,) = find_time_expressions("Forty people died on Friday and Saturday.")
    got = resolve(pair, PUB)
    assert (got.date, got.precision, got.start, got.end) == (None, "week", date(2012, 7, 20), date(2012, 7, 21))


def test_an_end_bound_after_a_clock_time_bounds_the_date_it_names():
    """'until 3:30 a.m. on Sunday, 12 May': the date ends the act and dates no event."""
    found = find_time_expressions("Mortars fell from 9 p.m. on Saturday, 11 May until 3:30 a.m. on Sunday, 12 May.")
    assert [(e.text, e.bound) for e in found] == [("11 May", False), ("12 May", True)]
    (alone,) = find_time_expressions("The last mortar fell at 3:30 a.m. on Sunday, 12 May.")
    assert not alone.bound


def test_is_now_is_the_publication_day_unless_someone_speaks():
    (now,) = find_time_expressions("Most of the families are now in tents near Arsal.")
    assert now.kind == "today" and resolve(now, PUB).date == PUB
    # Reported speech: the speaker's now, the day he spoke, which the story gives.
    assert find_time_expressions("The families are now in tents near Arsal, a monitor said.") == []
    # Not a present state: no day.
    assert find_time_expressions("The siege is now in its second year.") == []
    assert find_time_expressions("They now live in tents.") == []


def test_a_weekday_named_by_the_date_after_it_is_dropped():
    """'on Friday, 25 May' published a week later: the date says which Friday."""
    found = find_time_expressions("Troops shelled the town on Friday, 25 May, residents said.")
    assert [t.kind for t in found] == ["dmy"]
    assert resolve(found[0], date(2012, 6, 1)).date == date(2012, 5, 25)


# One sentence per kind of time expression, in other words than any article.
_KIND_SAMPLES = (
    "Shells fell on 14 March 2013 near the bakery.",
    "The raid came on March 14, 2013, residents said.",
    "Clashes resumed on Friday and Saturday.",
    "Mortars hit the square late on Tuesday night.",
    "Tanks moved in three days ago.",
    "Fighting spread earlier this month.",
    "At least 900 people have died since the uprising began.",
    "Shelling has intensified in recent weeks.",
    "The district was bombarded for a third straight day.",
    "Gunmen attacked the convoy later that day.",
    "The army returned the next day.",
    "Talks are due to resume next week.",
    "The blast came a day after the funeral.",
    "Snipers had fired the previous night.",
    "Two weeks later the town fell.",
)


@pytest.mark.parametrize("sentence", _KIND_SAMPLES)
def test_the_kind_is_that_of_the_first_pattern_matching_where_the_expression_starts(sentence):
    from geo.extract.dates import time_table

    found = find_time_expressions(sentence)
    assert found
    for t in found:
        first = next(kind for kind, rx in time_table().compiled if rx.match(sentence, t.start))
        assert t.kind == first


def test_a_campaign_for_weeks_or_months_has_no_day():
    """'shelled Qaboun for almost a month', 'a month long campaign': many days, none named; the story's day stays."""
    for phrase in ("shelled Qaboun for almost a month", "pounded Douma for two weeks", "a month long campaign"):
        (expr,) = find_time_expressions(phrase)
        assert expr.kind == "recent" and expr.background and resolve(expr, PUB).date is None, phrase
    # Counted spans in UN updates still tell the period, not a campaign's background.
    (span,) = find_time_expressions("killed in the last 2 weeks")
    assert not span.background
    assert find_time_expressions("they fought all day long") == []
