"""A variable-order Markov model of melodies over (scale degree, length, metric position).

Counts of every context up to ``order`` tokens are blended from the longest context down
with Witten-Bell interpolation (the IDyOM/PPM lineage), so an unseen context falls back to
shorter ones instead of copying the corpus. Tokens are mode-independent: degree 0 is the
tonic of whatever mode the melody is decoded in, so one model serves every mode of a size.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import Field

from halqa.config import Config

Token = tuple[
    int, int, int
]  # (degree, length in eighths, metric class 0 downbeat / 1 beat / 2 off-beat)


def metric_class(pos: int, bar: int, beats: frozenset[int]) -> int:
    p = pos % bar
    return 0 if p == 0 else 1 if p in beats else 2


def tokens_of(
    notes: Sequence[tuple[int, int]], bar: int, beats: frozenset[int], start: int = 0
) -> list[Token]:
    """(degree, length) notes starting at eighth ``start`` -> tokens with their metric class."""
    out, pos = [], start
    for degree, length in notes:
        out.append((degree, length, metric_class(pos, bar, beats)))
        pos += length
    return out


class MelodyConfig(Config):
    """The model's one hyper-parameter: how many preceding tokens a context holds (0 = none)."""

    order: int = Field(default=3, ge=0)


class MelodyModel:
    """Context counts learnt by :meth:`fit`; ``order`` is validated by :class:`MelodyConfig`."""

    def __init__(self, order: int = 3) -> None:
        self.config = MelodyConfig.build("the melody model", order=order)
        self.counts: dict[tuple[Token, ...], Counter[Token]] = defaultdict(Counter)
        self.vocab: list[Token] = []
        self.index: dict[Token, int] = {}
        self.sequences = 0
        self._memo: dict[tuple[Token, ...], np.ndarray] = {}  # distributions by (trimmed) context

    @property
    def order(self) -> int:
        return self.config.order

    def fit(self, sequences: Iterable[Sequence[Token]]) -> MelodyModel:
        for seq in sequences:
            self.sequences += 1
            for i, tok in enumerate(seq):
                if tok not in self.index:
                    self.index[tok] = len(self.vocab)
                    self.vocab.append(tok)
                for k in range(min(self.order, i) + 1):
                    self.counts[tuple(seq[i - k : i])][tok] += 1
        if not self.vocab:
            raise ValueError("no training melodies")
        self._memo.clear()
        return self

    def _vector(self, counter: Counter[Token]) -> np.ndarray:
        vec = np.zeros(len(self.vocab))
        for tok, n in counter.items():
            vec[self.index[tok]] = n
        return vec

    def distribution(self, context: Sequence[Token]) -> np.ndarray:
        """P(next token | context) over ``vocab``, Witten-Bell blended from order 0 upwards."""
        key = tuple(context[-self.order :]) if self.order else ()
        if key not in self._memo:
            self._memo[key] = self._blend(key)
        return self._memo[key]

    def _blend(self, context: tuple[Token, ...]) -> np.ndarray:
        p = (self._vector(self.counts[()]) + 1.0) / (
            sum(self.counts[()].values()) + len(self.vocab)
        )
        for k in range(1, min(self.order, len(context)) + 1):
            counter = self.counts.get(tuple(context[-k:]))
            if not counter:
                break  # a longer context containing an unseen one is unseen too
            total, distinct = sum(counter.values()), len(counter)
            p = (self._vector(counter) + distinct * p) / (total + distinct)
        return p

    def cross_entropy(self, sequences: Iterable[Sequence[Token]]) -> float:
        """Bits per note on held-out melodies (unknown tokens get the order-0 floor)."""
        bits, n = 0.0, 0
        floor = 1.0 / (sum(self.counts[()].values()) + len(self.vocab))
        for seq in sequences:
            for i, tok in enumerate(seq):
                p = self.distribution(seq[max(0, i - self.order) : i])
                prob = p[self.index[tok]] if tok in self.index else floor
                bits -= math.log2(max(prob, 1e-12))
                n += 1
        return bits / max(n, 1)
