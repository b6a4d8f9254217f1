"""Composing a piece: sections of melody from the model, accompaniment from the style's data.

The form is intro (rhythm and bass only), then verses and a chorus that returns identical
(the same seeded phrases each time, so the piece has a hook), then an outro that cadences
on the tonic. Accompaniment is built from the theory data, not learned: percussion plays
the style's stroke pattern, the bass doubles the low strokes (or plays the guembri
ostinato, or an 808 under the kicks), drones hold the tonic, harmony is one triad per bar
on the style's progression.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import Field

from halqa.config import Config
from halqa.studio.music.melody import Constraints, Grid, decode_phrase, shipped_model
from halqa.studio.music.model import MelodyModel, Token
from halqa.studio.music.piece import Note, PhrasePlan, Piece, Section, Track
from halqa.studio.music.rhythms import STROKES, Rhythm, get_rhythm
from halqa.studio.music.styles import Part, Style, resolve_style
from halqa.studio.music.theory import DEFAULT_TUNING, Mode, Scale, gamut_cents, tonic_midi

MAX_BARS = 512
TEMPO_LIMITS = (20, 300)
# Harmony roots per bar, as degrees of the mode (ours: i-VII-bII-i colours for Hijaz, i-VI-III-VII
# for minor).
PROGRESSIONS = {"hijaz_12": (0, 6, 1, 0), "aeolian": (0, 5, 2, 6)}


class ComposeLimits(Config):
    """The length and tempo a composition may ask for (None:
    the style's or the caller's default)."""

    bars: int | None = Field(default=None, ge=1, le=MAX_BARS)
    seconds: float | None = Field(default=None, gt=0, le=1800)  # at most 30 minutes
    tempo: float | None = Field(default=None, ge=TEMPO_LIMITS[0], le=TEMPO_LIMITS[1])  # per minute


def check_request(bars: int | None, seconds: float | None, tempo: float | None) -> None:
    """ConfigError (one line naming the option) unless :class:`ComposeLimits` holds the request."""
    ComposeLimits.build("music compose", bars=bars, seconds=seconds, tempo=tempo)


def compose(
    style_name: str,
    mode_name: str | None = None,
    *,
    bars: int | None = 16,
    seconds: float | None = None,
    tempo: float | None = None,
    tonic: str | None = None,
    seed: int = 0,
    rhythm_name: str | None = None,
    tuning: str = DEFAULT_TUNING,
    model: MelodyModel | None = None,
    rhythm_bias: float = 3.0,
) -> Piece:
    """A complete piece in ``style_name`` (a style or a maqam name); deterministic for a seed."""
    check_request(bars if seconds is None else None, seconds, tempo)
    style, mode = resolve_style(style_name, mode_name)
    gamut_cents(tuning)  # a bad --tuning is an error even for a 12-TET mode that would not use it
    rhythm = get_rhythm(rhythm_name) if rhythm_name else style.get_rhythm()
    tempo = float(tempo if tempo is not None else rhythm.tempo[1])
    bar_beats = rhythm.bar_pulses * rhythm.pulse_beats
    if seconds is not None:
        bars = max(1, math.ceil(seconds * tempo / 60.0 / bar_beats))
    check_request(bars, None, None)
    assert bars is not None
    rng = np.random.default_rng(seed)
    model = model or shipped_model(mode.size)
    base = tonic_midi(tonic) if tonic else tonic_midi(mode.tonic)
    piece = Piece(
        style=style.name,
        mode=mode.name,
        tonic=base,
        tempo=tempo,
        meter=rhythm.meter,
        bar_beats=bar_beats,
        bars=bars,
        rhythm=rhythm.name,
        tuning=tuning,
        seed=seed,
    )
    grid = Grid.of(rhythm)
    phrase_bars = 1 if grid.bar >= 12 else 2
    piece.sections = plan_sections(bars, phrase_bars)
    melody = compose_melody(piece, style, mode, grid, rng, model, phrase_bars, rhythm_bias)
    piece.tracks = arrange(piece, style, mode, rhythm, melody)
    return piece


def plan_sections(bars: int, phrase_bars: int) -> list[Section]:
    """intro / verse / chorus ... / outro, in whole phrases; short pieces are one verse."""
    if bars < 4 * phrase_bars:
        return [Section("verse", 0, bars)]
    sections = [Section("intro", 0, phrase_bars)]
    at, body_end = phrase_bars, bars - phrase_bars
    name = "verse"
    while at < body_end:
        n = min(2 * phrase_bars, body_end - at)
        sections.append(Section(name, at, n))
        name = "chorus" if name == "verse" else "verse"
        at += n
    sections.append(Section("outro", body_end, bars - body_end))
    return sections


def compose_melody(
    piece: Piece,
    style: Style,
    mode: Mode,
    grid: Grid,
    rng: np.random.Generator,
    model: MelodyModel,
    phrase_bars: int,
    rhythm_bias: float = 3.0,
    context: list[Token] | None = None,
) -> list[tuple[int, int, int]]:
    """(start eighth, degree, length eighths) of the melody over all sections but the intro.

    Where the mode has a sayr, the decoded phrases (a chorus that returns is not decoded again)
    take its stages in order (``Sayr.centres``), each phrase weighing degrees near its stage's
    centre; ``piece.phrases`` records the plan."""
    notes: list[tuple[int, int, int]] = []
    context = list(context or [])
    chorus: list[tuple[int, int]] | None = None
    chorus_plan: list[PhrasePlan] = []
    phrase_len = phrase_bars * grid.bar
    spans = _decoded_phrases(piece.sections, grid.bar, phrase_len)
    stages = iter(mode.sayr.centres(len(spans)) if mode.sayr else [])
    piece.phrases = []
    for si, section in enumerate(piece.sections):
        if section.name == "intro":
            continue
        start = section.start_bar * grid.bar
        length = section.bars * grid.bar
        last_section = si == len(piece.sections) - 1
        if section.name == "chorus" and chorus is not None and sum(n for _, n in chorus) == length:
            phrase_notes = list(chorus)  # the chorus returns identical: the piece's hook
            shift = start / 2.0 - chorus_plan[0].start if chorus_plan else 0.0
            piece.phrases += [
                PhrasePlan(p.start + shift, p.length, p.centre, p.stage) for p in chorus_plan
            ]
        else:
            phrase_notes = []
            plans: list[PhrasePlan] = []
            for at in range(start, start + length, phrase_len):
                n = min(phrase_len, start + length - at)
                cadence = phrase_cadence(
                    mode,
                    ends_section=at + n >= start + length,
                    section=section.name,
                    last_section=last_section,
                )
                register = 2 if section.name == "chorus" else 0
                stage, centre = next(stages, ("", None))
                low, high = -2 + register, mode.size + 2 + register
                if centre is not None:  # the register reaches two degrees past the centre
                    low, high = min(low, centre - 2), max(high, centre + 2)
                    plans.append(PhrasePlan(at / 2.0, n / 2.0, centre, stage))
                constraints = Constraints(
                    cadence=frozenset(cadence),
                    low=low,
                    high=high,
                    leap=3 if mode.size <= 5 else 4,
                    rhythm_bias=rhythm_bias,
                    centre=centre,
                )
                phrase_notes += decode_phrase(
                    model,
                    mode,
                    grid,
                    rng,
                    start=at,
                    length=n,
                    context=context,
                    constraints=constraints,
                )
            if section.name == "chorus":
                chorus, chorus_plan = list(phrase_notes), plans
            piece.phrases += plans
        pos = start
        for degree, n in phrase_notes:
            notes.append((pos, degree, n))
            pos += n
    return notes


def _decoded_phrases(sections: Sequence[Section], bar: int, phrase_len: int) -> list[int]:
    """Start (eighths) of every phrase ``compose_melody`` decodes: all but the intro's and those of
    a chorus that returns identical (as long as the chorus decoded last)."""
    starts: list[int] = []
    chorus_len = None
    for section in sections:
        if section.name == "intro":
            continue
        length = section.bars * bar
        if section.name == "chorus":
            if chorus_len == length:
                continue
            chorus_len = length
        start = section.start_bar * bar
        starts += list(range(start, start + length, phrase_len))
    return starts


def phrase_cadence(mode: Mode, *, ends_section: bool, section: str, last_section: bool) -> set[int]:
    """Where a phrase may end: a phrase inside a section on a half cadence (a cadence degree other
    than the tonic), a verse or the outro on the tonic, the chorus on any cadence degree (it
    returns)."""
    if ends_section and (last_section or section != "chorus"):
        return {0}
    if ends_section:
        return set(mode.cadences)
    half = set(mode.cadences) - {0}
    return half or {0}


def arrange(
    piece: Piece, style: Style, mode: Mode, rhythm: Rhythm, melody: Sequence[tuple[int, int, int]]
) -> list[Track]:
    scale = Scale(mode, piece.tonic, piece.tuning or DEFAULT_TUNING)
    tracks = []
    for part in style.parts:
        if part.role in ("melody", "melody2"):
            tracks.append(
                melody_track(
                    part,
                    scale,
                    melody,
                    octave=part.octave,
                    bar=int(piece.bar_beats * 2),
                    velocity_scale=1.0 if part.role == "melody" else 0.7,
                )
            )
        elif part.role == "bass":
            tracks.append(bass_track(piece, part, style, scale, rhythm))
        elif part.role == "drone":
            tracks.append(drone_track(piece, part, scale))
        elif part.role == "harmony":
            tracks.append(harmony_track(piece, part, scale))
    tracks.append(percussion_track(piece, rhythm))
    return [t for t in tracks if t.notes]


def melody_track(
    part: Part,
    scale: Scale,
    melody: Sequence[tuple[int, int, int]],
    *,
    octave: int = 0,
    bar: int = 8,
    velocity_scale: float = 1.0,
    name: str | None = None,
) -> Track:
    """Degrees -> pitches; a note lower than the one before takes the mode's descending form."""
    track = Track(name or part.role, part.role, part.program, part.instrument)
    prev = None
    for start, degree, length in melody:
        descending = prev is not None and degree < prev
        pitch = scale.pitch(degree, descending) + 12 * octave
        accent = 100 if start % bar == 0 else 88  # the downbeat a little louder
        track.notes.append(Note(start / 2.0, length / 2.0, pitch, int(accent * velocity_scale)))
        prev = degree
    return track


