from pathlib import Path

import pytest

from geo.extract.pipeline import load_resources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def res():
    return load_resources()


@pytest.fixture(scope="session")
def gaz(res):
    return res.gazetteer
