"""Mode consistency (the quality table's stricter analogue of scale consistency) and the decoder's tonic."""

from __future__ import annotations

import pytest

from halqa.studio.music.analysis import (
    detect_mode,
    mode_consistency,
    mode_scale_consistency,
    muspy_misfit,
    symbolic_metrics,
)
from halqa.studio.music.compose import compose
from halqa.studio.music.piece import Note
from halqa.studio.music.theory import MODES, Scale


def _melody(scale: Scale, degrees: list[int], length: float = 1.0) -> list[Note]:
    return [Note(i * length, length, scale.pitch(d)) for i, d in enumerate(degrees)]


def test_a_melody_resting_on_its_tonic_is_heard_in_its_mode_and_one_circling_the_fifth_is_not():
    rast = MODES["rast"]
    scale = Scale(rast, 60.0)
    on_tonic = _melody(scale, [0, 1, 2, 0, 3, 2, 1, 0] * 4)
    # the same scale, but the melody never touches C: heard as Rast on G (G A B-half-flat C D)
    on_fifth = _melody(scale, [4, 5, 6, 4, 7, 6, 5, 4] * 4)
    assert mode_consistency(on_tonic, rast, 60.0, window_beats=8) == 1.0
    assert mode_consistency(on_fifth, rast, 60.0, window_beats=8) == 0.0
    # MusPy-style in-scale share cannot tell them apart: every note of both is in C Rast
    assert all(scale.degree_of(n.pitch) is not None for n in on_fifth)


def test_the_window_judge_ignores_where_a_window_happens_to_end():
    hijaz = MODES["hijaz"]
    scale = Scale(hijaz, 62.0)
    notes = _melody(scale, [0, 1, 0, 2, 0, 3])  # ends on the ghammaz: a cut, not a cadence
    assert detect_mode(notes, [hijaz], top=1, final_note=False)[0]["tonic_name"] == "D"


@pytest.mark.parametrize("style", ["chaabi", "gnawa", "rast", "hijaz", "trap"])
def test_held_notes_rest_on_stable_degrees_and_the_tonic_weighs_most(style):
    for seed in range(3):
        piece = compose(style, bars=16, seed=seed)
        mode = MODES[piece.mode]
        scale = Scale(mode, piece.tonic, piece.tuning)
        stable = {0, *(c % mode.size for c in mode.cadences)}
        weight: dict[int, float] = {}
        for n in piece.track("melody").notes:
            degree = scale.degree_of(n.pitch) % mode.size
            weight[degree] = weight.get(degree, 0.0) + n.length
            if n.length >= 2.0:  # a half note or longer (LONG_NOTE eighths)
                assert degree in stable, (style, seed, n)
        assert max(weight, key=weight.get) == 0, (style, seed, weight)


def test_muspy_marks_down_the_degree_that_makes_saba_and_the_in_mode_measure_does_not():
    """Saba's diminished fourth (G flat over D) is in no major or natural-minor scale: MusPy's scale
    consistency drops by the share of notes on it, the same formula in the mode stays at 1."""
    saba = MODES["saba"]
    scale = Scale(saba, 62.0)
    assert muspy_misfit(saba, 62.0) == {"scale": "F major", "outside_degrees": [3]}
    plain = _melody(scale, [0, 1, 2, 0, 2, 1, 0, 0])  # never sounds the fourth
    saba_like = _melody(scale, [0, 1, 2, 3, 2, 3, 1, 0])  # dwells on it, as Saba does
    assert symbolic_metrics(plain, 4.0)["scale_consistency"] == 1.0
    assert symbolic_metrics(saba_like, 4.0)["scale_consistency"] == pytest.approx(0.75)
    assert mode_scale_consistency(plain, saba) == mode_scale_consistency(saba_like, saba) == 1.0
    # a note outside the mode (a plain E, not E half-flat) counts against it
    assert mode_scale_consistency([*plain, Note(8.0, 1.0, 64.0)], saba) == pytest.approx(
        8 / 9, abs=1e-4
    )


def test_modes_that_fit_a_major_or_minor_scale_have_no_misfit():
    for name in ("rast", "bayati", "kurd", "ajam", "gnawa"):
        mode = MODES[name]
        assert muspy_misfit(mode, 62.0)["outside_degrees"] == [], name
