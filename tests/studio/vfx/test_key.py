"""Keying on a synthetic green-screen scene whose true mask is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halqa.errors import ConfigError, DataError
from halqa.studio.vfx.frames import read_image, write_image
from halqa.studio.vfx.key import KeySettings, grabcut_matte, key, matte, suppress_spill
from halqa.studio.vfx.media import probe


def scene(screen: int = 1, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """An unevenly lit screen with noise, and a subject of skin, red, white, dark and cyan-ish parts."""
    rng = np.random.default_rng(seed)
    h, w = 240, 320
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.55 + 0.3 * xx / w  # the screen is brighter on the right
    img = np.stack([0.12 * light, 0.12 * light, 0.12 * light], axis=-1)
    img[..., screen] = light
    mask = np.zeros((h, w), bool)
    parts = [
        ((120, 160), 60, (0.85, 0.62, 0.48)),  # face, skin
        ((200, 110), 35, (0.75, 0.08, 0.10)),  # red
        ((60, 120), 30, (0.95, 0.95, 0.92)),  # white
        ((200, 220), 28, (0.10, 0.10, 0.12)),  # near-black
        ((70, 250), 25, (0.20, 0.45, 0.50)),
    ]  # teal, closest to the screen
    for (cy, cx), r, colour in parts:
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        img[inside] = colour
        mask |= inside
    img += rng.normal(0, 0.02, img.shape)
    return np.clip(img, 0, 1), mask


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.mark.parametrize("screen", ["green", "blue"])
def test_matte_matches_the_known_mask(screen: str) -> None:
    rgb, mask = scene(screen=1 if screen == "green" else 2)
    alpha = matte(rgb, KeySettings(screen=screen))
    assert iou(alpha > 0.5, mask) > 0.98
    import cv2

    partial = (alpha > 0.02) & (alpha < 0.98)
    kernel = np.ones((7, 7), np.uint8)
    edge_band = cv2.dilate(mask.astype(np.uint8), kernel) > cv2.erode(mask.astype(np.uint8), kernel)
    assert partial.sum() > 0  # soft edges...
    assert (partial & edge_band).sum() >= 0.99 * partial.sum()  # ...only at the edges


def test_spill_is_removed_from_a_green_tinted_edge() -> None:
    tinted = np.array([[[0.6, 0.8, 0.5]]])
    out = suppress_spill(tinted, KeySettings())
    assert out[0, 0, 1] == pytest.approx(0.6) and out[0, 0, 0] == pytest.approx(0.6)


def test_key_still_over_background_and_to_alpha_png(tmp_path: Path) -> None:
    rgb, mask = scene()
    src = write_image(tmp_path / "green.png", rgb)
    bg = write_image(tmp_path / "bg.png", np.full((100, 100, 3), (0.9, 0.5, 0.1)))
    key(src, tmp_path / "alpha.png")
    import cv2

    rgba = cv2.imread(str(tmp_path / "alpha.png"), cv2.IMREAD_UNCHANGED)
    assert rgba.shape[2] == 4 and iou(rgba[..., 3] > 127, mask) > 0.98
    report = key(src, tmp_path / "over.png", background=bg)
    out, _ = read_image(tmp_path / "over.png")
    background_pixels = out[~mask & (np.abs(np.gradient(mask.astype(float))[0]) == 0)]
    assert np.abs(background_pixels.mean(0) - (0.9, 0.5, 0.1)).max() < 0.02
    assert 0.1 < report["foreground_fraction"] < 0.5


def test_key_clip_over_clip(tmp_path: Path, media_dir: Path) -> None:
    import subprocess

    rgb, _ = scene()
    frame = write_image(tmp_path / "g.png", rgb)
    clip = tmp_path / "green.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-loop",
            "1",
            "-i",
            str(frame),
            "-t",
            "1",
            "-r",
            "25",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv444p",
            "-crf",
            "10",
            str(clip),
        ],
        check=True,
    )
    bg = tmp_path / "bg.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=orange:size=320x240:rate=25:d=0.5",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(bg),
        ],
        check=True,
    )
    key(clip, tmp_path / "keyed.mp4", background=bg)
    assert abs(probe(tmp_path / "keyed.mp4").duration - 1.0) < 0.1


def test_grabcut_separates_a_subject_without_a_screen() -> None:
    rng = np.random.default_rng(1)
    rgb = rng.uniform(0.3, 0.5, (160, 200, 3)) * (0.6, 0.7, 1.0)  # bluish textured wall
    yy, xx = np.mgrid[0:160, 0:200]
    subject = (yy - 80) ** 2 / 50**2 + (xx - 100) ** 2 / 35**2 <= 1
    rgb[subject] = (0.8, 0.55, 0.35)
    alpha = grabcut_matte(rgb, (50, 20, 100, 125))
    assert iou(alpha > 0.5, subject) > 0.95


def test_a_matte_needs_a_format_with_alpha(tmp_path: Path) -> None:
    src = write_image(tmp_path / "green.png", scene()[0])
    with pytest.raises(DataError, match=r"matte\.jpg: \.jpg has no alpha"):
        key(src, tmp_path / "matte.jpg")


def test_a_frame_that_is_not_a_screen_says_so() -> None:
    with pytest.raises(DataError, match="not a green/blue screen"):
        matte(np.full((50, 50, 3), 0.5), KeySettings())
    with pytest.raises(ConfigError, match="the 'screen' parameter of vfx key must be 'green' or"):
        KeySettings.build("vfx key", screen="red")
    with pytest.raises(ConfigError, match="'high' parameter of vfx key must be greater than low"):
        KeySettings.build("vfx key", low=0.5, high=0.4)
