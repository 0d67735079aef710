"""The tests' throwaway PostgreSQL + PostGIS server (a real server, started and stopped by the test).

It lives in :mod:`geo.tools.pgserver`, which the browser benchmark
(``python -m geo.tools.browserbench --store postgis``) uses too.
"""

from geo.tools.pgserver import BIN, postgis_server

__all__ = ["BIN", "postgis_server"]
