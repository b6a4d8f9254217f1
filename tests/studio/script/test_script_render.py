"""PDF and HTML rendering, pagination rules and the screenshot artefact (real fpdf2, HarfBuzz,
poppler's pdftotext and pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from halqa.studio.script.fountain import parse_fountain, read_fountain
from halqa.studio.script.html import render_html
from halqa.studio.script.layout import format_eighths, paginate, runtime_estimate
from halqa.studio.script.pdf import render_pdf
from halqa.studio.script.sample import long_script

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed"
)


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_poppler
def test_pdf_text_reads_in_logical_order(dar_lhajja: Path, tmp_path: Path) -> None:
    result = render_pdf(read_fountain(dar_lhajja), tmp_path / "dar.pdf", page_direction="ltr")
    text = _text(Path(result["pdf"]))
    for snippet in (
        "واش بغيتي أتاي يا الحاجة؟",
        "ⴰⵣⵓⵍ ⴰ ⵉⵎⵉ.",
        "هادشي مزيان بزاف",
        "Bon, je vais au marché.",
        "YOUSSEF (V.O.)",
        "CUT TO:",
        "دار الحاجة",
        "I love this city.",
    ):
        assert snippet in text, snippet


@needs_poppler
def test_pdf_screenshot_of_a_page_with_arabic_dialogue(dar_lhajja: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = Path(
        render_pdf(
            read_fountain(dar_lhajja), ARTIFACTS / "script-dar-lhajja.pdf", page_direction="ltr"
        )["pdf"]
    )
    stem = ARTIFACTS / "script-page-arabic-dialogue"
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    png = stem.with_suffix(".png")
    assert png.stat().st_size > 10_000


def test_mirrored_page_when_the_script_is_arabic(dar_lhajja: Path, tmp_path: Path) -> None:
    assert (
        render_pdf(read_fountain(dar_lhajja), tmp_path / "rtl.pdf")["direction"] == "rtl"
    )  # Language: ary


def test_html_gives_every_block_its_own_direction(dar_lhajja: Path) -> None:
    page = render_html(read_fountain(dar_lhajja))
    assert page.count('dir="auto"') >= 20
    assert '<p dir="auto" class="dialogue">واش بغيتي أتاي يا الحاجة؟</p>' in page
    assert '<div class="dual">' in page


def test_long_dialogue_breaks_between_sentences_with_more_and_contd() -> None:
    speech = " ".join(f"Sentence number {i} is here and it goes on for a while." for i in range(60))
    layout = paginate(parse_fountain(f"INT. ROOM - DAY\n\nAction.\n\nKARIM\n{speech}\n"))
    first, second = layout.pages[0], layout.pages[1]
    assert first.lines[-1].text == "(MORE)" and second.lines[0].text == "KARIM (CONT'D)"
    assert first.lines[-2].text.rstrip().endswith(".")  # split where a sentence ends
    assert first.rows <= layout.lines_per_page


def test_heading_never_ends_a_page() -> None:
    filler = "\n\n".join("A line of action." for _ in range(25))
    layout = paginate(
        parse_fountain(f"INT. A - DAY\n\n{filler}\n\nINT. B - NIGHT\n\nSomething happens.\n")
    )
    for page in layout.pages:
        assert page.lines[-1].kind != "heading"


def test_page_count_eighths_and_runtime() -> None:
    script = parse_fountain(long_script(scenes=30))
    layout = paginate(script)
    assert 10 <= layout.page_count <= 25  # about half a page a scene
    total_eighths = sum(layout.scene_eighths(i) for i in range(30))
    assert abs(total_eighths / 8 - layout.page_count) <= 4  # each scene rounds up to an eighth
    assert format_eighths(11) == "1 3/8" and format_eighths(3) == "3/8"
    assert "weak predictor" in runtime_estimate(layout)["caveat"]
    assert paginate(script, "a4").page_count <= layout.page_count
