"""geo.app.text.md: reader and article text shown through Streamlit's Markdown, inert.

The browser test (tests/e2e/test_browser.py::test_escaped_text_renders_as_itself) renders the
same table with Streamlit's own Markdown renderer.
"""

from __future__ import annotations

import re

import pytest

from geo.app.text import NO_BREAK_SPACE, WORD_JOINER, md

#: Hostile texts, one per kind of Markdown or HTML a name, title or sentence could smuggle in.
HOSTILE = [
    "![x](https:evil.example) [click](javascript:alert(1)).txt",
    "[ref][1]\n\n[1]: https://evil.example/ref",
    "<https://evil.example/autolink> <a@evil.example>",
    "see https://evil.example/x and www.evil.example and HTTP://EVIL.EXAMPLE",
    "mail a.b+c@evil.example now",
    "<img src=x onerror=alert(1)><script>alert(2)</script><a href='//evil.example'>a</a>",
    "back\\slash \\*not bold\\* \\\\ end\\",
    "_under_ __strong__ *em* **strong** ***both*** ~~gone~~",
    "price $5 and $x^2$ and $$\\int f$$",
    "```python\nimport os\n```\n~~~\ncode\n~~~\n`inline`",
    "    indented code block",
    "\tcode block after a tab",
    "# heading\n> quote\n- item\n1. item\n---\n| a | b |\n|---|---|\n| 1 | 2 |",
    ":red[coloured] :material/home: :smile: :streamlit:",
    "&lt;b&gt; &amp; &#x3C;img src=x&#x3E; &#106;avascript:",
    "line one  \nline two\\\nthree",
    "[x](<https://evil.example>) [y]( https://evil.example 'title')",
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "Midan, Damascus (SANA) - clashes in al-Hajar al-Aswad.",
]

#: remark-gfm's literal-autolink patterns (mdast-util-gfm-autolink-literal), applied by Streamlit
#: to the text after backslash escapes are removed.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
#: What Streamlit's renderer itself rewrites in plain text: emoji and logo shortcodes, arrows and dashes.
STREAMLIT_SHORTCODE = re.compile(r":[\w+-]+:")
STREAMLIT_TYPOGRAPHY = re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a CommonMark renderer shows for text made only of escapes and plain characters."""
    return ESCAPE.sub(r"\1", markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_every_punctuation_character_is_escaped(text):
    out = md(text)
    unescaped = ESCAPE.sub("", out)
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped), unescaped


@pytest.mark.parametrize("text", HOSTILE)
def test_the_reader_sees_the_text_itself(text):
    assert shown(md(text)).replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ") == text.replace("\t", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_no_literal_autolink_survives(text):
    rendered = shown(md(text))
    assert not GFM_URL.search(rendered) and not GFM_EMAIL.search(rendered), rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_no_shortcode_or_arrow_survives(text):
    rendered = shown(md(text))
    assert not STREAMLIT_SHORTCODE.search(rendered) and not STREAMLIT_TYPOGRAPHY.search(rendered), rendered


@pytest.mark.parametrize("text", HOSTILE)
def test_no_line_starts_indented(text):
    assert not re.search(r"(?m)^[ \t]", md(text))


def test_plain_words_are_unchanged():
    assert md("Clashes erupted in Tadamon on Monday") == "Clashes erupted in Tadamon on Monday"
    assert md(42) == "42"
