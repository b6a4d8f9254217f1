"""Working from a musician's material: continue a motif, accompany a melody, train on MIDI files."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from halqa.errors import DataError
from halqa.studio.music.analysis import detect_mode
from halqa.studio.music.compose import arrange, check_request
from halqa.studio.music.melody import (
    BEATS_OF_METER,
    Constraints,
    Grid,
    decode_phrase,
    shipped_model,
)
from halqa.studio.music.midi import melody_of, read_midi
from halqa.studio.music.model import MelodyModel, Token, metric_class
from halqa.studio.music.piece import Note, Piece, Section, Track
from halqa.studio.music.rhythms import Rhythm, get_rhythm
from halqa.studio.music.styles import resolve_style
from halqa.studio.music.theory import DEFAULT_TUNING, MODES, Scale


def meter_grid(meter: str) -> Grid:
    """A plain grid for a melody with no style: the metre's beats are its accents."""
    num, den = (int(x) for x in meter.split("/"))
    bar = max(1, round(num * 8 / den))
    beats = BEATS_OF_METER.get(meter) or frozenset(range(0, bar, 2 if den == 4 else 3))
    return Grid(bar, beats, beats, bar)


def melody_tokens(notes: Sequence[Note], scale: Scale, grid: Grid) -> list[Token]:
    """Notes -> (degree, length in eighths, metric class);
    out-of-mode notes take the nearest degree."""
    tokens = []
    for n in notes:
        degree = scale.degree_of(n.pitch)
        if degree is None:
            degree = min(
                range(-scale.mode.size, 3 * scale.mode.size),
                key=lambda d: abs(scale.pitch(d) - n.pitch),
            )
        start = round(n.start * 2)
        tokens.append(
            (degree, max(1, round(n.length * 2)), metric_class(start, grid.bar, grid.beats))
        )
    return tokens


def detected_scale(notes: Sequence[Note], tuning: str = DEFAULT_TUNING) -> tuple[Scale, dict]:
    best = detect_mode(notes)[0]
    return Scale(MODES[best["mode"]], best["tonic"], tuning), best


def model_from_midi(files: Sequence[Path], order: int = 3) -> MelodyModel:
    """A melody model trained on the melodies of MIDI files (each in its own detected mode)."""
    sequences = []
    for path in files:
        piece = read_midi(Path(path))
        melody = melody_of(piece)
        scale, _ = detected_scale(melody.notes)
        sequences.append(melody_tokens(melody.notes, scale, meter_grid(piece.meter)))
    if not sequences:
        raise DataError("--train: no MIDI files given")
    return MelodyModel(order).fit(sequences)


def continue_motif(
    path: Path,
    *,
    bars: int = 4,
    seed: int = 0,
    model: MelodyModel | None = None,
    rhythm_bias: float = 3.0,
) -> tuple[Piece, dict]:
    """The motif, then ``bars`` bars more in its detected mode, starting where the motif ends."""
    check_request(bars, None, None)
    source = read_midi(Path(path))
    motif = melody_of(source)
    scale, detected = detected_scale(motif.notes)
    grid = meter_grid(source.meter)
    tokens = melody_tokens(motif.notes, scale, grid)
    start = math.ceil(
        max(n.end for n in motif.notes) * 2 - 1e-6
    )  # eighths; the motif's end on the grid
    model = model or shipped_model(scale.mode.size)
    phrase_len = 2 * grid.bar
    rng = np.random.default_rng(seed)
    notes: list[tuple[int, int, int]] = []
    context = list(tokens)
    end = start + bars * grid.bar
    low = min(t[0] for t in tokens) - 2
    high = max(t[0] for t in tokens) + 2
    for at in range(start, end, phrase_len):
        n = min(phrase_len, end - at)
        cadence = {0} if at + n >= end else set(scale.mode.cadences)
        constraints = Constraints(
            cadence=frozenset(cadence),
            low=low,
            high=high,
            leap=3 if scale.mode.size <= 5 else 4,
            rhythm_bias=rhythm_bias,
        )
        pos = at
        for degree, length in decode_phrase(
            model,
            scale.mode,
            grid,
            rng,
            start=at,
            length=n,
            context=context,
            constraints=constraints,
        ):
            notes.append((pos, degree, length))
            pos += length
    piece = Piece(
        style="continuation",
        mode=scale.mode.name,
        tonic=scale.tonic,
        tempo=source.tempo,
        meter=source.meter,
        bar_beats=source.bar_beats,
        bars=math.ceil(end / grid.bar),
        rhythm="",
        tuning=scale.tuning,
        seed=seed,
        meta={"detected": detected},
    )
    track = Track("melody", "melody", motif.program, "the motif's instrument")
    track.notes = [Note(n.start, n.length, n.pitch, n.velocity) for n in motif.notes]
    prev = tokens[-1][0]
    for at, degree, length in notes:
        track.notes.append(Note(at / 2.0, length / 2.0, scale.pitch(degree, degree < prev), 90))
        prev = degree
    piece.tracks = [track]
    motif_bars = math.ceil(start / grid.bar) if start % grid.bar else start // grid.bar
    piece.sections = [
        Section("motif", 0, max(1, motif_bars)),
        Section("continuation", start // grid.bar, bars),
    ]
    info = {
        "detected": detected,
        "continuation_starts_at_beat": start / 2.0,
        "motif_notes": len(motif.notes),
        "continuation_notes": len(notes),
    }
    return piece, info


def accompany(
    path: Path,
    style_name: str,
    *,
    mode_name: str | None = None,
    rhythm_name: str | None = None,
    seed: int = 0,
) -> tuple[Piece, dict]:
    """The melody as it is, with the style's bass, drone, harmony and percussion under it."""
    source = read_midi(Path(path))
    melody = melody_of(source)
    style, mode = resolve_style(style_name, mode_name)
    if mode_name is None:
        scale, detected = detected_scale(melody.notes)
        mode = scale.mode
    else:
        detected = detect_mode(melody.notes, [mode], top=1)[0]
        scale = Scale(mode, detected["tonic"])
    rhythm: Rhythm = get_rhythm(rhythm_name) if rhythm_name else style.get_rhythm()
    bar_beats = rhythm.bar_pulses * rhythm.pulse_beats
    bars = max(1, math.ceil(source.length_beats / bar_beats - 1e-6))
    check_request(bars, None, source.tempo)
    piece = Piece(
        style=style.name,
        mode=mode.name,
        tonic=scale.tonic,
        tempo=source.tempo,
        meter=rhythm.meter,
        bar_beats=bar_beats,
        bars=bars,
        rhythm=rhythm.name,
        tuning=scale.tuning,
        seed=seed,
        meta={"detected": detected},
    )
    piece.sections = [Section("accompanied", 0, bars)]
    kept = Track(
        "melody",
        "melody",
        melody.program,
        "the musician's melody",
        notes=[Note(n.start, n.length, n.pitch, n.velocity) for n in melody.notes],
    )
    accompaniment = [
        t for t in arrange(piece, style, mode, rhythm, []) if t.role not in ("melody", "melody2")
    ]
    piece.tracks = [kept, *accompaniment]
    return piece, {"detected": detected, "bars": bars, "rhythm": rhythm.name}


__all__ = ["accompany", "continue_motif", "model_from_midi"]
