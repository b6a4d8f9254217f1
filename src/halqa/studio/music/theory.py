"""Modes as data: Mashriq maqamat, Moroccan Andalusi tubu' and pentatonic material.

A mode is written the way Arabic theory writes it: steps counted in quarter tones
(Rast = 4 3 3 | 4 4 3 3), grouped in ajnas. The *cents* are not typed here: they are
read from a Scala tuning shipped with music21 -- by default d'Erlanger's 24-tone Arabic
system (``collangettes.scl``, d'Erlanger vol. 5 p. 23), whose k-th tone is the k-th
quarter tone. ``tuning="24-tet"`` gives the equal quarter tones of the domain note's
table instead. 12-TET modes (tubu', pentatonics) use even step counts only and are
rendered in equal temperament whatever the tuning, as the domain note requires
(Moroccan tubu' have no quarter tones). Sources and assumptions: docs/studio.md, "Music".
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from halqa.errors import ConfigError

DEFAULT_TUNING = "collangettes.scl"
NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass(frozen=True)
class Jins:
    name: str
    degree: int  # the mode degree (0-based) the jins starts on


@dataclass(frozen=True)
class Sayr:
    """A maqam's melodic path (sayr): the degree each stretch of a piece centres on, in order.

    ``stages`` are (name, degree) pairs from the opening to the return; degrees count from the
    tonic (0), 7 is the octave above it, negative ones lie below the tonic. The composer spreads
    a piece's melodic phrases over the stages in order (``Sayr.centres``), and the decoder weighs
    degrees near each phrase's centre (``melody.decode_phrase``)."""

    stages: tuple[tuple[str, int], ...]
    source: str
    assumption: str = ""  # what in the path is our reading, not the source's

    def __post_init__(self) -> None:
        if len(self.stages) < 2 or self.stages[-1][1] != 0:
            raise ValueError(f"sayr {self.stages}: needs two stages or more and ends on the tonic")

    def centres(self, phrases: int) -> list[tuple[str, int]]:
        """The stage of each of ``phrases`` phrases: stage ``floor(k * S / N)`` for phrase k of
        N, so the stages follow in order, each held by consecutive phrases, and the last phrase
        takes the last stage (the return to the tonic)."""
        n, s = phrases, len(self.stages)
        if n <= 0:
            return []
        picked = [self.stages[k * s // n] for k in range(n)]
        picked[-1] = self.stages[-1]
        return picked


@dataclass(frozen=True)
class Mode:
    """One mode: quarter-tone steps up (and down when the descending form differs)."""

    name: str
    family: str  # "maqam" | "tab" | "pentatonic" | "diatonic"
    tonic: str  # default tonic as a note name with octave (E` = E half-flat, as music21 spells it)
    steps_up: tuple[int, ...]  # quarter tones between successive degrees; they sum to 24
    steps_down: tuple[int, ...] | None = None
    ajnas: tuple[Jins, ...] = ()
    cadences: tuple[int, ...] = (
        0,
    )  # degrees a phrase may end on; the last one of a piece is degree 0
    dominant: int = 4  # ghammaz: the degree the second jins starts on, a half-cadence
    weights: tuple[float, ...] | None = None  # pitch weights per degree (data-derived profiles)
    source: str = ""
    assumption: str = ""  # non-empty when part of this entry is an engineering choice, not a source
    sayr: Sayr | None = None  # the melodic path (``SAYR``); None: no path, phrases centre nowhere

    def __post_init__(self) -> None:
        for steps in (self.steps_up, self.steps_down or self.steps_up):
            if sum(steps) != 24:
                raise ValueError(
                    f"mode {self.name}: steps {steps} do not fill an octave (24 quarter tones)"
                )

    @property
    def size(self) -> int:
        return len(self.steps_up)

    @property
    def microtonal(self) -> bool:
        return any(s % 2 for s in self.steps_up + (self.steps_down or ()))

    def quarter_positions(self, descending: bool = False) -> tuple[int, ...]:
        steps = self.steps_down if descending and self.steps_down else self.steps_up
        return tuple(itertools.accumulate(steps[:-1], initial=0))

    def accidentals(self) -> set[int]:
        """Quarter-tone positions that only the descending form uses (its declared accidentals)."""
        if not self.steps_down:
            return set()
        return set(self.quarter_positions(True)) - set(self.quarter_positions(False))

    def pitch_set(self) -> set[int]:
        """Every quarter-tone position the mode allows (both forms), modulo the octave."""
        return set(self.quarter_positions(False)) | set(self.quarter_positions(True))


def tonic_midi(note: str) -> float:
    """'C4' -> 60.0, 'E`4' -> 63.5 (half-flat), 'Bb3' -> 58.0, 'F#4' -> 66.0."""
    import re

    m = re.fullmatch(r"([A-Ga-g])(#|b|`|~|)(-?\d)", note.strip())
    if not m:
        raise ConfigError(
            f"tonic {note!r}: expected a note name with octave such as C4, "
            "E`4 (half-flat), Bb3, F#4"
        )
    letter, acc, octave = m.groups()
    alter = {"#": 1.0, "b": -1.0, "`": -0.5, "~": 0.5, "": 0.0}[acc]
    return 12 * (int(octave) + 1) + NOTE_NAMES[letter.upper()] + alter


@functools.lru_cache(maxsize=8)
def gamut_cents(tuning: str = DEFAULT_TUNING) -> tuple[float, ...]:
    """The 24 quarter-tone positions in cents: read from a music21 Scala file,
    or equal for '24-tet'."""
    if tuning == "24-tet":
        return tuple(50.0 * k for k in range(24))
    from music21.scale import scala

    data = scala.parse(tuning)
    if data is None:
        raise ConfigError(f"tuning {tuning!r}: not a Scala file music21 ships (or a path to one)")
    cents = [0.0]
    for step in data.getAdjacentCents():
        cents.append(cents[-1] + step)
    if len(cents) != 25:  # 24 tones plus the octave
        raise ConfigError(
            f"tuning {tuning!r}: has {len(cents) - 1} tones per octave; a quarter-tone gamut has 24"
        )
    return tuple(cents[:24])


def quarter_to_cents(position: int, microtonal: bool, tuning: str = DEFAULT_TUNING) -> float:
    """Cents above the tonic of a quarter-tone position (any octave). 12-TET modes stay equal."""
    octave, q = divmod(position, 24)
    cents = gamut_cents(tuning)[q] if microtonal else 50.0 * q
    return 1200.0 * octave + cents


def _m(
    name: str,
    family: str,
    tonic: str,
    up: Sequence[int],
    down: Sequence[int] | None = None,
    ajnas: Sequence[tuple[str, int]] = (),
    cadences: Sequence[int] = (0,),
    dominant: int = 4,
    weights: Sequence[float] | None = None,
    source: str = "",
    assumption: str = "",
) -> Mode:
    """A catalogue entry from lists (the tables below are easier to read without tuple()s)."""
    return Mode(
        name,
        family,
        tonic,
        tuple(up),
        tuple(down) if down else None,
        tuple(Jins(n, d) for n, d in ajnas),
        tuple(cadences),
        dominant,
        tuple(weights) if weights else None,
        source,
        assumption,
    )


def _second_heaviest(weights: Sequence[float]) -> int:
    """The degree (0-based, not the tonic) with the largest published share; the lower on a tie.
    A tab's resting degree besides its tonic where the transcriptions' profile is the only
    source."""
    return max(range(1, len(weights)), key=lambda d: (weights[d], -d))


MAQAMWORLD = (
    "morocco-domain.md §2.2 "
    "(MaqamWorld spelling via microtonaltheory.com/maqamworld-data; r/MaqamMakam)"
)
AAM = (
    "studio-anchors.md §4: "
    "pitch-class profiles of 157 MTG Arab-Andalusian transcriptions (share of notes)"
)

MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        # Mashriq maqamat (quarter tones), tonic and ajnas as in the domain note's table.
        _m(
            "rast",
            "maqam",
            "C4",
            (4, 3, 3, 4, 4, 3, 3),
            (4, 3, 3, 4, 4, 2, 4),
            (("rast", 0), ("rast", 4)),
            cadences=(0, 4, 2),
            dominant=4,
            source=MAQAMWORLD,
            assumption=(
                "descending form with B flat "
                "(Nahawand on G) is the common practice, not in the table"
            ),
        ),
        _m(
            "bayati",
            "maqam",
            "D4",
            (3, 3, 4, 4, 2, 4, 4),
            None,
            (("bayati", 0), ("nahawand", 3)),
            cadences=(0, 3),
            dominant=3,
            source=MAQAMWORLD,
        ),
        _m(
            "sikah",
            "maqam",
            "E`4",
            (3, 4, 4, 3, 3, 4, 3),
            None,
            (("sikah", 0), ("rast", 2)),
            cadences=(0, 2),
            dominant=2,
            source=MAQAMWORLD,
        ),
        _m(
            "huzam",
            "maqam",
            "E`4",
            (3, 4, 2, 6, 2, 4, 3),
            None,
            (("sikah", 0), ("hijaz", 2)),
            cadences=(0, 2),
            dominant=2,
            source=MAQAMWORLD,
        ),
        _m(
            "hijaz",
            "maqam",
            "D4",
            (2, 6, 2, 4, 3, 3, 4),
            (2, 6, 2, 4, 2, 4, 4),
            (("hijaz", 0), ("rast", 3)),
            cadences=(0, 3),
            dominant=3,
            source=MAQAMWORLD,
            assumption=(
                "ascending with the Rast ending, "
                "descending with the Nahawand ending (both in the table)"
            ),
        ),
        _m(
            "saba",
            "maqam",
            "D4",
            (3, 3, 2, 6, 2, 4, 4),
            None,
            (("saba", 0), ("hijaz", 2)),
            cadences=(0, 2),
            dominant=2,
            source="MaqamWorld spelling D E` F Gb A Bb C",
            assumption="not in the domain note's table; standard MaqamWorld spelling",
        ),
        _m(
            "kurd",
            "maqam",
            "D4",
            (2, 4, 4, 4, 2, 4, 4),
            None,
            (("kurd", 0), ("nahawand", 3)),
            cadences=(0, 3),
            dominant=3,
            source=MAQAMWORLD,
        ),
        _m(
            "nahawand",
            "maqam",
            "C4",
            (4, 2, 4, 4, 2, 6, 2),
            (4, 2, 4, 4, 2, 4, 4),
            (("nahawand", 0), ("hijaz", 4)),
            cadences=(0, 4),
            dominant=4,
            source=MAQAMWORLD,
        ),
        _m(
            "ajam",
            "maqam",
            "C4",
            (4, 4, 2, 4, 4, 4, 2),
            None,
            (("ajam", 0), ("ajam", 4)),
            cadences=(0, 4),
            dominant=4,
            source=MAQAMWORLD,
        ),
        # Moroccan Andalusi tubu' in 12-TET: pitch sets and weights are the transcriptions' profiles
        # (C-based as notated); the finalis is not in that data, so the tonic is taken as the most
        # frequent pitch class (assumption), and the steps are rotated to start there.
        *(
            _m(
                name,
                "tab",
                tonic,
                up,
                down,
                (),
                cadences=(0, _second_heaviest(w)),
                dominant=_second_heaviest(w),
                weights=w,
                source=AAM,
                assumption=(
                    "tonic = most frequent pitch class of the profile "
                    "(the finalis is not in the data)"
                ),
            )
            for name, tonic, up, down, _dom, w in (
                (
                    "istihlal",
                    "E4",
                    (2, 4, 4, 4, 2, 4, 4),
                    None,
                    3,
                    (0.20, 0.15, 0.17, 0.11, 0.06, 0.17, 0.13),
                ),
                (
                    "rasd_al_dhil",
                    "E4",
                    (2, 4, 4, 6, 4, 4),
                    None,
                    3,
                    (0.24, 0.12, 0.14, 0.11, 0.17, 0.18),
                ),
                (
                    "ramal_al_maya",
                    "F4",
                    (4, 4, 4, 2, 4, 4, 2),
                    None,
                    4,
                    (0.19, 0.18, 0.15, 0.06, 0.13, 0.15, 0.13),
                ),
                (
                    "isbahan",
                    "D4",
                    (4, 2, 4, 4, 4, 2, 4),
                    None,
                    3,
                    (0.19, 0.19, 0.16, 0.15, 0.07, 0.09, 0.14),
                ),
                (
                    "maya",
                    "E4",
                    (2, 4, 4, 4, 2, 4, 4),
                    None,
                    3,
                    (0.22, 0.17, 0.19, 0.10, 0.07, 0.13, 0.10),
                ),
                (
                    "hijaz_al_mashriqi",
                    "F4",
                    (4, 4, 4, 2, 4, 4, 2),
                    None,
                    4,
                    (0.23, 0.18, 0.15, 0.05, 0.11, 0.14, 0.13),
                ),
                # F# (.04) and F (.05) both occur: F# ascending, F descending is our reading.
                (
                    "rasd",
                    "G4",
                    (4, 4, 2, 4, 4, 4, 2),
                    (4, 4, 2, 4, 4, 2, 4),
                    4,
                    (0.23, 0.15, 0.06, 0.12, 0.18, 0.17, 0.09),
                ),
                (
                    "gharibat_al_husayn",
                    "E4",
                    (2, 4, 4, 6, 4, 4),
                    None,
                    3,
                    (0.25, 0.15, 0.16, 0.10, 0.14, 0.15),
                ),
                # E flat (.03) is kept as the descending form's accidental (direction is our
                # reading).
                (
                    "hijaz_al_kabir",
                    "G4",
                    (4, 4, 2, 4, 4, 4, 2),
                    (4, 4, 2, 4, 2, 6, 2),
                    4,
                    (0.19, 0.13, 0.11, 0.12, 0.16, 0.11, 0.13),
                ),
            )
        ),
        # Pentatonic and popular material.
        _m(
            "gnawa",
            "pentatonic",
            "D3",
            (4, 6, 4, 6, 4),
            None,
            (),
            cadences=(0, 3),
            dominant=3,
            source=(
                "studio-anchors.md §4: one author hears the guembri as D E G A C "
                "([0, 2, 5, 7, 10]); gnawa 'emphasizes the tonic and fifth' (the fifth, A, rests)"
            ),
            assumption="one listener's etic hearing, not an established scale",
        ),
        _m(
            "amazigh",
            "pentatonic",
            "A3",
            (6, 4, 4, 6, 4),
            None,
            (),
            cadences=(0, 3),
            dominant=3,
            source="morocco-domain.md §2.3: Berber music includes pentatonic music",
            assumption=(
                "the interval set [0, 3, 5, 7, 10] is an engineering default, no source gives it"
            ),
        ),
        _m(
            "hassani",
            "pentatonic",
            "G3",
            (4, 4, 6, 4, 6),
            None,
            (),
            cadences=(0, 3),
            dominant=3,
            source="morocco-domain.md §2.3: tidinit music has five- and seven-note modes",
            assumption="the major pentatonic [0, 2, 4, 7, 9] is an engineering default",
        ),
        _m(
            "hijaz_12",
            "diatonic",
            "D4",
            (2, 6, 2, 4, 2, 4, 4),
            None,
            (("hijaz", 0), ("nahawand", 3)),
            cadences=(0, 3),
            dominant=3,
            source="Hijaz with the Nahawand ending (domain note §2.2) in 12-TET",
            assumption=(
                "12-TET Hijaz as the default colour of chaabi and rai keyboards is our choice"
            ),
        ),
        _m(
            "aeolian",
            "diatonic",
            "A3",
            (4, 2, 4, 4, 2, 4, 4),
            None,
            (),
            cadences=(0, 4),
            dominant=4,
            source="natural minor",
            assumption="minor as the default of trap is our choice",
        ),
    )
}

