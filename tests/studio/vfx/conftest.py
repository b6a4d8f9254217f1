"""Media made in the tests: ffmpeg lavfi clips and 16-bit test frames (nothing downloaded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-nostdin", *args], check=True)


@pytest.fixture(scope="session", autouse=True)
def _needs_ffmpeg() -> None:
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg not installed (scripts/apt-packages.txt installs it)")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("vfx-media")


@pytest.fixture(scope="session")
def small_clip(media_dir: Path) -> Path:
    """2 s, 25 fps, 160x120 H.264 with a 440 Hz tone (AAC)."""
    path = media_dir / "small.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(path),
    )
    return path


@pytest.fixture(scope="session")
def test_frame() -> np.ndarray:
    """16-bit RGB test frame (float64 in 0..1): grey and colour ramps on top, random colours below."""
    rng = np.random.default_rng(7)
    h, w = 256, 384
    ramp = np.linspace(0.0, 1.0, w)[None, :, None]
    grey = np.repeat(ramp, h // 4, axis=0) * np.ones(3)
    hues = np.stack(
        [
            ramp[..., 0] * np.ones((h // 4, w)),
            1 - ramp[..., 0] * np.ones((h // 4, w)),
            np.full((h // 4, w), 0.5),
        ],
        axis=-1,
    )
    noise = rng.integers(0, 65536, (h // 2, w, 3)) / 65535.0
    return np.round(np.concatenate([grey, hues, noise]) * 65535.0) / 65535.0


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def studio_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("studio")


@pytest.fixture(autouse=True)
def _studio_folder(monkeypatch, studio_root: Path) -> None:
    """Proposals and the development signing certificate go to a temporary studio folder."""
    monkeypatch.setenv("HALQA_STUDIO_DIR", str(studio_root))
    monkeypatch.delenv("HALQA_C2PA_CERT", raising=False)
    monkeypatch.delenv("HALQA_C2PA_KEY", raising=False)


@pytest.fixture(scope="session")
def signer(studio_root: Path):
    from halqa.studio.common import test_signer

    return test_signer(studio_root / "test-signer")


def credentials_of(path: Path, signer) -> dict:
    """The manifest read back (trusting the test CA) and the sidecar's provenance."""
    from halqa.studio.common import read_c2pa, read_sidecar

    store = read_c2pa(path, trust_anchors_pem=signer.trust_anchors_pem)
    return {
        "state": store["validation_state"],
        "actions": [a["action"] for a in store["actions"]],
        "ingredients": [i.get("title") for i in store["active"].get("ingredients", [])],
        "provenance": read_sidecar(path),
    }


def make_shots_clip(path: Path, seconds: list[float], *, tone: bool = True) -> list[int]:
    """One lavfi source per shot, concatenated (H.264, 25 fps); returns the cut frames."""
    from halqa.studio.vfx.synthetic import shots_clip

    return shots_clip(path, seconds, dialogue=tone)


@pytest.fixture(scope="session")
def shots_clip(media_dir: Path) -> tuple[Path, list[int]]:
    """12 s, six shots of unequal length from six lavfi sources, with a tone."""
    path = media_dir / "shots.mp4"
    return path, make_shots_clip(path, [2.0, 1.6, 2.4, 2.0, 1.8, 2.2])
