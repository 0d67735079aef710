#!/usr/bin/env bash
# clashmap's set-up and jobs, for a fresh machine:
#   ./run.sh app              set up, then serve the map (http://localhost:8501)
#   ./run.sh test [ARGS]      set up, then run every check: ruff, and pytest with the browser tests
#   ./run.sh extract ARGS     set up, then clashmap extract ARGS
set -euo pipefail
cd "$(dirname "$0")"

setup() {
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    # Reinstall only when requirements.txt or pyproject.toml changed since the last set-up.
    local stamp=.venv/.requirements.sha256
    local want
    want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
        # clashmap itself, editable: `clashmap` on the venv's PATH, tests import it as installed.
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
        echo "$want" > "$stamp"
    fi
}

browser() {
    # The end-to-end tests drive Debian's chromium (Playwright cannot download its own here).
    if [ ! -x /usr/bin/chromium ]; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    fi
}

postgis() {
    # The store tests start a throwaway PostgreSQL + PostGIS server of their own.
    if [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15-postgis-3 >/dev/null
    fi
}

job=${1:-}
[ $# -gt 0 ] && shift
case "$job" in
    app)
        setup
        # CLASHMAP_DB=postgresql://... points the app at a shared PostGIS store instead of the SQLite file.
        # geo.app.serve is `streamlit run app.py` with the libraries and places loaded before the first reader.
        exec .venv/bin/python -m geo.app.serve app.py "$@"
        ;;
    test)
        setup
        browser
        postgis
        .venv/bin/ruff check .
        exec .venv/bin/python -m pytest "$@"
        ;;
    extract)
        setup
        exec .venv/bin/clashmap extract "$@"
        ;;
    *)
        echo "usage: ./run.sh app | test [pytest args] | extract PATH... -o OUT.geojson" >&2
        exit 2
        ;;
esac
