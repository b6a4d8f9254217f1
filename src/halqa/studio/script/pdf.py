"""The screenplay as a PDF in industry layout, with Arabic shaped and Tifinagh drawn.

fpdf2 draws the text; with text shaping on it runs HarfBuzz (uharfbuzz) for Arabic joining and
the Unicode bidi algorithm for each line, and falls back glyph by glyph from the Courier-style
font to Noto Naskh Arabic and Noto Sans Tifinagh. Fonts come from Debian packages
(fonts-liberation: Liberation Mono, metric-compatible with Courier New, 0.6 em = 10 characters an
inch at 12 pt; fonts-noto-core: Arabic and Tifinagh), never from the network.

Direction is decided per block (the first strong letter, like HTML's ``dir="auto"``): an Arabic
block is right-aligned in its column, a French one left-aligned. When the script's main language
is right-to-left (``Language: ary`` on the title page, or most words in Arabic script) the whole
page is mirrored as Arabic screenwriters lay it out: binding margin on the right, page number
top-left.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from halqa.errors import BackendUnavailableError
from halqa.studio.script.emphasis import Run
from halqa.studio.script.layout import (
    CHARACTER,
    DIALOGUE,
    LYRIC,
    PAGE_SIZES,
    PARENTHETICAL,
    TRANSITION,
    Layout,
    Line,
    paginate,
)
from halqa.studio.script.model import Script

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/truetype/noto"))
FONTS = {
    ("mono", ""): "liberation/LiberationMono-Regular.ttf",
    ("mono", "B"): "liberation/LiberationMono-Bold.ttf",
    ("mono", "I"): "liberation/LiberationMono-Italic.ttf",
    ("mono", "BI"): "liberation/LiberationMono-BoldItalic.ttf",
    ("arabic", ""): "noto/NotoNaskhArabic-Regular.ttf",
    ("arabic", "B"): "noto/NotoNaskhArabic-Bold.ttf",
    ("tifinagh", ""): "noto/NotoSansTifinagh-Regular.ttf",
}
FALLBACK_FONTS = ("arabic", "tifinagh")
FONT_PACKAGES = "fonts-liberation fonts-noto-core"
FONT_ROOT = Path("/usr/share/fonts/truetype")
LINE_HEIGHT = 1 / 6  # inches: 12-pt type at six lines an inch
TOP = 1.0
SPEECH_KINDS = (CHARACTER, PARENTHETICAL, DIALOGUE, LYRIC)
# Characters HarfBuzz and the bidi algorithm must see: combining marks, right-to-left and complex
# scripts (Hebrew to Mongolian, Tifinagh, ...), bidi controls, presentation forms. A line without
# any (Latin in a monospace font: no ligatures, no kerning) is drawn without shaping, which is
# most of fpdf2's time on a long script.
_COMPLEX_RE = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0590-\u1cff\u1dc0-\u1dff\u200c-\u200f"
    "\u202a-\u202e\u2066-\u2069\u20d0-\u20ff\u2d30-\u2d7f\u2e80-\U0010ffff]"
)
DIALOGUE_COLUMN = (2.5, 6.0)  # inches from the binding side


def direction(text: str) -> str:
    """``rtl`` or ``ltr`` from the first strong letter (Unicode bidi classes R/AL vs L)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def render_pdf(
    script: Script,
    out: str | Path,
    *,
    paper: str = "letter",
    page_direction: str | None = None,
    layout: Layout | None = None,
    profile: str | None = None,
) -> dict:
    """Write the PDF; returns its path, page count and the direction used for the page.
    ``profile``: the page layout (``screenplay``, ``multicam``; default: the title page's)."""
    from fpdf import FPDF

    from halqa.studio.script.language import main_direction

    layout = layout or paginate(script, paper, profile)
    if page_direction is None:
        page_direction = _declared_direction(script) or main_direction(
            [e.plain for e in script.elements if e.kind in (DIALOGUE, "action")]
        )
    width, height = PAGE_SIZES[layout.paper]
    pdf = FPDF(unit="in", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    _add_fonts(pdf)
    pdf.set_text_shaping(True)
    pdf.set_fallback_fonts(list(FALLBACK_FONTS), exact_match=False)
    title = script.title_value("Title")
    pdf.set_title(title.split("\n")[0] if title else "screenplay")
    if script.title:
        _title_page(pdf, script, width, height, page_direction)
    scene_numbers = _scene_numbers(script)
    for page in layout.pages:
        pdf.add_page()
        if page.number > 1:
            _page_number(pdf, page.number, width, page_direction)
        for line in page.lines:
            _draw_line(
                pdf, line, width, page_direction, scene_numbers, layout.profile.dialogue_column
            )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return {
        "pdf": str(out),
        "pages": layout.page_count,
        "paper": layout.paper,
        "profile": layout.profile.name,
        "direction": page_direction,
    }


def _declared_direction(script: Script) -> str | None:
    from halqa.studio.script.language import RTL_LANGUAGES, normalise_language

    code = script.title_value("Language")
    if not code:
        return None
    return (
        "rtl"
        if normalise_language(code.strip(), where="title page Language") in RTL_LANGUAGES
        else "ltr"
    )


def _add_fonts(pdf) -> None:
    missing = [rel for rel in FONTS.values() if not (FONT_ROOT / rel).exists()]
    if missing:
        raise BackendUnavailableError(
            f"PDF fonts not found ({', '.join(missing)} under {FONT_ROOT}); "
            f"install the Debian packages: apt-get install {FONT_PACKAGES}"
        )
    for (family, style), rel in FONTS.items():
        pdf.add_font(family, style, str(FONT_ROOT / rel))


def _scene_numbers(script: Script) -> dict[int, str]:
    """Element index of each heading -> the number printed in both margins."""
    numbers, count = {}, 0
    for i, el in enumerate(script.elements):
        if el.kind == "heading":
            count += 1
            numbers[i] = el.scene_number or str(count)
    return numbers


def _markdown(runs: list[Run]) -> str:
    """fpdf2's inline markup (``**bold**``, ``__italic__``, ``--underline--``) for a line's runs."""
    out = []
    for run in runs:
        text = run.text
        if run.underline:
            text = f"--{text}--"
        if run.italic:
            text = f"__{text}__"
        if run.bold:
            text = f"**{text}**"
        out.append(text)
    return "".join(out)


def _box(
    line: Line,
    page_width: float,
    page_direction: str,
    line_direction: str,
    column: tuple[float, float] = DIALOGUE_COLUMN,
) -> tuple[float, float, str]:
    """(x, width, align) of a line's box, mirrored for right-to-left pages and blocks."""
    char = 0.1
    left, width = line.left, line.width * char
    if line.kind == TRANSITION:
        left, width = 1.5, 6.0
    elif line.kind in SPEECH_KINDS and line_direction != page_direction and not line.dual:
        # A speech in the other direction mirrors inside the dialogue column, so an Arabic cue
        # sits over the right end of its right-aligned dialogue.
        col_left, col_right = column
        offset = left - col_left
        width = col_right - col_left - offset
        left = col_left
    if page_direction == "rtl":
        left = page_width - left - width
    align = "R" if line_direction == "rtl" else "L"
    if line.kind == TRANSITION:
        align = "L" if page_direction == "rtl" else "R"
    if line.align == "center":
        align = "C"
    return left, width, align


@functools.cache
def _mono_coverage() -> frozenset[int]:
    """Code points the Courier-style font draws itself (its character map)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(FONT_ROOT / FONTS[("mono", "")]), lazy=True).getBestCmap())


def _shaping(pdf, text: str) -> None:
    """Shaping and font fallback on for lines that need them, off for plain Latin lines (fpdf2 then
    takes its fast path); switched only when the need changes."""
    shape = bool(_COMPLEX_RE.search(text))
    fallback = shape or not set(map(ord, text)) <= _mono_coverage()
    if getattr(pdf, "_halqa_shaping", None) is not shape:
        pdf.set_text_shaping(shape)
        pdf._halqa_shaping = shape
    if getattr(pdf, "_halqa_fallback", None) is not fallback:
        pdf.set_fallback_fonts(list(FALLBACK_FONTS) if fallback else [], exact_match=False)
        pdf._halqa_fallback = fallback


def _draw_line(
    pdf,
    line: Line,
    page_width: float,
    page_direction: str,
    scene_numbers: dict[int, str],
    column: tuple[float, float] = DIALOGUE_COLUMN,
) -> None:
    plain = line.text
    if not plain.strip():
        return
    styled = any(r.bold or r.italic or r.underline for r in line.runs)
    y = TOP + line.row * LINE_HEIGHT
    line_direction = direction(plain)
    x, width, align = _box(line, page_width, page_direction, line_direction, column)
    _shaping(pdf, plain)
    pdf.set_font("mono", "", 12)
    pdf.set_xy(x, y)
    # markup only where a run is styled: plain text keeps its "--" and "**" as written
    pdf.cell(
        w=width,
        h=LINE_HEIGHT,
        text=_markdown(line.runs) if styled else plain,
        align=align,
        markdown=styled,
    )
    if line.kind == "heading" and line.element in scene_numbers:
        number = scene_numbers[line.element]
        pdf.set_xy(0.75, y)
        pdf.cell(w=0.6, h=LINE_HEIGHT, text=number, align="L")
        pdf.set_xy(page_width - 1.0, y)
        pdf.cell(w=0.6, h=LINE_HEIGHT, text=number, align="R")


def _page_number(pdf, number: int, page_width: float, page_direction: str) -> None:
    pdf.set_font("mono", "", 12)
    if page_direction == "rtl":
        pdf.set_xy(0.5, 0.5)
        pdf.cell(w=1.0, h=LINE_HEIGHT, text=f"{number}.", align="L")
    else:
        pdf.set_xy(page_width - 1.5, 0.5)
        pdf.cell(w=1.0, h=LINE_HEIGHT, text=f"{number}.", align="R")


def _title_page(pdf, script: Script, width: float, height: float, page_direction: str) -> None:
    from halqa.studio.script.emphasis import runs

    pdf.add_page()
    pdf.set_font("mono", "", 12)
    y = height / 3
    for key in ("Title", "Credit", "Author", "Authors", "Source"):
        value = script.title_value(key)
        if not value:
            continue
        for text in value.split("\n"):
            styled = runs(text)
            if key == "Title":
                styled = [Run(r.text, True, r.italic, r.underline) for r in styled]
            pdf.set_xy(1.0, y)
            pdf.cell(w=width - 2.0, h=LINE_HEIGHT, text=_markdown(styled), align="C", markdown=True)
            y += LINE_HEIGHT
        y += 2 * LINE_HEIGHT
    corner = []
    for key in ("Draft date", "Contact", "Copyright", "Notes"):
        value = script.title_value(key)
        if value:
            corner += value.split("\n")
    y = height - 1.0 - len(corner) * LINE_HEIGHT
    for text in corner:
        align = "R" if page_direction == "rtl" else "L"
        pdf.set_xy(1.5 if page_direction == "ltr" else width - 5.5, y)
        pdf.cell(w=4.0, h=LINE_HEIGHT, text=_markdown(runs(text)), align=align, markdown=True)
        y += LINE_HEIGHT
