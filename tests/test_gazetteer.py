import csv

import pytest

from geo.errors import GazetteerError
from geo.extract.gazetteer import COLUMNS, DEFAULT_GAZETTEER_DIR, haversine_km, load_gazetteer, read_gazetteer
from geo.models import PLACE_KINDS

REQUIRED_PLACES = """midan tadamon kafr-sousa yarmouk-camp hajar-al-aswad mezzeh mount-qasioun assali
daff-al-shok nahr-aisha qadam national-security-bureau shami-hospital damascus rif-dimashq golan-heights
tartus jobar barzeh qaboun rukn-al-din muhajireen abu-rummaneh rawda baramkeh bab-touma shaghour zahira
umayyad-square qudsaya douma harasta darayya moadamiyeh zamalka jaramana sayyida-zaynab saqba sbeineh
kisweh syria russia united-states united-kingdom israel iraq paris moscow london""".split()


def test_curated_gazetteer_loads_and_covers_the_required_places(gaz):
    missing = [pid for pid in REQUIRED_PLACES if pid not in gaz.places]
    # Some ids may differ; fall back to a name look-up before failing.
    names = {p.name.lower() for p in gaz.places.values()}
    still = [pid for pid in missing if pid.replace("-", " ") not in names]
    assert not still, f"missing from the gazetteer: {still}"
    assert len(gaz) > 600


def test_every_place_has_a_source_and_a_valid_kind(gaz):
    for p in gaz.places.values():
        assert p.source.strip(), p.id
        assert p.kind in PLACE_KINDS, p.id
        assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180


def test_damascus_neighbourhoods_lie_in_damascus(gaz):
    for p in gaz.places.values():
        if p.parent == "damascus":
            assert haversine_km(p.lat, p.lon, 33.5102, 36.29128) < 15, (p.id, p.lat, p.lon)


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})


GOOD = {"id": "a", "name": "Alpha", "kind": "town", "lat": "33.5", "lon": "36.3", "source": "geonames:1"}


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"lat": ""}, "empty lat"),
        ({"source": ""}, "empty source"),
        ({"lat": "136.3", "lon": "33.5"}, "look swapped"),
        ({"lon": "200"}, "outside -180..180"),
        ({"lat": "north"}, "decimal degrees"),
        ({"kind": "hamlet"}, "is not one of"),
        ({"id": "Bad Id"}, "lower-case"),
        ({"parent": "nowhere"}, "not in the gazetteer"),
    ],
)
def test_malformed_rows_name_file_row_and_problem(tmp_path, bad, message):
    path = tmp_path / "places.csv"
    _write(path, [GOOD, {**GOOD, "id": "b", **bad}])
    with pytest.raises(GazetteerError) as err:
        load_gazetteer([path])
    text = str(err.value)
    assert f"{path}:3" in text and message in text


def test_duplicate_id_across_files(tmp_path):
    _write(tmp_path / "one.csv", [GOOD])
    _write(tmp_path / "two.csv", [GOOD])
    with pytest.raises(GazetteerError, match="duplicate id 'a'"):
        load_gazetteer([tmp_path])


def test_swapped_coordinates_detected_against_parent(tmp_path):
    parent = {"id": "syria", "name": "Syria", "kind": "country", "lat": "35", "lon": "38", "source": "x"}
    city = {"id": "c", "name": "C", "kind": "city", "parent": "syria", "lat": "36.29", "lon": "33.51", "source": "x"}
    town = {"id": "t", "name": "T", "kind": "town", "parent": "c", "lat": "36.29", "lon": "33.51", "source": "x"}
    _write(tmp_path / "p.csv", [parent, city, {**town, "parent": "c", "lat": "33.51", "lon": "36.29"}])
    with pytest.raises(GazetteerError, match="swapped"):
        load_gazetteer([tmp_path / "p.csv"])


def test_user_gazetteer_adds_places(tmp_path):
    user = tmp_path / "user.csv"
    _write(user, [{**GOOD, "id": "jdeidet-yabous-test", "name": "Jdeidet Yabous Test", "parent": "rif-dimashq"}])
    gaz = load_gazetteer([DEFAULT_GAZETTEER_DIR, user])
    assert "jdeidet-yabous-test" in gaz.places


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(GazetteerError, match="no such"):
        load_gazetteer([tmp_path / "nope"])


