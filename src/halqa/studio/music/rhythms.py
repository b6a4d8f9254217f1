"""Rhythms as pulse patterns with stroke types (dum, tek, ka, qraqeb clack, 808 kick...).

A pattern is one cycle written one character per pulse ('.' = silence), for example
chaabi's two bars of 6/8: ``..T.D..T.D..`` (high strokes on pulses 3 and 8, low on 5 and
10, counted from 1, as the sources give it). Strokes map to General MIDI drum keys
(morocco-domain.md §2.6; GM has no bendir, darbuka or qraqeb, so the keys are our
approximation). Which patterns are sourced and which are ours: docs/studio.md, "Music".
"""

from __future__ import annotations

from dataclasses import dataclass

from halqa.errors import ConfigError


@dataclass(frozen=True)
class Stroke:
    code: str
    name: str
    gm_key: int  # General MIDI percussion key (channel 10)
    velocity: int
    low: bool  # a "dum"-like stroke that the bass may double
    timekeeping: bool = (
        False  # hi-hats and jingles that fill every pulse: not an accent of the pattern
    )


STROKES: dict[str, Stroke] = {
    s.code: s
    for s in (
        Stroke("D", "dum (darbuka/bendir low)", 35, 110, True),
        Stroke("T", "tek (darbuka edge)", 37, 100, False),
        Stroke("k", "ka (light tek)", 38, 60, False),
        Stroke("B", "bendir low", 36, 105, True),
        Stroke("b", "bendir high", 60, 90, False),
        Stroke("Q", "qraqeb clack", 76, 95, False),
        Stroke("q", "qraqeb light", 77, 65, False),
        Stroke("C", "hand clap", 39, 90, False),
        Stroke("t", "tar jingles", 54, 70, False, True),
        Stroke("K", "808 kick", 36, 120, True),
        Stroke("S", "snare/clap", 40, 105, False),
        Stroke("h", "closed hi-hat", 42, 70, False, True),
        Stroke("r", "hi-hat roll (3 hits in the pulse)", 42, 60, False, True),
        Stroke("o", "open hi-hat", 46, 75, False, True),
    )
}


@dataclass(frozen=True)
class Rhythm:
    """One cycle of ``len(layers[0])`` pulses; each layer is a string of stroke codes."""

    name: str
    layers: tuple[str, ...]
    pulse: int  # the pulse's note value: 8 = eighth note, 16 = sixteenth
    bar_pulses: int  # pulses per bar (the cycle may span several bars)
    meter: str  # as notated, e.g. "6/8"
    beats: tuple[int, ...]  # pulses (0-based, within a bar) that carry the meter's beats
    tempo: tuple[int, int, int]  # (low, default, high) in quarter notes per minute
    source: str = ""
    assumption: str = ""

    def __post_init__(self) -> None:
        lengths = {len(layer) for layer in self.layers}
        if len(lengths) != 1:
            raise ValueError(f"rhythm {self.name}: layers differ in length {sorted(lengths)}")
        bad = {c for layer in self.layers for c in layer} - set(STROKES) - {"."}
        if bad:
            raise ValueError(f"rhythm {self.name}: unknown stroke codes {sorted(bad)}")

    @property
    def cycle(self) -> int:
        return len(self.layers[0])

    @property
    def pulse_beats(self) -> float:
        """Length of one pulse in quarter notes."""
        return 4.0 / self.pulse

    def strokes_at(self, pulse: int) -> list[Stroke]:
        i = pulse % self.cycle
        return [STROKES[layer[i]] for layer in self.layers if layer[i] != "."]

    def stroke_pulses(self) -> set[int]:
        """Pulses of the cycle (0-based) where any layer strikes."""
        return {i for i in range(self.cycle) if any(layer[i] != "." for layer in self.layers)}

    def accent_pulses(self) -> set[int]:
        """Pulses where a stroke other than a timekeeping one (hi-hat, jingles) falls."""
        return {
            i
            for i in range(self.cycle)
            if any(not STROKES[layer[i]].timekeeping for layer in self.layers if layer[i] != ".")
        }

    def low_pulses(self) -> set[int]:
        return {
            i
            for i in range(self.cycle)
            if any(STROKES[c].low for c in (layer[i] for layer in self.layers) if c != ".")
        }


NO_STROKE_SOURCE = "no source gives strokes (morocco-domain.md §2.1, studio-anchors.md §4): ours"
MIZAN_TEMPO = "studio-anchors.md §4: transcribers' metronome marks (median min -> max)"

