"""The map's summary table: mentions counted per place, day, type and sub-type, kept on every write.

``mention_counts`` holds one row per distinct value of :data:`KEY` over the
mentions (place and its point, event or not, type, sub-type, day, verified)
with ``n``, how many mentions have it. The map's unfiltered and type- or
date-filtered views (:mod:`geo.store.query`) group and count it instead of
the mentions: at a million mentions it is a few hundred thousand rows at most,
bounded by places x days x types x sub-types, whatever the number of reports.

It is kept by triggers on ``mentions``, so every write (ingest, re-extraction,
delete, bulk load, a concurrent writer) updates it in its own transaction:
row triggers on SQLite, statement triggers over the transition tables on
PostgreSQL (one grouped upsert per COPY, not one per row). Its columns bear
the mentions' names, so the filter's condition (:func:`geo.store.query.where`)
reads it unchanged; filters on columns it lacks (article, outlet,
attribution) read the mentions.

``k`` is the key as one text (a JSON array of the key's values): NULLs are
part of the key (an undated mention is not a mention of day ""), and a
UNIQUE index on one non-null column serves both databases' upserts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: The mentions' columns the summary counts by; the filter columns it serves are among them.
KEY = (
    "place_id",
    "place",
    "place_kind",
    "lat",
    "lon",
    "uncertainty_km",
    "admin1",
    "country",
    "is_event",
    "event_type",
    "sub_event_type",
    "date",
    "verified",
)
#: Filters the summary cannot answer (their columns are not in :data:`KEY`): the mentions are read.
UNSERVED_FILTERS = ("doc_ids", "outlets", "attributions")

TABLE = "mention_counts"
_COLS = ", ".join(KEY)


def serves(f: dict) -> bool:
    """Whether the filter ``f`` can be answered from the summary (no article, outlet or attribution filter)."""
    return not any(f.get(key) for key in UNSERVED_FILTERS)


def _key(alias: str, json_array: str) -> str:
    return f"{json_array}({', '.join(f'{alias}.{c}' for c in KEY)})"


# --- SQLite: row triggers --------------------------------------------------------------------

_SQLITE_TABLE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    k TEXT PRIMARY KEY,
    place_id TEXT, place TEXT, place_kind TEXT, lat REAL, lon REAL, uncertainty_km REAL,
    admin1 TEXT, country TEXT, is_event INTEGER NOT NULL, event_type TEXT, sub_event_type TEXT,
    date TEXT, verified INTEGER, n INTEGER NOT NULL
)"""


def _sqlite_add(row: str) -> str:
    values = ", ".join(f"{row}.{c}" for c in KEY)
    return (
        f"INSERT INTO {TABLE} (k, {_COLS}, n) VALUES ({_key(row, 'json_array')}, {values}, 1) "
        "ON CONFLICT(k) DO UPDATE SET n = n + 1;"
    )


def _sqlite_remove(row: str) -> str:
    key = _key(row, "json_array")
    return f"UPDATE {TABLE} SET n = n - 1 WHERE k = {key}; DELETE FROM {TABLE} WHERE k = {key} AND n <= 0;"


_SQLITE_TRIGGERS = [f"{TABLE}_insert", f"{TABLE}_delete", f"{TABLE}_update"]
#: Indexes of the summary (the data's first and last day) and of the mentions (their sources, read
#: by skipping from one to the next), for the sidebar's choices at a million mentions.
#: In the order the map groups events (place, event or not, type, day), holding every column the map's
#: queries read: grouping walks the index, already in order, instead of sorting the rows. Version 5 added it.
GROUP_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_group ON {TABLE} (place_id, is_event, event_type, date, n, place, "
    "place_kind, lat, lon, uncertainty_km, verified, sub_event_type, admin1, country)"
)
#: Each article's mentions with the filter's columns (:func:`geo.store.query.counts`): "from how many
#: articles" asks each article for one filtered report, read from this index alone, instead of
#: grouping every filtered report by article. SQLite's version 6 and PostGIS's version 4
#: added it. Not the summary's, but beside the other indexes the map's counts read.
DOC_FILTER_INDEX = (
    "CREATE INDEX IF NOT EXISTS mentions_doc_filter ON mentions(doc_id, is_event, date, event_type, "
    "sub_event_type, verified, attribution)"
)
#: The summary's filter columns and count, for the reports of a view (:func:`geo.store.query.counts`)
#: summed from the index alone. SQLite's version 6 and PostGIS's version 4 added it.
FILTER_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_filter ON {TABLE} (is_event, date, event_type, sub_event_type, verified, n)"
)
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {TABLE}_date ON {TABLE} (date)",
    GROUP_INDEX,
    FILTER_INDEX,
    "CREATE INDEX IF NOT EXISTS mentions_attribution ON mentions (attribution)",
]

_SQLITE_TRIGGER_DDL = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON mentions BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON mentions BEGIN {_sqlite_remove('OLD')} END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF {_COLS} ON mentions "
    f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
]
SQLITE_DDL = [_SQLITE_TABLE, *_SQLITE_TRIGGER_DDL, *INDEXES]


