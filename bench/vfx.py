"""Benchmark the visual-effects assistant against peers measured in the same run.

1. Grading: a shipped look (33³ .cube) on 1080p frames — halqa (OpenColorIO, tetrahedral, in
   memory) against ffmpeg's ``lut3d`` (tetrahedral) on the same frames and LUT: frames per
   second, peak memory, the ratio, and mean ΔE2000 against the analytic look on a 16-bit frame.
2. Shot detection on a generated clip with known cuts: halqa (PySceneDetect's adaptive detector
   + features) against PySceneDetect's command line with its defaults (``detect-content``):
   seconds and F1 (exact frame, and ±1 frame).
3. The trailer: build time (shots, cards, render, timelines) of a 60-second trailer from a
   10-minute source.

    .venv/bin/python bench/vfx.py                  # all three (the 10-minute source is cached)
    .venv/bin/python bench/vfx.py --frames 30 --source-minutes 2 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import (  # bench/_timing.py (this folder is on sys.path)
    PeakRSS,
    Timed,
    ratio,
    run_timed,
)

from halqa.studio.vfx.grade import Uint8Grader
from halqa.studio.vfx.looks import LOOKS, look_path
from halqa.studio.vfx.lut import LutApplier
from halqa.studio.vfx.synthetic import shots_clip

REPO = Path(__file__).resolve().parents[1]
HALQA = str(Path(sys.executable).with_name("halqa"))
LOOK = "sahara-gold"


def mib(n: float) -> float:
    return round(n / 2**20, 1)


def frames_1080p(count: int) -> np.ndarray:
    """``count`` different 1080p RGB frames (a moving test pattern), decoded once into memory."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=25",
            "-frames:v",
            str(count),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(count, 1080, 1920, 3)


def ffmpeg_lut3d(raw: Path, pix_fmt: str, cube: Path, out: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of ffmpeg applying the LUT to raw frames from a file to a raw file."""
    timed = run_timed(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            pix_fmt,
            "-s",
            "1920x1080",
            "-i",
            str(raw),
            "-vf",
            f"lut3d=file={cube}:interp=tetrahedral",
            "-f",
            "rawvideo",
            "-pix_fmt",
            pix_fmt,
            str(out),
        ]
    )
    return timed.wall_s, timed.peak_rss_mb


def delta_e(a: np.ndarray, b: np.ndarray) -> float:
    import colour

    lab = [colour.XYZ_to_Lab(colour.sRGB_to_XYZ(x.astype(np.float64))) for x in (a, b)]
    return float(colour.delta_E(lab[0], lab[1], method="CIE 2000").mean())


def bench_grading(count: int, tmp: Path) -> dict:
    frames = frames_1080p(count)
    cube = look_path(LOOK)
    grader = Uint8Grader(cube)
    with PeakRSS() as mem:
        started = time.perf_counter()
        graded = [grader(f) for f in frames]
        seconds = time.perf_counter() - started
    raw_in, raw_out = tmp / "in.rgb", tmp / "out.rgb"
    raw_in.write_bytes(frames.tobytes())
    ff_seconds, ff_peak = ffmpeg_lut3d(raw_in, "rgb24", cube, raw_out)
    ffmpeg_frames = np.frombuffer(raw_out.read_bytes(), np.uint8).reshape(frames.shape)
    agreement_8bit = float(np.abs(ffmpeg_frames.astype(int) - np.stack(graded).astype(int)).max())
    # accuracy on one 16-bit frame (float path), both sides, against the analytic look
    rng = np.random.default_rng(0)
    frame16 = (
        np.round(np.concatenate([frames[0][:540] / 255.0, rng.random((540, 1920, 3))]) * 65535)
        / 65535
    )
    halqa16 = LutApplier(cube).apply(frame16)
    (tmp / "in48.rgb").write_bytes((frame16 * 65535 + 0.5).astype("<u2").tobytes())
    ffmpeg_lut3d(tmp / "in48.rgb", "rgb48le", cube, tmp / "out48.rgb")
    ffmpeg16 = (
        np.frombuffer((tmp / "out48.rgb").read_bytes(), "<u2").reshape(frame16.shape) / 65535.0
    )
    analytic = LOOKS[LOOK](frame16)
    fps, ff_fps = count / seconds, count / ff_seconds
    return {
        "frames": count,
        "halqa_fps": round(fps, 1),
        "ffmpeg_lut3d_fps": round(ff_fps, 1),
        "ratio_halqa_over_ffmpeg": round(fps / ff_fps, 2),
        "halqa_peak_mib": mib(mem.peak),
        "ffmpeg_peak_mib": ff_peak,
        "max_8bit_difference_vs_ffmpeg": agreement_8bit,
        "mean_dE2000_vs_analytic_16bit": {
            "halqa": round(delta_e(halqa16, analytic), 5),
            "ffmpeg": round(delta_e(ffmpeg16, analytic), 5),
        },
        "mean_dE2000_halqa_vs_ffmpeg_16bit": round(delta_e(halqa16, ffmpeg16), 5),
    }


def f1(found: list[int], truth: list[int], tolerance: int) -> float:
    left, hits = list(truth), 0
    for frame in found:
        match = next((t for t in left if abs(t - frame) <= tolerance), None)
        if match is not None:
            left.remove(match)
            hits += 1
    precision, recall = hits / max(1, len(found)), hits / max(1, len(truth))
    return round(2 * precision * recall / (precision + recall), 4) if hits else 0.0


def timed_dict(timed: Timed, **extra: float) -> dict:
    return {"wall_s": timed.wall_s, "cpu_s": timed.cpu_s, "peak_rss_mb": timed.peak_rss_mb, **extra}


def halqa_vfx(*args: str) -> tuple[Timed, dict]:
    """``halqa vfx ARGS --json`` as a user runs it (a fresh process: imports, ffmpeg, C2PA stamp)."""
    timed = run_timed([HALQA, "vfx", *args, "--json"])
    return timed, json.loads(timed.stdout)


def clip_1080p(path: Path, frames: int) -> Path:
    """A 1080p H.264 clip (moving test pattern, 25 fps) with an AAC tone."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1920x1080:rate=25:duration={frames / 25:.3f}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={frames / 25:.3f}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
    )
    return path


