"""Property tests: any text either parses or is refused with a DataError, and the normalised
form of whatever parses is a fixed point; layout and breakdown never fail on it."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from halqa.errors import DataError
from halqa.studio.script.breakdown import breakdown
from halqa.studio.script.fountain import normalise_fountain, parse_fountain, write_fountain

PIECES = st.sampled_from(
    [
        "INT. HOUSE - DAY",
        "EXT. ROOF #3#",
        "داخلي. مطبخ - نهار",
        ".FORCED",
        "!ACTION",
        "@يوسف",
        "YOUSSEF",
        "NADIA ^",
        "(softly)",
        "Wach nta mrid?",
        "واش بغيتي أتاي؟",
        "ⴰⵣⵓⵍ ⴰ ⵉⵎⵉ.",
        "CUT TO:",
        ">FADE OUT.",
        "> THE END <",
        "===",
        "~la la la",
        "# Act One",
        "= synopsis",
        "[[prop: teapot]]",
        "/* cut */",
        "**bold** *it* _u_",
        "",
        "",
        "  ",
        "Title: X",
        "Author: Y",
        "plain action line",
        "BOB (V.O.)",
        "MARY (CONT'D)",
    ]
)
SCRIPTS = st.lists(PIECES, min_size=1, max_size=30).map("\n".join)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS)
# two-space lines in a speech: the parser reads each further one as two breaks (found by hypothesis)
@example("@يوسف\n  \nINT. HOUSE - DAY")
@example("BOB\nyes\n  \n  \n  \nno\n  \n  ")
def test_normalised_form_is_a_fixed_point(text: str) -> None:
    try:
        first = parse_fountain(text)
    except DataError:
        return
    normalised = normalise_fountain(first)
    again = parse_fountain(normalised)
    assert write_fountain(again) == normalised
    result = breakdown(again)
    assert result["pages"] >= 1


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_arbitrary_text_parses_or_is_refused(text: str) -> None:
    try:
        script = parse_fountain(text)
    except DataError:
        return
    write_fountain(script)
