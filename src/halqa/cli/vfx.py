"""`halqa vfx ...`: grading, colour match, keying, titles, subtitles, shots and trailers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from halqa.cli.common import JsonOption, console, err_console, fail, print_json, user_errors
from halqa.cli.studio import ByOption, NoteOption, ProposalArg, StatusOption
from halqa.cli.studio import StudioOption as BookOption

app = typer.Typer(
    help="Visual effects and editing: looks, grades, keys, titles, subtitles, shots, trailers.",
    no_args_is_help=True,
)

Src = Annotated[Path, typer.Argument(help="A still (PNG/JPEG/TIFF) or a clip (MP4/MOV/MKV...).")]
Out = Annotated[Path, typer.Option("--out", "-o", help="File to write.")]
StudioOption = Annotated[
    Path | None,
    typer.Option(
        "--studio",
        help=(
            "Studio folder (proposals, signing certificate); "
            "default $HALQA_STUDIO_DIR or ./halqa-studio."
        ),
        show_default=False,
    ),
]


def attach(root: typer.Typer) -> None:
    root.add_typer(app, name="vfx")


@contextmanager
def progress(description: str, enabled: bool = True) -> Iterator[Callable[[float], None]]:
    """A Rich bar on stderr (so --json output stays clean); yields ``update(fraction)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not enabled,
    ) as bar:
        task = bar.add_task(description, total=1.0)
        yield lambda fraction: bar.update(task, completed=fraction)


def _show(report: dict, as_json: bool, title: str) -> None:
    if as_json:
        print_json(report)
        return
    table = Table(title=title, show_header=False)
    for key, value in report.items():
        if key == "credentials" and isinstance(value, dict):
            value = (
                f"C2PA {', '.join(value['actions'])} ({value['validation_state']}); "
                f"sidecar {value['sidecar']}"
            )
        elif isinstance(value, (list, dict)):
            continue
        table.add_row(key, str(value))
    console.print(table)


@app.command("probe")
@user_errors
def probe_cmd(src: Src, as_json: JsonOption = False) -> None:
    """What ffprobe says about a still or a clip (size, frame rate, duration, audio)."""
    from halqa.studio.vfx.media import probe

    _show(probe(src).as_dict(), as_json, str(src))


