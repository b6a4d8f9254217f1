"""FDX both ways (read back by a second parser), breakdown and language mix against hand counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from halqa.errors import ConfigError, DataError
from halqa.studio.script.breakdown import breakdown, breakdown_csv, parse_heading
from halqa.studio.script.fdx import parse_fdx, read_fdx, write_fdx
from halqa.studio.script.fountain import read_fountain
from halqa.studio.script.language import label_words, normalise_language


def _speeches(pairs):
    return [p for p in pairs if p[0] in ("heading", "character", "dialogue", "parenthetical")]


def test_fdx_written_by_halqa_reads_back_in_a_second_parser(dar_lhajja: Path) -> None:
    from screenplay_tools.fdx.parser import Parser

    script = read_fountain(dar_lhajja)
    for cue in script.of_kind("character"):
        cue.dual = False  # screenplay-tools' FDX reader skips Final Draft's <DualDialogue> wrapper
    other = Parser().parse(write_fdx(script).decode("utf-8"))
    theirs = [
        (e.type.value.lower(), (e.name if e.type.value == "CHARACTER" else e.text).strip())
        for e in other.elements
    ]
    ours = [(e.kind, e.plain.strip()) for e in script.elements]
    assert len(_speeches(ours)) == 21 and _speeches(theirs) == _speeches(ours)


def test_fdx_round_trip_keeps_scenes_cues_dialogue_and_dual(dar_lhajja: Path) -> None:
    script = read_fountain(dar_lhajja)
    back = parse_fdx(write_fdx(script))
    keep = ("kind", "scene_number", "extension", "dual")
    assert [
        (e.kind, e.plain.strip(), e.scene_number, e.extension, e.dual) for e in back.elements
    ] == [(e.kind, e.plain.strip(), e.scene_number, e.extension, e.dual) for e in script.elements]
    assert back.title_value("Title") == script.title_value("Title")
    assert keep


def test_fdx_from_final_draft_and_fade_in(conformance_dir: Path) -> None:
    for name in ("TestFDX-FD.fdx", "TestFDX-FI.fdx"):
        s = read_fdx(conformance_dir / name)
        assert [e.text for e in s.of_kind("heading")][:2] == [
            "INT. RADIO STUDIO",
            "EXT. OUTSIDE THE FOOD STORE",
        ]
        assert [(c.text, c.extension) for c in s.of_kind("character")][:4] == [
            ("DJ", None),
            ("DAVE", None),
            ("JIM", "O.S."),
            ("KAY", None),
        ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"<FinalDraft><Content>", "line 1, column"),
        (b"not xml at all", "not well-formed XML"),
        (b"<html/>", "expected <FinalDraft>"),
    ],
)
def test_bad_fdx_names_file_and_line(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.fdx"
    path.write_bytes(data)
    with pytest.raises(DataError, match=message) as info:
        read_fdx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("INT. KITCHEN - DAY", ("INT", "KITCHEN", "day")),
        ("EXT. MARCHÉ CENTRAL - NIGHT", ("EXT", "MARCHÉ CENTRAL", "night")),
        ("INT./EXT. CAR - NIGHT", ("INT/EXT", "CAR", "night")),
        ("داخلي. مطبخ الحاجة - نهار", ("INT", "مطبخ الحاجة", "day")),
        ("خارجي. سطح الدار - ليل", ("EXT", "سطح الدار", "night")),
        ("EST. CASABLANCA", ("EST", "CASABLANCA", None)),
    ],
)
def test_heading_parts(heading: str, expected: tuple) -> None:
    assert parse_heading(heading) == expected


def test_breakdown_matches_hand_counts(dar_lhajja: Path) -> None:
    result = breakdown(read_fountain(dar_lhajja))
    scenes = {s["scene"]: s for s in result["scenes"]}
    assert [(s["int_ext"], s["location"], s["time"]) for s in result["scenes"]] == [
        ("INT", "مطبخ الحاجة", "day"),
        ("EXT", "MARCHÉ CENTRAL", "night"),
        ("EXT", "سطح الدار", "night"),
    ]
    assert scenes["1"]["items"] == {"prop": ["teapot"], "costume": ["caftan"]}
    assert scenes["2"]["items"] == {"prop": ["crates of mint"], "vfx": ["rain"]}
    assert scenes["1"]["cast"] == ["YOUSSEF", "الحاجة"]
    chars = {c["name"]: c for c in result["characters"]}
    # counted by hand: YOUSSEF speaks 4 times (5 + 9 + 7 + 3 words) in scenes 1-2
    assert (
        chars["YOUSSEF"]["lines"],
        chars["YOUSSEF"]["words"],
        chars["YOUSSEF"]["scenes"],
        chars["YOUSSEF"]["first_scene"],
    ) == (4, 24, ["1", "2"], "1")
    assert (chars["NADIA"]["lines"], chars["NADIA"]["words"], chars["NADIA"]["first_scene"]) == (
        2,
        9,
        "2",
    )
    assert (chars["الحاجة"]["lines"], chars["الحاجة"]["words"], chars["الحاجة"]["scenes"]) == (
        2,
        6,
        ["1", "3"],
    )
    # language mix by hand: Youssef 5 Darija (Arabic script), 7 Arabizi... see the corpus file
    assert chars["YOUSSEF"]["languages"] == {"fra-Latn": 12, "ary-Latn": 7, "ary-Arab": 5}
    assert chars["NADIA"]["languages"] == {"ary-Latn": 5, "eng-Latn": 4}
    assert chars["الحاجة"]["languages"] == {"zgh-Tfng": 3, "ary-Arab": 3}
    assert scenes["3"]["languages"] == {"ary-Arab": 3, "eng-Latn": 4}
    assert [s["scene"] for s in result["stripboard"]] == ["2", "3", "1"]
    csv_text = breakdown_csv(result)
    assert csv_text.splitlines()[1].startswith(
        "1,داخلي. مطبخ الحاجة - نهار,INT,مطبخ الحاجة,day,1,3/8,YOUSSEF; الحاجة,teapot,caftan"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("واش بغيتي أتاي؟", ["ary-Arab"] * 3),
        ("ماذا تريد الآن؟", ["arb-Arab"] * 3),
        ("ⴰⵣⵓⵍ ⴰ ⵉⵎⵉ", ["zgh-Tfng"] * 3),
        ("Wach nta mrid? Je ne sais pas.", ["ary-Latn"] * 3 + ["fra-Latn"] * 4),
        ("I love this city", ["eng-Latn"] * 4),
    ],
)
def test_word_level_languages(text: str, expected: list[str]) -> None:
    assert [w.language for w in label_words(text)] == expected


def test_unknown_language_code_is_refused() -> None:
    assert normalise_language("ary") == "ary-Arab"
    with pytest.raises(ConfigError, match="unknown language code 'xx'"):
        normalise_language("xx")