RHYTHMS: dict[str, Rhythm] = {
    r.name: r
    for r in (
        Rhythm(
            "chaabi",
            ("..T.D..T.D..",),
            8,
            6,
            "6/8",
            (0, 3),
            (100, 120, 140),
            source=(
                "morocco-domain.md §2.4: two bars of 6/8, low on pulses 5 and 10, high on 3 and 8"
            ),
            assumption="tempo: chaabi BPM NOT FOUND; 100-140 is ours",
        ),
        # Andalusi mizan: meters as notated (oudipedia; AAM time signatures), tempi from the marks.
        Rhythm(
            "basit",
            ("D..T..D.TT..",),
            8,
            12,
            "6/4",
            (0, 2, 4, 6, 8, 10),
            (60, 80, 120),
            source="oudipedia: basit 6/4; " + MIZAN_TEMPO,
            assumption=NO_STROKE_SOURCE,
        ),
        Rhythm(
            "qaim_wa_nisf",
            ("D...T.T.D...T...",),
            8,
            16,
            "8/4",
            (0, 2, 4, 6, 8, 10, 12, 14),
            (40, 70, 100),
            source="oudipedia: qa'im wa nisf 8/4; " + MIZAN_TEMPO,
            assumption=NO_STROKE_SOURCE,
        ),
        Rhythm(
            "btayhi",
            ("D.T.T.D.D.T.T...",),
            8,
            16,
            "8/4",
            (0, 2, 4, 6, 8, 10, 12, 14),
            (60, 85, 112),
            source="oudipedia: btayhi 8/4; " + MIZAN_TEMPO,
            assumption=NO_STROKE_SOURCE,
        ),
        Rhythm(
            "darj",
            ("D..TD.T.",),
            8,
            8,
            "4/4",
            (0, 2, 4, 6),
            (70, 95, 120),
            source="oudipedia: darj 4/4; " + MIZAN_TEMPO,
            assumption=NO_STROKE_SOURCE,
        ),
        Rhythm(
            "quddam",
            ("D.TD.T",),
            8,
            6,
            "6/8",
            (0, 3),
            (70, 125, 180),
            source="oudipedia: quddam 3/4 or 6/8; " + MIZAN_TEMPO,
            assumption=NO_STROKE_SOURCE,
        ),
        # Gnawa: qraqeb in ternary cycles (sourced: cyclical, interlocking, ternary/duple
        # interplay); the exact clack pattern and the clap are ours.
        Rhythm(
            "gnawa",
            ("Q.QQ.QQ.QQ.Q", "C.....C....."),
            8,
            6,
            "6/8",
            (0, 3),
            (90, 110, 140),
            source="morocco-domain.md §2.4 / studio-anchors.md §4: qraqeb ternary cycles",
            assumption="the clack pattern (two of each three pulses) and clap placement are ours",
        ),
        Rhythm(
            "ahidous",
            ("B..b..B.bb..", "...C.....C.."),
            8,
            6,
            "6/8",
            (0, 3),
            (80, 100, 130),
            source="morocco-domain.md §2.4: bendir and foot stamping, groups answer each other",
            assumption="ahidous metre and strokes NOT FOUND; this 6/8 bendir cycle is ours",
        ),
        Rhythm(
            "rai",
            ("D..TD.T.", "..k...k.", "t.t.t.t."),
            8,
            8,
            "4/4",
            (0, 2, 4, 6),
            (90, 105, 125),
            source="Arabic iqa' dum/tek notation (morocco-domain.md §2.4)",
            assumption="a maqsum-like dum-tek cycle for rai is ours",
        ),
        Rhythm(
            "trap",
            ("K.........K.....", "........S.......", "h.h.h.h.h.h.hrrr"),
            16,
            16,
            "4/4",
            (0, 4, 8, 12),
            (130, 140, 160),
            source="widely known trap/drill layout (808 kick, clap on 3, hat rolls)",
            assumption="genre convention, not a Moroccan source",
        ),
        Rhythm(
            "maqsum",
            ("DT.TD.T.",),
            8,
            8,
            "4/4",
            (0, 2, 4, 6),
            (70, 90, 120),
            source="Arabic iqa' notation: strong dum, bright tek (morocco-domain.md §2.4)",
            assumption="maqsum as the default cycle under a Mashriq maqam is ours",
        ),
    )
}


def get_rhythm(name: str) -> Rhythm:
    key = name.strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    if key not in RHYTHMS:
        raise ConfigError(f"unknown rhythm or mizan {name!r}; known: {', '.join(sorted(RHYTHMS))}")
    return RHYTHMS[key]
