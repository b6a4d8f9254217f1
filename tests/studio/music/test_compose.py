from __future__ import annotations

import itertools

import numpy as np
import pytest

from halqa.errors import ConfigError
from halqa.studio.music.analysis import onset_agreement, out_of_mode
from halqa.studio.music.compose import compose
from halqa.studio.music.melody import Constraints, Grid, decode_phrase, shipped_model
from halqa.studio.music.rhythms import get_rhythm
from halqa.studio.music.theory import get_mode

DONE_STYLES = [
    ("chaabi", None),
    ("gnawa", None),
    ("andalusi", "istihlal"),
    ("ahidous", None),
    ("rai", None),
    ("trap", None),
    ("rast", None),
    ("bayati", None),
    ("sikah", None),
    ("hijaz", None),
]


def notes_of(piece, role="melody"):
    return [(n.start, n.length, n.pitch) for n in piece.track(role).notes]


@pytest.mark.parametrize("style,mode", DONE_STYLES)
def test_no_note_leaves_the_mode_except_its_declared_accidentals(style, mode):
    piece = compose(style, mode, bars=16, seed=1)
    m = get_mode(piece.mode)
    for track in piece.tracks:
        if track.is_drum:
            continue
        share = out_of_mode(track.notes, m, piece.tonic)
        assert share["out_of_mode"] == 0.0, (track.name, share)
    if not m.accidentals():
        assert out_of_mode(piece.track("melody").notes, m, piece.tonic)["declared_accidentals"] == 0


def test_same_seed_same_piece_other_seed_other_piece():
    assert notes_of(compose("gnawa", bars=8, seed=3)) == notes_of(compose("gnawa", bars=8, seed=3))
    assert notes_of(compose("gnawa", bars=8, seed=3)) != notes_of(compose("gnawa", bars=8, seed=4))


def test_chaabi_percussion_falls_on_its_pattern():
    piece = compose("chaabi", bars=8, seed=2)
    rhythm = get_rhythm("chaabi")
    drums = piece.track("percussion").notes
    assert onset_agreement(drums, rhythm, strokes_only=True) == 1.0
    pulses = sorted({round(n.start / rhythm.pulse_beats) % 12 + 1 for n in drums})
    assert pulses == [3, 5, 8, 10]
    low = {round(n.start / rhythm.pulse_beats) % 12 + 1 for n in drums if n.pitch == 35}
    assert low == {5, 10}


def test_sections_length_and_final_cadence():
    piece = compose("rast", bars=16, seed=5)
    assert [s.name for s in piece.sections] == ["intro", "verse", "chorus", "verse", "outro"]
    assert sum(s.bars for s in piece.sections) == 16
    melody = piece.track("melody").notes
    assert (
        melody[0].start >= piece.sections[1].start_bar * piece.bar_beats
    )  # the intro is rhythm only
    assert melody[-1].end == pytest.approx(16 * piece.bar_beats)
    assert (melody[-1].pitch - piece.tonic) % 12 == pytest.approx(0)  # ends on the tonic
    chorus = piece.sections[2]
    # the chorus is the piece's hook: it comes back identical when the form repeats it
    long_piece = compose("rast", bars=24, seed=5)
    choruses = [s for s in long_piece.sections if s.name == "chorus"]
    assert len(choruses) >= 2
    first, second = (
        [
            (n.start - s.start_bar * long_piece.bar_beats, n.pitch)
            for n in long_piece.track("melody").notes
            if s.start_bar * long_piece.bar_beats
            <= n.start
            < (s.start_bar + s.bars) * long_piece.bar_beats
        ]
        for s in choruses[:2]
    )
    assert first == second and chorus.bars == 4


def test_seconds_and_tempo_set_the_length():
    piece = compose("trap", seconds=60, seed=1)
    assert 60 <= piece.seconds < 60 + piece.bar_beats * 60 / piece.tempo + 1e-6
    assert compose("chaabi", bars=4, tempo=100, seed=1).tempo == 100


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (
            {"tempo": 0},
            "the 'tempo' parameter of music compose must be greater than or equal to 20",
        ),
        (
            {"bars": 10_000},
            "the 'bars' parameter of music compose must be less than or equal to 512",
        ),
        ({"bars": 0}, "the 'bars' parameter of music compose must be greater than or equal to 1"),
        ({"seconds": -1}, "the 'seconds' parameter of music compose must be greater than 0"),
    ],
)
def test_bad_requests_name_the_option(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        compose("chaabi", **kwargs)


def test_decoder_obeys_constraints_for_many_seeds():
    mode = get_mode("bayati")
    model = shipped_model(mode.size)
    grid = Grid.of(get_rhythm("chaabi"))
    for seed in range(30):
        context = []
        notes = decode_phrase(
            model,
            mode,
            grid,
            np.random.default_rng(seed),
            start=0,
            length=12,
            context=context,
            constraints=Constraints(cadence=frozenset({0}), low=-2, high=9, leap=4),
        )
        assert sum(n for _, n in notes) == 12
        assert notes[-1][0] % mode.size == 0
        degrees = [d for d, _ in notes]
        assert all(-2 <= d <= 9 for d in degrees)
        assert all(abs(a - b) <= 4 for a, b in itertools.pairwise(degrees))


def test_rhythm_bias_moves_onsets_onto_the_pattern():
    rhythm = get_rhythm("chaabi")
    with_bias = [
        onset_agreement(compose("chaabi", bars=16, seed=s).track("melody").notes, rhythm)
        for s in range(4)
    ]
    without = [
        onset_agreement(
            compose("chaabi", bars=16, seed=s, rhythm_bias=1.0).track("melody").notes, rhythm
        )
        for s in range(4)
    ]
    assert np.mean(with_bias) > np.mean(without)
