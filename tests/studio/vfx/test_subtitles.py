"""Subtitles: Arabic round trips through SRT/WebVTT/ASS, timing checks, two tracks, burn-in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halqa.errors import DataError
from halqa.studio.vfx.media import probe
from halqa.studio.vfx.subtitles import RLM, bilingual, burn, check, convert, load, save

DARIJA = ["واش كاين شي حاجة؟ (Darija)", "مرحبا بيك فالدار", "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"]
FRENCH = ["Il y a quelque chose ?", "Bienvenue à la maison", "Bonjour à vous"]


def write_srt(path: Path, lines: list[str], *, step: float = 2.0, length: float = 1.8) -> Path:
    def clock(t: float) -> str:
        ms = round(t * 1000)
        return f"00:00:{ms // 1000:02d},{ms % 1000:03d}"

    body = "".join(
        f"{i + 1}\n{clock(i * step)} --> {clock(i * step + length)}\n{text}\n\n"
        for i, text in enumerate(lines)
    )
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("chain", [(".vtt", ".ass", ".srt"), (".ass", ".vtt"), (".srt",)])
def test_arabic_and_tifinagh_round_trip_byte_exact(tmp_path: Path, chain: tuple[str, ...]) -> None:
    src = write_srt(tmp_path / "darija.srt", DARIJA)
    subs = load(src)
    for n, suffix in enumerate(chain):
        subs = load(save(subs, tmp_path / f"step{n}{suffix}"))
    assert [e.text for e in subs] == DARIJA
    assert [(e.start, e.end) for e in subs] == [(0, 1800), (2000, 3800), (4000, 5800)]


def test_rtl_lines_get_a_mark_in_srt_and_auto_direction_in_ass(tmp_path: Path) -> None:
    subs = load(write_srt(tmp_path / "d.srt", DARIJA))
    srt = save(subs, tmp_path / "out.srt").read_text(encoding="utf-8")
    assert RLM + DARIJA[0] in srt and RLM + DARIJA[2] not in srt  # Tifinagh is left to right
    ass = save(subs, tmp_path / "out.ass").read_text(encoding="utf-8")
    assert ass.split("Style: Default,")[1].split("\n")[0].endswith(",-1")  # Encoding=-1


def test_timing_checks_name_the_cue_and_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.srt"
    src.write_text(
        "1\n00:00:00,000 --> 00:00:03,000\nمرحبا\n\n"
        "2\n00:00:02,500 --> 00:00:02,900\nهادي جملة طويلة بزاف باش تتقرا فهاد الوقت القصير\n\n",
        encoding="utf-8",
    )
    issues = check(load(src), src)
    kinds = {(i.cue, i.kind) for i in issues}
    assert {(2, "overlap"), (2, "too-short"), (2, "too-fast"), (2, "too-long-line")} <= kinds
    overlap = next(i for i in issues if i.kind == "overlap")
    assert overlap.line == 6 and overlap.severity == "error"
    with pytest.raises(
        DataError, match=r"bad\.srt:6: cue 2 starts at 00:00:02\.500 before cue 1 ends"
    ):
        convert(src, tmp_path / "out.vtt")


def test_two_language_track(tmp_path: Path) -> None:
    both = bilingual(
        load(write_srt(tmp_path / "d.srt", DARIJA)), load(write_srt(tmp_path / "f.srt", FRENCH))
    )
    assert set(both.styles) >= {"Darija", "French"} and len(both) == 6
    assert (
        both.styles["Darija"].fontname == "Noto Sans Arabic"
        and both.styles["French"].fontname == "Noto Sans"
    )
    assert not [i for i in check(both) if i.kind == "overlap"]  # two tracks may overlap each other
    report = convert(tmp_path / "d.srt", tmp_path / "both.ass", second=tmp_path / "f.srt")
    assert report["cues"] == 6 and load(tmp_path / "both.ass").styles["Darija"].encoding == -1


def test_burn_in_draws_rtl_subtitles(tmp_path: Path, signer, artifacts: Path) -> None:
    import subprocess

    import av

    clip = tmp_path / "grey.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=0x404040:size=640x360:rate=25:d=2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
    )
    srt = write_srt(tmp_path / "d.srt", DARIJA[:1], length=1.9)
    report = burn(
        clip,
        srt,
        tmp_path / "burned.mp4",
        second=write_srt(tmp_path / "f.srt", FRENCH[:1], length=1.9),
        signer=signer,
    )
    assert abs(probe(report["output"]).duration - 2) < 0.1
    with av.open(report["output"]) as c:
        frame = next(f for i, f in enumerate(c.decode(video=0)) if i == 10).to_image()
    frame.save(artifacts / "vfx-subtitles-burned.png")
    pixels = np.asarray(frame.convert("L")).astype(int)
    bright_rows = np.nonzero((pixels > 200).sum(axis=1))[0]
    assert bright_rows.size and bright_rows.min() > 360 * 0.6  # text drawn, in the bottom band
    assert np.ptp(bright_rows) > 25  # two lines: Darija above French
    # the ASS halqa writes, burned as is and with libass's left-to-right base forced back on
    ass = save(load(srt), tmp_path / "d.ass")
    for name, style in (("rtl", ""), ("ltr", ":force_style='Encoding=0'")):
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(clip),
                "-vf",
                f"subtitles=filename={ass}{style}",
                "-frames:v",
                "1",
                "-update",
                "1",
                str(tmp_path / f"{name}.png"),
            ],
            check=True,
        )
    from PIL import Image

    rtl, ltr = (
        np.asarray(Image.open(tmp_path / f"{n}.png").convert("L")) > 128 for n in ("rtl", "ltr")
    )
    assert abs(int(rtl.sum()) - int(ltr.sum())) < 0.1 * ltr.sum()  # the same glyphs...
    assert (rtl & ltr).sum() / (rtl | ltr).sum() < 0.5  # ...in another order
