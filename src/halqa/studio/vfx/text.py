"""Text on screen: title cards, lower thirds and end credits in Arabic, Tifinagh and Latin.

Drawn by Pillow with its raqm layout (HarfBuzz shaping + FriBiDi ordering), so Arabic joins
and runs right to left, and Tifinagh draws in its own font. Never combine raqm with
arabic-reshaper/python-bidi: the text would be reordered twice. Fonts are Debian's Noto
(fonts-noto-core), found through fontconfig; each line picks the font of its script.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence

from pydantic import Field

from halqa.config import Config
from halqa.errors import BackendUnavailableError, ConfigError

# A line in one script gets that script's Noto face; a line mixing scripts gets DejaVu Sans,
# the one installed face that covers Arabic, Tifinagh and Latin (raqm shapes it all the same).
FONT_FAMILIES = {
    "arabic": "Noto Sans Arabic",
    "tifinagh": "Noto Sans Tifinagh",
    "latin": "Noto Sans",
    "mixed": "DejaVu Sans",
}
LANGUAGES = {"arabic": "ar", "tifinagh": "zgh", "latin": "fr"}


def _letter_script(char: str) -> str | None:
    code = ord(char)
    if (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ):
        return "arabic"
    if 0x2D30 <= code <= 0x2D7F:
        return "tifinagh"
    if unicodedata.category(char).startswith("L"):
        return "latin"
    return None


def scripts_in(text: str) -> set[str]:
    return {s for s in map(_letter_script, text) if s}


def script_of(text: str) -> str:
    """The script of a line: the first strong letter decides (``arabic``,
    ``tifinagh`` or ``latin``)."""
    return next((s for s in map(_letter_script, text) if s), "latin")


def is_rtl(text: str) -> bool:
    return script_of(text) == "arabic"


@functools.lru_cache(maxsize=32)
def font_file(script: str, bold: bool = False) -> str:
    """The Noto font file of a script, found by fontconfig (Debian's fonts-noto-core)."""
    family = FONT_FAMILIES[script]
    if not shutil.which("fc-match"):
        raise BackendUnavailableError("fc-match not found: install fontconfig and fonts-noto-core")
    found = subprocess.run(
        ["fc-match", "-f", "%{file}|%{family}", f"{family}:{'bold' if bold else 'regular'}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    path, _, got = found.partition("|")
    if family.lower() not in got.lower():
        raise BackendUnavailableError(
            f"font {family!r} not installed (apt-get install fonts-noto-core); "
            f"fontconfig offered {got or 'nothing'}"
        )
    return path


def check_raqm() -> None:
    from PIL import features

    if not features.check("raqm"):
        raise BackendUnavailableError(
            "Pillow has no raqm layout (Arabic would be drawn unshaped, left to "
            "right): install Debian's libfribidi0, which Pillow's raqm loads"
        )


@functools.lru_cache(maxsize=64)
def font(script: str, size: int, bold: bool = False):
    from PIL import ImageFont

    check_raqm()
    return ImageFont.truetype(font_file(script, bold), size, layout_engine=ImageFont.Layout.RAQM)


def draw_line(
    draw,
    xy: tuple[float, float],
    text: str,
    size: int,
    *,
    fill=(255, 255, 255, 255),
    anchor: str = "mm",
    bold: bool = False,
) -> None:
    """One line at ``xy`` in its script's font, shaped and in its own direction."""
    script = script_of(text)
    face = font("mixed" if len(scripts_in(text)) > 1 else script, size, bold)
    draw.text(
        xy,
        text,
        font=face,
        fill=fill,
        anchor=anchor,
        direction="rtl" if script == "arabic" else "ltr",
        language=LANGUAGES[script],
    )


class Canvas(Config):
    """The frame size titles are drawn for, in pixels."""

    width: int = Field(default=1920, ge=16, le=8192)
    height: int = Field(default=1080, ge=16, le=8192)

    @property
    def unit(self) -> float:
        return self.height / 1080


FULL_HD = Canvas()  # the default frame (a frozen config, so one shared instance is safe)


def title_card(lines: Sequence[str], canvas: Canvas = FULL_HD, *, background=(12, 10, 8)):
    """A full-frame card, lines centred; the first line is the title, the rest smaller."""
    from PIL import Image, ImageDraw

    if not lines or not any(line.strip() for line in lines):
        raise ConfigError("a title card needs at least one line of text")
    image = Image.new("RGB", (canvas.width, canvas.height), background)
    draw = ImageDraw.Draw(image)
    sizes = [round(96 * canvas.unit)] + [round(56 * canvas.unit)] * (len(lines) - 1)
    gap = round(36 * canvas.unit)
    total = sum(sizes) * 1.3 + gap * (len(lines) - 1)
    y = (canvas.height - total) / 2
    for line, size in zip(lines, sizes):
        y += size * 0.65
        draw_line(
            draw, (canvas.width / 2, y), line, size, fill=(245, 232, 210), bold=size == sizes[0]
        )
        y += size * 0.65 + gap
    return image


def lower_third(name: str, role: str = "", canvas: Canvas = FULL_HD):
    """Transparent frame with a name bar, on the left for Latin/Tifinagh,
    on the right for Arabic."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (canvas.width, canvas.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    u = canvas.unit
    rtl = is_rtl(name)
    bar_w, bar_h = round(760 * u), round(150 * u if role else 100 * u)
    margin, bottom = round(90 * u), canvas.height - round(110 * u)
    left = canvas.width - margin - bar_w if rtl else margin
    draw.rectangle((left, bottom - bar_h, left + bar_w, bottom), fill=(10, 10, 10, 180))
    draw.rectangle(
        (
            left + (bar_w - round(10 * u) if rtl else 0),
            bottom - bar_h,
            left + (bar_w if rtl else round(10 * u)),
            bottom,
        ),
        fill=(214, 160, 60, 255),
    )
    x = left + bar_w - round(36 * u) if rtl else left + round(36 * u)
    anchor = "rm" if rtl else "lm"
    draw_line(
        draw, (x, bottom - bar_h + round(50 * u)), name, round(52 * u), anchor=anchor, bold=True
    )
    if role:
        draw_line(
            draw,
            (x, bottom - round(40 * u)),
            role,
            round(36 * u),
            anchor=anchor,
            fill=(220, 220, 220, 255),
        )
    return image


def credits_roll(entries: Sequence[tuple[str, str]], canvas: Canvas = FULL_HD):
    """A tall transparent image of ``(role, names)`` rows, to scroll up over black or a clip."""
    from PIL import Image, ImageDraw

    if not entries:
        raise ConfigError("end credits need at least one 'role=names' entry")
    u = canvas.unit
    row = round(130 * u)
    height = canvas.height * 2 + row * len(entries)
    image = Image.new("RGBA", (canvas.width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i, (role, names) in enumerate(entries):
        y = canvas.height + i * row
        draw_line(draw, (canvas.width / 2, y), role, round(34 * u), fill=(200, 190, 170, 255))
        draw_line(draw, (canvas.width / 2, y + round(50 * u)), names, round(50 * u), bold=True)
    return image