@app.command("look")
@user_errors
def look_cmd(
    name: Annotated[str | None, typer.Argument(help="A shipped look; omit to list them.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Copy its .cube here.")] = None,
    intensity: Annotated[
        float, typer.Option("--intensity", help="0..1, mixed with identity.")
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """List the shipped looks, or write one as a .cube (opens in Resolve and Premiere)."""
    from halqa.studio.vfx.looks import LOOKS, look_path
    from halqa.studio.vfx.lut import read_cube, with_intensity, write_cube

    if name is None:
        looks = [
            {"name": n, "cube": str(look_path(n)), "about": (f.__doc__ or "").strip()}
            for n, f in LOOKS.items()
        ]
        if as_json:
            print_json({"looks": looks})
            return
        table = Table("look", "about", "cube")
        for look in looks:
            table.add_row(look["name"], look["about"], look["cube"])
        console.print(table)
        return
    path = look_path(name)
    if out is not None:
        write_cube(with_intensity(read_cube(path), intensity), out)
    _show({"look": name, "cube": str(out or path), "intensity": intensity}, as_json, name)


@app.command("grade")
@user_errors
def grade_cmd(
    src: Src,
    lut: Annotated[str, typer.Option("--lut", help="A shipped look's name or a .cube file.")],
    out: Out,
    intensity: Annotated[float, typer.Option("--intensity", help="0 = none, 1 = full.")] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Grade a still or a clip with a LUT (tetrahedral, OpenColorIO)."""
    from halqa.studio.vfx.grade import grade

    with progress(f"grading {src.name}") as update:
        report = grade(src, lut, out, intensity=intensity, on_progress=update)
    _show(report, as_json, f"graded {src.name}")


@app.command("match")
@user_errors
def match_cmd(
    clip: Src,
    reference: Annotated[Path, typer.Option("--reference", help="The still to match.")],
    out: Annotated[Path, typer.Option("--out", "-o", help=".cube to write.")] = Path("match.cube"),
    strength: Annotated[float, typer.Option("--strength", help="0..1 of the full transfer.")] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Match a clip's colour to a reference still (Oklab statistics) and bake it into a .cube."""
    from halqa.studio.vfx.match import match

    _show(
        match(reference, clip, out, strength=strength), as_json, f"{clip.name} → {reference.name}"
    )


@app.command("key")
@user_errors
def key_cmd(
    src: Src,
    out: Out,
    background: Annotated[
        Path | None, typer.Option("--background", help="Still or clip to put behind.")
    ] = None,
    screen: Annotated[str, typer.Option("--screen", help="green or blue.")] = "green",
    softness: Annotated[float, typer.Option("--softness", help="Edge blur in pixels.")] = 1.0,
    spill: Annotated[float, typer.Option("--spill", help="0..1 spill suppression.")] = 1.0,
    rect: Annotated[
        str | None,
        typer.Option(
            "--rect", help="x,y,w,h around the subject: GrabCut for a still without a screen."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Key a green/blue screen (or GrabCut a still) and composite over a background."""
    from halqa.errors import ConfigError
    from halqa.studio.vfx.key import KeySettings, key

    box = None
    if rect is not None:
        try:
            x, y, w, h = (int(v) for v in rect.split(","))
        except ValueError:  # not four integers
            raise ConfigError(f"--rect {rect!r}: write x,y,w,h in pixels") from None
        box = (x, y, w, h)
    with progress(f"keying {src.name}") as update:
        report = key(
            src,
            out,
            background=background,
            rect=box,
            settings=KeySettings.build("vfx key", screen=screen, softness=softness, spill=spill),
            on_progress=update,
        )
    _show(report, as_json, f"keyed {src.name}")


@app.command("title")
@user_errors
def title_cmd(
    lines: Annotated[list[str], typer.Argument(help="Lines of text (credits: role=names).")],
    out: Out,
    kind: Annotated[str, typer.Option("--kind", help="card, lower-third or credits.")] = "card",
    duration: Annotated[float, typer.Option("--duration", help="Seconds on screen (clips).")] = 4.0,
    fade: Annotated[float, typer.Option("--fade", help="Fade in and out, seconds.")] = 0.5,
    over: Annotated[Path | None, typer.Option("--over", help="Clip to draw it over.")] = None,
    start: Annotated[
        float, typer.Option("--start", help="When it appears over --over, seconds.")
    ] = 0.0,
    size: Annotated[str, typer.Option("--size", help="WxH without --over.")] = "1920x1080",
    as_json: JsonOption = False,
) -> None:
    """Title card, lower third or end credits in Arabic, Tifinagh and Latin, as PNG or MP4."""
    from halqa.errors import ConfigError
    from halqa.studio.vfx.text import Canvas
    from halqa.studio.vfx.titles import make_title

    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--size {size!r}: write WIDTHxHEIGHT, e.g. 1920x1080") from None
    with progress(f"rendering {kind}") as update:
        report = make_title(
            kind,
            lines,
            out,
            duration=duration,
            fade=fade,
            over=over,
            start=start,
            canvas=Canvas.build("vfx title --size", width=width, height=height),
            on_progress=update,
        )
    _show(report, as_json, f"{kind} → {out.name}")


@app.command("subtitle")
@user_errors
def subtitle_cmd(
    src: Annotated[Path, typer.Argument(help="SRT, WebVTT or ASS file.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write as .srt/.vtt/.ass.")
    ] = None,
    second: Annotated[
        Path | None,
        typer.Option(
            "--second", help="A second-language track (French under Darija): written as one ASS."
        ),
    ] = None,
    max_cps: Annotated[
        float | None, typer.Option("--max-cps", help="Override the per-script reading-speed limit.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check a subtitle file's timing (overlaps, duration, reading speed) and convert it."""
    from dataclasses import asdict

    from halqa.studio.vfx.subtitles import check, convert, load

    if out is not None:
        report = convert(src, out, second=second)
    else:
        subs = load(src)
        report = {
            "source": str(src),
            "cues": len(subs),
            "issues": [asdict(i) for i in check(subs, src, max_cps=max_cps)],
        }
    if as_json:
        print_json(report)
    else:
        table = Table(
            "cue", "line", "severity", "issue", title=f"{src.name}: {report['cues']} cues"
        )
        for issue in report["issues"]:
            table.add_row(
                str(issue["cue"]), str(issue["line"] or ""), issue["severity"], issue["message"]
            )
        console.print(
            table if report["issues"] else f"{src.name}: {report['cues']} cues, no timing issues"
        )
    errors = [i for i in report["issues"] if i["severity"] == "error"]
    if errors:
        where = f"{src}:{errors[0]['line']}" if errors[0]["line"] else str(src)
        fail(
            f"{where}: {errors[0]['message']}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )


@app.command("burn")
@user_errors
def burn_cmd(
    video: Src,
    subtitle: Annotated[Path, typer.Argument(help="SRT, WebVTT or ASS file.")],
    out: Out,
    second: Annotated[
        Path | None, typer.Option("--second", help="A second-language track.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Burn subtitles into a clip (libass, Noto fonts, right-to-left where the text is)."""
    from halqa.studio.vfx.subtitles import burn

    with progress(f"burning {subtitle.name}") as update:
        report = burn(video, subtitle, out, second=second, on_progress=update)
    _show(report, as_json, f"burned {subtitle.name}")


@app.command("scenes")
@user_errors
def scenes_cmd(
    src: Src,
    threshold: Annotated[float, typer.Option("--threshold", help="Adaptive threshold.")] = 3.0,
    as_json: JsonOption = False,
) -> None:
    """The shots of a clip with brightness, motion and audio energy."""
    from halqa.studio.vfx.shots import shots

    with progress(f"finding shots in {src.name}") as update:
        info, found = shots(src, threshold=threshold, on_progress=update)
    report = {
        "source": str(src),
        "fps": float(info.fps),
        "frames": info.frames,
        "shots": [s.as_dict() for s in found],
    }
    if as_json:
        print_json(report)
        return
    table = Table(
        "#",
        "start",
        "end",
        "frames",
        "brightness",
        "motion",
        "audio dB",
        title=f"{src.name}: {len(found)} shots",
    )
    for s in found:
        table.add_row(
            str(s.index),
            f"{s.start:.3f}",
            f"{s.end:.3f}",
            str(s.frames),
            f"{s.brightness:.3f}",
            f"{s.motion:.4f}",
            f"{s.audio_db:.1f}",
        )
    console.print(table)


@app.command("trailer")
@user_errors
def trailer_cmd(
    film: Src,
    length: Annotated[float, typer.Option("--length", help="Target seconds.")] = 60.0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="MP4 to write (timelines beside it).")
    ] = None,
    title: Annotated[
        list[str] | None, typer.Option("--title", help="Title card line (repeatable).")
    ] = None,
    music: Annotated[
        Path | None, typer.Option("--music", help="Music bed (ducked under dialogue).")
    ] = None,
    studio: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cut a trailer: MP4 + OpenTimelineIO/FCP XML/EDL, pending a person's acceptance."""
    from halqa.studio.vfx.trailer import trailer

    out = out or film.with_name(f"{film.stem}-trailer.mp4")
    with progress(f"cutting {film.name}") as update:
        report = trailer(
            film,
            out,
            length=length,
            title=title or (),
            music=music,
            studio=studio,
            on_progress=lambda stage, x: update(0.3 * x if stage == "shots" else 0.3 + 0.7 * x),
        )
    if as_json:
        print_json(report)
        return
    _show(report, False, f"trailer of {film.name}")
    console.print(f"timeline: {', '.join(report['timeline'].values())}")
    console.print(
        f"proposal {report['proposal']} is pending: "
        f"[bold]halqa vfx accept {report['proposal']} --by NAME[/]"
    )


@app.command("accept")
@user_errors
def accept_cmd(
    pid: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio: BookOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a proposed cut (the same as `halqa studio accept`)."""
    from halqa.cli.studio import decide_command

    decide_command("vfx", pid, True, by, note, studio, as_json)


@app.command("reject")
@user_errors
def reject_cmd(
    pid: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio: BookOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a proposed cut."""
    from halqa.cli.studio import decide_command

    decide_command("vfx", pid, False, by, note, studio, as_json)


@app.command("proposals")
@user_errors
def proposals_cmd(
    status: StatusOption = None, studio: BookOption = None, as_json: JsonOption = False
) -> None:
    """Proposed cuts and their status (the vfx part of `halqa studio proposals`)."""
    from halqa.cli.studio import list_command

    list_command("vfx", status, studio, as_json)