# Places real reporting on the war beyond Damascus names (2011-2014), by area: each must load.
FRONT_PLACES = {
    "aleppo": "salaheddin saif-al-dawla sukkari hanano bustan-al-qasr sheikh-maqsoud ashrafiyeh-aleppo bab-al-hadid "
    "aleppo-old-city sakhour shaar bustan-al-basha karm-al-jabal ansari-aleppo kalaseh izaa",
    "aleppo-governorate": "azaz tal-rifaat marea al-bab manbij anadan haritan atareb khan-al-assal",
    "homs": "baba-amr khalidiyeh karm-al-zeitoun old-homs bab-sbaa bayada inshaat jourat-al-shiah qusour-homs waer "
    "hamidiyeh-homs",
    "homs-governorate": "houla taldou rastan talbiseh qusayr tal-kalakh",
    "hama-governorate": "hama kafr-zita latamneh morek tremseh qubair halfaya",
    "idlib-governorate": "jisr-al-shughour saraqeb maarat-al-numan binnish taftanaz ariha khan-sheikhoun kafr-nabl",
    "daraa-governorate": "daraa-al-balad daraa-al-mahatta nawa inkhil jasim tafas dael busra-al-sham sanamayn izraa "
    "khirbet-ghazaleh",
    "deir-ez-zor-governorate": "jbeileh hamidiyeh-dez rashdiyeh ommal-dez mayadin abu-kamal muhasan",
    "raqqa-governorate": "raqqa tabqa tal-abyad",
    "eastern-ghouta": "douma harasta arbin zamalka ain-tarma kafr-batna saqba hamouriyeh jisreen mleiha otaiba "
    "deir-al-asafir zabdin beit-sawa shebaa-rif-dimashq mudira misraba hazzeh",
    "western-ghouta-qalamoun": "darayya moadamiyeh jdeidet-artouz qatana yabroud nabk qara deir-atiyah rankous "
    "maaloula assal-al-ward flitah zabadani madaya bloudan",
}


@pytest.mark.parametrize("area", FRONT_PLACES)
def test_places_beyond_damascus_are_covered(gaz, area):
    missing = [pid for pid in FRONT_PLACES[area].split() if pid not in gaz.places]
    assert not missing, f"{area}: missing {missing}"


def test_a_neighbourhood_belongs_to_its_city(gaz):
    for p in gaz.places.values():
        if p.kind == "neighbourhood":
            parent = gaz.get(p.parent)
            assert parent is not None and parent.kind in ("city", "town"), (p.id, p.parent)


# A name several places share, and the place it means when the text gives no other clue.
SHARED_DEFAULTS = [
    ("Qusour", "qusour-damascus"),
    ("Midan", "midan"),
    ("Hamidiyeh", "hamidiyah-souq"),
    ("Old City", "old-city"),
    ("Jobar", "jobar"),
    ("Khalidiyeh", "khalidiyeh"),
    ("Ashrafiyeh", "ashrafiyeh-aleppo"),
    ("Bayda", "bayda-baniyas"),
    ("Suran", "suran-hama"),
    ("Tripoli", "tripoli-lebanon"),
    ("Ras al-Ain", "ras-al-ain"),
    ("Nasiriyah", "nasiriyah-iraq"),
]


@pytest.mark.parametrize("name,default", SHARED_DEFAULTS, ids=[n for n, _ in SHARED_DEFAULTS])
def test_a_shared_name_has_one_default(gaz, name, default):
    from geo.extract.text import fold, place_key

    sharing = [p for p in gaz.by_key[place_key(name)] if fold(name) in {fold(a) for a in (p.name, *p.aliases)}]
    assert len(sharing) > 1, f"{name!r} is no longer shared: {sharing}"
    assert [p.id for p in sharing if p.is_default] == [default]


def test_default_column_is_optional_and_checked(tmp_path):
    plain = tmp_path / "plain.csv"
    _write(plain, [GOOD])  # no default column, as user gazetteers are written
    assert load_gazetteer([plain]).get("a").is_default is False
    marked = tmp_path / "marked.csv"
    marked.write_text(",".join(COLUMNS) + ",default\na,Alpha,,town,,33.5,36.3,geonames:1,,,yes\n", encoding="utf-8")
    assert load_gazetteer([marked]).get("a").is_default is True
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COLUMNS) + ",default\na,Alpha,,town,,33.5,36.3,geonames:1,,,first\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="default 'first' must be empty or 'yes'"):
        load_gazetteer([bad])


def test_damascus_suburbs_is_damascus_not_the_governorate(gaz):
    from geo.extract.match import find_mentions

    found = [(s.surface, s.place.id) for s in find_mentions("Troops shelled two Damascus suburbs overnight.", gaz)]
    assert found == [("Damascus", "damascus")]


