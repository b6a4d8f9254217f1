"""A musician's own material: continue a motif, accompany a melody, train on MIDI files."""

from __future__ import annotations

import pytest

from halqa.studio.music.analysis import detect_mode, onset_agreement, out_of_mode
from halqa.studio.music.develop import accompany, continue_motif, model_from_midi
from halqa.studio.music.midi import write_midi
from halqa.studio.music.rhythms import get_rhythm
from halqa.studio.music.theory import get_mode
from tests.studio.music.conftest import write_motif

# A 4-bar motif in Bayati on D (E half-flat = 63.5), as an oud player might play it.
BAYATI = [
    (0, 1, 62),
    (1, 0.5, 63.5),
    (1.5, 0.5, 65),
    (2, 1, 67),
    (3, 1, 65),
    (4, 0.5, 63.5),
    (4.5, 0.5, 65),
    (5, 1, 67),
    (6, 2, 69),
    (8, 1, 70),
    (9, 1, 69),
    (10, 1, 67),
    (11, 1, 65),
    (12, 1, 63.5),
    (13, 1, 65),
    (14, 2, 62),
]


@pytest.fixture
def motif(tmp_path):
    return write_motif(tmp_path / "motif.mid", BAYATI)


def test_the_motif_mode_is_detected(motif):
    from halqa.studio.music.midi import melody_of, read_midi

    best = detect_mode(melody_of(read_midi(motif)).notes)[0]
    assert (best["mode"], best["tonic_name"]) == ("bayati", "D") and best["confidence"] > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_continuation_keeps_the_mode_and_starts_where_the_motif_ends(motif, seed):
    piece, info = continue_motif(motif, bars=4, seed=seed)
    assert info["detected"]["mode"] == "bayati"
    notes = piece.track("melody").notes
    motif_notes, added = notes[: len(BAYATI)], notes[len(BAYATI) :]
    assert [(n.start, n.pitch) for n in motif_notes] == [(s, p) for s, _, p in BAYATI]
    assert added and added[0].start == pytest.approx(16.0)  # the motif ends at beat 16
    assert out_of_mode(added, get_mode("bayati"), 62.0)["out_of_mode"] == 0.0
    assert added[-1].end == pytest.approx(32.0) and (added[-1].pitch - 62) % 12 == pytest.approx(0)


def test_accompany_adds_bass_and_percussion_on_the_chaabi_pattern(motif, tmp_path):
    piece, _info = accompany(motif, "chaabi")
    roles = [t.role for t in piece.tracks]
    assert roles[0] == "melody" and "bass" in roles and "percussion" in roles
    assert [(n.start, n.pitch) for n in piece.tracks[0].notes] == [(s, p) for s, _, p in BAYATI]
    drums = piece.track("percussion").notes
    assert onset_agreement(drums, get_rhythm("chaabi"), strokes_only=True) == 1.0
    assert piece.mode == "bayati"
    assert out_of_mode(piece.track("bass").notes, get_mode("bayati"), 62.0)["out_of_mode"] == 0.0
    assert max(n.end for n in drums) >= 16.0 - 1e-9


def test_a_model_trained_on_midi_files_composes(tmp_path):
    from halqa.studio.music.compose import compose

    files = [
        write_motif(tmp_path / f"m{i}.mid", [(s + i * 0.0, d, p) for s, d, p in BAYATI])
        for i in range(2)
    ]
    files.append(write_midi(compose("hijaz", bars=8, seed=1), tmp_path / "hijaz.mid"))
    model = model_from_midi(files)
    assert model.sequences == 3 and len(model.vocab) > 5
    piece = compose("bayati", bars=8, seed=1, model=model)
    assert (
        out_of_mode(piece.track("melody").notes, get_mode("bayati"), piece.tonic)["out_of_mode"]
        == 0.0
    )
