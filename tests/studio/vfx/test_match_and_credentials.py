"""Colour match baked into a .cube, and the content credentials on graded and keyed outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from halqa.studio.vfx.frames import write_image
from halqa.studio.vfx.grade import grade
from halqa.studio.vfx.key import key
from halqa.studio.vfx.lut import LutApplier, check_cube
from halqa.studio.vfx.match import ColourStats, match

from .conftest import credentials_of
from .test_key import scene


def test_match_moves_the_clip_statistics_onto_the_reference(
    tmp_path: Path, small_clip: Path
) -> None:
    rng = np.random.default_rng(5)
    base = rng.uniform(0.2, 0.8, (120, 160, 3))
    warm = np.clip(base * (1.0, 0.8, 0.55) + (0.08, 0.03, 0.0), 0, 1)
    reference = write_image(tmp_path / "reference.png", warm)
    source = write_image(tmp_path / "source.png", base)
    report = match(reference, source, tmp_path / "match.cube")
    assert check_cube(tmp_path / "match.cube") == ("3d", 33)
    moved = ColourStats.of(LutApplier(tmp_path / "match.cube").apply(base))
    target = ColourStats.of(warm)
    assert np.abs(moved.mean - target.mean).max() < 0.01
    assert np.abs(moved.std / target.std - 1).max() < 0.1
    assert np.abs(ColourStats.of(base).mean - target.mean).max() > 0.03  # it had somewhere to go
    assert report["reference_stats"]["mean"] != report["clip_stats"]["mean"]
    clip_report = match(reference, small_clip, tmp_path / "clip.cube", strength=0.5)
    assert clip_report["strength"] == 0.5 and (tmp_path / "clip.cube").stat().st_size > 100_000


def test_graded_still_and_clip_carry_credentials(
    tmp_path: Path, small_clip: Path, signer, test_frame: np.ndarray
) -> None:
    still = write_image(tmp_path / "still.png", test_frame, bits=16)
    for src, dst in ((still, tmp_path / "graded.png"), (small_clip, tmp_path / "graded.mp4")):
        grade(src, "sahara-gold", dst, intensity=0.8, signer=signer)
        found = credentials_of(dst, signer)
        assert found["state"] in {"Trusted", "Valid"}
        assert found["actions"] == ["c2pa.opened", "c2pa.color_adjustments"]
        assert found["ingredients"] == [src.name]
        assert found["provenance"].tool == "vfx.grade"
        assert found["provenance"].parameters == {"lut": "sahara-gold", "intensity": 0.8}
        assert {i.role for i in found["provenance"].inputs} == {"source", "reference"}


def test_keyed_composite_carries_credentials(tmp_path: Path, signer) -> None:
    rgb, _ = scene()
    src = write_image(tmp_path / "green.png", rgb)
    bg = write_image(tmp_path / "bg.jpg", np.full((60, 80, 3), 0.3))
    key(src, tmp_path / "over.png", background=bg, signer=signer)
    found = credentials_of(tmp_path / "over.png", signer)
    assert found["actions"] == ["c2pa.opened", "c2pa.edited"]
    assert set(found["ingredients"]) == {"green.png", "bg.jpg"}
