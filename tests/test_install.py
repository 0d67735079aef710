"""clashmap installs as a package: ``pip install .`` into an empty folder, then extraction from elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from .conftest import ROOT, SEEDS


def test_pip_install_then_extract_from_another_folder(tmp_path):
    # Install from a copy of what the project tracks, so nothing outside it can help.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "geo", "gazetteer"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(
            ROOT / name,
            src / name,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}),
        )
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # No dependencies and no build isolation: the venv has them, and tests never download.
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "--target", str(target), str(src)], check=True)
    assert sorted(p.name for p in (target / "geo" / "extract" / "gazetteer_data").glob("*.csv")) == sorted(
        p.name for p in (ROOT / "gazetteer").glob("*.csv")
    )
    assert (target / "geo" / "extract" / "data" / "lexicon.json").is_file()

    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copytree(SEEDS, work / "seeds")
    shutil.rmtree(src)  # the source is gone: only the install is left
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import geo; print(geo.__file__)"], cwd=work, env=env, capture_output=True, text=True
    )
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    script = target / "bin" / "clashmap"
    proc = subprocess.run(
        [str(script), "extract", "seeds", "-o", "out.geojson"], cwd=work, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    features = json.loads((work / "out.geojson").read_text())["features"]
    assert len(features) == 105 and {f["properties"]["place_id"] for f in features} >= {"tadamon", "midan"}
    module = subprocess.run(
        [sys.executable, "-m", "geo", "extract", "seeds", "--level", "events", "-o", "ev.geojson"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert module.returncode == 0, module.stderr
    assert len(json.loads((work / "ev.geojson").read_text())["features"]) == 30
