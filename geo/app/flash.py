"""Messages that outlive the rerun which shows new data (an added article, a saved gazetteer row)."""

from __future__ import annotations

import streamlit as st


def flash(kind: str, text: str) -> None:
    """Keep a message across the rerun that shows new data (Markdown: escape reader text with md())."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        getattr(st, kind)(text)
