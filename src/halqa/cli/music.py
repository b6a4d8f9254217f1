"""`halqa music ...`: compose, continue, accompany,
render and analyse music in Moroccan modes and rhythms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from halqa.cli.common import JsonOption, console, err_console, print_json, user_errors
from halqa.cli.studio import ByOption, NoteOption, ProposalArg, StatusOption, StudioOption

app = typer.Typer(
    help="Composition assistant: chaabi, gnawa, Andalusi, ahidous, rai, trap and maqam "
    "with real quarter tones; MIDI, MusicXML, WAV and stems with provenance.",
    no_args_is_help=True,
)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder for the files (default: $HALQA_STUDIO_DIR/music/NAME).",
        show_default=False,
    ),
]
NameOption = Annotated[
    str | None, typer.Option("--name", help="Base name of the files.", show_default=False)
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed: the same seed gives the same piece.")
]
RateOption = Annotated[int, typer.Option("--sample-rate", help="Audio sample rate in Hz.")]
StemsOption = Annotated[
    bool, typer.Option("--stems/--no-stems", help="Also write one WAV per track.")
]
AudioOption = Annotated[
    bool, typer.Option("--audio/--no-audio", help="Render WAV with FluidSynth.")
]
Mp3Option = Annotated[bool, typer.Option("--mp3", help="Also write MP3 (needs ffmpeg).")]
OggOption = Annotated[bool, typer.Option("--ogg", help="Also write OGG Vorbis (needs ffmpeg).")]
ModeOption = Annotated[
    str | None,
    typer.Option(
        "--mode", help="Mode, maqam or tab' (see `halqa music styles`).", show_default=False
    ),
]
RhythmOption = Annotated[
    str | None,
    typer.Option(
        "--rhythm",
        help="Rhythm or mizan (basit, qaim_wa_nisf, btayhi, darj, quddam, chaabi, ...).",
        show_default=False,
    ),
]


def attach(root: typer.Typer) -> None:
    root.add_typer(app, name="music")


@contextmanager
def _progress(label: str) -> Iterator:
    """A spinner on stderr that appears with the first step, so input errors stay one line."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = None

    def step(name: str) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(label, total=None)
        bar.update(task, description=f"{label}: {name}")

    try:
        yield step
    finally:
        if task is not None:
            bar.stop()


def _formats(mp3: bool, ogg: bool) -> tuple[str, ...]:
    return tuple(f for f, on in (("mp3", mp3), ("ogg", ogg)) if on)


