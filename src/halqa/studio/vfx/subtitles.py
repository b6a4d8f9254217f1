"""Subtitles: SRT, WebVTT and ASS in and out (pysubs2), two-language tracks, timing checks, burn-in.

Direction. libass (ffmpeg's ``subtitles`` filter) lays out a line with a left-to-right base
unless told otherwise, so a Darija line that ends in Latin — ``واش كاين شي حاجة؟ (Darija)`` —
comes out with its Arabic on the left. halqa writes a right-to-left mark (U+200F) at the start of
each Arabic line in SRT and WebVTT, and ``Encoding=-1`` (libass: base direction from the text) on
every ASS style; reading strips the marks it wrote, so text round-trips byte for byte.

Reading speed is in characters per second (spaces included, tags and line breaks not), with a
limit per script: Latin 17 cps (the usual adult figure for French, e.g. Netflix, Amara), Arabic
15 cps (joined letters with unwritten vowels carry more per character), Tifinagh 12 cps (a script
most viewers read less often). These are halqa's defaults, overridable with ``--max-cps``.
"""

from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from halqa.errors import ConfigError, DataError
from halqa.studio.vfx.media import probe, run_ffmpeg
from halqa.studio.vfx.stamp import action, stamp
from halqa.studio.vfx.text import FONT_FAMILIES, script_of

if TYPE_CHECKING:
    from halqa.studio.common import ContentSigner

RLM = "\u200f"
FORMATS = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ssa"}
MAX_CPS = {"latin": 17.0, "arabic": 15.0, "tifinagh": 12.0}
MIN_DURATION = 0.833  # seconds: 20 frames at 24 fps, a common broadcast minimum
MAX_LINE = 42  # characters per line (Netflix, Amara)
_TAGS = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Issue:
    cue: int  # 1-based, in file order
    line: int | None  # line of the cue's timing in the file, when known
    kind: str  # overlap | too-short | too-fast | too-long-line
    severity: str  # error | warning
    message: str


def _format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise DataError(f"{path}: unknown subtitle format (use {', '.join(FORMATS)})") from None


def load(path: Path):
    """A pysubs2 ``SSAFile``; the RLMs halqa writes for direction are removed again."""
    import pysubs2
    from pysubs2.exceptions import Pysubs2Error

    path = Path(path)
    fmt = _format_of(path)
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", format_=fmt)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except (Pysubs2Error, ValueError, KeyError, IndexError) as exc:  # malformed cues or headers
        raise DataError(f"{path}: not a readable {fmt.upper()} file ({exc})") from None
    for event in subs:
        event.text = event.text.replace("\\N" + RLM, "\\N").removeprefix(RLM)
    if not len(subs):
        raise DataError(f"{path}: no subtitle cues found")
    return subs


def plain(text: str) -> str:
    return _TAGS.sub("", text).replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")


def timing_lines(path: Path) -> list[int]:
    """The file line of each cue's timing (``-->`` or ``Dialogue:``), in order,
    for error messages."""
    marker = "Dialogue:" if _format_of(path) in ("ass", "ssa") else "-->"
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    return [
        n
        for n, line in enumerate(lines, 1)
        if marker in line and (marker == "-->" or line.startswith(marker))
    ]


def check(
    subs,
    path: Path | None = None,
    *,
    max_cps: float | None = None,
    min_duration: float = MIN_DURATION,
    max_line: int = MAX_LINE,
) -> list[Issue]:
    """Overlaps within a style (one track), too-short cues, too-fast reading, too-long lines."""
    where = timing_lines(path) if path else []
    issues: list[Issue] = []
    last_by_style: dict[str, tuple[int, int]] = {}
    for i, event in enumerate(subs):
        if event.is_comment:
            continue
        cue, line = i + 1, where[i] if i < len(where) else None
        text = plain(event.text)
        seconds = (event.end - event.start) / 1000
        previous = last_by_style.get(event.style)
        if previous and event.start < previous[1]:
            issues.append(
                Issue(
                    cue,
                    line,
                    "overlap",
                    "error",
                    f"cue {cue} starts at {_clock(event.start)} before cue {previous[0]} ends "
                    f"({_clock(previous[1])})",
                )
            )
        last_by_style[event.style] = (cue, max(event.end, previous[1] if previous else 0))
        if seconds <= 0:
            issues.append(
                Issue(cue, line, "too-short", "error", f"cue {cue} ends before it starts")
            )
            continue
        if seconds < min_duration:
            issues.append(
                Issue(
                    cue,
                    line,
                    "too-short",
                    "warning",
                    f"cue {cue} lasts {seconds:.2f} s (< {min_duration} s)",
                )
            )
        script = script_of(text)
        limit = max_cps or MAX_CPS[script]
        cps = len(text.replace("\n", "")) / seconds
        if cps > limit:
            issues.append(
                Issue(
                    cue,
                    line,
                    "too-fast",
                    "warning",
                    f"cue {cue} needs {cps:.1f} characters/s ({script} limit {limit:g})",
                )
            )
        longest = max((len(x) for x in text.split("\n")), default=0)
        if longest > max_line:
            issues.append(
                Issue(
                    cue,
                    line,
                    "too-long-line",
                    "warning",
                    f"cue {cue} has a {longest}-character line (> {max_line})",
                )
            )
    return issues


