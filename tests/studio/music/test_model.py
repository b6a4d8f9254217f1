from __future__ import annotations

import math

import numpy as np

from halqa.studio.music.corpus import PHRASES, split_by_piece
from halqa.studio.music.melody import training_sequences
from halqa.studio.music.model import MelodyModel


def test_distribution_is_a_probability_over_the_vocabulary():
    model = MelodyModel(3).fit(training_sequences(PHRASES, 7))
    for seq in training_sequences(PHRASES, 7)[:5]:
        for i in range(len(seq)):
            p = model.distribution(seq[max(0, i - 3) : i])
            assert np.all(p > 0) and math.isclose(p.sum(), 1.0, rel_tol=1e-9)


def test_held_out_pieces_are_predicted_better_than_uniform():
    train, held = split_by_piece()
    assert {p.piece for p in train}.isdisjoint({p.piece for p in held})
    model = MelodyModel(2).fit(training_sequences(train, 7))
    uniform = math.log2(len(model.vocab))
    assert model.cross_entropy(training_sequences(held, 7)) < uniform
    # a higher order fits the training melodies more tightly
    assert MelodyModel(3).fit(training_sequences(train, 7)).cross_entropy(
        training_sequences(train, 7)
    ) < MelodyModel(0).fit(training_sequences(train, 7)).cross_entropy(training_sequences(train, 7))


def test_every_shipped_phrase_fills_its_bars():
    assert len({p.piece for p in PHRASES}) >= 10
    for p in PHRASES:
        assert sum(n for _, n in p.notes) % {"6/8": 6, "4/4": 8}[p.meter] == 0