def test_read_gazetteer_loads_the_valid_rows_and_lists_the_others(tmp_path, gaz):
    user = tmp_path / "user.csv"
    far = {**GOOD, "id": "far", "name": "Far", "parent": "damascus", "lat": "10", "lon": "10"}
    child = {**GOOD, "id": "child", "name": "Child", "parent": "far", "lat": "10.01", "lon": "10.01"}
    zero = {**GOOD, "id": "zero", "name": "Null Island", "lat": "0", "lon": "0"}
    _write(user, [GOOD, far, child, {**GOOD, "id": "bad", "lat": "north"}, zero, {**GOOD, "name": "Again"}])
    loaded, problems = read_gazetteer([user], base=gaz)
    assert {"a", "zero"} <= set(loaded.places) and not {"far", "child", "bad"} & set(loaded.places)
    assert loaded.get("damascus") is gaz.get("damascus")
    why = {p.index: p.problem for p in problems}
    assert set(why) == {1, 2, 3, 5}
    assert "km from its parent 'damascus'" in why[1]
    assert "parent 'far' of 'child' was not loaded" in why[2]
    assert "decimal degrees" in why[3]
    assert "duplicate id 'a'" in why[5]
    assert [p.line for p in problems] == [3, 4, 5, 7]


def test_older_header_and_missing_final_newline_are_read(tmp_path):
    path = tmp_path / "old.csv"
    old_columns = ",".join(COLUMNS[:-1])
    # a 9-column file, a row appended later with today's 10 columns, and no final newline
    path.write_text(f"{old_columns}\na,Alpha,,town,,33.5,36.3,geonames:1,\nb,Beta,,town,,33.6,36.4,x,,cue")
    gaz = load_gazetteer([path])
    assert set(gaz.places) == {"a", "b"} and gaz.get("b").needs_cue


def test_unquoted_comma_is_reported_not_shifted(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(COLUMNS) + "\na,Alpha, the town,,town,,33.5,36.3,x,,\n")
    _, problems = read_gazetteer([path])
    assert len(problems) == 1 and "too many fields" in problems[0].problem and problems[0].index == 0


