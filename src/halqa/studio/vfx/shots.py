"""Shot detection (PySceneDetect's adaptive detector) and per-shot features for cutting.

One ffmpeg decode feeds both the detector and the features: every frame scaled to the size
PySceneDetect's SceneManager would detect on (its default downscale), passed to the adaptive
detector, and kept as a 64-pixel-wide grey copy (brightness, and motion as the mean absolute
difference between consecutive frames); a second, audio-only decode gives a mono 8 kHz stream
(audio energy, in dBFS).
No face count: opencv-python-headless 5.0 ships no Haar cascade (``cv2.data`` holds only its
``__init__.py``) and its Python bindings have no ``CascadeClassifier`` any more, so even the
cascades Debian's ``opencv-data`` installs cannot be loaded; ``cv2.FaceDetectorYN`` needs the
YuNet ONNX model, which no installable package here carries (halqa downloads no model).
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from halqa.errors import DataError
from halqa.studio.vfx.media import MediaInfo, probe, tool

_FEATURE_WIDTH = 64
_AUDIO_RATE = 8000


@dataclass(frozen=True)
class Shot:
    index: int
    start_frame: int  # first frame of the shot
    end_frame: int  # one past its last frame
    start: float  # seconds
    end: float
    brightness: float  # mean luma, 0..1
    motion: float  # mean absolute frame difference, 0..1
    audio_db: float  # RMS level in dBFS (-90 for silence or no audio)

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def detect_cuts(path: Path, *, threshold: float = 3.0, min_scene_len: int = 15) -> list[int]:
    """Frame numbers where a new shot starts (the first shot's 0 excluded)."""
    info = probe(path)
    if info.is_still:
        raise DataError(f"{path}: a still image has no shots")
    return _analyse(info, threshold=threshold, min_scene_len=min_scene_len)[0]


def _detection_size(info: MediaInfo) -> tuple[int, int]:
    """The size PySceneDetect's SceneManager downscales to before detecting (its default factor)."""
    from scenedetect.scene_manager import compute_downscale_factor

    factor = compute_downscale_factor(info.width)
    if factor <= 1:
        return info.width, info.height
    return max(1, round(info.width / factor)), max(1, round(info.height / factor))


def _analyse(
    info: MediaInfo,
    *,
    threshold: float = 3.0,
    min_scene_len: int = 15,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """One decode for both jobs: ffmpeg scales each frame to the size PySceneDetect would detect on,
    the adaptive detector reads it, and a 64-pixel grey copy keeps brightness and motion.

    (Going through ``scenedetect.detect`` decoded every frame at full size in OpenCV, and the
    features needed a second ffmpeg decode: two full decodes of the film.)
    Returns the cut frames, and per frame its mean grey level and its mean absolute difference from
    the frame before (0 for the first), both in 0..1: memory grows by two floats a frame, not a
    picture."""
    import cv2
    from scenedetect import AdaptiveDetector, FrameTimecode

    width, height = _detection_size(info)
    grey_size = (_FEATURE_WIDTH, max(2, round(info.height * _FEATURE_WIDTH / info.width / 2) * 2))
    detector = AdaptiveDetector(adaptive_threshold=threshold, min_scene_len=min_scene_len)
    fps, frame_bytes = float(info.fps), width * height * 3
    cmd = [
        tool("ffmpeg"),
        "-v",
        "error",
        "-nostdin",
        "-i",
        str(info.path),
        "-map",
        "0:v:0",
        "-vf",
        f"scale={width}:{height}:flags=bilinear",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr24",
        "-",
    ]
    cuts: list[int] = []
    brightness: list[float] = []
    motion: list[float] = []
    previous = None
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        for index in itertools.count():
            raw = proc.stdout.read(frame_bytes)
            if len(raw) < frame_bytes:
                break
            frame = np.frombuffer(raw, np.uint8).reshape(height, width, 3)
            cuts += [c.frame_num for c in detector.process_frame(FrameTimecode(index, fps), frame)]
            grey = cv2.resize(
                cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), grey_size, interpolation=cv2.INTER_AREA
            )
            brightness.append(float(grey.mean()) / 255.0)
            motion.append(
                float(cv2.absdiff(grey, previous).mean()) / 255.0 if previous is not None else 0.0
            )
            previous = grey
            if on_progress and info.frames and index % 250 == 0:
                on_progress(min(0.99, index / info.frames))
        err = proc.stderr.read() if proc.stderr else b""
    if not brightness:
        lines = err.decode(errors="replace").strip().splitlines()
        raise DataError(
            f"{info.path}: shot detection could not read the video "
            f"({lines[-1] if lines else 'no frames'})"
        )
    total = len(brightness)
    cuts += [c.frame_num for c in detector.post_process(FrameTimecode(total, fps))]
    return sorted({c for c in cuts if 0 < c < total}), np.array(brightness), np.array(motion)


def _audio_samples(info: MediaInfo) -> np.ndarray:
    if not info.has_audio:
        return np.zeros(0, np.float32)
    raw = subprocess.run(
        [
            tool("ffmpeg"),
            "-v",
            "error",
            "-nostdin",
            "-i",
            str(info.path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(_AUDIO_RATE),
            "-f",
            "s16le",
            "-",
        ],
        capture_output=True,
        check=False,
    ).stdout
    return np.frombuffer(raw, np.int16).astype(np.float32) / 32768.0


def shots(
    path: Path, *, threshold: float = 3.0, on_progress: Callable[[float], None] | None = None
) -> tuple[MediaInfo, list[Shot]]:
    """The shots of a clip with their features, in order."""
    info = probe(path)
    if info.is_still:
        raise DataError(f"{path}: a still image has no shots")
    cuts, brightness, diffs = _analyse(info, threshold=threshold, on_progress=on_progress)
    total = len(brightness)
    audio = _audio_samples(info)
    fps = float(info.fps)
    bounds = [0, *[c for c in cuts if 0 < c < total], total]
    found: list[Shot] = []
    for a, b in itertools.pairwise(bounds):
        if b <= a:
            continue
        chunk = audio[int(a / fps * _AUDIO_RATE) : int(b / fps * _AUDIO_RATE)]
        rms = float(np.sqrt(np.mean(chunk**2))) if chunk.size else 0.0
        found.append(
            Shot(
                index=len(found),
                start_frame=a,
                end_frame=b,
                start=a / fps,
                end=b / fps,
                brightness=float(brightness[a:b].mean()),
                motion=float(diffs[a + 1 : b].mean()) if b - a > 1 else 0.0,
                audio_db=max(-90.0, 20 * np.log10(rms)) if rms > 0 else -90.0,
            )
        )
    if on_progress:
        on_progress(1.0)
    return info, found
