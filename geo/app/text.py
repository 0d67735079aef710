"""Text from readers and articles made safe for the page's Markdown.

Streamlit renders ``st.markdown``, ``st.warning``, ``st.error``, ``st.success``,
``st.info``, ``st.toast`` and ``st.caption`` as GitHub-flavoured Markdown with
its own extras (``$`` math, ``:red[...]`` colours, ``:emoji:`` codes). A file
name, a title or a sentence shown there could otherwise draw an image that
makes the reader's browser fetch an outside address, or a link.
"""

from __future__ import annotations

import re

#: Every ASCII punctuation character: CommonMark lets each be escaped with a backslash,
#: and escaping all of them disarms every construct (links, images, emphasis, code,
#: HTML, headings, lists, tables, math, directives) without listing them.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

#: Plain text Streamlit's renderer rewrites after the backslashes are gone: remark-gfm links
#: URLs and e-mail addresses, ``:name:`` becomes an emoji or the Streamlit logo, ``->``, ``--``
#: and the like become arrows and dashes. An invisible word joiner (U+2060) inside each stops it.
TEXT_REWRITES = {
    "url scheme": r"(?<=:)(?=//)",
    "www domain": r"(?<=[Ww]{3})(?=\.)",
    "e-mail address": r"(?<=@)",
    "shortcode": r"(?<=:)(?=[\w+-]+:)",
    "arrow or dash": r"(?<=[-<>~])(?=[->=])",
}
_REWRITE_POINTS = re.compile("|".join(TEXT_REWRITES.values()))
WORD_JOINER = "\u2060"
#: Bidirectional overrides, embeddings and isolates: in a file name or title they reorder what
#: follows ("report\u202etxt.exe" shows as "reportexe.txt"), so they are shown as their code instead.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Spaces or tabs opening a line would make an indented code block: they become no-break spaces.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
NO_BREAK_SPACE = "\u00a0"


def md(text: object) -> str:
    r"""``text`` as Markdown that shows exactly that text, with no markup, link or image.

    Use it for every value that came from a reader or an article (file names,
    titles, outlets, sentences, error messages quoting them) before it reaches
    a Streamlit call that renders Markdown.

    >>> print(md("![x](https:evil.example) *bold*"))
    \!\[x\]\(https\:evil\.example\) \*bold\*
    >>> md("www.evil.example") == "www\u2060\\.evil\\.example"
    True
    >>> print(md("report\u202etxt.exe"))
    report\<U\+202E\>txt\.exe
    """
    s = _BIDI_CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", str(text))
    s = _REWRITE_POINTS.sub(WORD_JOINER, s)
    s = _INDENT.sub(lambda m: NO_BREAK_SPACE * len(m.group()), s)
    return _PUNCTUATION.sub(r"\\\1", s)
