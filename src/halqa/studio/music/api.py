"""What the CLI (and later the REST API) calls: one function per command, files in, files out."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from halqa.errors import DataError
from halqa.studio.common import InputRef, studio_dir
from halqa.studio.music.export import make_provenance, write_piece
from halqa.studio.music.piece import Piece
from halqa.studio.music.rhythms import RHYTHMS
from halqa.studio.music.styles import GENRE_STYLES, STYLE_ALIASES, STYLES
from halqa.studio.music.theory import DEFAULT_TUNING, MODES, Scale, tonic_midi

Progress = Callable[[str], None] | None


def catalogue() -> dict[str, Any]:
    """Every style, mode (with its cents in the default tuning) and rhythm, with sources."""
    modes = {}
    for name, m in MODES.items():
        scale = Scale(m, tonic_midi(m.tonic))
        modes[name] = {
            "family": m.family,
            "tonic": m.tonic,
            "microtonal": m.microtonal,
            "cents_up": [round((scale.pitch(d) - scale.tonic) * 100, 1) for d in range(m.size + 1)],
            "cents_down": [
                round((scale.pitch(d, True) - scale.tonic) * 100, 1) for d in range(m.size + 1)
            ],
            "ajnas": [{"jins": j.name, "degree": j.degree + 1} for j in m.ajnas],
            "cadence_degrees": [c + 1 for c in m.cadences],
            "source": m.source,
            "assumption": m.assumption or None,
            # 1-based like the cadence degrees: 8 is the octave, 0 the degree below the tonic
            "sayr": (
                {
                    "stages": [{"stage": st, "degree": d + 1} for st, d in m.sayr.stages],
                    "source": m.sayr.source,
                    "assumption": m.sayr.assumption or None,
                }
                if m.sayr
                else None
            ),
        }
    return {
        "styles": {
            n: {
                "label": s.label,
                "mode": s.mode,
                "rhythm": s.rhythm,
                "parts": [p.__dict__ for p in s.parts],
                "note": s.note or None,
            }
            for n, s in STYLES.items()
        },
        "maqam_styles": sorted(STYLE_ALIASES),
        "modes": modes,
        "tuning": DEFAULT_TUNING,
        "rhythms": {
            n: {
                "meter": r.meter,
                "pulse": f"1/{r.pulse}",
                "layers": list(r.layers),
                "tempo": r.tempo,
                "source": r.source,
                "assumption": r.assumption or None,
            }
            for n, r in RHYTHMS.items()
        },
    }


def split_tuning(tuning: str) -> tuple[str, str]:
    """``--tuning``: how quarter tones reach the MIDI and which gamut. ``mts`` / ``bend`` (the
    default), optionally ``:GAMUT``; a gamut alone (``24-tet``, a Scala file) keeps pitch bend."""
    method, _, gamut = tuning.partition(":")
    if method in ("mts", "bend"):
        return method, gamut or DEFAULT_TUNING
    return "bend", tuning


def style_from_brief(path: Path) -> str:
    """The first rising genre of an insights brief that halqa can compose in.

    Accepts ``halqa insights trends --json`` output (``rising``), a brief's ``figures.json``
    (figures of the trends report by genre), or ``{"genre": ...}``.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"--from-brief {path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"--from-brief {path}: not JSON ({exc})") from None
    candidates = _genres_in(data)
    known = set(STYLES) | set(STYLE_ALIASES)
    for genre in candidates:
        if genre in known:
            return genre
        if genre in GENRE_STYLES:
            return GENRE_STYLES[genre]
    raise DataError(
        f"--from-brief {path}: no rising genre halqa composes in (found "
        f"{candidates[:5] or 'none'}; "
        f"styles: {', '.join(sorted(STYLES))})"
    )


def _genres_in(data: object) -> list[str]:  # parsed JSON of any of three shapes
    if isinstance(data, dict) and isinstance(data.get("genre"), str):
        return [data["genre"]]
    if isinstance(data, dict) and isinstance(data.get("rising"), list):
        return [str(r.get("item")) for r in data["rising"] if isinstance(r, dict)]
    found: list[tuple[float, str]] = []
    for fig in data.get("figures", []) if isinstance(data, dict) else []:
        src, values = fig.get("source", {}), fig.get("values", {})
        if src.get("by") != "genre":
            continue
        # a brief's figures.json:
        # {"source": {"list": "rising", "item": "rap"}, "values": {"rank": 1, ...}}
        is_rising = src.get("list") == "rising" or "rising" in str(src.get("field", "")) + str(
            fig.get("label", "")
        )
        item = src.get("item") or values.get("item") or values.get("genre")
        if is_rising and item:
            found.append((float(values.get("rank") or len(found) + 1), str(item)))
    return [item for _, item in sorted(found, key=lambda f: f[0])]


def _default_out(out: Path | None, name: str, studio: Path | None) -> Path:
    return Path(out) if out is not None else (studio or studio_dir()) / "music" / name


