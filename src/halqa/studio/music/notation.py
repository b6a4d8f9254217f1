"""MusicXML through music21, with quarter-tone accidentals (half-flat, half-sharp).

music21 spells a pitch of ps 63.5 as E half-flat (``E`4``) and writes the MusicXML
``<alter>-0.5</alter>`` with the quarter-tone accidental, which MuseScore displays. The
percussion track stays in the MIDI file (a GM drum map has no portable staff notation).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from halqa.studio.music.piece import Piece, Track

GRID = 12  # lengths and offsets are rounded to 1/12 of a quarter note (sixteenths and triplets)


def _q(x: float) -> float:
    from fractions import Fraction

    return float(Fraction(round(x * GRID), GRID))


def to_score(piece: Piece):
    from music21 import chord, instrument, metadata, meter, note, pitch, stream, tempo

    score = stream.Score()
    score.metadata = metadata.Metadata(
        title=f"{piece.style} in {piece.mode}", composer="halqa (generated)"
    )
    for track in piece.tracks:
        if track.is_drum or not track.notes:
            continue
        part = stream.Part(id=track.name)
        inst = instrument.instrumentFromMidiProgram(track.program)
        inst.partName = track.name
        part.insert(0, inst)
        part.insert(0, meter.TimeSignature(piece.meter))
        part.insert(0, tempo.MetronomeMark(number=round(piece.tempo)))
        for start, notes in _onsets(track).items():
            length = _q(max(n.length for n in notes)) or 1 / GRID
            pitches = [pitch.Pitch(ps=round(n.pitch * 2) / 2) for n in notes]
            element = note.Note(pitches[0]) if len(pitches) == 1 else chord.Chord(pitches)
            element.quarterLength = length
            part.insert(_q(start), element)
        score.insert(0, part)
    return score


def _onsets(track: Track) -> dict[float, list]:
    groups: dict[float, list] = defaultdict(list)
    for n in track.notes:
        groups[n.start].append(n)
    return dict(sorted(groups.items()))


def write_musicxml(piece: Piece, path: Path) -> Path:
    score = to_score(piece)
    path.parent.mkdir(parents=True, exist_ok=True)
    score.write("musicxml", fp=str(path))
    return path
