from __future__ import annotations

import pytest

from halqa.studio.music.compose import compose
from halqa.studio.music.notation import write_musicxml


@pytest.mark.parametrize("style", ["rast", "hijaz"])
def test_musicxml_reads_back_with_the_same_notes_and_quarter_tone_alterations(tmp_path, style):
    from music21 import converter

    # a length and seed whose melody uses the half-flat degree in both: Hijaz's half-flat sixth is
    # in its ascending form only, which its sayr reaches on the way up to the octave (16 bars)
    piece = compose(style, bars=16, seed=2)
    path = write_musicxml(piece, tmp_path / "p.musicxml")
    assert "<alter>-0.5</alter>" in path.read_text()
    score = converter.parse(str(path))
    parts = {p.partName: p for p in score.parts}
    melody = piece.track("melody")
    # a note held across a barline is written as tied notes: count the tie's first note only
    notes = [n for n in parts["melody"].recurse().notes if n.tie is None or n.tie.type == "start"]
    assert [
        (float(n.offset + n.getContextByClass("Measure").offset), n.pitch.ps) for n in notes
    ] == [pytest.approx((m.start, round(m.pitch * 2) / 2)) for m in melody.notes]
    alters = {n.pitch.alter for n in notes}
    assert -0.5 in alters  # half-flat degrees survive as microtonal alterations
