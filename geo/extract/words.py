"""Word lists that several extraction stages read, each defined once.

Months and weekdays (dates, name matching, sentence splitting), the nouns that name a kind
of place ("the town of", "Douma district"), and the prepositions the reference rules look
for. The reference rules (``data/reference_rules.json``) and the context rules
(``data/context_rules.json``) name these lists in their patterns as ``{name}`` (see
:data:`WORD_LISTS`). A stage that needs more words adds them beside its
use, so each list keeps one meaning.
"""

from __future__ import annotations

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# As written before a day ("Sept. 12"): "may" has none; "sept" is tried before "sep".
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec")
# Nouns for a kind of place that every stage reads the same way: "the town of Douma",
# "Douma district", "in the camp of". Stages add their own ("quarter", "province").
PLACE_NOUNS = ("town", "city", "village", "district", "suburb", "neighbourhood", "neighborhood", "camp")
# "towns", "cities": the plural of each place noun.
PLACE_NOUNS_PLURAL = tuple(n[:-1] + "ies" if n.endswith("y") else n + "s" for n in PLACE_NOUNS)
# Words that describe a place between a preposition and its name: "in the besieged town of".
PLACE_ADJECTIVES = (
    "nearby",
    "neighbouring",
    "neighboring",
    "adjacent",
    "southern",
    "northern",
    "eastern",
    "western",
    "central",
    "besieged",
    "rebel-held",
    "government-held",
    "embattled",
    "restive",
)
# A word before a place that may end a speaker's, an origin's or a general reference
# ("an activist in", "soldiers from", "the battle for").
PREPOSITIONS_END = (
    "in",
    "from",
    "of",
    "inside",
    "for",
    "on",
    "over",
    "about",
    "against",
    "toward",
    "towards",
    "across",
    "with",
    "into",
    "to",
    "near",
    "at",
    "the",
    "based",
)
# Prepositions that locate an act at a place ("in", "near", "towards").
PREPOSITIONS_LOCATIVE = (
    "in",
    "inside",
    "into",
    "to",
    "from",
    "across",
    "throughout",
    "near",
    "at",
    "within",
    "around",
    "outside",
    "toward",
    "towards",
    "via",
    "through",
    "over",
)
# Words that open a list of examples set off by dashes ("areas in Homs – including Bab Amr and
# Khaldiyeh – were shelled"): the aside names parts of the place before it and shares its predicate.
LIST_OPENERS = (
    "including",
    "such as",
    "notably",
    "namely",
    "among them",
    "in particular",
    "particularly",
    "especially",
    "mainly",
    "mostly",
)
# Verbs that say when an act already told happened ("the attack took place on Sunday"): such a
# later sentence dates the act its lead told undated.
OCCURRENCE_VERBS = ("took place", "happened", "occurred", "was carried out", "were carried out")

# The lists a reference rule may name as ``{name}``.
WORD_LISTS: dict[str, tuple[str, ...]] = {
    "weekdays": WEEKDAYS,
    "months": MONTHS,
    "month_abbreviations": MONTH_ABBREVIATIONS,
    "place_nouns": PLACE_NOUNS,
    "place_nouns_plural": PLACE_NOUNS_PLURAL,
    "place_adjectives": PLACE_ADJECTIVES,
    "prepositions_end": PREPOSITIONS_END,
    "prepositions_locative": PREPOSITIONS_LOCATIVE,
    "list_openers": LIST_OPENERS,
    "occurrence_verbs": OCCURRENCE_VERBS,
}
