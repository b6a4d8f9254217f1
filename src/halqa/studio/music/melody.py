"""Decoding melodies from the Markov model under the mode's constraints.

Every candidate note is a token the model has seen; a step keeps only those that (1) have
the metric class of the position they would start on, (2) fit in what is left of the
phrase, (3) leap no more than ``leap`` degrees and stay in the register, (4) when they
end the phrase, land on one of its cadence degrees, and (5) when held (a half note or more),
rest on the tonic or a cadence degree of the mode. What is left is weighted by the model,
by the mode's pitch profile where it has one (the tubu' transcriptions), towards the tonic on a
beat and after a bar without it, and by whether the next onset falls on a stroke or
beat of the style's rhythm, and, when the phrase has a centre (a maqam's sayr stage,
``theory.Sayr``), by a Gaussian of the distance in degrees from that centre; then sampled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from halqa.config import Config
from halqa.studio.music.corpus import EIGHTHS_PER_BAR, PHRASES, Phrase
from halqa.studio.music.model import MelodyModel, Token, metric_class, tokens_of
from halqa.studio.music.rhythms import Rhythm
from halqa.studio.music.theory import Mode

LONG_NOTE = 4  # eighths: a half note or longer is held, and rests on the tonic or a cadence degree
BEATS_OF_METER = {"6/8": frozenset({0, 3}), "4/4": frozenset({0, 2, 4, 6})}


@dataclass(frozen=True)
class Grid:
    """The metre as the melody sees it, in eighth notes."""

    bar: int  # eighths per bar
    beats: frozenset[int]  # eighths within a bar that carry a beat
    accents: frozenset[int]  # eighths within the rhythm's cycle where a stroke or a beat falls
    cycle: int  # eighths per rhythm cycle

    @classmethod
    def of(cls, rhythm: Rhythm) -> Grid:
        per_eighth = rhythm.pulse // 8  # pulses per eighth (1 for eighth pulses, 2 for sixteenths)
        bar = rhythm.bar_pulses // per_eighth
        beats = frozenset(p // per_eighth for p in rhythm.beats)
        cycle = rhythm.cycle // per_eighth
        strokes = {p // per_eighth for p in rhythm.accent_pulses() if p % per_eighth == 0}
        accents = frozenset(strokes | {b + k * bar for b in beats for k in range(cycle // bar)})
        return cls(bar, beats, accents, cycle)

    def on_accent(self, pos: int) -> bool:
        return pos % self.cycle in self.accents


def training_sequences(phrases: Sequence[Phrase], scale_size: int) -> list[list[Token]]:
    """Tokens of the phrases written for this mode size (5 = pentatonic, else heptatonic)."""
    wanted = 5 if scale_size == 5 else 7
    return [
        tokens_of(p.notes, EIGHTHS_PER_BAR[p.meter], BEATS_OF_METER[p.meter])
        for p in phrases
        if p.scale_size == wanted
    ]


def shipped_model(
    scale_size: int, order: int = 3, phrases: Sequence[Phrase] = PHRASES
) -> MelodyModel:
    return MelodyModel(order).fit(training_sequences(phrases, scale_size))


class Constraints(Config):
    """What one phrase's decoding must keep to (built per phrase by compose and develop)."""

    cadence: frozenset[int] = Field(min_length=1)  # degrees (any octave) the phrase may end on
    low: int  # lowest and highest degree allowed (register)
    high: int
    leap: int = Field(ge=1)  # largest step between two notes, in degrees
    rhythm_bias: float = Field(default=3.0, gt=0)  # weight for a next onset on a stroke or beat
    temperature: float = Field(default=1.0, gt=0)
    # weight multiplier for the tonic on a beat, and anywhere after a bar without it
    tonic_bias: float = Field(default=5.0, gt=0)
    # the degree the phrase centres on (its sayr stage), and the spread of the weight around it
    centre: int | None = None
    centre_spread: float = Field(default=1.5, gt=0)  # degrees (one standard deviation)
    tonic_floor: float = Field(default=0.4, ge=0, le=1)  # least centre weight of a wanted tonic


