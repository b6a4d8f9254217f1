from __future__ import annotations

import mido
import pytest

from halqa.errors import DataError
from halqa.studio.music.compose import compose
from halqa.studio.music.midi import (
    DRUM_CHANNEL,
    assign_channels,
    read_midi,
    split_pitch,
    write_midi,
)
from halqa.studio.music.piece import Note, Piece, Track


def test_split_pitch_half_flat():
    assert split_pitch(63.5) == (64, -2048) or split_pitch(63.5) == (63, 2048)
    assert split_pitch(60.0) == (60, 0)


def test_simultaneous_notes_with_different_bends_get_different_channels():
    chord = Track(
        "harmony",
        "harmony",
        48,
        notes=[Note(0, 2, 60.0), Note(0, 2, 63.5), Note(0, 2, 67.0), Note(2, 1, 63.5)],
    )
    drums = Track("percussion", "percussion", 0, is_drum=True, notes=[Note(0, 0.5, 36.0)])
    channels = assign_channels([chord, drums])
    assert channels[1] == [DRUM_CHANNEL]
    c, e, g, later = channels[0]
    assert c == g != e and DRUM_CHANNEL not in channels[0]
    assert later in (c, e)  # once the chord has ended any channel may take it


def test_round_trip_keeps_quarter_tones_tempo_metre_and_provenance(tmp_path):
    piece = compose("sikah", bars=8, seed=2)
    path = write_midi(piece, tmp_path / "p.mid", provenance={"tool": "music.compose", "seed": 2})
    back = read_midi(path)
    assert back.tempo == pytest.approx(piece.tempo) and back.meter == piece.meter
    assert back.meta["provenance"] == {"tool": "music.compose", "seed": 2}
    for role in ("melody", "drone", "bass"):
        want = [(n.start, round(n.pitch, 2)) for n in piece.track(role).notes]
        got = [(n.start, round(n.pitch, 2)) for n in back.track(role).notes]
        assert got == want, role
    assert any(abs(n.pitch % 1 - 0.5) < 0.05 for n in back.track("melody").notes)


def test_every_channel_sets_a_two_semitone_bend_range(tmp_path):
    path = write_midi(compose("rast", bars=4, seed=1), tmp_path / "r.mid")
    for track in mido.MidiFile(str(path)).tracks[1:]:
        ccs = [(m.control, m.value) for m in track if m.type == "control_change"]
        if any(m.type == "note_on" and m.channel != DRUM_CHANNEL for m in track):
            assert ccs[:4] == [(101, 0), (100, 0), (6, 2), (38, 0)]


def test_a_text_file_is_not_midi(tmp_path):
    bad = tmp_path / "song.mid"
    bad.write_text("not a midi file")
    with pytest.raises(DataError, match="not a MIDI file"):
        read_midi(bad)
    empty = tmp_path / "empty.mid"
    mido.MidiFile().save(str(empty))
    with pytest.raises(DataError, match="no notes"):
        read_midi(empty)


def test_a_piece_needing_too_many_bends_at_once_is_refused():
    many = Track("x", "harmony", 0, notes=[Note(0, 1, 60 + k * 0.11) for k in range(17)])
    with pytest.raises(DataError, match="pitch bends"):
        assign_channels([many])


def test_piece_summary_is_json_ready():
    import json

    json.dumps(Piece("s", "m", 60, 120, "4/4", 4, 1).summary())
