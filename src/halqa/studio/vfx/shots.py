"""Shot detection (PySceneDetect's adaptive detector) and per-shot features for cutting.

Features come from two cheap ffmpeg decodes rather than from full-resolution frames: a
64-pixel-wide grey stream at the source rate (brightness, and motion as the mean absolute
difference between consecutive frames) and a mono 8 kHz stream (audio energy, in dBFS).
No face count: OpenCV 5's wheel no longer ships the Haar cascades, and its ``FaceDetectorYN``
needs an ONNX model that no installable package carries (halqa downloads no model).
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
    start_frame: int      # first frame of the shot
    end_frame: int        # one past its last frame
    start: float          # seconds
    end: float
    brightness: float     # mean luma, 0..1
    motion: float         # mean absolute frame difference, 0..1
    audio_db: float       # RMS level in dBFS (-90 for silence or no audio)

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def detect_cuts(path: Path, *, threshold: float = 3.0, min_scene_len: int = 15) -> list[int]:
    """Frame numbers where a new shot starts (the first shot's 0 excluded)."""
    from scenedetect import AdaptiveDetector, VideoOpenFailure, detect

    try:
        scenes = detect(str(path), AdaptiveDetector(adaptive_threshold=threshold, min_scene_len=min_scene_len))
    except VideoOpenFailure as exc:
        raise DataError(f"{path}: shot detection could not read the video ({exc})") from None
    return [start.frame_num for start, _ in scenes[1:]]


def _grey_frames(info: MediaInfo) -> np.ndarray:
    height = max(2, round(info.height * _FEATURE_WIDTH / info.width / 2) * 2)
    raw = subprocess.run([tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(info.path), "-map", "0:v:0",
                          "-vf", f"scale={_FEATURE_WIDTH}:{height}", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=False).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, _FEATURE_WIDTH).astype(np.float32) / 255.0


def _audio_samples(info: MediaInfo) -> np.ndarray:
    if not info.has_audio:
        return np.zeros(0, np.float32)
    raw = subprocess.run([tool("ffmpeg"), "-v", "error", "-nostdin", "-i", str(info.path), "-map", "0:a:0",
                          "-ac", "1", "-ar", str(_AUDIO_RATE), "-f", "s16le", "-"],
                         capture_output=True, check=False).stdout
    return np.frombuffer(raw, np.int16).astype(np.float32) / 32768.0


def shots(path: Path, *, threshold: float = 3.0,
          on_progress: Callable[[float], None] | None = None) -> tuple[MediaInfo, list[Shot]]:
    """The shots of a clip with their features, in order."""
    info = probe(path)
    if info.is_still:
        raise DataError(f"{path}: a still image has no shots")
    cuts = detect_cuts(path, threshold=threshold)
    if on_progress:
        on_progress(0.5)
    grey = _grey_frames(info)
    total = len(grey) or info.frames
    diffs = np.concatenate([[0.0], np.abs(np.diff(grey, axis=0)).mean(axis=(1, 2))]) if len(grey) else np.zeros(0)
    audio = _audio_samples(info)
    fps = float(info.fps)
    bounds = [0, *[c for c in cuts if 0 < c < total], total]
    found = []
    for a, b in itertools.pairwise(bounds):
        if b <= a:
            continue
        chunk = audio[int(a / fps * _AUDIO_RATE): int(b / fps * _AUDIO_RATE)]
        rms = float(np.sqrt(np.mean(chunk ** 2))) if chunk.size else 0.0
        found.append(Shot(index=len(found), start_frame=a, end_frame=b, start=a / fps, end=b / fps,
                          brightness=float(grey[a:b].mean()) if len(grey) else 0.0,
                          motion=float(diffs[a + 1:b].mean()) if b - a > 1 else 0.0,
                          audio_db=max(-90.0, 20 * np.log10(rms)) if rms > 0 else -90.0))
    if on_progress:
        on_progress(1.0)
    return info, found
