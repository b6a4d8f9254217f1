"""What a piece is made of: its mode or maqam, pitch histogram, rhythm agreement, metrics.

Mode detection scores every mode on every quarter-tone tonic by how much of the (duration
weighted) melody falls in its pitch set, minus the mode tones it never uses, plus the weight
on the tonic and a final note on it; the confidence is the winner's share of a softmax over
those scores. Symbolic metrics follow MusPy (Dong et al. 2020) and are computed with muspy
where the definition is 12-TET (pitch-class entropy, scale consistency, groove consistency);
the out-of-mode rate is ours and counts quarter tones.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from halqa.errors import DataError
from halqa.studio.music.piece import Note, PhrasePlan, Piece
from halqa.studio.music.rhythms import Rhythm
from halqa.studio.music.theory import DEFAULT_TUNING, MODES, Mode, Scale

QUARTER_NAMES = (
    "C",
    "C+",
    "C#",
    "D-",
    "D",
    "D+",
    "Eb",
    "E-",
    "E",
    "E+",
    "F",
    "F+",
    "F#",
    "G-",
    "G",
    "G+",
    "Ab",
    "A-",
    "A",
    "A+",
    "Bb",
    "B-",
    "B",
    "B+",
)  # "-" half-flat, "+" half-sharp


def quarter_class(pitch: float) -> int:
    return round(pitch * 2) % 24


def histogram(notes: Sequence[Note]) -> dict[str, float]:
    """Duration-weighted share per quarter-tone pitch class (only the classes that occur)."""
    weights: defaultdict[int, float] = defaultdict(float)  # quarter-tone class -> beats held
    for n in notes:
        weights[quarter_class(n.pitch)] += n.length
    total = sum(weights.values()) or 1.0
    return {QUARTER_NAMES[q]: round(w / total, 4) for q, w in sorted(weights.items())}


def mode_classes(mode: Mode, tonic: float) -> set[int]:
    t = quarter_class(tonic)
    return {(t + q) % 24 for q in mode.pitch_set()}


@functools.lru_cache(maxsize=4)
def _templates(
    names: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray, int]]]:
    """Every (mode, tonic) as a row: its pitch-class mask (K x 24), its size, and per profiled mode
    the (row indices, 24 x size index of its degrees, ...) used for the profile term."""
    masks, sizes, profiles = [], [], []
    for m, name in enumerate(names):
        mode = MODES[name]
        positions = sorted(mode.pitch_set())
        for tonic_q in range(24):
            row = np.zeros(24, dtype=bool)
            row[[(tonic_q + q) % 24 for q in positions]] = True
            masks.append(row)
            sizes.append(len(positions))
        if mode.weights:
            degrees = np.array(
                [[(t + q) % 24 for q in mode.quarter_positions()] for t in range(24)]
            )
            profiles.append((np.arange(24 * m, 24 * m + 24), degrees, m))
    return np.array(masks), np.array(sizes, dtype=float), profiles


def detect_mode(
    notes: Sequence[Note],
    candidates: Sequence[Mode] | None = None,
    top: int = 3,
    *,
    final_note: bool = True,
) -> list[dict]:
    """Best (mode, tonic) explanations of the notes, with a confidence that sums to 1 over all.
    ``final_note=False`` drops the bonus for a tonic on the last note (a window cut from a melody
    does not end on a cadence)."""
    if not notes:
        raise DataError("no pitched notes to detect a mode from")
    weights = np.zeros(24)
    for n in notes:
        weights[quarter_class(n.pitch)] += n.length
    weights /= weights.sum()
    final = quarter_class(max(notes, key=lambda n: (n.start, -n.pitch)).pitch)
    lowest_octave = min(n.pitch for n in notes)
    names = tuple(m.name for m in (candidates or list(MODES.values())))
    masks, sizes, profiles = _templates(names)
    tonics = np.tile(np.arange(24), len(names))
    inside = masks @ weights
    unused = (masks & (weights == 0)).sum(axis=1) / sizes
    score = inside - 0.25 * unused + 0.15 * final_note * (tonics == final) + 0.2 * weights[tonics]
    for rows, degrees, m in profiles:  # a profile from transcriptions: reward a similar emphasis
        prof, ref = weights[degrees], np.array(MODES[names[m]].weights)
        score[rows] += (
            0.1 * (prof @ ref) / (np.linalg.norm(prof, axis=1) * np.linalg.norm(ref) + 1e-9)
        )
    order = np.argsort(-score, kind="stable")  # ties keep the catalogue's order, as before
    exp = np.exp((score - score[order[0]]) / 0.03)
    conf = exp / exp.sum()
    out = []
    for k in order[:top]:
        name, tonic_q = names[k // 24], int(tonics[k])
        out.append(
            {
                "mode": name,
                "family": MODES[name].family,
                "tonic": _tonic_near(tonic_q, lowest_octave),
                "tonic_name": QUARTER_NAMES[tonic_q],
                "score": round(float(score[k]), 4),
                "confidence": round(float(conf[k]), 4),
            }
        )
    return out


def mode_consistency(
    notes: Sequence[Note],
    mode: Mode,
    tonic: float,
    window_beats: float,
    *,
    hop_beats: float | None = None,
    min_notes: int = 3,
) -> float:
    """Share of windows heard in this mode on this tonic: ``window_beats`` long, sliding by
    ``hop_beats`` (default a quarter of the window) over the melody, each with at least
    ``min_notes`` notes; a window is heard so when, among the mode placed on every quarter-tone
    tonic, the mode finder scores the requested tonic best.

    MusPy's scale consistency (the largest share of notes in any one transposition of the major or
    minor scale) is 1.0 for any melody that never leaves the mode, and knows no quarter tones. This
    keeps its frame -- the transpositions of one scale -- and asks what a listener asks of a mode:
    the windowed key-finding of Sapp (2005, keyscapes) and the key accuracy of conditional
    generators (MuseCoco, Lu et al. 2023) with our mode finder (in-mode share, unused degrees, tonic
    weight; not the final note, since a window's last note is where the window was cut, not a
    cadence). In-scale notes are not enough: the tonic has to be heard as the tonic in every
    stretch.
    """
    if not notes:
        return 0.0
    hop = hop_beats or window_beats / 4
    t = quarter_class(tonic)
    first, last = min(n.start for n in notes), max(n.start for n in notes)
    heard = []
    for k in range(int(max(0.0, last - first - window_beats) // hop) + 1):
        lo = first + k * hop
        group = [n for n in notes if lo <= n.start < lo + window_beats]
        if len(group) >= min_notes:
            heard.append(
                quarter_class(detect_mode(group, [mode], top=1, final_note=False)[0]["tonic"]) == t
            )
    return round(float(np.mean(heard)), 4) if heard else 0.0


def degree_classes(mode: Mode, tonic: float) -> dict[int, int]:
    """Quarter-tone pitch class -> the mode degree (0-based) it sounds, both forms."""
    t = quarter_class(tonic)
    out: dict[int, int] = {}
    for descending in (True, False):  # the ascending form wins where both name a class
        for d, q in enumerate(mode.quarter_positions(descending)):
            out[(t + q) % 24] = d
    return out


def phrase_endings(notes: Sequence[Note], span_beats: float) -> list[Note]:
    """The last note to start in each ``span_beats`` span of the metre (from beat 0) that has an
    onset: where a phrase of that many beats ends. The melody's last note ends the last span."""
    last: dict[int, Note] = {}
    for n in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        last[int(n.start // span_beats + 1e-9)] = n
    return [last[k] for k in sorted(last)]


def cadence_agreement(notes: Sequence[Note], mode: Mode, tonic: float, span_beats: float) -> float:
    """Share of phrase endings (``phrase_endings``: the last note of every ``span_beats`` span)
    on one of the mode's cadence degrees (``Mode.cadences``: the qarar, i.e. the tonic, the
    ghammaz and the other resting degrees the catalogue records), in any octave and either form.

    Maqam theory says where a phrase may rest: on the tonic or on the ghammaz, the first degree of
    the upper jins, the cadential formulae (qafla) resolving to the tonic of the maqam or of a jins
    within it (Farraj & Abu Shumays 2019, *Inside Arabic Music*; Marcus 1989; docs/studio.md). The
    span is our simplification of phrase segmentation (a fixed hypermetre). A walk that merely
    stays in the pitch set lands there only as often as those degrees are among the mode's (2-3 in
    7 or 5)."""
    ends = phrase_endings(notes, span_beats)
    if not ends:
        return 0.0
    classes = degree_classes(mode, tonic)
    resting = {c % mode.size for c in mode.cadences} | {0}
    hits = sum(classes.get(quarter_class(n.pitch)) in resting for n in ends)
    return round(hits / len(ends), 4)


def sayr_agreement(
    notes: Sequence[Note],
    mode: Mode,
    tonic: float,
    phrases: Sequence[PhrasePlan],
    tuning: str = DEFAULT_TUNING,
) -> float:
    """Pearson correlation, over a piece's planned phrases, between the degree each phrase's sayr
    stage asks it to centre on (``PhrasePlan.centre``) and the duration-weighted mean degree of
    the melody's notes that start inside it (octave-aware: 7 is the tonic's octave, -1 the degree
    below the tonic; out-of-mode notes are skipped). 1 when the melody rises and falls with the
    path the sayr records, about 0 for one that ignores it; 0 when fewer than three phrases have
    notes or either side does not vary. A constant shift (the melody an octave up) changes
    nothing."""
    scale = Scale(mode, tonic, tuning)
    asked, heard = [], []
    for plan in phrases:
        inside = [n for n in notes if plan.start - 1e-9 <= n.start < plan.start + plan.length]
        degrees = [(scale.degree_of(n.pitch), n.length) for n in inside]
        degrees = [(d, w) for d, w in degrees if d is not None]
        if degrees:
            asked.append(plan.centre)
            heard.append(np.average([d for d, _ in degrees], weights=[w for _, w in degrees]))
    if len(asked) < 3 or np.ptp(asked) == 0 or np.ptp(heard) == 0:
        return 0.0
    return round(float(np.corrcoef(asked, heard)[0, 1]), 4)


def hierarchy_profile(mode: Mode) -> np.ndarray:
    """The mode's tonal hierarchy per degree: its published pitch profile where the catalogue has
    one (the tubu' from the MTG Arab-Andalusian transcriptions), else the ranks theory gives: the
    tonic (qarar) above the ghammaz (``Mode.dominant``), above the other cadence degrees, above the
    rest (tied). Only the order is used (``tonal_hierarchy`` is a rank correlation)."""
    if mode.weights:
        return np.array(mode.weights, dtype=float)
    ref = np.ones(mode.size)
    for c in mode.cadences:
        ref[c % mode.size] = 2.0
    ref[mode.dominant % mode.size] = 3.0
    ref[0] = 4.0
    return ref


def tonal_hierarchy(notes: Sequence[Note], mode: Mode, tonic: float) -> float:
    """Krumhansl-Schmuckler key-finding's question asked of one mode on one tonic: the correlation
    between the melody's duration-weighted profile over the mode's degrees and the mode's tonal
    hierarchy (``hierarchy_profile``). Krumhansl & Kessler (1982) and Krumhansl (1990) correlate
    the pitch-class durations with a probe-tone profile (Pearson); a maqam's theory gives an order
    of its degrees, not probe-tone magnitudes, so this is Spearman's rank correlation (Pearson on
    ranks, ties averaged). 1 when the melody weighs the degrees in the mode's order, about 0 for a
    walk that treats them alike, 0 when the melody has one degree only or none."""
    from scipy.stats import spearmanr

    classes = degree_classes(mode, tonic)
    weights = np.zeros(mode.size)
    for n in notes:
        d = classes.get(quarter_class(n.pitch))
        if d is not None:
            weights[d] += n.length
    ref = hierarchy_profile(mode)
    if np.ptp(weights) == 0 or np.ptp(ref) == 0:
        return 0.0
    rho = spearmanr(weights, ref).statistic
    return round(float(rho), 4)


def _tonic_near(tonic_q: int, lowest: float) -> float:
    """The tonic's pitch in the octave at or just below the lowest note."""
    pitch = tonic_q / 2.0
    while pitch + 12 <= lowest + 0.25:
        pitch += 12
    return pitch


def out_of_mode(notes: Sequence[Note], mode: Mode, tonic: float) -> dict[str, float]:
    """Share of notes outside the mode, and of notes on its declared
    (descending-form) accidentals."""
    if not notes:
        return {"out_of_mode": 0.0, "declared_accidentals": 0.0}
    allowed = mode_classes(mode, tonic)
    t = quarter_class(tonic)
    accidentals = {(t + q) % 24 for q in mode.accidentals()}
    outside = sum(1 for n in notes if quarter_class(n.pitch) not in allowed)
    declared = sum(1 for n in notes if quarter_class(n.pitch) in accidentals)
    return {
        "out_of_mode": round(outside / len(notes), 4),
        "declared_accidentals": round(declared / len(notes), 4),
    }


def onset_agreement(notes: Sequence[Note], rhythm: Rhythm, *, strokes_only: bool = False) -> float:
    """Share of onsets on the pattern: for percussion (``strokes_only``) any of its strokes; for a
    melody its accents (strokes other than hi-hats and jingles, which fill every pulse) or the
    metre's beats."""
    if not notes:
        return 0.0
    beats = {
        b + k * rhythm.bar_pulses
        for b in rhythm.beats
        for k in range(rhythm.cycle // rhythm.bar_pulses)
    }
    targets = rhythm.stroke_pulses() if strokes_only else rhythm.accent_pulses() | beats
    hits = 0
    for n in notes:
        pulse = n.start / rhythm.pulse_beats
        nearest = round(pulse)
        if abs(pulse - nearest) < 0.1 and nearest % rhythm.cycle in targets:
            hits += 1
    return round(hits / len(notes), 4)


def _muspy_music(notes: Sequence[Note], resolution: int = 12):
    import muspy

    track = muspy.Track(
        notes=[
            muspy.Note(
                time=round(n.start * resolution),
                pitch=round(n.pitch),
                duration=max(1, round(n.length * resolution)),
                velocity=n.velocity,
            )
            for n in notes
        ]
    )
    return muspy.Music(resolution=resolution, tracks=[track])


def symbolic_metrics(notes: Sequence[Note], bar_beats: float) -> dict[str, float]:
    """MusPy's pitch-class entropy, scale consistency and groove consistency of a melody."""
    import muspy

    if not notes:
        return {"pitch_class_entropy": 0.0, "scale_consistency": 0.0, "groove_consistency": 0.0}
    music = _muspy_music(notes)
    measure = round(bar_beats * music.resolution)
    return {
        "pitch_class_entropy": round(float(muspy.pitch_class_entropy(music)), 4),
        "scale_consistency": round(float(muspy.scale_consistency(music)), 4),
        "groove_consistency": round(float(muspy.groove_consistency(music, measure)), 4),
        "quarter_tone_entropy": round(_entropy(Counter(quarter_class(n.pitch) for n in notes)), 4),
    }


# MusPy's scale consistency tests these two 12-TET scales on every root (muspy.metrics._get_scale).
_MUSPY_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}


def muspy_misfit(mode: Mode, tonic: float) -> dict[str, Any]:
    """Why MusPy's scale consistency cannot reach 1.0 in ``mode``: the major or natural-minor scale
    that holds most of the mode's degrees once each is rounded to 12-TET (as MusPy's integer
    pitches are), and the degrees (0-based) it leaves out. A melody in the mode scores 1 minus its
    share of notes on those degrees against that scale (another scale may fit a melody that avoids
    other degrees better): the more it sounds the degrees that make the maqam, the lower it
    scores."""
    rounded = {
        d: {round(tonic + q / 2) % 12 for q in (up, down)}
        for d, (up, down) in enumerate(
            zip(mode.quarter_positions(), mode.quarter_positions(descending=True), strict=True)
        )
    }
    best: tuple[int, str, int] = (-1, "", 0)
    for name, steps in _MUSPY_SCALES.items():
        for root in range(12):
            scale = {(root + s) % 12 for s in steps}
            held = sum(classes <= scale for classes in rounded.values())
            best = max(best, (held, name, root), key=lambda b: b[0])
    _, name, root = best
    scale = {(root + s) % 12 for s in _MUSPY_SCALES[name]}
    outside = [d for d, classes in rounded.items() if not classes <= scale]
    return {"scale": f"{QUARTER_NAMES[2 * root]} {name}", "outside_degrees": outside}


def mode_scale_consistency(notes: Sequence[Note], mode: Mode) -> float:
    """MusPy's scale consistency with the requested mode as the scale: the largest share of notes
    (by count, as MusPy counts) inside the mode's quarter-tone pitch set over its 24 quarter-tone
    transpositions. The fair counterpart for a maqam, which MusPy's 12-TET scales cannot hold."""
    if not notes:
        return 0.0
    classes = Counter(quarter_class(n.pitch) for n in notes)
    positions = mode.pitch_set()
    best = max(sum(classes[(root + q) % 24] for q in positions) for root in range(24))
    return round(best / len(notes), 4)


def _entropy(counts: Counter) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values() if c)


def analyse_piece(
    piece: Piece, *, rhythm: Rhythm | None = None, mode: Mode | None = None
) -> dict[str, Any]:
    from halqa.studio.music.midi import melody_of

    melody = melody_of(piece)
    candidates = detect_mode(melody.notes)
    chosen_mode = mode or MODES[candidates[0]["mode"]]
    tonic = (
        candidates[0]["tonic"]
        if mode is None
        else next((c["tonic"] for c in detect_mode(melody.notes, [mode], top=1)), 0.0)
    )
    report: dict[str, Any] = {
        "kind": "midi",
        "tempo": piece.tempo,
        "meter": piece.meter,
        "bars": piece.bars,
        "melody_track": melody.name,
        "notes": len(melody.notes),
        "mode": candidates[0],
        "alternatives": candidates[1:],
        "pitch_class_histogram": histogram(melody.notes),
        "mode_used": {
            "mode": chosen_mode.name,
            "tonic": tonic,
            **out_of_mode(melody.notes, chosen_mode, tonic),
        },
        "metrics": symbolic_metrics(melody.notes, piece.bar_beats),
        "microtones": sorted({round((n.pitch - round(n.pitch)) * 100) for n in melody.notes} - {0}),
    }
    if rhythm is not None:
        drums = [n for t in piece.tracks if t.is_drum for n in t.notes]
        report["rhythm"] = {
            "pattern": rhythm.name,
            "melody_onsets": onset_agreement(melody.notes, rhythm),
            "percussion_onsets": onset_agreement(drums, rhythm, strokes_only=True)
            if drums
            else None,
        }
    if piece.meta.get("provenance"):
        report["provenance"] = piece.meta["provenance"]
    return report


def analyse_audio(
    path: Path, *, mode: Mode | None = None, tracker: str = "melody"
) -> dict[str, Any]:
    """Mode, histogram and per-degree cents of the sustained notes of a WAV: by default of the
    predominant melody of a full mix (``pitch.melody_f0``), or with ``tracker="yin"`` of a single
    line."""
    import soundfile

    from halqa.studio.music.pitch import PITCH_TRACKERS, audio_tempo, sustained_notes

    if tracker not in PITCH_TRACKERS:
        raise DataError(f"--pitch {tracker!r}: one of {', '.join(PITCH_TRACKERS)}")

    try:
        audio, sr = soundfile.read(str(path), always_2d=True)
    except Exception as exc:  # noqa: BLE001 - soundfile raises its own LibsndfileError for anything unreadable
        raise DataError(f"{path}: not an audio file soundfile can read ({exc})") from None
    held = sustained_notes(audio, sr, tracker=tracker)
    if not held:
        raise DataError(f"{path}: no sustained pitched notes found")
    notes = [Note(h["start"], h["seconds"], h["pitch"]) for h in held]
    candidates = detect_mode(notes)
    chosen = mode or MODES[candidates[0]["mode"]]
    tonic = (
        candidates[0]["tonic"] if mode is None else detect_mode(notes, [mode], top=1)[0]["tonic"]
    )
    degrees = _degree_cents(held, chosen, tonic)
    return {
        "kind": "audio",
        "sample_rate": sr,
        "seconds": round(len(audio) / sr, 2),
        "pitch_tracker": tracker,
        "tempo": audio_tempo(audio, sr),
        "mode": candidates[0],
        "alternatives": candidates[1:],
        "pitch_class_histogram": histogram(notes),
        "mode_used": {"mode": chosen.name, "tonic": tonic, **out_of_mode(notes, chosen, tonic)},
        "degrees_cents_from_12tet": degrees,
        "sustained_notes": held,
    }


def _degree_cents(held: list[dict], mode: Mode, tonic: float) -> dict[str, dict]:
    """Per mode degree: the median measured distance from 12-TET of the sustained notes on it."""
    from halqa.studio.music.theory import Scale

    scale = Scale(mode, tonic)
    by_degree: dict[int, list[float]] = {}
    for h in held:
        d = scale.degree_of(h["pitch"])
        if d is not None:
            by_degree.setdefault(d % mode.size, []).append(h["cents_from_12tet"])
    return {
        str(d + 1): {"notes": len(v), "median_cents": round(float(np.median(v)), 1)}
        for d, v in sorted(by_degree.items())
    }


def analyse_file(
    path: Path, *, rhythm: Rhythm | None = None, mode: Mode | None = None, tracker: str = "melody"
) -> dict[str, Any]:
    from halqa.studio.music.midi import read_midi

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() in (".wav", ".flac", ".ogg", ".aiff", ".aif"):
        report = analyse_audio(path, mode=mode, tracker=tracker)
    else:
        report = analyse_piece(read_midi(path), rhythm=rhythm, mode=mode)
    report["file"] = str(path)
    return report


__all__ = [
    "analyse_file",
    "analyse_piece",
    "cadence_agreement",
    "detect_mode",
    "histogram",
    "mode_consistency",
    "onset_agreement",
    "out_of_mode",
    "symbolic_metrics",
    "tonal_hierarchy",
]
