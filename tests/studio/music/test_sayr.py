"""Each maqam's melodic path (sayr): the data, the decoder following it, and the measure."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from halqa.studio.music.analysis import out_of_mode, sayr_agreement
from halqa.studio.music.compose import compose
from halqa.studio.music.piece import Note, PhrasePlan
from halqa.studio.music.theory import MODES, SAYR, Sayr, Scale, get_mode

MAQAMAT = ["rast", "bayati", "sikah", "huzam", "hijaz", "saba", "kurd", "nahawand", "ajam"]
# the families the last round found sharing one degree sequence for a seed
SHARED_BEFORE = [("sikah", "huzam", "saba"), ("bayati", "hijaz", "kurd"), ("nahawand", "ajam")]


def degrees_of(piece) -> list[int | None]:
    scale = Scale(get_mode(piece.mode), piece.tonic, piece.tuning)
    return [scale.degree_of(n.pitch) for n in piece.track("melody").notes]


@pytest.mark.parametrize("name", MAQAMAT)
def test_every_maqam_records_a_sourced_sayr_from_its_tonic_back_to_it(name):
    sayr = MODES[name].sayr
    assert sayr is not None and sayr is SAYR[name]
    assert sayr.source
    assert sayr.stages[0][1] == 0 and sayr.stages[-1][1] == 0
    assert all(-2 <= d <= 7 for _, d in sayr.stages)
    assert len({d for _, d in sayr.stages}) >= 3  # a path, not one place


def test_the_sources_path_is_recorded_as_the_source_says():
    # Saba dwells on its third and never settles upward; Sikah stays at or below its fourth
    saba = [d for _, d in SAYR["saba"].stages]
    assert saba.count(2) >= 3 and max(saba) <= 4 and min(saba) < 0
    assert max(d for _, d in SAYR["sikah"].stages) == 3
    # Rast rises to its ghammaz (the fifth) before the climax; Bayati to its fourth
    assert [d for _, d in SAYR["rast"].stages].index(4) < [d for _, d in SAYR["rast"].stages].index(
        7
    )
    assert SAYR["bayati"].stages[1][1] == MODES["bayati"].dominant == 3


def test_modes_without_a_path_have_none_and_compose_no_plan():
    for name in ("istihlal", "gnawa", "hijaz_12", "aeolian"):
        assert MODES[name].sayr is None
    assert compose("andalusi", "istihlal", bars=16, seed=1).phrases == []
    assert compose("chaabi", bars=16, seed=1).phrases == []


def test_a_sayr_spreads_its_stages_over_the_phrases_in_order():
    sayr = Sayr((("a", 0), ("b", 4), ("c", 7), ("d", 0)), source="test")
    assert [d for _, d in sayr.centres(4)] == [0, 4, 7, 0]
    assert [d for _, d in sayr.centres(8)] == [0, 0, 4, 4, 7, 7, 0, 0]
    assert [d for _, d in sayr.centres(2)] == [0, 0]  # the last phrase returns to the tonic
    assert sayr.centres(0) == []
    with pytest.raises(ValueError, match="ends on the tonic"):
        Sayr((("a", 0), ("b", 4)), source="test")


@pytest.mark.parametrize("family", SHARED_BEFORE)
def test_same_seed_different_maqam_gives_different_degree_sequences(family):
    for seed in (0, 1, 2):
        sequences = {name: degrees_of(compose(name, bars=16, seed=seed)) for name in family}
        for a, b in itertools.combinations(family, 2):
            assert sequences[a] != sequences[b], (seed, a, b)


@pytest.mark.parametrize("name", MAQAMAT)
def test_the_plan_follows_the_sayr_and_the_melody_follows_the_plan(name):
    mode = get_mode(name)
    scores = []
    for seed in range(12):
        piece = compose(name, bars=16, seed=seed)
        centres = [p.centre for p in piece.phrases]
        # the decoded phrases take the stages in order; seven for sixteen bars (intro excluded)
        assert len(centres) == 7
        assert centres == [d for _, d in mode.sayr.centres(7)]
        assert [p.stage for p in piece.phrases] == [s for s, _ in mode.sayr.centres(7)]
        assert centres[-1] == 0
        melody = piece.track("melody").notes
        assert out_of_mode(melody, mode, piece.tonic)["out_of_mode"] == 0.0
        assert degrees_of(piece)[-1] % mode.size == 0  # still cadences on the tonic
        scores.append(sayr_agreement(melody, mode, piece.tonic, piece.phrases, piece.tuning))
    # measured over these 12 seeds: 0.39 (huzam) to 0.79 (nahawand); a walk that ignores the
    # path scores about 0 (next test)
    assert np.mean(scores) > 0.35, scores


def _hand_made(scale: Scale, plan: list[PhrasePlan], degrees: list[list[int]]) -> list[Note]:
    notes = []
    for phrase, ds in zip(plan, degrees, strict=True):
        step = phrase.length / len(ds)
        notes += [Note(phrase.start + i * step, step, scale.pitch(d)) for i, d in enumerate(ds)]
    return notes


def test_sayr_agreement_on_hand_made_melodies():
    rast = MODES["rast"]
    scale = Scale(rast, 60.0)
    plan = [PhrasePlan(8.0 * k, 8.0, c, "") for k, c in enumerate([0, 2, 4, 7, 4, 2, 0])]
    following = [[0, 1, 0, -1], [2, 3, 2, 1], [4, 5, 4, 3], [7, 8, 7, 6], [4, 3, 4, 5]]
    following += [[2, 1, 2, 3], [1, 0, 1, 0]]
    notes = _hand_made(scale, plan, following)
    means = [np.mean(ds) for ds in following]
    expected = float(np.corrcoef([p.centre for p in plan], means)[0, 1])
    assert sayr_agreement(notes, rast, 60.0, plan) == pytest.approx(expected, abs=1e-4)
    assert expected > 0.99
    # the same melody an octave up follows the path just as well
    up = [Note(n.start, n.length, n.pitch + 12) for n in notes]
    assert sayr_agreement(up, rast, 60.0, plan) == pytest.approx(expected, abs=1e-4)
    # a melody that climbs when the path descends scores negative
    against = _hand_made(scale, plan, [[7], [5], [3], [0], [3], [5], [7]])
    assert sayr_agreement(against, rast, 60.0, plan) < -0.9
    # one that stays on the tonic gives no evidence either way
    flat = _hand_made(scale, plan, [[0, 0]] * 7)
    assert sayr_agreement(flat, rast, 60.0, plan) == 0.0
    # durations weigh: a long tonic and a short octave in the climax phrase is a low phrase
    weighted = _hand_made(scale, plan[:3], [[0], [2], [4]])
    weighted += [Note(24.0, 7.0, 60.0), Note(31.0, 1.0, 72.0)]
    mean_climax = (0 * 7 + 7 * 1) / 8
    assert sayr_agreement(weighted, rast, 60.0, plan[:4]) == pytest.approx(
        float(np.corrcoef([0, 2, 4, 7], [0, 2, 4, mean_climax])[0, 1]), abs=1e-4
    )


def test_a_melody_that_ignores_the_sayr_scores_near_zero():
    """Random in-mode walks judged against halqa's own plan: the measure can fail."""
    rng = np.random.default_rng(7)
    scores = []
    for seed in range(20):
        piece = compose("saba", bars=16, seed=seed)
        mode = get_mode("saba")
        scale = Scale(mode, piece.tonic, piece.tuning)
        walk = [
            Note(t / 2.0, 0.5, scale.pitch(int(rng.integers(-2, 10)))) for t in range(2 * 16 * 4)
        ]
        scores.append(sayr_agreement(walk, mode, piece.tonic, piece.phrases, piece.tuning))
    assert abs(np.mean(scores)) < 0.25, scores


