"""A page showing every hostile text of tests/test_app_text.py through md(), in each Markdown call the app uses.

Served by the `escape_server` fixture; the guard keeps pytest's doctest collection from running it.
"""

import streamlit as st

from geo.app.text import md
from tests.test_app_text import HOSTILE

#: The Markdown-rendering calls app.py passes reader and article text to.
CALLS = ("markdown", "caption", "info", "success", "warning", "error")

if __name__ == "__main__":
    for i, text in enumerate(HOSTILE):
        with st.container(key=f"row{i}"):
            for call in CALLS:
                getattr(st, call)(md(text))
