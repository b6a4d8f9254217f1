"""Green- and blue-screen keying: a colour-difference matte, spill suppression, soft edges,
compositing.

The matte is the classic colour-difference key: how much the screen channel exceeds the
larger of the other two, relative to the screen colour itself. It is robust to uneven lighting
(a darker patch of green screen still has green well above red and blue). Without a screen,
``grabcut_matte`` separates a still's subject from its background (OpenCV GrabCut): no
segmentation model ships inside an installable wheel here (mediapipe's wheel has none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from halqa.config import Config
from halqa.errors import ConfigError, DataError
from halqa.studio.vfx.frames import is_image, map_video, read_image, write_image
from halqa.studio.vfx.stamp import action, stamp

if TYPE_CHECKING:
    from halqa.studio.common import ContentSigner

SCREENS = {"green": 1, "blue": 2}


class KeySettings(Config):
    """How a screen is keyed; build it with ``KeySettings.build("vfx key", ...)``
    for one-line errors."""

    screen: Literal["green", "blue"] = "green"  # the keys of SCREENS
    # below this fraction of the screen's colour difference: fully foreground
    low: float = Field(default=0.25, ge=0.0)
    high: float = Field(default=0.55, le=1.5)  # above it: fully background
    softness: float = Field(default=1.0, ge=0.0)  # Gaussian blur of the matte, pixels (0 = hard)
    spill: float = Field(default=1.0, ge=0.0, le=1.0)  # 0 = leave the spill, 1 = remove it fully

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float, info: ValidationInfo) -> float:
        # a rule between two fields, which no field constraint can say; low is validated first
        low = info.data.get("low")
        if low is not None and high <= low:
            raise ValueError(f"greater than low ({low:g})")
        return high


DEFAULT_KEY = KeySettings()  # frozen, so one shared default is safe


def _difference(rgb: np.ndarray, channel: int) -> np.ndarray:
    others = [c for c in range(3) if c != channel]
    return rgb[..., channel] - np.maximum(rgb[..., others[0]], rgb[..., others[1]])


def screen_strength(rgb: np.ndarray, channel: int) -> float:
    """The screen's colour difference, from the image border (where the screen almost always is)."""
    border = np.concatenate(
        [
            rgb[:4].reshape(-1, 3),
            rgb[-4:].reshape(-1, 3),
            rgb[:, :4].reshape(-1, 3),
            rgb[:, -4:].reshape(-1, 3),
        ]
    )
    strength = float(np.median(_difference(border, channel)))
    if strength <= 0.05:
        raise DataError(
            "the image border is not a green/blue screen (its colour difference is "
            f"{strength:.3f}); pick the other --screen, or use --grabcut for a still"
        )
    return strength


def matte(rgb: np.ndarray, settings: KeySettings, strength: float | None = None) -> np.ndarray:
    """Alpha (H, W) float32: 1 = foreground, 0 = screen."""
    import cv2

    channel = SCREENS[settings.screen]
    strength = strength or screen_strength(rgb, channel)
    d = _difference(rgb, channel) / strength
    t = np.clip((d - settings.low) / (settings.high - settings.low), 0.0, 1.0)
    alpha: np.ndarray = 1.0 - t * t * (3.0 - 2.0 * t)  # smoothstep: no hard step inside the ramp
    if settings.softness > 0:
        alpha = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), settings.softness)
    return alpha.astype(np.float32)


def suppress_spill(rgb: np.ndarray, settings: KeySettings) -> np.ndarray:
    """Limit the screen channel to the larger of the other two
    (removes the green/blue cast on edges)."""
    channel = SCREENS[settings.screen]
    others = [c for c in range(3) if c != channel]
    limit = np.maximum(rgb[..., others[0]], rgb[..., others[1]])
    out = rgb.copy()
    excess = np.maximum(rgb[..., channel] - limit, 0.0)
    out[..., channel] = rgb[..., channel] - settings.spill * excess
    return out