def bar_roots(piece: Piece, style: Style, mode: Mode) -> list[int]:
    progression = PROGRESSIONS.get(mode.name) if style.harmony else None
    if progression:
        return [progression[b % len(progression)] for b in range(piece.bars)]
    # no harmony: tonic, with the dominant on the second bar of every other phrase
    return [mode.dominant if b % 4 == 3 else 0 for b in range(piece.bars)]


def bass_track(piece: Piece, part: Part, style: Style, scale: Scale, rhythm: Rhythm) -> Track:
    track = Track("bass", "bass", part.program, part.instrument)
    roots = bar_roots(piece, style, scale.mode)
    pb, total = rhythm.pulse_beats, piece.bars * rhythm.bar_pulses
    if style.bass == "ostinato":
        for cycle_start in range(0, total, rhythm.cycle):
            for pulse, degree, n in style.ostinato:
                if cycle_start + pulse < total:
                    pitch = scale.pitch(degree) + 12 * part.octave
                    track.notes.append(Note((cycle_start + pulse) * pb, n * pb * 0.95, pitch, 100))
        return track
    if style.bass not in ("dum", "808"):
        return track
    low = sorted(rhythm.low_pulses())
    if not low:
        return track
    onsets = [c + p for c in range(0, total, rhythm.cycle) for p in low if c + p < total]
    for i, at in enumerate(onsets):
        nxt = onsets[i + 1] if i + 1 < len(onsets) else total
        n = (
            (nxt - at) if style.bass == "808" else min(nxt - at, int(3 / pb))
        )  # dum bass: at most 3 beats
        root = roots[min(int(at // rhythm.bar_pulses), piece.bars - 1)]
        track.notes.append(Note(at * pb, n * pb * 0.95, scale.pitch(root) + 12 * part.octave, 105))
    return track


def drone_track(piece: Piece, part: Part, scale: Scale) -> Track:
    track = Track("drone", "drone", part.program, part.instrument)
    pitch = scale.pitch(0) + 12 * part.octave
    for bar in range(0, piece.bars, 2):
        n = min(2, piece.bars - bar) * piece.bar_beats
        track.notes.append(Note(bar * piece.bar_beats, n * 0.98, pitch, 55))
    return track


def harmony_track(piece: Piece, part: Part, scale: Scale) -> Track:
    track = Track("harmony", "harmony", part.program, part.instrument)
    style, _ = resolve_style(piece.style, piece.mode)
    for bar, root in enumerate(bar_roots(piece, style, scale.mode)):
        for k in (0, 2, 4):
            pitch = scale.pitch(root + k) + 12 * part.octave
            track.notes.append(Note(bar * piece.bar_beats, piece.bar_beats * 0.98, pitch, 58))
    return track


def percussion_track(piece: Piece, rhythm: Rhythm) -> Track:
    track = Track(
        "percussion", "percussion", 0, "GM drum kit (darbuka/bendir/qraqeb keys)", is_drum=True
    )
    pb = rhythm.pulse_beats
    for pulse in range(piece.bars * rhythm.bar_pulses):
        on_beat = pulse % rhythm.bar_pulses in rhythm.beats
        for stroke in rhythm.strokes_at(pulse):
            hits = 3 if stroke.code == "r" else 1
            for h in range(hits):
                velocity = min(127, stroke.velocity + (8 if on_beat else 0))
                track.notes.append(
                    Note((pulse + h / hits) * pb, pb / hits * 0.9, float(stroke.gm_key), velocity)
                )
    return track


__all__ = ["MAX_BARS", "STROKES", "check_request", "compose", "plan_sections"]
