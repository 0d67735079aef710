import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.pipeline import load_resources  # noqa: E402

DATA = ROOT / "tests" / "data"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def res():
    return load_resources()


@pytest.fixture(scope="session")
def gaz(res):
    return res.gazetteer
