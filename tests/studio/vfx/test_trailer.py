"""The automatic trailer: exact length, a timeline that points at the film, a pending proposal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halqa.errors import ConfigError
from halqa.studio.common import ProposalBook
from halqa.studio.vfx.media import probe
from halqa.studio.vfx.trailer import trailer

from .conftest import credentials_of, ffmpeg, make_shots_clip

TARGET = 16.0


@pytest.fixture(scope="module")
def cut(tmp_path_factory, studio_root: Path, signer):
    folder = tmp_path_factory.mktemp("trailer")
    film = folder / "film.mp4"
    make_shots_clip(film, [2.5, 2.0, 3.0, 2.6, 1.8, 3.4, 2.2, 2.8, 3.1, 2.4, 1.9, 2.7])
    music = folder / "bed.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=196:duration=5", str(music))
    report = trailer(
        film,
        folder / "out" / "trailer.mp4",
        length=TARGET,
        title=["ⵜⴰⵡⵍⴰ · الضو", "Bientôt"],
        music=music,
        studio=studio_root,
        signer=signer,
    )
    return film, music, report


def test_mp4_has_the_target_length(cut) -> None:
    _, _, report = cut
    info = probe(report["output"])
    assert abs(info.duration - TARGET) <= 1 / 25 and info.has_audio
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")


def test_timeline_reopens_and_points_at_the_film(cut) -> None:
    import opentimelineio as otio

    film, music, report = cut
    tl = otio.adapters.read_from_file(report["timeline"]["otio"])
    assert abs(tl.duration().to_frames() - TARGET * 25) <= 1
    video, sound, bed = tl.tracks
    shots = [
        c for c in video.find_clips() if c.media_reference.target_url == film.resolve().as_uri()
    ]
    planned = [p for p in report["pieces"] if p["kind"] == "shot"]
    assert [
        (c.source_range.start_time.to_frames(), c.source_range.duration.to_frames()) for c in shots
    ] == [(p["source_start"], p["frames"]) for p in planned]
    total = probe(film).frames
    assert all(0 <= p["source_start"] and p["source_start"] + p["frames"] <= total for p in planned)
    assert sound.duration() == video.duration() == bed.duration()
    assert bed.find_clips()[0].media_reference.target_url == music.resolve().as_uri()
    for kind, options in (("fcp_xml", {}), ("edl", {"rate": 25})):
        again = otio.adapters.read_from_file(report["timeline"][kind], **options)
        picture = again.video_tracks()[0]
        assert abs(picture.duration().to_frames() - TARGET * 25) <= 1
        assert len(picture.find_clips()) == len(video.find_clips())


def test_the_render_shows_the_source_frames_the_timeline_names(cut) -> None:
    import av

    film, _, report = cut
    at, piece = 0, None
    for p in report["pieces"]:
        if p["kind"] == "shot" and at > 25:  # past the opening fade
            piece = p
            break
        at += p["frames"]

    def frame(path: Path, index: int) -> np.ndarray:
        with av.open(str(path)) as c:
            for i, f in enumerate(c.decode(video=0)):
                if i == index:
                    return f.to_ndarray(format="rgb24").astype(float)
        raise AssertionError(f"{path} has no frame {index}")

    mid = piece["frames"] // 2
    assert (
        np.abs(frame(report["output"], at + mid) - frame(film, piece["source_start"] + mid)).mean()
        < 6
    )


def test_the_cut_rises(cut) -> None:
    _, _, report = cut
    by_act: dict[str, list[int]] = {}
    for p in report["pieces"]:
        by_act.setdefault(p["act"], []).append(p["frames"])
    assert list(by_act) == ["setup", "title", "build", "climax", "end"]
    assert np.mean(by_act["setup"]) > np.mean(by_act["build"]) > np.mean(by_act["climax"])


def test_the_cut_is_a_pending_proposal_with_credentials(cut, studio_root: Path, signer) -> None:
    film, music, report = cut
    book = ProposalBook(studio_root)
    proposal = book.get(report["proposal"])
    assert proposal.status == "pending" and proposal.kind == "vfx.trailer"
    assert proposal.payload["files"]["otio"] == report["timeline"]["otio"]
    found = credentials_of(Path(report["output"]), signer)
    assert found["actions"] == ["c2pa.opened", "c2pa.edited"]
    assert set(found["ingredients"]) == {film.name, music.name}
    assert book.accept(proposal.id, by="Amina").status == "accepted"


def test_bad_targets_are_refused(cut, tmp_path: Path) -> None:
    film, _, _ = cut
    with pytest.raises(ConfigError, match="at least 3 seconds"):
        trailer(film, tmp_path / "t.mp4", length=0)
    with pytest.raises(ConfigError, match="longer than film.mp4"):
        trailer(film, tmp_path / "t.mp4", length=600)


def test_ntsc_film_without_sound(tmp_path: Path, studio_root: Path, signer) -> None:
    import opentimelineio as otio

    from halqa.studio.vfx.synthetic import shots_clip

    film = tmp_path / "ntsc.mp4"
    shots_clip(
        film, [1.5, 1.2, 1.8, 1.4, 1.6, 1.3], size="322x182", fps=30000 / 1001, dialogue=False
    )
    report = trailer(film, tmp_path / "t.mp4", length=5, studio=studio_root, signer=signer)
    frames = round(5 * 30000 / 1001)
    info = probe(report["output"])
    assert info.frames == frames and info.has_audio and str(info.fps) == "30000/1001"
    assert otio.adapters.read_from_file(report["timeline"]["otio"]).duration().to_frames() == frames
