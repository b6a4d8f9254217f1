"""`halqa vfx ...`: one JSON object with --json; bad input is one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.studio.vfx.frames import write_image

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["vfx", *args])


def one_error_line(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert "Traceback" not in result.output
    assert len([ln for ln in lines if ln.startswith("error:")]) == 1
    error = next(ln for ln in lines if ln.startswith("error:"))
    for fragment in fragments:
        assert fragment in " ".join(lines), (fragment, error)


def test_look_list_and_export(tmp_path: Path) -> None:
    result = run("look", "--json")
    assert result.exit_code == 0
    assert [x["name"] for x in json.loads(result.stdout)["looks"]] == [
        "marrakech-warm",
        "chefchaouen-blue",
        "sahara-gold",
        "casablanca-night",
    ]
    result = run(
        "look", "sahara-gold", "--out", str(tmp_path / "gold.cube"), "--intensity", "0.5", "--json"
    )
    assert result.exit_code == 0 and (tmp_path / "gold.cube").read_text().count("\n") > 33**3


def test_grade_and_probe_print_one_json_object(tmp_path: Path, test_frame: np.ndarray) -> None:
    src = write_image(tmp_path / "in.png", test_frame, bits=16)
    result = run(
        "grade", str(src), "--lut", "marrakech-warm", "--out", str(tmp_path / "out.png"), "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["credentials"]["actions"] == ["c2pa.opened", "c2pa.color_adjustments"]
    probe = json.loads(run("probe", str(tmp_path / "out.png"), "--json").stdout)
    assert (probe["width"], probe["height"]) == (384, 256)


def test_match_then_key_stills(tmp_path: Path, test_frame: np.ndarray) -> None:
    from .test_key import scene

    reference = write_image(tmp_path / "ref.png", np.clip(test_frame * (1.0, 0.85, 0.6), 0, 1))
    src = write_image(tmp_path / "src.png", test_frame)
    result = run(
        "match",
        str(src),
        "--reference",
        str(reference),
        "--out",
        str(tmp_path / "m.cube"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cube"] == str(tmp_path / "m.cube")
    green = write_image(tmp_path / "green.png", scene()[0])
    result = run("key", str(green), "--out", str(tmp_path / "matte.png"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["method"] == "green-screen"
    one_error_line(
        run("key", str(green), "--out", str(tmp_path / "m.png"), "--rect", "1,2,3"), "--rect"
    )


def test_scenes_json(shots_clip) -> None:
    path, cuts = shots_clip
    result = run("scenes", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert [s["start_frame"] for s in json.loads(result.stdout)["shots"]][1:] == cuts


def test_title_card_png_in_arabic(tmp_path: Path) -> None:
    result = run(
        "title", "مرحبا", "ⴰⵣⵓⵍ", "--out", str(tmp_path / "card.png"), "--size", "640x360", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["lines"] == ["مرحبا", "ⴰⵣⵓⵍ"]


def test_trailer_then_accept(tmp_path: Path, shots_clip) -> None:
    path, _ = shots_clip
    studio = tmp_path / "studio"
    result = run(
        "trailer",
        str(path),
        "--length",
        "5",
        "--out",
        str(tmp_path / "t.mp4"),
        "--studio",
        str(studio),
        "--title",
        "الضو",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "pending"
    decided = run(
        "accept", report["proposal"][:8], "--by", "Yuba", "--studio", str(studio), "--json"
    )
    assert json.loads(decided.stdout)["status"] == "accepted"
    one_error_line(
        run("reject", report["proposal"], "--by", "Yuba", "--studio", str(studio)), "already"
    )


def test_bad_inputs_are_one_line(tmp_path: Path, small_clip: Path) -> None:
    fake = tmp_path / "film.mp4"
    fake.write_text("just text\n")
    one_error_line(run("probe", str(fake)), "film.mp4", "not a readable")
    one_error_line(run("scenes", str(fake)), "film.mp4")
    bad_lut = tmp_path / "bad.cube"
    bad_lut.write_text("LUT_3D_SIZE 1.5\n0 0 0\n")
    one_error_line(
        run("grade", str(small_clip), "--lut", str(bad_lut), "--out", str(tmp_path / "o.mp4")),
        "bad.cube:1",
        "LUT_3D_SIZE",
    )
    subs = tmp_path / "overlap.srt"
    subs.write_text(
        "1\n00:00:00,000 --> 00:00:02,000\nواش\n\n2\n00:00:01,000 --> 00:00:03,000\nإيه\n\n",
        encoding="utf-8",
    )
    one_error_line(run("subtitle", str(subs)), "overlap.srt:6", "cue 2")
    one_error_line(
        run("burn", str(small_clip), str(subs), "--out", str(tmp_path / "b.mp4")), "overlap.srt:6"
    )
    one_error_line(
        run("trailer", str(small_clip), "--length", "0", "--out", str(tmp_path / "t.mp4")),
        "--length",
    )
    one_error_line(run("look", "tangier-teal"), "tangier-teal")


def test_bad_key_and_title_settings_name_the_parameter(tmp_path: Path) -> None:
    """The settings are configs: one line naming the parameter, its rule and the value given."""
    card = tmp_path / "card.png"
    one_error_line(
        run("title", "مرحبا", "--out", str(card), "--size", "8x360"),
        "the 'width' parameter of vfx title --size must be greater than or equal to 16; got 8",
    )
    assert not card.exists()
    still = tmp_path / "still.png"
    assert run("title", "مرحبا", "--out", str(still), "--size", "64x36").exit_code == 0
    one_error_line(
        run("key", str(still), "--out", str(tmp_path / "k.png"), "--spill", "2"),
        "the 'spill' parameter of vfx key must be less than or equal to 1; got 2",
    )
    one_error_line(
        run("key", str(still), "--out", str(tmp_path / "k.png"), "--rect", "1,2,3"),
        "--rect '1,2,3': write x,y,w,h in pixels",
    )
