"""Title cards, lower thirds and credits in Arabic, Tifinagh and Latin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from halqa.errors import ConfigError
from halqa.studio.vfx.media import probe
from halqa.studio.vfx.text import Canvas, font_file, lower_third, script_of, title_card
from halqa.studio.vfx.titles import make_title

from .conftest import credentials_of

ARABIC = "مرحبا بكم في المغرب"
TIFINAGH = "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"
CANVAS = Canvas(width=640, height=360)


def ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) > 128


def reference_line(
    text: str, script: str, size: int, y: float, *, layout, direction=None, language=None
):
    """The line drawn straight through Pillow, the way the raqm docs show it."""
    image = Image.new("RGB", (CANVAS.width, CANVAS.height), (12, 10, 8))
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(font_file(script, bold=True), size, layout_engine=layout)
    draw.text(
        (CANVAS.width / 2, y),
        text,
        font=face,
        fill=(245, 232, 210),
        anchor="mm",
        direction=direction,
        language=language,
    )
    return image


def test_scripts_are_told_apart() -> None:
    assert [script_of(t) for t in (ARABIC, TIFINAGH, "Bonjour", "« واش؟ »", "2026 ⴰ")] == [
        "arabic",
        "tifinagh",
        "latin",
        "arabic",
        "tifinagh",
    ]


def test_arabic_title_card_matches_a_raqm_reference(artifacts: Path) -> None:
    card = title_card([ARABIC], CANVAS)
    size, y = (
        round(96 * CANVAS.unit),
        (CANVAS.height - round(96 * CANVAS.unit) * 1.3) / 2 + round(96 * CANVAS.unit) * 0.65,
    )
    shaped = reference_line(
        ARABIC, "arabic", size, y, layout=ImageFont.Layout.RAQM, direction="rtl", language="ar"
    )
    unshaped = reference_line(ARABIC, "arabic", size, y, layout=ImageFont.Layout.BASIC)
    got, want, wrong = ink(card), ink(shaped), ink(unshaped)
    assert got.sum() > 500
    assert (got == want).mean() > 0.999  # same pixels as raqm's rendering
    assert (got & wrong).sum() / (got | wrong).sum() < 0.6  # and not the isolated-letters LTR one
    both = Image.new("RGB", (CANVAS.width, CANVAS.height * 2))
    both.paste(title_card([ARABIC, TIFINAGH, "Bienvenue au Maroc"], CANVAS), (0, 0))
    both.paste(
        lower_third("أمينة العلوي", "Réalisatrice · ⵜⴰⵎⵙⵙⵓⴼⵖⵜ", CANVAS).convert("RGB"),
        (0, CANVAS.height),
    )
    both.save(artifacts / "vfx-title-card-arabic-tifinagh.png")


def test_lower_third_sits_on_the_reading_side() -> None:
    arabic, latin = (
        ink(lower_third("أمينة العلوي", "", CANVAS)),
        ink(lower_third("Amina Alaoui", "", CANVAS)),
    )

    def cols(mask: np.ndarray) -> np.ndarray:
        return np.nonzero(mask.any(axis=0))[0]

    assert cols(arabic).min() > CANVAS.width / 3  # right-hand bar for Arabic
    assert cols(latin).max() < CANVAS.width * 2 / 3  # left-hand bar for Latin


def test_card_clip_lower_third_and_credits(tmp_path: Path, small_clip: Path, signer) -> None:
    card = make_title(
        "card",
        [ARABIC, TIFINAGH],
        tmp_path / "card.mp4",
        duration=2,
        fade=0.5,
        canvas=CANVAS,
        signer=signer,
    )
    info = probe(card["output"])
    assert (
        abs(info.duration - 2) < 0.05 and info.has_audio and (info.width, info.height) == (640, 360)
    )
    found = credentials_of(tmp_path / "card.mp4", signer)
    assert found["actions"] == ["c2pa.created"] and found["provenance"].parameters["lines"] == [
        ARABIC,
        TIFINAGH,
    ]
    make_title(
        "lower-third",
        ["أمينة العلوي", "Réalisatrice"],
        tmp_path / "lt.mp4",
        over=small_clip,
        start=0.2,
        duration=1.5,
        fade=0.3,
        signer=signer,
    )
    assert credentials_of(tmp_path / "lt.mp4", signer)["actions"] == ["c2pa.opened", "c2pa.edited"]
    assert abs(probe(tmp_path / "lt.mp4").duration - probe(small_clip).duration) < 0.05
    credits = make_title(
        "credits",
        ["إخراج=أمينة العلوي", "ⴰⵎⵙⵙⵓⴼⵖ=Yuba", "Musique=Halqa"],
        tmp_path / "credits.mp4",
        duration=2,
        canvas=CANVAS,
        signer=signer,
    )
    assert abs(probe(credits["output"]).duration - 2) < 0.05


def test_bad_title_requests_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="more than 0 seconds"):
        make_title("card", ["x"], tmp_path / "a.mp4", duration=0)
    with pytest.raises(ConfigError, match="role=names"):
        make_title("credits", ["no equals sign"], tmp_path / "c.mp4")
    with pytest.raises(ConfigError, match="--kind"):
        make_title("banner", ["x"], tmp_path / "b.png")
