"""Serve the map: ``python -m geo.app.serve app.py [streamlit options]``.

The same as ``streamlit run app.py [options]``, except that the server process imports the map's
libraries (pandas, folium, the store and the app modules, but nothing that talks to Streamlit) and
loads the curated gazetteer and lexicon *before* it starts serving. Streamlit runs the page in this
process, so the first reader no longer waits about 1.5 s for that work on the first page load: it
is paid once, at start-up, before the server answers its health check.
"""

from __future__ import annotations

import sys


def warm() -> None:
    """Import what every page run needs and load the default extraction resources once."""
    # Not streamlit_folium: it declares its component on import, which must happen inside the
    # running server (declared before it, the map's frame is never served).
    import folium  # noqa: F401  (imported for its side effect: a warm module cache)
    import pandas  # noqa: F401

    from geo.app import acled, filters, mapview, worker  # noqa: F401
    from geo.extract.pipeline import default_resources
    from geo.store import query  # noqa: F401

    default_resources()


def main(argv: list[str] | None = None) -> int:
    """Warm the process, then hand over to Streamlit's own command line (``streamlit run ...``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        print("usage: python -m geo.app.serve SCRIPT.py [streamlit options]", file=sys.stderr)
        return 2
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    try:
        cli.main(prog_name="streamlit")
    except SystemExit as done:  # click ends every command this way
        return done.code if isinstance(done.code, int) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