def _report(result: dict, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    piece = result["piece"]
    console.print(
        f"[bold]{result['name']}[/]: {piece['style']} in {piece['mode']}, {piece['bars']} bars, "
        f"{piece['tempo']:g} BPM, {piece['seconds']} s -> {result['out']}",
        highlight=False,
    )
    for kind, path in result["files"].items():
        if isinstance(path, dict):
            console.print(f"  stems: {', '.join(path)}")
        else:
            console.print(f"  {kind}: {path}", highlight=False)
    if result.get("loudness_lufs") is not None:
        console.print(f"  loudness: {result['loudness_lufs']} LUFS integrated")
    if result.get("proposal"):
        console.print(
            f"  proposal {result['proposal']['id']} is {result['proposal']['status']}: "
            f"`halqa music accept {result['proposal']['id']} --by NAME` keeps it"
        )


@app.command("styles")
@user_errors
def styles_cmd(as_json: JsonOption = False) -> None:
    """Styles, modes (cents, ajnas, cadences) and rhythms,
    each with its source or marked as our assumption."""
    from halqa.studio.music.api import catalogue

    data = catalogue()
    if as_json:
        print_json(data)
        return
    table = Table("style", "mode", "rhythm", "instruments")
    for name, s in data["styles"].items():
        table.add_row(name, s["mode"], s["rhythm"], ", ".join(p["instrument"] for p in s["parts"]))
    console.print(table)
    modes = Table("mode", "family", "cents (ascending)", "assumption")
    for name, m in data["modes"].items():
        modes.add_row(
            name, m["family"], " ".join(f"{c:g}" for c in m["cents_up"]), m["assumption"] or ""
        )
    console.print(modes)
    console.print(
        "rhythms: " + ", ".join(f"{n} ({r['meter']})" for n, r in data["rhythms"].items())
    )


@app.command("compose")
@user_errors
def compose_cmd(
    style: Annotated[
        str,
        typer.Option(
            "--style",
            help="chaabi, gnawa, andalusi, ahidous, rai, trap, "
            "maqam, or a maqam's name (rast, bayati, sikah, hijaz...).",
        ),
    ] = "chaabi",
    mode: ModeOption = None,
    rhythm: RhythmOption = None,
    bars: Annotated[int | None, typer.Option("--bars", help="Length in bars.")] = 16,
    seconds: Annotated[
        float | None,
        typer.Option(
            "--seconds", help="Length in seconds (instead of --bars).", show_default=False
        ),
    ] = None,
    tempo: Annotated[
        float | None,
        typer.Option(
            "--tempo", help="Quarter notes per minute (default: the rhythm's).", show_default=False
        ),
    ] = None,
    tonic: Annotated[
        str | None,
        typer.Option(
            "--tonic", help="Tonic with octave: C4, D4, E`4 (half-flat)...", show_default=False
        ),
    ] = None,
    seed: SeedOption = 0,
    tuning: Annotated[
        str,
        typer.Option(
            "--tuning",
            help="How quarter tones reach the MIDI: bend "
            "(per-channel pitch bend, portable) or mts (MIDI Tuning "
            "Standard single-note SysEx), optionally :GAMUT; a gamut "
            "alone (a 24-tone Scala file of music21's archive, or "
            "24-tet) keeps bend.",
        ),
    ] = "bend:collangettes.scl",
    train: Annotated[
        list[Path] | None,
        typer.Option("--train", help="Train the melody model on these MIDI files (repeatable)."),
    ] = None,
    from_brief: Annotated[
        Path | None,
        typer.Option(
            "--from-brief",
            help=(
                "Take the style from the rising genre of a brief or `halqa insights trends --json`."
            ),
            show_default=False,
        ),
    ] = None,
    out: OutOption = None,
    name: NameOption = None,
    sample_rate: RateOption = 44100,
    audio: AudioOption = True,
    stems: StemsOption = True,
    mp3: Mp3Option = False,
    ogg: OggOption = False,
    as_json: JsonOption = False,
) -> None:
    """Compose a piece: MIDI, MusicXML, WAV and stems, with provenance, as a pending proposal."""
    from halqa.studio.music.api import compose_files

    with _progress("composing") as step:
        result = compose_files(
            style,
            mode=mode,
            rhythm=rhythm,
            bars=bars,
            seconds=seconds,
            tempo=tempo,
            tonic=tonic,
            seed=seed,
            tuning=tuning,
            train=train or (),
            brief=from_brief,
            out=out,
            name=name,
            sample_rate=sample_rate,
            audio=audio,
            stems=stems,
            formats=_formats(mp3, ogg),
            progress=step,
        )
    _report(result, as_json)


@app.command("continue")
@user_errors
def continue_cmd(
    motif: Annotated[Path, typer.Argument(help="A MIDI file with the motif.")],
    bars: Annotated[int, typer.Option("--bars", help="Bars to add after the motif.")] = 4,
    seed: SeedOption = 0,
    out: OutOption = None,
    name: NameOption = None,
    sample_rate: RateOption = 44100,
    audio: AudioOption = True,
    stems: StemsOption = True,
    mp3: Mp3Option = False,
    ogg: OggOption = False,
    as_json: JsonOption = False,
) -> None:
    """Continue a motif in its detected mode, starting where it ends."""
    from halqa.studio.music.api import continue_files

    with _progress("continuing") as step:
        result = continue_files(
            motif,
            bars=bars,
            seed=seed,
            out=out,
            name=name,
            sample_rate=sample_rate,
            audio=audio,
            stems=stems,
            formats=_formats(mp3, ogg),
            progress=step,
        )
    if not as_json:
        d = result["detected"]
        console.print(f"detected {d['mode']} on {d['tonic_name']} (confidence {d['confidence']})")
    _report(result, as_json)


@app.command("accompany")
@user_errors
def accompany_cmd(
    melody: Annotated[Path, typer.Argument(help="A MIDI file with the melody.")],
    style: Annotated[str, typer.Option("--style", help="Style of the accompaniment.")] = "chaabi",
    mode: ModeOption = None,
    rhythm: RhythmOption = None,
    seed: SeedOption = 0,
    out: OutOption = None,
    name: NameOption = None,
    sample_rate: RateOption = 44100,
    audio: AudioOption = True,
    stems: StemsOption = True,
    mp3: Mp3Option = False,
    ogg: OggOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add the style's bass, drone, harmony and percussion under a melody."""
    from halqa.studio.music.api import accompany_files

    with _progress("accompanying") as step:
        result = accompany_files(
            melody,
            style,
            mode=mode,
            rhythm=rhythm,
            seed=seed,
            out=out,
            name=name,
            sample_rate=sample_rate,
            audio=audio,
            stems=stems,
            formats=_formats(mp3, ogg),
            progress=step,
        )
    _report(result, as_json)


@app.command("render")
@user_errors
def render_cmd(
    midi: Annotated[Path, typer.Argument(help="A MIDI file.")],
    out: OutOption = None,
    name: NameOption = None,
    sample_rate: RateOption = 44100,
    stems: StemsOption = True,
    mp3: Mp3Option = False,
    ogg: OggOption = False,
    as_json: JsonOption = False,
) -> None:
    """Render any MIDI file to a -14 LUFS WAV (and stems) with FluidSynth, with provenance."""
    from halqa.studio.music.api import render_files

    with _progress("rendering") as step:
        result = render_files(
            midi,
            out=out,
            name=name,
            sample_rate=sample_rate,
            stems=stems,
            formats=_formats(mp3, ogg),
            progress=step,
        )
    _report(result, as_json)


@app.command("analyse")
@user_errors
def analyse_cmd(
    file: Annotated[Path, typer.Argument(help="A MIDI or WAV file.")],
    style: Annotated[
        str | None,
        typer.Option(
            "--style", help="Compare onsets with this style's rhythm.", show_default=False
        ),
    ] = None,
    rhythm: RhythmOption = None,
    mode: ModeOption = None,
    pitch: Annotated[
        str,
        typer.Option(
            "--pitch",
            help="Audio: follow the melody of a full mix "
            "(melody, harmonic salience) or a single line (yin).",
        ),
    ] = "melody",
    as_json: JsonOption = False,
) -> None:
    """Mode or maqam with confidence, pitch histogram, out-of-mode share, rhythm agreement, tempo;
    for audio (a full mix or a stem) the measured cents of sustained notes from 12-TET."""
    from halqa.studio.music.analysis import analyse_file
    from halqa.studio.music.rhythms import get_rhythm
    from halqa.studio.music.styles import resolve_style
    from halqa.studio.music.theory import get_mode

    pattern = (
        get_rhythm(rhythm) if rhythm else resolve_style(style)[0].get_rhythm() if style else None
    )
    report = analyse_file(
        file, rhythm=pattern, mode=get_mode(mode) if mode else None, tracker=pitch
    )
    if as_json:
        print_json(report)
        return
    m = report["mode"]
    console.print(
        f"[bold]{file}[/]: {m['mode']} on {m['tonic_name']} (confidence {m['confidence']}); "
        f"tempo {report['tempo']}; out of mode {report['mode_used']['out_of_mode']:.1%}",
        highlight=False,
    )
    console.print(
        "pitch classes: "
        + ", ".join(f"{k} {v:.0%}" for k, v in report["pitch_class_histogram"].items())
    )
    if "metrics" in report:
        console.print("metrics: " + ", ".join(f"{k} {v}" for k, v in report["metrics"].items()))
    if report.get("rhythm"):
        console.print(
            f"onsets on the {report['rhythm']['pattern']} pattern: melody "
            f"{report['rhythm']['melody_onsets']:.0%}, percussion "
            f"{report['rhythm']['percussion_onsets']}"
        )
    if "degrees_cents_from_12tet" in report:
        console.print(
            "degree: cents from 12-TET (median of sustained notes): "
            + ", ".join(
                f"{d}: {v['median_cents']:+g}"
                for d, v in report["degrees_cents_from_12tet"].items()
            )
        )


@app.command("accept")
@user_errors
def accept_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a generated piece (the same as `halqa studio accept`)."""
    from halqa.cli.studio import decide_command

    decide_command("music", proposal, True, by, note, studio_dir, as_json)


@app.command("reject")
@user_errors
def reject_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a generated piece."""
    from halqa.cli.studio import decide_command

    decide_command("music", proposal, False, by, note, studio_dir, as_json)


@app.command("proposals")
@user_errors
def proposals_cmd(
    status: StatusOption = None, studio_dir: StudioOption = None, as_json: JsonOption = False
) -> None:
    """Generated pieces and their status (the music part of `halqa studio proposals`)."""
    from halqa.cli.studio import list_command

    list_command("music", status, studio_dir, as_json)