@contextmanager
def counted_at_end(conn) -> Iterator[None]:
    """SQLite, inside a write transaction that only inserts mentions: count them once, grouped, at the end.

    A bulk load of 100,000 rows is several times slower through the row
    triggers; here they are dropped for the block and created again after the
    new rows (those above the largest rowid before it) are added, all in the
    caller's transaction, so no other writer ever sees the summary without them.
    """
    lo = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM mentions").fetchone()[0]
    for name in _SQLITE_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    grouped = f"SELECT {_COLS}, COUNT(*) AS n FROM mentions WHERE rowid > ? GROUP BY {_COLS}"
    conn.execute(
        f"INSERT INTO {TABLE} (k, {_COLS}, n) SELECT {_key('g', 'json_array')}, {_COLS}, g.n FROM ({grouped}) g "
        "WHERE true ON CONFLICT(k) DO UPDATE SET n = n + excluded.n",
        (lo,),
    )
    for statement in _SQLITE_TRIGGER_DDL:
        conn.execute(statement)


def _refill(key: str) -> list[str]:
    grouped = f"SELECT {_COLS}, COUNT(*) AS n FROM mentions GROUP BY {_COLS}"
    return [
        f"DELETE FROM {TABLE}",
        f"INSERT INTO {TABLE} (k, {_COLS}, n) SELECT {key}, {_COLS}, g.n FROM ({grouped}) g",
    ]


#: Statements that rebuild the summary from the mentions (a store upgraded to it).
SQLITE_REFILL = _refill(_key("g", "json_array"))


# --- PostgreSQL: statement triggers over the transition tables -------------------------------

_PG_TABLE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    k TEXT PRIMARY KEY,
    place_id TEXT, place TEXT, place_kind TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
    uncertainty_km DOUBLE PRECISION, admin1 TEXT, country TEXT, is_event INTEGER NOT NULL, event_type TEXT,
    sub_event_type TEXT, date TEXT, verified INTEGER, n BIGINT NOT NULL
)"""


def _pg_grouped(rows: str) -> str:
    # Keys in order: concurrent writers would take the rows' locks in one order (writers also queue on a lock).
    return (
        f"SELECT {_key('g', 'json_build_array')}::text AS k, g.*"
        f" FROM (SELECT {_COLS}, COUNT(*) AS n FROM {rows} GROUP BY {_COLS}) g ORDER BY 1"
    )


_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION clashmap_mention_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE {TABLE} c SET n = c.n - d.n FROM ({_pg_grouped("old_rows")}) d WHERE c.k = d.k;
        DELETE FROM {TABLE} c WHERE c.n <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TABLE} (k, {_COLS}, n) SELECT d.k, {", ".join(f"d.{c}" for c in KEY)}, d.n
        FROM ({_pg_grouped("new_rows")}) d
        ON CONFLICT (k) DO UPDATE SET n = {TABLE}.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""

_PG_TRIGGERS = {
    "insert": "AFTER INSERT ON mentions REFERENCING NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON mentions REFERENCING OLD TABLE AS old_rows",
    "update": "AFTER UPDATE ON mentions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}

# TRUNCATE fires no row or delete triggers: empty the summary with the mentions.
_PG_TRUNCATE = f"""CREATE OR REPLACE FUNCTION clashmap_mention_counts_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM {TABLE};
    RETURN NULL;
END $$ LANGUAGE plpgsql"""

POSTGIS_DDL = [
    _PG_TABLE,
    *INDEXES,
    _PG_TRUNCATE,
    f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON mentions",
    f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON mentions "
    "FOR EACH STATEMENT EXECUTE FUNCTION clashmap_mention_counts_truncate()",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_low ON {TABLE} (n) WHERE n <= 0",
    _PG_FUNCTION,
    *(
        stmt
        for name, when in _PG_TRIGGERS.items()
        for stmt in (
            f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON mentions",
            f"CREATE TRIGGER {TABLE}_{name} {when} FOR EACH STATEMENT EXECUTE FUNCTION clashmap_mention_counts()",
        )
    ),
]
POSTGIS_REFILL = _refill(_key("g", "json_build_array") + "::text")


def drift(conn) -> list[tuple]:
    """Where the summary differs from a ``GROUP BY`` over the mentions: ``(key values..., summary n, mentions n)``.

    Empty when the summary is right, as it must always be (the tests check it
    after every kind of write).
    """
    summary = {tuple(r[:-1]): int(r[-1]) for r in conn.execute(f"SELECT {_COLS}, n FROM {TABLE}")}
    grouped = {
        tuple(r[:-1]): int(r[-1]) for r in conn.execute(f"SELECT {_COLS}, COUNT(*) FROM mentions GROUP BY {_COLS}")
    }
    return sorted(
        (
            (*key, summary.get(key, 0), grouped.get(key, 0))
            for key in summary.keys() | grouped.keys()
            if summary.get(key, 0) != grouped.get(key, 0)
        ),
        key=repr,
    )
