"""ffmpeg and ffprobe from Python: probing, running a job with progress, checking inputs.

Every media file a user names goes through ``probe`` first, so a text file named
``.mp4`` gives one line naming the file instead of an ffmpeg dump.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from halqa.errors import BackendUnavailableError, DataError, UserError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def tool(name: str) -> str:
    """Path of ``ffmpeg``/``ffprobe``; a clear error when Debian's ffmpeg is not installed."""
    found = shutil.which(name)
    if not found:
        raise BackendUnavailableError(
            f"{name} not found: install Debian's ffmpeg (apt-get install ffmpeg)"
        )
    return found


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float  # seconds (0 for a still)
    width: int
    height: int
    fps: Fraction  # 0 for a still
    frames: int  # estimated from duration x fps for video
    has_audio: bool
    video_codec: str
    audio_codec: str | None

    @property
    def is_still(self) -> bool:
        return self.fps == 0

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "duration": round(self.duration, 4),
            "width": self.width,
            "height": self.height,
            "fps": float(self.fps),
            "frames": self.frames,
            "has_audio": self.has_audio,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
        }


def rate_text(fps: float | Fraction) -> str:
    """A frame rate as ffmpeg wants it: 25, or 30000/1001 rather than a rounded 29.97."""
    rate = Fraction(fps).limit_denominator(1001)
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def _rate(text: str | None) -> Fraction:
    """ffprobe's "num/den" rate; "0/0" (unknown) gives 0."""
    num, _, den = (text or "0/1").partition("/")
    try:
        return Fraction(int(num), int(den or 1)) if int(den or 1) else Fraction(0)
    except ValueError:
        return Fraction(0)


def _ffprobe(path: Path) -> dict:
    """ffprobe's JSON for a file (format and streams); empty when ffprobe cannot read it."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    proc = subprocess.run(
        [
            tool("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(proc.stdout or "{}") if proc.returncode == 0 else {}


def probe(path: Path | str) -> MediaInfo:
    """What ffprobe says about a still or a clip; ``DataError`` naming the file when it is not
    media."""
    path = Path(path)
    info = _ffprobe(path)
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None or "format" not in info:
        raise DataError(f"{path}: not a readable image or video (ffprobe found no video stream)")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    still = path.suffix.lower() in IMAGE_SUFFIXES or info["format"].get("format_name", "").endswith(
        "_pipe"
    )
    fps = (
        Fraction(0)
        if still
        else _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
    )
    if not still and not fps:
        raise DataError(f"{path}: the video stream has no frame rate")
    duration = 0.0 if still else float(info["format"].get("duration") or video.get("duration") or 0)
    nb = video.get("nb_frames")
    frames = 1 if still else int(nb) if nb and nb.isdigit() else round(duration * fps)
    return MediaInfo(
        path=path,
        duration=duration,
        width=int(video["width"]),
        height=int(video["height"]),
        fps=fps,
        frames=frames,
        has_audio=audio is not None,
        video_codec=video.get("codec_name", ""),
        audio_codec=audio.get("codec_name") if audio else None,
    )


def probe_audio(path: Path | str) -> float:
    """Duration of a sound file (a music bed); ``DataError`` naming the file when it has no
    audio."""
    path = Path(path)
    info = _ffprobe(path)
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        raise DataError(f"{path}: not a readable sound file (ffprobe found no audio stream)")
    return float(info.get("format", {}).get("duration") or 0)


def run_ffmpeg(
    args: Sequence[str],
    *,
    total_seconds: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    what: str = "ffmpeg",
) -> None:
    """Run ``ffmpeg args`` quietly; report progress (0..1) from ``-progress``;
    one-line error on failure."""
    cmd = [tool("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    if on_progress and total_seconds:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += list(args)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        if on_progress and total_seconds and proc.stdout:
            for line in proc.stdout:
                if line.startswith("out_time_us=") and line[12:].strip().isdigit():
                    on_progress(min(1.0, int(line[12:]) / 1e6 / total_seconds))
        _, err = proc.communicate()
    if proc.returncode != 0:
        last = (err or "").strip().splitlines()
        raise DataError(
            f"{what} failed: {last[-1] if last else 'exit code ' + str(proc.returncode)}"
        )
    if on_progress:
        on_progress(1.0)
