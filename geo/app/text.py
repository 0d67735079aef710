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

#: GFM also turns URLs and e-mail addresses found in plain text into links, after the
#: backslashes are gone (remark-gfm's ``https?://``, ``www.`` and ``name@domain.tld``
#: patterns); an invisible word joiner (U+2060) inside each pattern stops that.
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    r"""``text`` as Markdown that shows exactly that text, with no markup, link or image.

    Use it for every value that came from a reader or an article (file names,
    titles, outlets, sentences, error messages quoting them) before it reaches
    a Streamlit call that renders Markdown.

    >>> print(md("![x](https:evil.example) *bold*"))
    \!\[x\]\(https\:evil\.example\) \*bold\*
    >>> md("www.evil.example") == "www\u2060\\.evil\\.example"
    True
    """
    s = _AUTOLINK_TRIGGERS.sub(WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", s)