def decode_phrase(
    model: MelodyModel,
    mode: Mode,
    grid: Grid,
    rng: np.random.Generator,
    *,
    start: int,
    length: int,
    context: list[Token],
    constraints: Constraints,
) -> list[tuple[int, int]]:
    """One phrase of ``length`` eighths starting at eighth ``start``: (degree, length) notes."""
    vocab = np.array(model.vocab)  # shape (V, 3)
    degrees, lengths, classes = vocab[:, 0], vocab[:, 1], vocab[:, 2]
    weights = _profile_weights(mode, degrees, model)
    anchored = weights * _tonic_weights(mode, degrees, constraints.tonic_bias)
    if constraints.centre is not None:
        near = _centre_weights(degrees, constraints.centre, constraints.centre_spread)
        weights = weights * near
        # where the tonic is wanted (a beat, a bar without it) it keeps a floor of weight however
        # far the phrase's centre lies: the qarar stays the reference a maqam returns to
        is_tonic = degrees % mode.size == 0
        anchored = anchored * np.where(is_tonic, np.maximum(near, constraints.tonic_floor), near)
    notes: list[tuple[int, int]] = []
    pos, end = start, start + length
    prev = context[-1][0] if context else 0
    since_tonic = _since_tonic(context, mode.size)
    resting = np.isin(degrees % mode.size, sorted({0, *(c % mode.size for c in mode.cadences)}))
    while pos < end:
        left = end - pos
        ok = (lengths <= left) & (np.abs(degrees - prev) <= constraints.leap)
        ok &= (degrees >= constraints.low) & (degrees <= constraints.high)
        final = lengths == left
        ok &= (lengths < LONG_NOTE) | resting  # a held note rests on a stable degree
        ok &= ~final | np.isin(degrees % mode.size, [c % mode.size for c in constraints.cadence])
        same_class = classes == metric_class(pos, grid.bar, grid.beats)
        mask = ok & same_class if (ok & same_class).any() else ok
        if not mask.any():
            notes.append((_nearest_cadence(prev, constraints.cadence, mode.size), left))
            break
        wants_tonic = metric_class(pos, grid.bar, grid.beats) < 2 or since_tonic >= grid.bar
        p = model.distribution(context) * (anchored if wants_tonic else weights)
        bias = np.where(
            np.isin((pos + lengths) % grid.cycle, list(grid.accents)), constraints.rhythm_bias, 1.0
        )
        p = np.where(mask, p * bias, 0.0) ** (1.0 / constraints.temperature)
        choice = int(rng.choice(len(p), p=p / p.sum()))
        degree, n, cls = (int(x) for x in vocab[choice])
        notes.append((degree, n))
        context.append((degree, n, cls))
        prev, pos = degree, pos + n
        since_tonic = 0 if degree % mode.size == 0 else since_tonic + n
    return notes


def _profile_weights(mode: Mode, degrees: np.ndarray, model: MelodyModel) -> np.ndarray:
    """Per token, the mode's published share of its degree over the training melodies' share (1
    for a mode with no profile). The melodies are written in degrees for every mode of their size,
    so their own degree shares are no mode's; dividing them out makes the profile the melody's
    expected degree shares instead of multiplying the corpus's bias by it."""
    if not mode.weights:
        return np.ones(len(degrees))
    seen = np.zeros(mode.size)
    for (degree, _, _), n in model.counts[()].items():
        seen[degree % mode.size] += n
    seen = (seen + 1.0) / (seen.sum() + mode.size)
    profile = np.array(mode.weights) / np.sum(mode.weights)
    return (profile / seen)[degrees % mode.size]


def _centre_weights(degrees: np.ndarray, centre: int, spread: float) -> np.ndarray:
    """exp(-d^2 / 2 spread^2) for a token ``d`` degrees from the phrase's centre. A phrase of a
    maqam dwells in the jins around its stage's degree (melodies "tend to stay in the range of one
    jins" before moving on: researchcatalogue.net/view/1053899, after Farraj & Abu Shumays 2019);
    the Gaussian and its spread are our choice."""
    return np.exp(-0.5 * ((degrees - centre) / spread) ** 2)


def _since_tonic(context: Sequence[Token], size: int) -> int:
    """Eighths since the context last sounded the tonic (all of it when it never did)."""
    eighths = 0
    for degree, length, _ in reversed(context):
        if degree % size == 0:
            return eighths
        eighths += length
    return eighths


def _tonic_weights(mode: Mode, degrees: np.ndarray, bias: float) -> np.ndarray:
    """``bias`` on the tonic (any octave). Maqam and tab' practice rests a melody on its tonic and
    returns to it after an excursion (the domain note's "tonic and cadence degrees"); a melody that
    stays a bar or more away from it is heard in a neighbouring transposition of the mode."""
    return np.where(degrees % mode.size == 0, bias, 1.0)


def _nearest_cadence(prev: int, cadence: frozenset[int], size: int) -> int:
    options = [c + k * size for c in cadence for k in (-1, 0, 1)]
    return min(options, key=lambda d: (abs(d - prev), d))
