"""Shot detection on a clip cut from known sources, and per-shot features."""

from __future__ import annotations

from pathlib import Path

import pytest

from halqa.errors import DataError
from halqa.studio.vfx.shots import detect_cuts, shots


def test_every_cut_is_found_exactly(shots_clip) -> None:
    path, cuts = shots_clip
    assert detect_cuts(path) == cuts


def test_shot_features(shots_clip) -> None:
    path, cuts = shots_clip
    info, found = shots(path)
    assert [s.start_frame for s in found] == [0, *cuts]
    assert found[-1].end_frame == info.frames
    by_source = {s.index: s for s in found}
    assert by_source[0].motion > by_source[4].motion  # moving test pattern vs a flat colour
    assert by_source[4].motion < 0.002
    assert all(-30 < s.audio_db < 0 for s in found)  # the tone runs throughout


def test_a_text_file_named_mp4_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "film.mp4"
    fake.write_text("not a video\n")
    with pytest.raises(DataError, match=r"film\.mp4: not a readable image or video"):
        shots(fake)
