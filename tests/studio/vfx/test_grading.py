"""Grading: .cube I/O, the identity LUT, the shipped looks against their analytic functions."""

from __future__ import annotations

from pathlib import Path

import colour
import numpy as np
import pytest

from halqa.errors import DataError
from halqa.studio.vfx.frames import read_image, write_image
from halqa.studio.vfx.grade import grade
from halqa.studio.vfx.looks import LOOKS, look_path
from halqa.studio.vfx.lut import (
    LutApplier,
    check_cube,
    read_cube,
    sample_look,
    with_intensity,
    write_cube,
)
from halqa.studio.vfx.media import probe


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIEDE2000 between two sRGB images (D65)."""
    lab = [colour.XYZ_to_Lab(colour.sRGB_to_XYZ(np.asarray(x, dtype=np.float64))) for x in (a, b)]
    return colour.delta_E(lab[0], lab[1], method="CIE 2000")


def test_cube_round_trip_3d_and_1d(tmp_path: Path) -> None:
    lut3 = sample_look(LOOKS["sahara-gold"], size=9, name="round trip")
    back3 = read_cube(write_cube(lut3, tmp_path / "a.cube"))
    assert back3.size == 9 and back3.name == "round trip"
    np.testing.assert_allclose(back3.table, lut3.table, atol=1e-7)
    lut1 = colour.LUT1D(
        colour.LUT1D.linear_table(64) ** 0.8, name="gamma", domain=np.array([0.0, 2.0])
    )
    back1 = read_cube(
        write_cube(
            colour.LUT3x1D(
                np.repeat(lut1.table[:, None], 3, 1),
                name="g",
                domain=np.array([[0, 0, 0], [2, 2, 2.0]]),
            ),
            tmp_path / "b.cube",
        )
    )
    np.testing.assert_allclose(back1.table[:, 0], lut1.table, atol=1e-7)
    np.testing.assert_allclose(back1.domain[1], [2, 2, 2])
    assert check_cube(tmp_path / "b.cube") == ("1d", 64)


def test_identity_lut_changes_no_pixel(tmp_path: Path, test_frame: np.ndarray) -> None:
    identity = write_cube(
        colour.LUT3D(colour.LUT3D.linear_table(33), name="identity"), tmp_path / "id.cube"
    )
    src = write_image(tmp_path / "frame.png", test_frame, bits=16)
    grade(src, identity, tmp_path / "out.png")
    out, bits = read_image(tmp_path / "out.png")
    assert bits == 16
    assert np.abs(out - test_frame).max() <= 1 / 255


@pytest.mark.parametrize("name", list(LOOKS))
def test_shipped_look_matches_its_analytic_function(name: str, test_frame: np.ndarray) -> None:
    graded = LutApplier(look_path(name)).apply(test_frame).astype(np.float64)
    assert delta_e(graded, LOOKS[name](test_frame)).mean() <= 0.01
    by_colour = read_cube(look_path(name)).apply(
        test_frame, interpolator=colour.algebra.table_interpolation_tetrahedral
    )
    assert delta_e(graded, by_colour).mean() <= 0.001
    assert delta_e(graded, test_frame).mean() > 1.0  # the look does change the picture


@pytest.mark.parametrize("name", list(LOOKS))
def test_shipped_cube_is_what_the_script_generates(name: str) -> None:
    np.testing.assert_allclose(
        read_cube(look_path(name)).table, sample_look(LOOKS[name]).table, atol=1e-6
    )


def test_intensity_mixes_with_identity(test_frame: np.ndarray) -> None:
    lut = read_cube(look_path("casablanca-night"))
    none = LutApplier.from_lut(with_intensity(lut, 0.0)).apply(test_frame)
    half = LutApplier.from_lut(with_intensity(lut, 0.5)).apply(test_frame)
    full = LutApplier.from_lut(lut).apply(test_frame)
    assert np.abs(none - test_frame).max() < 1e-5
    np.testing.assert_allclose(half, (test_frame + full) / 2, atol=1e-5)
    with pytest.raises(DataError, match="between 0 and 1"):
        with_intensity(lut, 1.5)


def test_wrong_size_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cube"
    bad.write_text('TITLE "x"\nLUT_3D_SIZE 2 2\n' + "0 0 0\n" * 8)
    with pytest.raises(DataError, match=r"bad\.cube:2: LUT_3D_SIZE"):
        read_cube(bad)
    short = tmp_path / "short.cube"
    short.write_text("LUT_3D_SIZE 3\n" + "0 0 0\n" * 26)
    with pytest.raises(DataError, match="27 rows"):
        read_cube(short)


def test_grade_clip_keeps_duration_and_audio(tmp_path: Path, small_clip: Path) -> None:
    out = grade(small_clip, "chefchaouen-blue", tmp_path / "graded.mp4", intensity=1.0)
    info = probe(out["output"])
    assert info.has_audio and info.video_codec == "h264"
    assert abs(info.duration - probe(small_clip).duration) < 0.05
    import av

    def mean_rgb(path):
        with av.open(str(path)) as c:
            frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
        return frame.reshape(-1, 3).mean(0)

    before, after = mean_rgb(small_clip), mean_rgb(tmp_path / "graded.mp4")
    assert after[2] - after[0] > before[2] - before[0]  # bluer relative to red