def bench_grade_cli(frames: int, tmp: Path) -> dict:
    """``halqa vfx grade clip.mp4`` against ffmpeg's lut3d with the same decode, LUT and H.264 settings."""
    clip = clip_1080p(tmp / "grade-1080p.mp4", frames)
    cube = look_path(LOOK)
    ours, _ = halqa_vfx("grade", str(clip), "--lut", LOOK, "-o", str(tmp / "graded-halqa.mp4"))
    peer = run_timed(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-nostdin",
            "-i",
            str(clip),
            "-vf",
            f"lut3d=file={cube}:interp=tetrahedral,format=yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "18",
            "-c:a",
            "copy",
            str(tmp / "graded-ffmpeg.mp4"),
        ]
    )
    return {
        "frames": frames,
        "size": "1920x1080",
        "halqa_vfx_grade": timed_dict(ours, fps=round(frames / ours.wall_s, 1)),
        "ffmpeg_lut3d": timed_dict(peer, fps=round(frames / peer.wall_s, 1)),
        "fps_ratio_halqa_over_ffmpeg": ratio(peer.wall_s, ours.wall_s),
    }


def pyscenedetect_cli(clip: Path, tmp: Path, fps: float) -> tuple[list[int], Timed]:
    """PySceneDetect's command line with its defaults (detect-content): cut frames and its cost."""
    timed = run_timed(
        [
            str(Path(sys.executable).with_name("scenedetect")),
            "-i",
            str(clip),
            "-o",
            str(tmp),
            "-q",
            "detect-content",
            "list-scenes",
            "-f",
            "cli-scenes.csv",
            "-s",
        ]
    )
    with open(tmp / "cli-scenes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [round(float(r["Start Time (seconds)"]) * fps) for r in rows][1:], timed


def bench_scenes_cli(tmp: Path) -> dict:
    """``halqa vfx scenes`` (cuts + features) against PySceneDetect's CLI on a clip with 29 known cuts."""
    rng = np.random.default_rng(3)
    lengths = [float(x) for x in np.round(rng.uniform(0.8, 4.0, 30), 2)]
    clip = tmp / "cuts.mp4"
    truth = shots_clip(clip, lengths, size="640x360")
    ours, report = halqa_vfx("scenes", str(clip))
    found = [s["start_frame"] for s in report["shots"]][1:]
    peer_cuts, peer = pyscenedetect_cli(clip, tmp, 25.0)
    return {
        "clip_seconds": round(sum(lengths), 1),
        "cuts": len(truth),
        "halqa_vfx_scenes": timed_dict(
            ours, f1_exact=f1(found, truth, 0), f1_1frame=f1(found, truth, 1)
        ),
        "pyscenedetect_cli_default": timed_dict(
            peer, f1_exact=f1(peer_cuts, truth, 0), f1_1frame=f1(peer_cuts, truth, 1)
        ),
        "time_ratio_halqa_over_pyscenedetect": ratio(ours.wall_s, peer.wall_s),
    }


def film_source(cache: Path, minutes: float) -> Path:
    source = cache / f"film-{minutes:g}min.mp4"
    if not source.exists():
        rng = np.random.default_rng(11)
        lengths, total = [], 0.0
        while total < minutes * 60:
            lengths.append(float(np.round(rng.uniform(1.5, 8.0), 2)))
            total += lengths[-1]
        started = time.perf_counter()
        shots_clip(source, lengths, size="640x360")
        print(
            f"generated a {total:.0f}-second source in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return source


def bench_trailer_cli(minutes: float, cache: Path, tmp: Path, *, peer: bool = True) -> dict:
    """``halqa vfx trailer film.mp4 --length 60`` on a long source; the peer is PySceneDetect's CLI finding
    the same source's shots (the floor under any automatic cut: it only reads the film once)."""
    from halqa.studio.vfx.media import probe
    from halqa.studio.vfx.synthetic import music_bed

    source = film_source(cache, minutes)
    music = music_bed(tmp / "bed.wav", 20)
    out = tmp / "trailer" / "trailer.mp4"
    ours, report = halqa_vfx(
        "trailer",
        str(source),
        "--length",
        "60",
        "--music",
        str(music),
        "-o",
        str(out),
        "--title",
        "دار الفطور",
        "--title",
        "ⴷⴰⵔ ⵍⴼⵟⵓⵔ",
        "--title",
        "Bientôt",
        "--studio",
        str(tmp / "studio"),
    )
    result = {
        "source_minutes": minutes,
        "target_seconds": 60,
        "mp4_seconds": round(probe(out).duration, 3),
        "shots": report["shots"],
        "pieces": len(report["pieces"]),
        "halqa_vfx_trailer": timed_dict(ours, realtime_factor=round(minutes * 60 / ours.wall_s, 1)),
    }
    if peer:
        _, scenes = pyscenedetect_cli(source, tmp, 25.0)
        result["pyscenedetect_cli_default"] = timed_dict(scenes)
        result["time_ratio_halqa_over_pyscenedetect"] = ratio(ours.wall_s, scenes.wall_s)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=60, help="1080p frames to grade")
    parser.add_argument(
        "--source-minutes", type=float, default=10.0, help="length of the trailer's source"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["frames", "grade", "scenes", "trailer"]
    )
    parser.add_argument(
        "--no-trailer-peer", action="store_true", help="skip PySceneDetect on the long source"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cache = REPO / "bench" / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="halqa-bench-vfx-") as tmp:
        if "frames" not in args.skip:
            results["grading_frames_in_memory"] = bench_grading(args.frames, Path(tmp))
        if "grade" not in args.skip:
            results["grade_cli"] = bench_grade_cli(args.frames, Path(tmp))
        if "scenes" not in args.skip:
            results["scenes_cli"] = bench_scenes_cli(Path(tmp))
        if "trailer" not in args.skip:
            results["trailer_cli"] = bench_trailer_cli(
                args.source_minutes, cache, Path(tmp), peer=not args.no_trailer_peer
            )
    print(json.dumps(results, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
