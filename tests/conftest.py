from pathlib import Path

import pytest

from geo import store
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


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory, res):
    """A SQLite store holding the seeds and one pasted report of our own (unverified, "Test Wire")."""
    conn = store.connect(tmp_path_factory.mktemp("seeded") / "db.sqlite")
    store.seed(conn, res)
    store.ingest_text(
        conn,
        "Unverified reports said shelling hit Mezzeh on Monday.",
        res,
        published="2012-07-20",
        outlet="Test Wire",
        title="t",
    )
    yield conn
    conn.close()