def test_a_file_that_is_not_a_gazetteer_is_one_problem(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,where\nAlpha,here\n")
    _, problems = read_gazetteer([path], base=load_gazetteer())
    assert [(p.index, p.line) for p in problems] == [(-1, 1)] and "missing column(s) id" in str(problems[0])


# Every coordinate carries its source (issue 10 §4): the files of Syrian places, read as files so the
# check sees each row as written, notes included.
SYRIAN_FILES = ("syria.csv", "syria_fronts.csv", "damascus_city.csv", "geonames_sy.csv")


def _syrian_rows():
    for name in SYRIAN_FILES:
        with (DEFAULT_GAZETTEER_DIR / name).open(encoding="utf-8", newline="") as fh:
            yield from ((name, row) for row in csv.DictReader(fh))


def test_every_syrian_row_names_its_source_and_an_approximate_one_says_what_was_searched():
    unsourced = [row["id"] for _, row in _syrian_rows() if not row["source"].strip()]
    assert not unsourced
    # A coordinate placed by hand must say so and say what search failed to find a better one,
    # so the next reader does not repeat it blind.
    silent = [
        row["id"]
        for name, row in _syrian_rows()
        if "approx" in row["note"].lower() and "searched" not in row["note"].lower()
    ]
    assert not silent, f"approximate rows that do not say what was searched: {silent}"


# Syria's extent (Natural Earth outline, rounded outwards): a coordinate outside it is a typo or
# a place in a neighbouring country filed here by mistake.
SYRIA_BOX = (32.3, 37.35, 35.7, 42.4)


def test_syrian_rows_lie_inside_syria():
    south, north, west, east = SYRIA_BOX
    outside = [
        (row["id"], row["lat"], row["lon"])
        for _, row in _syrian_rows()
        if not (south <= float(row["lat"]) <= north and west <= float(row["lon"]) <= east)
    ]
    assert not outside


# A neighbourhood lies within NEIGHBOURHOOD_KM of its city's point; the exceptions are named here with why.
NEIGHBOURHOOD_KM = 10
FAR_NEIGHBOURHOODS = {
    # the Sheikh Najjar industrial city, on Aleppo's north-eastern edge; its sourced point is 11.7 km out
    "sheikh-najjar": 13,
}


def test_a_neighbourhood_lies_near_its_city(gaz):
    far = []
    for p in gaz.places.values():
        if p.kind != "neighbourhood":
            continue
        city = gaz.get(p.parent)
        km = haversine_km(p.lat, p.lon, city.lat, city.lon)
        if km > FAR_NEIGHBOURHOODS.get(p.id, NEIGHBOURHOOD_KM):
            far.append((p.id, p.parent, round(km, 1)))
    assert not far


# Keys that several places share on purpose: the homonyms above (resolved by context and `default`),
# GeoNames villages that share a name, and spellings where the exact surface decides (Hama the city,
# Hameh the Damascus suburb).
SHARED_KEYS = {
    "ashrafia": "Ashrafiyeh in Aleppo, Achrafieh in Beirut",
    "ashrafiya": "Ashrafiyeh in Aleppo, Achrafieh in Beirut",
    "aynattina": "two GeoNames villages named 'Ayn at Tinah",
    "ayntina": "two GeoNames villages named 'Ayn at Tinah",
    "bayda": "al-Bayda near Baniyas, al-Bayda in Libya",
    "hadar": "al-Hader in Hama, al-Hadir south of Aleppo",
    "hadir": "al-Hader in Hama, al-Hadir south of Aleppo",
    "hama": "Hama the city; al-Hameh near Damascus (its row has no bare 'Hama')",
    "hamidiya": "the Damascus souq and the Homs, Deir ez-Zor and Idlib Hamidiyehs",
    "jawbar": "Jobar in Damascus and in Homs",
    "jubar": "Jobar in Damascus and in Homs",
    "kabasin": "two GeoNames villages named Qabbasin",
    "kbasyn": "two GeoNames villages named Qabbasin",
    "khaldiya": "Khalidiyeh in Homs and in Aleppo",
    "khalidiya": "Khalidiyeh in Homs and in Aleppo",
    "khaldia": "Khalidiyeh in Homs and in Aleppo (written Khaldieh)",
    "kusur": "the Qusour quarters of Damascus, Homs, Hama, Idlib and Deir ez-Zor",
    "marja": "Marjeh Square in Damascus, al-Marjeh in Aleppo",
    "maydan": "al-Midan in Damascus and in Aleppo",
    "midan": "al-Midan in Damascus and in Aleppo",
    "nasiriya": "Nasiriyah in Iraq and al-Nasiriyah in the Qalamoun",
    "rasayn": "Ras al-Ayn in Hasakah and Ras al-Ain in the Qalamoun",
    "shaykhsad": "'Sheikh Saed' is written for Sheikh Saad (Damascus) and Sheikh Saeed (Aleppo)",
    "suran": "Suran in Aleppo and in Hama provinces",
    "tripuli": "Tripoli in Lebanon and in Libya",
    "uldcity": "the old cities of Damascus, Homs and Aleppo",
    "zahra": "al-Zahraa north of Aleppo, al-Zahra in Homs",
}


def test_only_listed_keys_are_shared_by_several_places(gaz):
    shared = {key for key, places in gaz.by_key.items() if len({p.id for p in places}) > 1}
    assert shared - set(SHARED_KEYS) == set(), "a new key collision: list it in SHARED_KEYS or rename"
    assert set(SHARED_KEYS) - shared == set(), "a listed key is no longer shared: drop it from SHARED_KEYS"


def test_place_ids_are_unique_across_the_files():
    ids = [row["id"] for _, row in _syrian_rows()]
    for name in ("world.csv",):
        with (DEFAULT_GAZETTEER_DIR / name).open(encoding="utf-8", newline="") as fh:
            ids += [row["id"] for row in csv.DictReader(fh)]
    assert len(ids) == len(set(ids))


def test_a_missing_parent_is_answered_with_an_id_the_file_has(tmp_path):
    # A gazetteer of the reader's own, without Damascus: the hint must name a place it holds.
    path = tmp_path / "own.csv"
    _write(path, [GOOD, {**GOOD, "id": "b", "parent": "nowhere"}])
    with pytest.raises(GazetteerError) as err:
        load_gazetteer([path])
    assert "such as 'a'" in str(err.value) and "damascus" not in str(err.value)


def test_a_gazetteer_saved_in_a_legacy_encoding_names_the_fix(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((",".join(COLUMNS) + "\na,Alpha Café,,town,,33.5,36.3,geonames:1,,\n").encode("latin-1"))
    with pytest.raises(GazetteerError) as err:
        load_gazetteer([path])
    assert "not UTF-8" in str(err.value) and "CSV UTF-8" in str(err.value)


def test_a_device_given_as_the_gazetteer_is_refused_without_reading_it():
    with pytest.raises(GazetteerError, match="not a regular file"):
        load_gazetteer(["/dev/zero"])
