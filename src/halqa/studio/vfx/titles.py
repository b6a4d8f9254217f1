"""Title cards, lower thirds and end credits as stills or clips (with fades), with credentials.

A card becomes a clip through ffmpeg (looped still, fade in/out, a silent AAC track so it
concatenates with clips that have sound); a lower third is overlaid on a clip with its alpha
faded; the credits roll up at a constant speed over black or over a clip.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from halqa.errors import ConfigError
from halqa.studio.vfx.frames import is_image
from halqa.studio.vfx.media import probe, rate_text, run_ffmpeg
from halqa.studio.vfx.stamp import action, stamp
from halqa.studio.vfx.text import Canvas, credits_roll, lower_third, title_card

if TYPE_CHECKING:
    from halqa.studio.common import ContentSigner

KINDS = ("card", "lower-third", "credits")
ENCODE = [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "18",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "160k",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-movflags",
    "+faststart",
]


def _check_timing(duration: float, fade: float) -> None:
    if duration <= 0:
        raise ConfigError(f"--duration must be more than 0 seconds, got {duration}")
    if fade < 0 or 2 * fade > duration:
        raise ConfigError(f"--fade {fade}: needs 0 ≤ fade ≤ duration/2 ({duration / 2:g} s)")


def card_clip(
    still: Path,
    out: Path,
    *,
    duration: float,
    fade: float = 0.5,
    fps: float = 25,
    on_progress: Callable[[float], None] | None = None,
) -> Path:
    """A still as an H.264/AAC clip of exactly ``duration`` seconds, faded from and to black."""
    _check_timing(duration, fade)
    fades = f",fade=t=in:st=0:d={fade},fade=t=out:st={duration - fade:.4f}:d={fade}" if fade else ""
    run_ffmpeg(
        [
            "-loop",
            "1",
            "-framerate",
            rate_text(fps),
            "-i",
            str(still),
            "-f",
            "lavfi",
            "-i",
            "anullsrc=channel_layout=stereo:sample_rate=48000",
            "-t",
            f"{duration:.4f}",
            "-vf",
            f"format=yuv420p{fades}",
            "-r",
            rate_text(fps),
            *ENCODE,
            "-shortest",
            str(out),
        ],
        total_seconds=duration,
        on_progress=on_progress,
        what=f"title card {out.name}",
    )
    return out


def overlay_clip(
    clip: Path,
    overlay: Path,
    out: Path,
    *,
    start: float,
    duration: float,
    fade: float = 0.5,
    y_speed: float = 0.0,
    on_progress: Callable[[float], None] | None = None,
) -> Path:
    """``overlay`` (a transparent PNG) over ``clip`` from ``start`` for ``duration`` s, alpha-faded;
    ``y_speed`` > 0 scrolls it up (pixels per second) for end credits."""
    _check_timing(duration, fade)
    info = probe(clip)
    end = start + duration
    alpha_fades = (
        f",fade=t=in:st={start}:d={fade}:alpha=1,fade=t=out:st={end - fade:.4f}:d={fade}:alpha=1"
        if fade
        else ""
    )
    y = f"-{y_speed}*(t-{start})" if y_speed else "0"
    graph = (
        f"[1:v]format=rgba,scale={info.width}:-1{alpha_fades}[top];"
        f"[0:v][top]overlay=x=0:y='{y}':enable='between(t,{start},{end})':eval=frame,format=yuv420p[v]"
    )
    audio = ["-map", "0:a"] if info.has_audio else []
    run_ffmpeg(
        [
            "-i",
            str(clip),
            "-loop",
            "1",
            "-i",
            str(overlay),
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            *audio,
            "-t",
            f"{info.duration:.4f}",
            *ENCODE,
            str(out),
        ],
        total_seconds=info.duration,
        on_progress=on_progress,
        what=f"overlay on {clip.name}",
    )
    return out


def parse_credits(lines: Sequence[str]) -> list[tuple[str, str]]:
    entries = []
    for line in lines:
        role, sep, names = line.partition("=")
        if not sep or not role.strip() or not names.strip():
            raise ConfigError(
                f"credits line {line!r}: write it as 'role=names' (e.g. 'إخراج=Amina')"
            )
        entries.append((role.strip(), names.strip()))
    return entries


def make_title(
    kind: str,
    lines: Sequence[str],
    out: Path,
    *,
    duration: float = 4.0,
    fade: float = 0.5,
    over: Path | None = None,
    start: float = 0.0,
    canvas: Canvas | None = None,
    on_progress: Callable[[float], None] | None = None,
    signer: ContentSigner | None = None,
) -> dict:
    """Render a card, a lower third or end credits to a PNG or an MP4 (alone or ``over`` a clip)."""
    if kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if over is not None:
        info = probe(over)
        canvas = Canvas(width=info.width, height=info.height)
    canvas = canvas or Canvas()
    if kind == "card":
        image = title_card(lines, canvas)
    elif kind == "lower-third":
        image = lower_third(lines[0], " ".join(lines[1:]), canvas)
    else:
        image = credits_roll(parse_credits(lines), canvas)
    with tempfile.TemporaryDirectory(prefix="halqa-title-") as tmp:
        still = Path(tmp) / "text.png"
        image.save(still)
        if is_image(out):
            if kind == "credits":
                raise ConfigError("end credits roll: write them to a clip (.mp4), not a still")
            (image.convert("RGB") if out.suffix.lower() in (".jpg", ".jpeg") else image).save(out)
        elif over is not None:
            speed = (image.height - canvas.height) / duration if kind == "credits" else 0.0
            overlay_clip(
                over,
                still,
                out,
                start=start,
                duration=duration,
                fade=fade,
                y_speed=speed,
                on_progress=on_progress,
            )
        elif kind == "card":
            card_clip(still, out, duration=duration, fade=fade, on_progress=on_progress)
        else:  # a lower third or credits alone: over black
            from PIL import Image

            blank = Path(tmp) / "black.png"
            Image.new("RGB", (canvas.width, canvas.height)).save(blank)
            base = card_clip(blank, Path(tmp) / "black.mp4", duration=duration, fade=0)
            speed = (image.height - canvas.height) / duration if kind == "credits" else 0.0
            overlay_clip(
                base,
                still,
                out,
                start=0,
                duration=duration,
                fade=fade,
                y_speed=speed,
                on_progress=on_progress,
            )
    credentials = stamp(
        out,
        tool="vfx.title",
        parameters={"kind": kind, "lines": list(lines), "duration": duration, "fade": fade},
        actions=[action("c2pa.edited", f"{kind} over {Path(over).name}", kind=kind)]
        if over
        else [],
        parents=[over] if over else [],
        summary=f"{kind}: " + " / ".join(lines),
        signer=signer,
    )
    return {
        "kind": kind,
        "lines": list(lines),
        "output": str(out),
        "size": [canvas.width, canvas.height],
        "duration": 0 if is_image(out) else duration,
        "credentials": credentials,
    }