ABU_SHUMAYS = (
    "Sami Abu Shumays (co-author with Johnny Farraj of Inside Arabic Music, 2019), "
    "maqamlessons.com 'Analyses by Maqam'"
)
MAQAM_MAKAM = "r/MaqamMakam 'Sikah vs Huzam' (morocco-domain.md §2.2's sayr notes)"
# The sayr of each Mashriq maqam: the degree its phrases centre on from opening to return.
# Degrees are 0-based (0 = tonic, 7 = its octave, -1 = the degree below the tonic).
SAYR: dict[str, Sayr] = {
    "rast": Sayr(
        (
            ("opening: rast on the tonic", 0),
            ("third (secondary emphasis)", 2),
            ("ghammaz: rast on the fifth", 4),
            ("climax: the octave", 7),
            ("descent through nahawand on the fifth (B flat)", 4),
            ("third", 2),
            ("return: qarar", 0),
        ),
        source=ABU_SHUMAYS + ": 'Rast very clearly leans toward its 5th scale degree, with a "
        "lesser secondary emphasis on its 3rd'; issue 15: starts at the tonic, rises to the "
        "ghammaz and comes back through the descending form",
        assumption="the octave as the climax and the order of third and fifth are our reading",
    ),
    "bayati": Sayr(
        (
            ("opening: bayati on the tonic", 0),
            ("ghammaz: the fourth", 3),
            ("sixth (secondary tonic)", 5),
            ("climax: the octave", 7),
            ("sixth", 5),
            ("descent through nahawand on the fourth", 3),
            ("return: qarar", 0),
        ),
        source=ABU_SHUMAYS + ": Bayati's secondary tonics are its 4th, 6th, 3rd and 7th degrees; "
        "Wikipedia 'Bayati (maqam)': dominant on the 4th, quickly reaches the dominant and above, "
        "ends on the tonic",
        assumption="the octave as the climax is our reading",
    ),
    "sikah": Sayr(
        (
            ("opening: the wavering tonic", 0),
            ("second (F)", 1),
            ("ghammaz: rast on the third (G)", 2),
            ("climax: the fourth (A), rarely higher", 3),
            ("ghammaz", 2),
            ("second (F dominates)", 1),
            ("return: qarar", 0),
        ),
        source=MAQAM_MAKAM + ": establish the tonic first, go only up to G, rarely above A, "
        "then C D E` F 'making F dominate' before coming back to E`",
    ),
    "huzam": Sayr(
        (
            ("opening: the wavering tonic", 0),
            ("hijaz on the third", 2),
            ("up through hijaz to the seventh", 6),
            ("drop to the sixth", 5),
            ("jump to the octave", 7),
            ("descent: turn around the fifth", 4),
            ("hijaz on the third established", 2),
            ("return: qarar", 0),
        ),
        source=MAQAM_MAKAM + ": up through Hijaz to the 7th, drop to the 6th, jump to the "
        "octave; coming down, a turn on the 5th, then the 3rd established as in Hijaz, then the "
        "tonic",
    ),
    "hijaz": Sayr(
        (
            ("opening: hijaz on the tonic", 0),
            ("the augmented second (F#)", 2),
            ("ghammaz: the fourth", 3),
            ("climax: the octave", 7),
            ("descent through nahawand on the fourth", 3),
            ("the hijaz jins (E flat)", 1),
            ("return: qarar", 0),
        ),
        source="arabicmusicallibrary.com 'Maqamaat scales': Hijaz-Rast on the way up, "
        "Hijaz-Nahawand on the way down; ghammaz on the 4th (domain note's ajnas)",
        assumption="the augmented-second centre and the octave climax are our reading "
        "(issue 15: Hijaz plays on its augmented second)",
    ),
    "saba": Sayr(
        (
            ("opening: the tonic", 0),
            ("the saba third (F)", 2),
            ("dwelling on the third", 2),
            ("hijaz on the third, up to A", 4),
            ("back to the third", 2),
            ("below the tonic", -1),
            ("return: qarar", 0),
        ),
        source="Wikipedia 'Saba (music)': F, the third, is the pitch of secondary melodic "
        "emphasis; mikeouds.com thread 18245: Saba 'with emphasis on its dominant third degree'; "
        + ABU_SHUMAYS
        + ": Saba's melodies go down beneath the tonic",
        assumption="A as the highest centre (Saba does not settle upward) is our reading",
    ),
    "kurd": Sayr(
        (
            ("opening: kurd on the tonic", 0),
            ("the kurd second (E flat)", 1),
            ("ghammaz: the fourth", 3),
            ("climax: the seventh", 6),
            ("ghammaz", 3),
            ("return: qarar", 0),
        ),
        source="arabicmusicallibrary.com 'Maqamaat scales': 'in maqam Kurd the dominant is on "
        "the 4th note'",
        assumption="every stage but the ghammaz is an engineering default (no stored sayr page)",
    ),
    "nahawand": Sayr(
        (
            ("opening: nahawand on the tonic", 0),
            ("third (E flat)", 2),
            ("ghammaz: hijaz on the fifth", 4),
            ("climax: the seventh (B natural ascending)", 6),
            ("descent through kurd on the fifth", 4),
            ("return: qarar", 0),
        ),
        source="arabicmusicallibrary.com 'Maqamaat scales': Nahawand-Hijaz on the way up, "
        "Nahawand-Kurd on the way down; ghammaz on the 5th (domain note's ajnas)",
        assumption="the third and the seventh as centres are an engineering default",
    ),
    "ajam": Sayr(
        (
            ("opening: ajam on the tonic", 0),
            ("ghammaz: the fifth", 4),
            ("climax: the octave", 7),
            ("ghammaz", 4),
            ("third", 2),
            ("return: qarar", 0),
        ),
        source="ghammaz on the 5th (domain note's ajnas: 'Ajam on the tonic and on the 5th)",
        assumption="the path itself is an engineering default (no stored sayr page)",
    ),
}
MODES.update({name: replace(MODES[name], sayr=sayr) for name, sayr in SAYR.items()})


