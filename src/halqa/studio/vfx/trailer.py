"""An automatic trailer: a rising cut of a film's shots, title cards, a ducked music bed, fades.

The cut is planned in whole frames so its length is the target exactly: a title card in the
middle and an end card, and between them three acts whose pieces get shorter (3 s, 2 s, 1 s)
and whose shots get more energetic (motion and sound, ranked within the film), each act in
the film's own order so the story still reads. It is rendered to MP4 (H.264/AAC) by ffmpeg
and exported as an OpenTimelineIO timeline (plus FCP 7 XML and a CMX 3600 EDL through OTIO's
adapters) whose clips point at the source's real time ranges, so an editor opens it in Resolve
or Premiere and finishes it. The cut stays a pending proposal until a person accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from halqa.errors import ConfigError
from halqa.studio.vfx.media import MediaInfo, probe, probe_audio, rate_text, run_ffmpeg
from halqa.studio.vfx.shots import Shot, shots
from halqa.studio.vfx.stamp import action, stamp
from halqa.studio.vfx.text import Canvas, title_card
from halqa.studio.vfx.titles import ENCODE, card_clip

if TYPE_CHECKING:
    from halqa.studio.common import ContentSigner

ACTS = (
    ("setup", 0.40, 3.0),
    ("build", 0.35, 2.0),
    ("climax", 0.25, 1.0),
)  # share of body, piece seconds
MID_CARD, END_CARD = 2.5, 3.0  # seconds
MIN_TARGET = 3.0


@dataclass(frozen=True)
class Piece:
    kind: str  # "shot" or "card"
    act: str  # setup | build | climax | title | end
    frames: int  # length in the trailer
    source_start: int  # first source frame (shots only)
    shot: int | None  # the shot's index in the film
    card: str | None  # "title" or "end" for cards

    def as_dict(self) -> dict:
        return asdict(self)


def energy(found: Sequence[Shot]) -> np.ndarray:
    """Rank-based energy 0..1 per shot: motion and audio level, each ranked within the film."""

    def ranks(values: list[float]) -> np.ndarray:
        order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
        return order / max(1, len(values) - 1)

    return 0.6 * ranks([s.motion for s in found]) + 0.4 * ranks([s.audio_db for s in found])


def plan(found: Sequence[Shot], fps: float, target: float) -> list[Piece]:
    """Pieces whose frames sum to round(target × fps) exactly."""
    total = round(target * fps)
    mid = round(MID_CARD * fps) if target >= 15 else 0
    end = round(min(END_CARD, target / 3) * fps)
    body = total - mid - end
    act_frames = [round(body * share) for _, share, _ in ACTS[:-1]]
    act_frames.append(body - sum(act_frames))
    scores = energy(found)
    order = np.argsort(scores, kind="stable")
    pools = np.array_split(order, 3)  # calm, middle, energetic thirds
    used: dict[int, int] = {}  # shot index -> source frames already used from its start
    pieces: list[Piece] = []
    for (name, _, seconds), frames, pool in zip(ACTS, act_frames, pools):
        act = _fill_act(
            name, frames, round(seconds * fps), [found[i] for i in sorted(pool)], found, used
        )
        pieces += act
        if name == "setup" and mid:
            pieces.append(Piece("card", "title", mid, 0, None, "title"))
    pieces.append(Piece("card", "end", end, 0, None, "end"))
    assert sum(p.frames for p in pieces) == total
    return pieces


def _fill_act(
    name: str,
    frames: int,
    piece: int,
    pool: list[Shot],
    everything: Sequence[Shot],
    used: dict[int, int],
) -> list[Piece]:
    """Pieces of about ``piece`` frames from ``pool`` (in film order), then from any shot,
    until full."""
    pieces: list[Piece] = []
    left = frames
    candidates = list(pool) + [s for s in everything if s not in pool]
    rounds = 0
    while left > 0:
        progressed = False
        for shot in sorted(candidates, key=lambda s: s.start_frame) if rounds else candidates:
            if left <= 0:
                break
            offset = used.get(shot.index, 0)
            free = shot.frames - offset
            if free < min(piece, left, max(2, shot.frames // 4)):
                continue
            length = min(piece, left, free)
            if 0 < left - length < piece // 2 and free >= left:
                length = left  # no sliver at the end of an act: the last piece runs a little longer
            start = shot.start_frame + offset + (max(0, (free - length) // 2) if offset == 0 else 0)
            used[shot.index] = start - shot.start_frame + length
            pieces.append(Piece("shot", name, length, start, shot.index, None))
            left -= length
            progressed = True
        rounds += 1
        if not progressed:
            used.clear()  # every shot is spent: a long target on a short film reuses material
            if rounds > 50:
                raise ConfigError("the film has too little material for this trailer length")
    return sorted(pieces, key=lambda p: p.source_start)


def _cards(
    lines: Sequence[str], info: MediaInfo, workdir: Path, pieces: list[Piece], fps: float
) -> dict[str, Path]:
    canvas = Canvas(width=(info.width // 2) * 2, height=(info.height // 2) * 2)
    cards: dict[str, Path] = {}
    for piece in pieces:
        if piece.card is None:  # a shot
            continue
        text = list(lines) if piece.card == "title" else [lines[0], "قريبا · ⴷⵖⵢⴰ · Bientôt"]
        still = workdir / f"{piece.card}.png"
        title_card(text, canvas).save(still)
        seconds = piece.frames / fps
        cards[piece.card] = card_clip(
            still,
            workdir / f"{piece.card}-card.mp4",
            duration=seconds,
            fade=min(0.5, seconds / 4),
            fps=fps,
        )
    return cards


def render(
    info: MediaInfo,
    pieces: list[Piece],
    cards: dict[str, Path],
    out: Path,
    *,
    fps: float,
    music: Path | None,
    on_progress: Callable[[float], None] | None = None,
) -> Path:
    """One ffmpeg run: every piece input-seeked from the film, cards, concat, ducked music,
    fades."""
    width, height = (info.width // 2) * 2, (info.height // 2) * 2
    args: list[str] = []
    graph: list[str] = []
    for i, p in enumerate(pieces):
        seconds = p.frames / fps
        if p.card is None:  # a shot (cards name their card)
            args += [
                "-ss",
                f"{p.source_start / fps:.6f}",
                "-t",
                f"{seconds + 0.5:.6f}",
                "-i",
                str(info.path),
            ]
        else:
            args += ["-i", str(cards[p.card])]
        graph.append(
            f"[{i}:v]trim=end_frame={p.frames},setpts=PTS-STARTPTS,scale={width}:{height},setsar=1,"
            f"fps={rate_text(fps)},format=yuv420p[v{i}]"
        )
        exact = f"atrim=end={seconds:.6f},aformat=sample_fmts=fltp:channel_layouts=stereo"
        if p.kind == "card" or info.has_audio:
            graph.append(
                f"[{i}:a]{exact},asetpts=PTS-STARTPTS,aresample=48000,"
                f"apad=whole_dur={seconds:.6f},{exact}[a{i}]"
            )
        else:  # a silent film still needs a sound track to concatenate and to duck music under
            graph.append(f"anullsrc=r=48000:cl=stereo,{exact}[a{i}]")
    n = len(pieces)
    total = sum(p.frames for p in pieces) / fps
    graph.append("".join(f"[v{i}][a{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=1[vc][dialogue]")
    fade_out = min(1.0, total / 4)
    graph.append(
        f"[vc]fade=t=in:st=0:d={min(0.5, total / 6):.3f},"
        f"fade=t=out:st={total - fade_out:.6f}:d={fade_out:.3f}[v]"
    )
    if music is not None:
        args += ["-stream_loop", "-1", "-i", str(music)]
        graph.append("[dialogue]asplit=2[speech][key]")
        graph.append(
            f"[{n}:a]atrim=end={total:.6f},aresample=48000,"
            "aformat=sample_fmts=fltp:channel_layouts=stereo,volume=0.5[bed]"
        )
        # the bed drops under dialogue: the speech is the side-chain key of a compressor on the
        # music
        graph.append(
            "[bed][key]sidechaincompress=threshold=0.03:ratio=8:attack=20:release=350[ducked]"
        )
        graph.append("[speech][ducked]amix=inputs=2:duration=first:normalize=0[mixed]")
        mixed = "[mixed]"
    else:
        mixed = "[dialogue]"
    graph.append(
        f"{mixed}afade=t=in:st=0:d=0.3,afade=t=out:st={total - fade_out:.6f}:d={fade_out:.3f}[a]"
    )
    run_ffmpeg(
        [
            *args,
            "-filter_complex",
            ";".join(graph),
            "-map",
            "[v]",
            "-map",
            "[a]",
            "-t",
            f"{total:.6f}",
            "-r",
            rate_text(fps),
            *ENCODE,
            str(out),
        ],
        total_seconds=total,
        on_progress=on_progress,
        what="trailer render",
    )
    return out


def timeline(
    info: MediaInfo,
    pieces: list[Piece],
    cards: dict[str, Path],
    fps: float,
    *,
    name: str,
    music: Path | None,
):
    """The cut as an OTIO timeline: V1 picture, A1 the film's sound, A2 the music bed."""
    import opentimelineio as otio

    def rt(frames: float):
        return otio.opentime.RationalTime(frames, fps)

    def range_(start: float, frames: float):
        return otio.opentime.TimeRange(rt(start), rt(frames))

    film = otio.schema.ExternalReference(
        target_url=info.path.resolve().as_uri(), available_range=range_(0, info.frames)
    )
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    for i, p in enumerate(pieces):
        if p.card is None:  # a shot (cards name their card)
            meta = {"halqa": {"act": p.act, "shot": p.shot}}
            video.append(
                otio.schema.Clip(
                    name=f"{i:02d} {p.act} shot {p.shot}",
                    media_reference=film.clone(),
                    source_range=range_(p.source_start, p.frames),
                    metadata=meta,
                )
            )
            sound.append(
                otio.schema.Clip(
                    name=f"{i:02d} sound shot {p.shot}",
                    media_reference=film.clone(),
                    source_range=range_(p.source_start, p.frames),
                    metadata=meta,
                )
            )
        else:
            card = otio.schema.ExternalReference(
                target_url=cards[p.card].resolve().as_uri(), available_range=range_(0, p.frames)
            )
            video.append(
                otio.schema.Clip(
                    name=f"{i:02d} {p.card} card",
                    media_reference=card,
                    source_range=range_(0, p.frames),
                    metadata={"halqa": {"card": p.card}},
                )
            )
            sound.append(otio.schema.Gap(source_range=range_(0, p.frames)))
    tl = otio.schema.Timeline(name=name, global_start_time=rt(0))
    tl.tracks.append(video)
    tl.tracks.append(sound)
    if music is not None:  # the bed loops in the render, so it loops on the timeline too
        bed = otio.schema.Track(name="A2 music", kind=otio.schema.TrackKind.Audio)
        total, length = sum(p.frames for p in pieces), max(1, int(probe_audio(music) * fps))
        reference = otio.schema.ExternalReference(
            target_url=Path(music).resolve().as_uri(), available_range=range_(0, length)
        )
        placed = 0
        while placed < total:
            take = min(length, total - placed)
            bed.append(
                otio.schema.Clip(
                    name=Path(music).name,
                    source_range=range_(0, take),
                    media_reference=reference.clone(),
                )
            )
            placed += take
        tl.tracks.append(bed)
    return tl


