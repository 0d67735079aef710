"""A throwaway PostgreSQL + PostGIS server: a real server, started and stopped here.

Used by the tests (``tests/pgserver.py``) and by the browser benchmark
(``python -m geo.tools.browserbench --store postgis``).

initdb in a temporary folder, the server on a free loopback port, a database
with the postgis extension; stopped (and its folder removed) afterwards, also
on failure. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user Debian's package creates. ``./run.sh test`` installs
PostgreSQL's PostGIS package when it is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(os.environ.get("CLASHMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgis_server(database: str = "clashmap") -> Iterator[str]:
    """Start a server; yield the URL of a fresh PostGIS database on it."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"{BIN}/initdb is missing: run ./run.sh test (it installs postgresql-15-postgis-3)")
    folder = Path(tempfile.mkdtemp(prefix="clashmap-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    data = folder / "data"
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(_as_server_user([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "clashmap"]), **run)
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log")]
    subprocess.run(_as_server_user([*pg_ctl, "-o", options, "-w", "start"]), **run)
    try:
        import psycopg

        with psycopg.connect(f"postgresql://clashmap@127.0.0.1:{port}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        url = f"postgresql://clashmap@127.0.0.1:{port}/{database}"
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
