"""`--tuning mts`: quarter tones as MIDI Tuning Standard single-note tuning changes, read back from the SysEx."""

from __future__ import annotations

import mido
import pytest

from halqa.studio.music.compose import compose
from halqa.studio.music.midi import mts_pitch, mts_retune, read_midi, write_midi
from tests.studio.music.test_outputs import run


def test_a_retuning_round_trips_to_a_hundredth_of_a_cent():
    msg = mts_retune(64, 63.545)  # d'Erlanger's E half-flat above middle C
    assert msg.data[:6] == (0x7F, 0x7F, 0x08, 0x02, 0, 1)
    assert mts_pitch(msg) == {64: pytest.approx(63.545, abs=1e-4)}
    assert (
        mts_pitch(mido.Message("sysex", data=(0x7E, 0x7F, 0x09, 0x01))) == {}
    )  # GM on: not a tuning


def test_an_mts_file_carries_every_quarter_tone_in_sysex_and_no_pitch_bend(tmp_path):
    piece = compose("rast", bars=8, seed=1)
    piece.meta["midi_tuning"] = "mts"
    path = write_midi(piece, tmp_path / "rast-mts.mid")
    messages = [m for t in mido.MidiFile(str(path)).tracks for m in t]
    assert not [m for m in messages if m.type == "pitchwheel"]
    retuned = {k: p for m in messages if m.type == "sysex" for k, p in mts_pitch(m).items()}
    assert any(
        abs(p % 1 - 0.5) < 0.1 for p in retuned.values()
    )  # the half-flat third is a retuned key
    melody = piece.track("melody").notes
    back = next(t for t in read_midi(path).tracks if t.name == "melody").notes
    assert [round(n.pitch, 3) for n in back] == [round(n.pitch, 3) for n in melody]


def test_compose_with_tuning_mts_through_the_cli(studio, tmp_path):
    out = run(
        "music",
        "compose",
        "--style",
        "rast",
        "--bars",
        "4",
        "--tuning",
        "mts",
        "--no-audio",
        "--out",
        str(tmp_path / "mts"),
    )
    messages = [m for t in mido.MidiFile(out["files"]["midi"]).tracks for m in t]
    assert any(m.type == "sysex" and mts_pitch(m) for m in messages)
    assert not [m for m in messages if m.type == "pitchwheel"]
    bend = run(
        "music",
        "compose",
        "--style",
        "rast",
        "--bars",
        "4",
        "--no-audio",
        "--out",
        str(tmp_path / "b"),
    )
    assert any(
        m.type == "pitchwheel" for t in mido.MidiFile(bend["files"]["midi"]).tracks for m in t
    )
