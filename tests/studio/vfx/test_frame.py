"""A still of a clip (the dashboard compares looks on it): the right frame, its credentials, bad times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halqa.errors import DataError
from halqa.studio.vfx.frames import read_image, still_of
from tests.studio.vfx.conftest import credentials_of, ffmpeg


def test_the_middle_frame_with_credentials(tmp_path: Path, shots_clip, signer) -> None:
    clip, _ = shots_clip  # six lavfi sources: the middle (6 s) falls in the fourth shot
    report = still_of(clip, tmp_path / "middle.png", signer=signer)
    assert report["at"] == pytest.approx(6.0, abs=0.05)
    rgb, bits = read_image(Path(report["output"]))
    assert rgb.shape == (240, 320, 3) and bits == 8
    reference = tmp_path / "reference.png"  # ffmpeg's own frame at the same time
    ffmpeg("-ss", f"{report['at']}", "-i", str(clip), "-frames:v", "1", str(reference))
    assert np.abs(rgb - read_image(reference)[0]).max() <= 1 / 255
    found = credentials_of(Path(report["output"]), signer)
    assert found["state"] in {"Trusted", "Valid"}
    assert found["actions"] == ["c2pa.opened", "c2pa.converted"] and found["ingredients"] == [
        clip.name
    ]


def test_a_still_is_its_own_frame_and_times_outside_the_clip_are_refused(
    tmp_path: Path, small_clip
) -> None:
    frame = still_of(small_clip, tmp_path / "a.png", at=0.5)["output"]
    assert (
        still_of(Path(frame), tmp_path / "b.png")["output"] == frame
        and not (tmp_path / "b.png").exists()
    )
    with pytest.raises(DataError, match=r"a frame at 9 s is outside small\.mp4"):
        still_of(small_clip, tmp_path / "c.png", at=9)
