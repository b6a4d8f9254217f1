"""Pixels in and out: stills through OpenCV (8- and 16-bit), clips frame by frame through PyAV.

Grading and keying a clip share ``map_video``: decode, change each RGB frame in numpy,
encode H.264 (yuv420p, what every editor and browser plays), copy the audio packets untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from halqa.errors import DataError
from halqa.studio.vfx.media import IMAGE_SUFFIXES, probe

if TYPE_CHECKING:
    from halqa.studio.common import ContentSigner

EIGHT_BIT_ONLY = {".jpg", ".jpeg", ".bmp", ".webp"}  # 16-bit and alpha need PNG or TIFF
FrameFn = Callable[[np.ndarray], np.ndarray]  # uint8 RGB (H, W, 3) -> uint8 RGB (H, W, 3)


def is_image(path: Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def read_image(path: Path) -> tuple[np.ndarray, int]:
    """(RGB float64 in 0..1, bits per channel 8 or 16); DataError naming the file otherwise."""
    import cv2

    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED | cv2.IMREAD_ANYDEPTH | cv2.IMREAD_COLOR)
    if data is None:
        raise DataError(f"{path}: not a readable image (PNG, JPEG, TIFF, BMP or WebP)")
    if data.ndim == 2:
        data = np.repeat(data[..., None], 3, axis=2)
    bits = 16 if data.dtype == np.uint16 else 8
    rgb = data[..., 2::-1] if data.shape[2] >= 3 else data
    return rgb.astype(np.float64) / (65535.0 if bits == 16 else 255.0), bits


def to_uint(rgb: np.ndarray, bits: int) -> np.ndarray:
    top = 65535.0 if bits == 16 else 255.0
    return (np.clip(rgb, 0.0, 1.0) * top + 0.5).astype(np.uint16 if bits == 16 else np.uint8)


def write_image(
    path: Path, rgb: np.ndarray, bits: int = 8, alpha: np.ndarray | None = None
) -> Path:
    """Write RGB (float 0..1, or uint8/uint16 as is) with an optional alpha to PNG/JPEG/TIFF."""
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in EIGHT_BIT_ONLY:
        if alpha is not None:
            raise DataError(
                f"{path}: {path.suffix} has no alpha channel; write the matte to .png or .tiff"
            )
        bits = 8
        if rgb.dtype == np.uint16:
            rgb = rgb / 65535.0
    pixels = rgb if rgb.dtype in (np.uint8, np.uint16) else to_uint(rgb, bits)
    bgr = pixels[..., ::-1]
    if alpha is not None:
        a = (
            alpha
            if alpha.dtype == pixels.dtype
            else to_uint(alpha, 16 if pixels.dtype == np.uint16 else 8)
        )
        bgr = np.concatenate([bgr, a[..., None]], axis=2)
    if not cv2.imwrite(str(path), np.ascontiguousarray(bgr)):
        raise DataError(f"{path}: cannot write an image with this extension")
    return path


def map_video(
    src: Path,
    dst: Path,
    fn: FrameFn,
    *,
    on_progress: Callable[[float], None] | None = None,
    crf: int = 18,
) -> Path:
    """Apply ``fn`` to every frame of ``src`` and write ``dst`` (H.264 + the source's audio,
    copied)."""
    import av

    info = probe(src)
    if info.is_still:
        raise DataError(f"{src}: a still image, not a clip")
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(src)) as source, av.open(str(dst), "w") as target:
        vin = source.streams.video[0]
        vin.thread_type = "AUTO"
        rate = vin.average_rate or Fraction(25)
        vout = target.add_stream("libx264", rate=rate)
        vout.width, vout.height = (info.width // 2) * 2, (info.height // 2) * 2
        vout.pix_fmt = "yuv420p"
        vout.options = {"crf": str(crf), "preset": "veryfast"}
        vout.thread_type = (
            "FRAME"  # x264's frame threads, as the ffmpeg CLI uses (PyAV's default is slices)
        )
        audio_in = source.streams.audio[0] if source.streams.audio else None
        audio_out = target.add_stream_from_template(audio_in) if audio_in is not None else None
        streams = [vin] + ([audio_in] if audio_in is not None else [])
        done = 0
        for item in _prefetched(source, streams, audio_in, (vout.height, vout.width)):
            if item[0] == "audio":
                item[1].stream = audio_out
                target.mux(item[1])
                continue
            _, rgb, pts, time_base = item
            out = av.VideoFrame.from_ndarray(np.ascontiguousarray(fn(rgb)), format="rgb24")
            out.pts, out.time_base = pts, time_base
            target.mux(vout.encode(out))
            done += 1
            if on_progress and info.frames:
                on_progress(min(1.0, done / info.frames))
        target.mux(vout.encode(None))
    if on_progress:
        on_progress(1.0)
    return dst


def _prefetched(source, streams, audio_in, size: tuple[int, int], depth: int = 4):
    """Demux and decode on a second thread (PyAV drops the GIL while it decodes and converts), so
    decoding the next frames overlaps grading and encoding this one; yields ("audio", packet) and
    ("video", rgb, pts, time_base) in the container's order."""
    import queue
    import threading

    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    height, width = size

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for packet in source.demux(streams):
                if packet.stream is audio_in:
                    if packet.dts is not None and not put(("audio", packet)):
                        return
                    continue
                for frame in packet.decode():
                    rgb = frame.to_ndarray(format="rgb24")[:height, :width]
                    if not put(("video", rgb, frame.pts, frame.time_base)):
                        return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put(("error", exc))
        finally:
            put(None)

    thread = threading.Thread(target=work, name="halqa-decode", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not None:
            if item[0] == "error":
                raise item[1]
            yield item
    finally:
        stop.set()
        thread.join()


def still_of(
    src: Path, dst: Path, *, at: float | None = None, signer: ContentSigner | None = None
) -> dict:
    """One frame of a clip as a PNG (the middle one by default): what looks are compared on.

    A still given as ``src`` is returned as it is (nothing written)."""
    from halqa.studio.vfx.media import run_ffmpeg
    from halqa.studio.vfx.stamp import action, stamp

    src, dst = Path(src), Path(dst)
    info = probe(src)
    if info.is_still:
        return {"source": str(src), "output": str(src), "at": None, "credentials": None}
    moment = info.duration / 2 if at is None else at
    if not 0 <= moment < info.duration:
        raise DataError(
            f"a frame at {moment:g} s is outside {src.name} (0 to {info.duration:.3f} s)"
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-ss", f"{moment:.6f}", "-i", str(src), "-map", "0:v:0", "-frames:v", "1", str(dst)],
        what=f"frame of {src.name}",
    )
    credentials = stamp(
        dst,
        tool="vfx.frame",
        parameters={"at": round(moment, 6)},
        actions=[
            action("c2pa.converted", f"frame at {moment:.3f} s of {src.name}", at=round(moment, 6))
        ],
        parents=[src],
        signer=signer,
    )
    return {
        "source": str(src),
        "output": str(dst),
        "at": round(moment, 6),
        "credentials": credentials,
    }