def test_the_way_down_takes_the_descending_form():
    """Rast's path comes back from the octave through the fifth: B flat (descending form)
    sounds there and B half-flat on the way up."""
    piece = compose("rast", bars=32, seed=3)
    mode = get_mode("rast")
    scale = Scale(mode, piece.tonic, piece.tuning)
    melody = piece.track("melody").notes
    flat_b = {round(scale.pitch(6, True) - piece.tonic, 2) % 12}
    half_flat_b = {round(scale.pitch(6) - piece.tonic, 2) % 12}
    seen = {round((n.pitch - piece.tonic) % 12, 2) for n in melody}
    assert flat_b <= seen and half_flat_b <= seen
    for prev, n in itertools.pairwise(melody):
        if round((n.pitch - piece.tonic) % 12, 2) in flat_b:
            assert n.pitch < prev.pitch  # only ever reached going down


def test_the_cli_shows_each_maqams_sayr_and_a_pieces_plan(studio, tmp_path):
    from typer.testing import CliRunner

    from halqa.cli.main import app

    runner = CliRunner()
    styles = runner.invoke(app, ["music", "styles", "--json"])
    assert styles.exit_code == 0, styles.output
    modes = json.loads(styles.output)["modes"]
    assert [s["degree"] for s in modes["saba"]["sayr"]["stages"]] == [1, 3, 3, 5, 3, 0, 1]
    assert modes["saba"]["sayr"]["source"]
    assert modes["istihlal"]["sayr"] is None
    args = ["music", "compose", "--style", "sikah", "--bars", "16", "--seed", "1"]
    out = runner.invoke(app, [*args, "--out", str(tmp_path), "--no-audio", "--json"])
    assert out.exit_code == 0, out.output
    phrases = json.loads(out.output)["piece"]["phrases"]
    assert [p["degree"] for p in phrases] == [d + 1 for _, d in SAYR["sikah"].centres(7)]
    assert phrases[0]["start"] == 8.0 and phrases[-1]["start"] + phrases[-1]["length"] == 64.0