def get_mode(name: str) -> Mode:
    key = name.strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    if key not in MODES:
        raise ConfigError(f"unknown mode or maqam {name!r}; known: {', '.join(sorted(MODES))}")
    return MODES[key]


@dataclass(frozen=True)
class Scale:
    """A mode placed on a tonic: degree index (any integer,
    7 = the octave above degree 0) -> MIDI pitch."""

    mode: Mode
    tonic: float  # MIDI number, possibly fractional (E half-flat = 63.5)
    tuning: str = DEFAULT_TUNING
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def quarter_position(self, degree: int, descending: bool = False) -> int:
        octave, d = divmod(degree, self.mode.size)
        return 24 * octave + self.mode.quarter_positions(descending)[d]

    def pitch(self, degree: int, descending: bool = False) -> float:
        """MIDI pitch (fractional for quarter tones) of a degree,
        in the ascending or descending form."""
        q = self.quarter_position(degree, descending)
        return self.tonic + quarter_to_cents(q, self.mode.microtonal, self.tuning) / 100.0

    def degree_of(self, pitch: float) -> int | None:
        """The degree whose pitch (either form) is within 30 cents of ``pitch``;
        None when out of mode."""
        best, best_err = None, 0.3
        base = int((pitch - self.tonic) // 12) * self.mode.size
        for degree in range(base - self.mode.size, base + 2 * self.mode.size):
            for desc in (False, True):
                err = abs(self.pitch(degree, desc) - pitch)
                if err < best_err:
                    best, best_err = degree, err
        return best
