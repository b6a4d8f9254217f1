"""Fountain emphasis (``*italic*``, ``**bold**``, ``***both***``, ``_underline_``) as styled runs.

The markup is read by screenplay-tools' ``fountain_to_html`` (the reading the conformance
fixture ``Formatted.txt`` encodes); the text is HTML-escaped first so a ``<`` in a line can
never be taken for a tag, and the tags it produces are then split into runs that the PDF, HTML
and FDX writers share.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from screenplay_tools.fountain.format_helper import fountain_to_html

_TAG_RE = re.compile(r"(</?[biu]>)")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False

    @property
    def style(self) -> str:
        """fpdf2's style letters ("B", "I", "U")."""
        return ("B" if self.bold else "") + ("I" if self.italic else "") + ("U" if self.underline else "")


def emphasis_html(text: str) -> str:
    """Fountain emphasis as ``<b>``, ``<i>``, ``<u>``; everything else escaped."""
    return fountain_to_html(html.escape(text, quote=False))


def runs(text: str) -> list[Run]:
    """The text split where its style changes (markup removed, escapes resolved)."""
    state = {"b": False, "i": False, "u": False}
    out: list[Run] = []
    for part in _TAG_RE.split(emphasis_html(text)):
        tag = _TAG_RE.fullmatch(part)
        if tag:
            state[part.strip("</>")] = not part.startswith("</")
        elif part:
            out.append(Run(html.unescape(part), state["b"], state["i"], state["u"]))
    return out


def strip_emphasis(text: str) -> str:
    return "".join(r.text for r in runs(text))