def composite(fg: np.ndarray, alpha: np.ndarray, bg: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    return fg * a + fit(bg, fg.shape[:2]) * (1.0 - a)


def fit(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Scale-to-cover and centre-crop ``image`` to ``shape`` (H, W)."""
    import cv2

    h, w = shape
    if image.shape[:2] == (h, w):
        return image
    scale = max(h / image.shape[0], w / image.shape[1])
    resized = cv2.resize(
        image,
        (max(w, round(image.shape[1] * scale)), max(h, round(image.shape[0] * scale))),
        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
    )
    top, left = (resized.shape[0] - h) // 2, (resized.shape[1] - w) // 2
    return resized[top : top + h, left : left + w]


def key_frame(
    rgb: np.ndarray, settings: KeySettings, bg: np.ndarray | None, strength: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(despilled foreground or composite, alpha) for one float RGB frame."""
    alpha = matte(rgb, settings, strength)
    fg = suppress_spill(rgb, settings)
    return (composite(fg, alpha, bg) if bg is not None else fg), alpha


def grabcut_matte(
    rgb: np.ndarray, rect: tuple[int, int, int, int], iterations: int = 5
) -> np.ndarray:
    """Foreground alpha of a still without a screen: OpenCV GrabCut seeded by a box (x, y, w, h)."""
    import cv2

    x, y, w, h = rect
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > rgb.shape[1] or y + h > rgb.shape[0]:
        raise ConfigError(
            f"--rect {x},{y},{w},{h} is not inside the {rgb.shape[1]}x{rgb.shape[0]} image"
        )
    image = (np.clip(rgb, 0, 1) * 255).astype(np.uint8)[..., ::-1].copy()
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.grabCut(
        image,
        mask,
        rect,
        np.zeros((1, 65), np.float64),
        np.zeros((1, 65), np.float64),
        iterations,
        cv2.GC_INIT_WITH_RECT,
    )
    return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)


def _background_frames(background: Path | None) -> Iterator[np.ndarray | None]:
    """Endless background frames (float RGB): a still repeated or a clip looped."""
    if background is None:
        while True:
            yield None
    if is_image(background):
        still = read_image(background)[0]
        while True:
            yield still
    import av

    while True:
        with av.open(str(background)) as container:
            for frame in container.decode(video=0):
                yield frame.to_ndarray(format="rgb24") / 255.0


def key(
    src: Path,
    dst: Path,
    *,
    background: Path | None = None,
    settings: KeySettings = DEFAULT_KEY,
    rect: tuple[int, int, int, int] | None = None,
    on_progress: Callable[[float], None] | None = None,
    signer: ContentSigner | None = None,
) -> dict:
    """Key ``src`` (still or clip) over ``background`` (still or clip) or to a PNG with alpha."""
    src, dst = Path(src), Path(dst)
    backgrounds = _background_frames(Path(background) if background else None)
    if is_image(src):
        rgb, bits = read_image(src)
        if rect is not None:
            alpha, fg = grabcut_matte(rgb, rect), rgb
            bg = next(backgrounds)  # None exactly when no background was given
            out = composite(fg, alpha, bg) if bg is not None else fg
        else:
            out, alpha = key_frame(rgb, settings, next(backgrounds))
        write_image(dst, out, bits, alpha=None if background else alpha)
        coverage = float(alpha.mean())
    else:
        if rect is not None:
            raise ConfigError(
                "--rect (GrabCut) is for stills; key a clip against a green or blue screen"
            )
        if background is None:
            raise ConfigError(
                f"{src}: a clip needs --background (a still or a clip) to composite over"
            )
        strength: list[float] = []
        coverages: list[float] = []

        def per_frame(frame: np.ndarray) -> np.ndarray:
            rgb = frame / 255.0
            if not strength:  # measured once: a screen's colour does not change between frames
                strength.append(screen_strength(rgb, SCREENS[settings.screen]))
            out, alpha = key_frame(rgb, settings, next(backgrounds), strength[0])
            coverages.append(float(alpha.mean()))
            return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)

        map_video(src, dst, per_frame, on_progress=on_progress)
        coverage = float(np.mean(coverages)) if coverages else 0.0
    method = "grabcut" if rect else f"{settings.screen}-screen"
    credentials = stamp(
        dst,
        tool="vfx.key",
        parameters={
            "method": method,
            "low": settings.low,
            "high": settings.high,
            "softness": settings.softness,
        },
        actions=[
            action(
                "c2pa.edited",
                f"keyed ({method})" + (f" over {Path(background).name}" if background else ""),
                method=method,
            )
        ],
        parents=[src],
        components=[Path(background)] if background else [],
        signer=signer,
        human=True,
    )
    return {
        "source": str(src),
        "output": str(dst),
        "background": str(background) if background else None,
        "method": method,
        "foreground_fraction": round(coverage, 4),
        "credentials": credentials,
    }
