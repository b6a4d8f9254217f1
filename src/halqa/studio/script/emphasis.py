r"""Fountain emphasis (``*italic*``, ``**bold**``, ``***both***``, ``_underline_``) as styled runs.

The rules are those of screenplay-tools' ``fountain_to_html`` (the reading the conformance
fixture ``Formatted.txt`` encodes: markup never crosses a line, the text inside starts and ends
with a non-space, ``\*`` and ``\_`` are literal), minus one quirk: the library also demands that
no space follows the closing mark, so ``**bold** word`` stayed unformatted. The text is
HTML-escaped first so a ``<`` in a line can never be taken for a tag; the tags are then split
into runs that the PDF, HTML and FDX writers share.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_ESCAPES = {"\\*": "\x00A", "\\_": "\x00U"}
_RULES = (
    (re.compile(r"\*\*\*(\S|\S.*?\S)\*\*\*"), r"<b><i>\1</i></b>"),
    (re.compile(r"\*\*(\S|\S.*?\S)\*\*"), r"<b>\1</b>"),
    (re.compile(r"\*(\S|\S.*?\S)\*"), r"<i>\1</i>"),
    (re.compile(r"_(\S|\S.*?\S)_"), r"<u>\1</u>"),
)
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
        return (
            ("B" if self.bold else "")
            + ("I" if self.italic else "")
            + ("U" if self.underline else "")
        )


def emphasis_html(text: str) -> str:
    """Fountain emphasis as ``<b>``, ``<i>``, ``<u>``; everything else escaped."""
    text = html.escape(text, quote=False)
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    lines = []
    for line in text.split("\n"):
        for pattern, replacement in _RULES:
            line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines).replace("\x00A", "*").replace("\x00U", "_")


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
