"""Clips made from ffmpeg's lavfi sources, with known cuts: for the demo,
the tests and the benchmark."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from halqa.studio.vfx.media import rate_text, tool

SOURCES = (
    "testsrc2",
    "smptebars",
    "mandelbrot",
    "testsrc",
    "color=c=0x802020",
    "rgbtestsrc",
    "cellauto=rule=110:seed=7",
    "color=c=0x203060",
    "smptehdbars",
    "yuvtestsrc",
)
# "Dialogue": a voice-like tone that speaks for 1.5 s out of every 3 (what the music bed ducks
# under).
DIALOGUE = "aevalsrc='0.25*sin(2*PI*180*t)*sin(2*PI*3*t)*lt(mod(t,3),1.5)':s=48000:c=stereo"


def _source(name: str, size: str, fps: float) -> str:
    base, _, options = name.partition("=")
    extra = f"{options}:" if options else ""
    return f"{base}={extra}size={size}:rate={rate_text(fps)}"


def shots_clip(
    path: Path,
    seconds: Sequence[float],
    *,
    size: str = "320x240",
    fps: float = 25,
    dialogue: bool = True,
    sources: Sequence[str] = SOURCES,
) -> list[int]:
    """Concatenate one lavfi source per shot (random sources seeded: the same clip every run) into
    an H.264 (+ AAC) clip; returns the cut frames.

    Each shot is a whole number of frames (its length rounded), so the cuts are exact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = [max(1, round(length * fps)) for length in seconds]
    inputs, graph = [], []
    for i, count in enumerate(counts):
        inputs += [
            "-f",
            "lavfi",
            "-t",
            f"{(count + 1) / fps:.6f}",
            "-i",
            _source(sources[i % len(sources)], size, fps),
        ]
        # scale: some sources (cellauto) round the size they are given
        graph.append(
            f"[{i}:v]trim=end_frame={count},setpts=PTS-STARTPTS,scale={size.replace('x', ':')},"
            f"format=yuv420p,setsar=1[v{i}]"
        )
    n = len(seconds)
    graph.append("".join(f"[v{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]")
    audio, maps = [], ["-map", "[v]"]
    if dialogue:
        audio = ["-f", "lavfi", "-t", f"{sum(counts) / fps:.6f}", "-i", DIALOGUE]
        maps += ["-map", f"{n}:a", "-c:a", "aac"]
    subprocess.run(
        [
            tool("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-nostdin",
            *inputs,
            *audio,
            "-filter_complex",
            ";".join(graph),
            *maps,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            str(int(2 * fps)),
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return [int(c) for c in np.cumsum(counts)[:-1]]


def music_bed(path: Path, seconds: float) -> Path:
    """A soft two-note pad (for when no music piece is at hand)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    expr = "0.2*sin(2*PI*220*t)+0.15*sin(2*PI*330*t)+0.1*sin(2*PI*440*t)*sin(2*PI*0.5*t)"
    subprocess.run(
        [
            tool("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{expr}':s=48000:c=stereo:d={seconds:g}",
            str(path),
        ],
        check=True,
    )
    return path