def export_timeline(tl, stem: Path) -> dict[str, str]:
    """``.otio`` always; FCP 7 XML and a picture-only CMX 3600 EDL when those adapters are
    installed."""
    import opentimelineio as otio

    written = {"otio": str(stem.with_suffix(".otio"))}
    otio.adapters.write_to_file(tl, written["otio"])
    available = otio.adapters.available_adapter_names()
    if "fcp_xml" in available:
        written["fcp_xml"] = str(stem.with_suffix(".xml"))
        otio.adapters.write_to_file(tl, written["fcp_xml"], adapter_name="fcp_xml")
    if "cmx_3600" in available:
        picture = otio.schema.Timeline(name=tl.name, global_start_time=tl.global_start_time)
        picture.tracks.append(tl.video_tracks()[0].clone())
        written["edl"] = str(stem.with_suffix(".edl"))
        otio.adapters.write_to_file(picture, written["edl"], adapter_name="cmx_3600")
    return written


def trailer(
    film: Path,
    out: Path,
    *,
    length: float = 60.0,
    title: Sequence[str] = (),
    music: Path | None = None,
    studio: Path | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    signer: ContentSigner | None = None,
    owner: str | None = None,
) -> dict:
    """Cut, render and export a trailer of ``film``; record it as a pending proposal."""
    from halqa.studio.common import ContentSigner, InputRef, ProposalBook, Provenance

    film, out = Path(film), Path(out)
    if not length or length < MIN_TARGET:
        raise ConfigError(f"--length must be at least {MIN_TARGET:g} seconds, got {length:g}")
    info = probe(film)
    if info.is_still:
        raise ConfigError(f"{film}: a trailer is cut from a clip, not a still")
    if length > info.duration:
        raise ConfigError(
            f"--length {length:g} s is longer than {film.name} ({info.duration:.1f} s)"
        )
    music = Path(music) if music is not None else None
    if music is not None:
        probe_audio(music)

    def step(what: str, fraction: float) -> None:
        if on_progress:
            on_progress(what, fraction)

    step("shots", 0.0)
    _, found = shots(film, on_progress=lambda x: step("shots", x))
    fps = float(info.fps)
    pieces = plan(found, fps, length)
    lines = list(title) or [film.stem]
    out.parent.mkdir(parents=True, exist_ok=True)
    cards_dir = out.with_name(out.stem + "-cards")
    cards_dir.mkdir(exist_ok=True)
    cards = _cards(lines, info, cards_dir, pieces, fps)
    render(info, pieces, cards, out, fps=fps, music=music, on_progress=lambda x: step("render", x))
    tl = timeline(info, pieces, cards, fps, name=f"{lines[0]} — trailer", music=music)
    files = export_timeline(tl, out.with_suffix(""))
    parameters = {
        "length": length,
        "title": lines,
        "music": music.name if music else None,
        "fps": fps,
        "pieces": len(pieces),
    }
    signer = signer or ContentSigner.default(studio)
    credentials = stamp(
        out,
        tool="vfx.trailer",
        parameters=parameters,
        actions=[
            action(
                "c2pa.edited",
                f"cut automatically from {film.name} into a "
                f"{length:g}-second trailer ({len(pieces)} pieces)",
                length=length,
            )
        ],
        parents=[film],
        components=[music] if music else [],
        signer=signer,
    )
    provenance = Provenance.make(
        tool="vfx.trailer",
        generator="halqa.studio.vfx.trailer",
        parameters=parameters,
        inputs=[InputRef.of_file(film)] + ([InputRef.of_file(music)] if music else []),
    )
    book = ProposalBook(studio)
    cut = [
        p.as_dict()
        | {"source_seconds": round(p.source_start / fps, 4), "seconds": round(p.frames / fps, 4)}
        for p in pieces
    ]
    proposal = book.propose(
        kind="vfx.trailer",
        subject=str(film.resolve()),
        payload={"length": length, "fps": fps, "cut": cut, "files": {"mp4": str(out), **files}},
        provenance=provenance,
        artifacts=[out, *map(Path, files.values())],
        owner=owner,
    )
    return {
        "film": str(film),
        "output": str(out),
        "length": length,
        "fps": fps,
        "shots": len(found),
        "pieces": cut,
        "timeline": files,
        "proposal": proposal.id,
        "status": proposal.status,
        "credentials": credentials,
    }
