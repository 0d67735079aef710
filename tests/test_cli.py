import json
import subprocess
import sys

import geopandas as gpd
import pytest

from geo.tools.cli import main

from .conftest import DATA, ROOT, SEEDS


def test_extract_seeds_to_geojson(tmp_path, capsys):
    out = tmp_path / "seeds.geojson"
    assert main(["extract", str(SEEDS), "-o", str(out), "-q"]) == 0
    data = json.loads(out.read_text())
    assert data["type"] == "FeatureCollection" and len(data["features"]) > 90
    assert "105 mentions" in capsys.readouterr().err
    assert len(gpd.read_file(out)) == len(data["features"])


def test_mention_ids_are_stable_across_runs(tmp_path):
    a, b = tmp_path / "a.geojson", tmp_path / "b.geojson"
    main(["extract", str(SEEDS), "-o", str(a), "-q"])
    main(["extract", str(SEEDS), "-o", str(b), "-q"])
    ids = lambda p: [f["properties"]["mention_id"] for f in json.loads(p.read_text())["features"]]  # noqa: E731
    assert ids(a) == ids(b)


def test_events_level_and_csv(tmp_path):
    out = tmp_path / "events.csv"
    assert main(["extract", str(SEEDS), "--level", "events", "--format", "csv", "-o", str(out), "-q"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("event_id_cnty,event_date")
    assert 20 < len(lines) < 60


def test_bad_files_are_reported_and_others_processed(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Clashes erupted in Midan yesterday.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "arabic.txt").write_bytes("Shelling hit Tadamon, activists said. حي التضامن".encode("cp1256"))
    (tmp_path / "html.txt").write_text("<p>Clashes in <b>Qaboun</b></p><script>alert(1)</script>", encoding="utf-8")
    (tmp_path / "huge.txt").write_bytes(b"Clashes in Midan. " * (20_000_000 // 18))
    out = tmp_path / "out.geojson"
    assert main(["extract", str(tmp_path), "-o", str(out), "--published", "2012-07-17"]) == 1
    err = capsys.readouterr().err
    assert "empty.txt: the file is empty" in err
    assert "binary.txt: binary data" in err
    assert "huge.txt" in err and "larger than" in err
    assert "arabic.txt: not valid UTF-8" in err
    assert "HTML tags" in err
    places = {f["properties"]["place_id"] for f in json.loads(out.read_text())["features"]}
    assert {"midan", "tadamon", "qaboun"} <= places
    assert "3 file(s) refused" in err


def test_missing_date_and_bad_published_option(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Clashes erupted in Midan yesterday.", encoding="utf-8")
    assert main(["extract", str(tmp_path), "--published", "July 17", "-o", str(tmp_path / "o.geojson")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    main(["extract", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.geojson")])
    assert "no publication date" in capsys.readouterr().err
    feat = json.loads((tmp_path / "o.geojson").read_text())["features"][0]
    assert feat["properties"]["is_event"] and feat["properties"]["date"] is None


def test_unresolved_names_have_null_geometry(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Clashes erupted in the district of Birket Nadir.", encoding="utf-8")
    main(["extract", str(tmp_path), "--published", "2012-07-17", "-o", str(tmp_path / "o.geojson")])
    feat = json.loads((tmp_path / "o.geojson").read_text())["features"][0]
    assert feat["geometry"] is None and feat["properties"]["resolved"] is False
    assert "unresolved place name 'Birket Nadir'" in capsys.readouterr().err


def test_evaluate_command(capsys):
    assert main(["evaluate", str(DATA / "seeds.gold.json"), str(SEEDS), "--no-errors"]) == 0
    out = capsys.readouterr().out
    assert "event_f1" in out and "date_exact" in out


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "geo", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and "extract" in proc.stdout


def test_a_leading_dash_file_name_is_a_file_after_double_dash(tmp_path, monkeypatch, capsys):
    (tmp_path / "-draft.txt").write_text("Clashes erupted in Midan yesterday.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["extract", "-o", "o.geojson", "--published", "2012-07-17", "--", "-draft.txt"]) == 0
    feats = json.loads((tmp_path / "o.geojson").read_text())["features"]
    assert [f["properties"]["doc_id"] for f in feats] == ["-draft"]


def test_help_states_the_exit_statuses(capsys):
    proc = subprocess.run([sys.executable, "-m", "geo", "extract", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0
    assert "0  every input file was read" in proc.stdout and "1  some files were refused" in proc.stdout
    assert "2  nothing was read" in proc.stdout and "-- -draft.txt" in proc.stdout


def test_max_bytes_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["extract", str(SEEDS), "--max-bytes", "0"])
    assert exit_.value.code == 2 and "above zero" in capsys.readouterr().err