def compose_files(
    style: str,
    *,
    mode: str | None = None,
    rhythm: str | None = None,
    bars: int | None = 16,
    seconds: float | None = None,
    tempo: float | None = None,
    tonic: str | None = None,
    seed: int = 0,
    tuning: str = DEFAULT_TUNING,
    train: Sequence[Path] = (),
    brief: Path | None = None,
    out: Path | None = None,
    name: str | None = None,
    sample_rate: int = 44100,
    audio: bool = True,
    stems: bool = True,
    formats: tuple[str, ...] = (),
    progress: Progress = None,
    owner: str | None = None,
    studio: Path | None = None,
) -> dict[str, Any]:
    """Compose a piece and write its files; ``owner`` is the API key that asked
    (its proposal's owner), ``studio`` the folder of its proposal and signing credentials
    (default: ``studio_dir()``)."""
    from halqa.studio.music.compose import compose
    from halqa.studio.music.develop import model_from_midi

    inputs = [InputRef.of_file(p, role="training") for p in train]
    if brief is not None:
        style = style_from_brief(brief)
        inputs.append(InputRef.of_file(brief, role="brief"))
    model = model_from_midi(list(train)) if train else None
    midi_tuning, gamut = split_tuning(tuning)
    piece = compose(
        style,
        mode,
        bars=bars,
        seconds=seconds,
        tempo=tempo,
        tonic=tonic,
        seed=seed,
        rhythm_name=rhythm,
        tuning=gamut,
        model=model,
    )
    piece.meta["midi_tuning"] = midi_tuning
    piece.meta["model"] = {
        "model": "variable-order Markov (Witten-Bell), order 3",
        "training": "your MIDI files" if train else "halqa's shipped phrases",
    }
    name = name or f"{piece.style}-{piece.mode}-seed{seed}"
    return _write(
        piece,
        "music.compose",
        name,
        out,
        inputs,
        sample_rate,
        audio,
        stems,
        formats,
        progress,
        owner=owner,
        studio=studio,
    )


def continue_files(
    motif: Path,
    *,
    bars: int = 4,
    seed: int = 0,
    out: Path | None = None,
    name: str | None = None,
    sample_rate: int = 44100,
    audio: bool = True,
    stems: bool = True,
    formats: tuple[str, ...] = (),
    progress: Progress = None,
) -> dict[str, Any]:
    from halqa.studio.music.develop import continue_motif

    piece, info = continue_motif(motif, bars=bars, seed=seed)
    name = name or f"{Path(motif).stem}-continued-seed{seed}"
    result = _write(
        piece,
        "music.continue",
        name,
        out,
        [InputRef.of_file(motif, role="motif")],
        sample_rate,
        audio,
        stems,
        formats,
        progress,
        extra=info,
    )
    return {**result, **info}


def accompany_files(
    melody: Path,
    style: str,
    *,
    mode: str | None = None,
    rhythm: str | None = None,
    seed: int = 0,
    out: Path | None = None,
    name: str | None = None,
    sample_rate: int = 44100,
    audio: bool = True,
    stems: bool = True,
    formats: tuple[str, ...] = (),
    progress: Progress = None,
) -> dict[str, Any]:
    from halqa.studio.music.develop import accompany

    piece, info = accompany(melody, style, mode_name=mode, rhythm_name=rhythm, seed=seed)
    name = name or f"{Path(melody).stem}-{piece.style}"
    result = _write(
        piece,
        "music.accompany",
        name,
        out,
        [InputRef.of_file(melody, role="motif")],
        sample_rate,
        audio,
        stems,
        formats,
        progress,
        extra=info,
    )
    return {**result, **info}


def render_files(
    midi: Path,
    *,
    out: Path | None = None,
    name: str | None = None,
    sample_rate: int = 44100,
    stems: bool = True,
    formats: tuple[str, ...] = (),
    progress: Progress = None,
) -> dict[str, Any]:
    """WAV (and stems) of any MIDI file, e.g. a generated piece a musician edited in a DAW."""
    from halqa.studio.music.midi import read_midi

    piece = read_midi(midi)
    piece.style, piece.mode = "rendered", "as written"
    name = name or Path(midi).stem
    prov_piece = piece
    return _write(
        prov_piece,
        "music.render",
        name,
        out,
        [InputRef.of_file(midi, role="source")],
        sample_rate,
        True,
        stems,
        formats,
        progress,
        propose=False,
    )


def _write(
    piece: Piece,
    tool: str,
    name: str,
    out: Path | None,
    inputs: list[InputRef],
    sample_rate: int,
    audio: bool,
    stems: bool,
    formats: tuple[str, ...],
    progress: Progress,
    *,
    extra: dict | None = None,
    propose: bool = True,
    owner: str | None = None,
    studio: Path | None = None,
) -> dict[str, Any]:
    provenance = make_provenance(
        piece,
        tool,
        inputs=inputs,
        extra={"detected": extra["detected"]["mode"]} if extra and "detected" in extra else None,
    )
    folder = _default_out(out, name, studio)
    result = write_piece(
        piece,
        folder,
        name,
        provenance=provenance,
        sample_rate=sample_rate,
        audio=audio,
        stems=stems,
        formats=formats,
        propose=propose,
        progress=progress,
        owner=owner,
        studio_root=studio,
    )
    return {"name": name, "out": str(folder), **result}
