import csv

import pytest

from geo.errors import GazetteerError
from geo.extract.gazetteer import COLUMNS, DEFAULT_GAZETTEER_DIR, haversine_km, load_gazetteer
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