def require_no_errors(subs, path: Path) -> None:
    """One line naming the file and line of the first error (an overlap, a negative duration)."""
    errors = [i for i in check(subs, path) if i.severity == "error"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DataError(
            f"{path}:{first.line}: {first.message}{more}"
            if first.line
            else f"{path}: {first.message}{more}"
        )


def _clock(ms: int) -> str:
    s, ms = divmod(int(ms), 1000)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{ms:03d}"


def style_for_direction(subs) -> None:
    """Every style gets libass's automatic base direction; Arabic-led styles an Arabic face."""
    for name, style in subs.styles.items():
        style.encoding = -1
        texts = [plain(e.text) for e in subs if e.style == name]
        if texts and sum(script_of(t) == "arabic" for t in texts) > len(texts) / 2:
            style.fontname = FONT_FAMILIES["arabic"]
        elif style.fontname in ("Arial", ""):
            style.fontname = FONT_FAMILIES["latin"]


def save(subs, path: Path) -> Path:
    """Write SRT/VTT (with an RLM leading each Arabic line) or ASS (with ``Encoding=-1``)."""
    path = Path(path)
    fmt = _format_of(path)
    out = copy.deepcopy(subs)  # the caller's cues keep their text (no marks added)
    if fmt in ("srt", "vtt"):
        for event in out:
            event.text = "\\N".join(
                RLM + ln if script_of(plain(ln)) == "arabic" else ln
                for ln in event.text.split("\\N")
            )
    else:
        style_for_direction(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(path), encoding="utf-8", format_=fmt)
    return path


def bilingual(first, second, *, first_name: str = "Darija", second_name: str = "French"):
    """One ASS file with two tracks (styles): ``first`` above ``second`` at the bottom of the
    frame."""
    import pysubs2

    merged = pysubs2.SSAFile()
    merged.info["PlayResX"], merged.info["PlayResY"] = "1920", "1080"
    for name, track, margin, size in ((first_name, first, 130, 58), (second_name, second, 50, 48)):
        style = pysubs2.SSAStyle(
            fontsize=size,
            marginv=margin,
            alignment=pysubs2.Alignment.BOTTOM_CENTER,
            outline=2.5,
            shadow=0.5,
            encoding=-1,
            fontname=FONT_FAMILIES[
                "arabic" if any(script_of(plain(e.text)) == "arabic" for e in track) else "latin"
            ],
        )
        merged.styles[name] = style
        for event in track:
            cue = event.copy()
            cue.style = name
            merged.append(cue)
    merged.sort()
    return merged


def convert(src: Path, dst: Path, *, second: Path | None = None) -> dict:
    """Read ``src`` (and a second-language ``second``), check it, write ``dst`` in its format."""
    subs = load(src)
    require_no_errors(subs, src)
    if second is not None:
        other = load(second)
        require_no_errors(other, second)
        subs = bilingual(subs, other)
    save(subs, dst)
    issues = check(subs)
    return {
        "source": str(src),
        "second": str(second) if second else None,
        "output": str(dst),
        "cues": len(subs),
        "issues": [asdict(i) for i in issues],
    }


def burn(
    video: Path,
    subtitle: Path,
    out: Path,
    *,
    second: Path | None = None,
    on_progress: Callable[[float], None] | None = None,
    signer: ContentSigner | None = None,
) -> dict:
    """Burn subtitles into a clip through ffmpeg/libass with Noto fonts and the right direction."""
    video, subtitle, out = Path(video), Path(subtitle), Path(out)
    info = probe(video)
    if info.is_still:
        raise ConfigError(f"{video}: burn subtitles into a clip, not a still")
    subs = load(subtitle)
    require_no_errors(subs, subtitle)
    if second is not None:
        other = load(second)
        require_no_errors(other, second)
        subs = bilingual(subs, other)
    with tempfile.TemporaryDirectory(prefix="halqa-burn-") as tmp:
        ass = save(
            subs, Path(tmp) / "subs.ass"
        )  # a plain path: no escaping inside the filter graph
        audio = ["-c:a", "copy"] if info.has_audio else []
        run_ffmpeg(
            [
                "-i",
                str(video),
                "-vf",
                f"subtitles=filename={ass}",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "18",
                "-pix_fmt",
                "yuv420p",
                *audio,
                str(out),
            ],
            total_seconds=info.duration,
            on_progress=on_progress,
            what=f"burning {subtitle.name}",
        )
    inputs = [subtitle] + ([second] if second else [])
    credentials = stamp(
        out,
        tool="vfx.burn",
        parameters={"subtitles": [p.name for p in inputs]},
        actions=[
            action("c2pa.edited", "subtitles burned in: " + ", ".join(p.name for p in inputs))
        ],
        parents=[video],
        references=inputs,
        signer=signer,
        human=True,
    )
    return {
        "video": str(video),
        "subtitles": [str(p) for p in inputs],
        "output": str(out),
        "cues": len(subs),
        "credentials": credentials,
    }
