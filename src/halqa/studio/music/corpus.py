"""The shipped training melodies: phrases written for halqa as data (Apache-2.0, like the code).

They are NOT transcriptions of Moroccan pieces (the MTG Arab-Andalusian corpus has no
licence to ship; music21's corpus is non-commercial and has no Arabic music). Each phrase is
written in scale degrees (0 = tonic, 7 = the octave of a heptatonic mode, 5 of a
pentatonic one) with lengths in eighth notes, bars separated by ``|``, so one phrase serves
every mode of its size. Phrases are grouped into *pieces*; training and evaluation are
split by piece (``split_by_piece``). A musician's own MIDI files train the model too
(``halqa music compose --train FILE.mid``).
"""

from __future__ import annotations

from dataclasses import dataclass

EIGHTHS_PER_BAR = {"6/8": 6, "4/4": 8}


@dataclass(frozen=True)
class Phrase:
    piece: str
    meter: str
    scale_size: int  # 7 (heptatonic, also used for 6-note tubu') or 5 (pentatonic)
    notes: tuple[tuple[int, int], ...]  # (degree, length in eighths)


_HEPTA_68 = """
0:2 1:1 2:2 3:1 | 2:1 1:1 0:4
4:3 3:1 2:1 1:1 | 2:2 1:1 0:3
0:1 2:1 4:1 5:2 4:1 | 3:1 2:1 1:1 2:3
7:2 6:1 5:2 4:1 | 3:1 4:1 2:1 1:1 0:2
2:1 3:1 4:1 4:2 3:1 | 2:2 3:1 1:2 0:1
0:3 4:3 | 5:1 4:1 3:1 2:3
4:1 5:1 4:1 3:1 2:1 3:1 | 4:4 3:2
3:2 2:1 1:2 2:1 | 0:6
0:1 1:1 2:1 3:1 4:2 | 5:2 4:1 3:2 2:1
2:2 1:1 0:2 -1:1 | 0:3 1:1 0:2
4:2 4:1 5:2 6:1 | 7:3 6:1 5:1 4:1
5:1 4:1 3:1 4:1 3:1 2:1 | 1:2 2:1 0:3
-1:1 0:1 1:1 2:2 1:1 | 0:2 -1:1 0:3
2:3 3:1 4:2 | 3:1 2:1 1:1 0:3
0:2 0:1 2:2 1:1 | 3:2 2:1 1:2 0:1
4:1 3:1 2:1 3:2 4:1 | 5:3 4:3
"""
_HEPTA_44 = """
0:2 1:1 2:1 3:2 4:2 | 3:1 2:1 1:2 0:4
4:3 5:1 4:2 3:2 | 2:2 1:1 2:1 0:4
0:1 1:1 2:1 3:1 4:2 3:2 | 2:1 3:1 2:1 1:1 0:4
7:2 6:2 5:2 4:2 | 3:2 4:1 3:1 2:4
2:2 2:1 3:1 4:4 | 3:2 2:2 1:2 0:2
0:4 2:2 4:2 | 5:3 4:1 3:4
4:1 3:1 4:1 5:1 4:2 3:2 | 2:2 1:2 0:4
-1:2 0:2 1:2 2:2 | 1:1 0:1 -1:2 0:4
3:2 4:2 5:1 4:1 3:2 | 2:3 1:1 0:4
0:1 0:1 1:2 2:2 3:2 | 4:6 3:2
5:2 4:1 3:1 2:2 3:2 | 4:2 2:2 1:2 0:2
2:1 1:1 0:2 1:2 2:2 | 3:2 2:2 0:4
4:2 6:2 5:2 4:1 3:1 | 4:8
1:2 2:2 3:2 1:2 | 2:1 1:1 0:6
0:3 1:1 2:3 3:1 | 4:2 3:2 2:2 1:1 0:1
6:2 5:1 4:1 3:2 2:2 | 1:2 0:2 -1:2 0:2
"""
_PENTA = """
6/8 0:2 0:1 2:2 1:1 | 0:3 -1:1 0:2
6/8 2:1 3:1 2:1 1:2 0:1 | 1:2 0:1 0:3
6/8 0:1 1:1 2:1 3:3 | 2:2 1:1 0:3
6/8 4:2 3:1 2:2 1:1 | 2:3 0:3
6/8 0:3 2:3 | 3:2 2:1 1:2 0:1
6/8 5:2 4:1 3:2 2:1 | 1:1 2:1 1:1 0:3
4/4 0:2 1:2 2:2 3:2 | 2:2 1:2 0:4
4/4 3:2 2:1 1:1 0:2 -1:2 | 0:8
4/4 0:1 2:1 3:2 2:2 1:2 | 0:2 1:2 0:4
4/4 2:3 3:1 4:4 | 3:2 2:2 1:2 0:2
4/4 4:2 3:2 2:2 1:2 | 2:2 0:6
4/4 0:2 -1:1 0:1 2:2 3:2 | 2:1 1:1 0:6
"""


def _note(token: str) -> tuple[int, int]:
    """``degree:length`` (length in eighths) as a pair of ints."""
    degree, length = token.split(":")
    return int(degree), int(length)


def _parse(block: str, family: str, meter: str | None, scale_size: int) -> list[Phrase]:
    phrases = []
    for i, line in enumerate(ln for ln in block.strip().splitlines() if ln.strip()):
        m, body = (meter, line) if meter else line.split(" ", 1)
        bars = [[_note(tok) for tok in bar.split()] for bar in body.split("|")]
        for b, bar in enumerate(bars):
            if sum(d for _, d in bar) != EIGHTHS_PER_BAR[m]:
                raise ValueError(
                    f"corpus {family} phrase {i + 1} bar {b + 1}: lengths do not fill {m}"
                )
        # four phrases make a piece: the unit of the training/evaluation split
        phrases.append(
            Phrase(f"{family}-{i // 4 + 1}", m, scale_size, tuple(n for bar in bars for n in bar))
        )
    return phrases


PHRASES: tuple[Phrase, ...] = tuple(
    _parse(_HEPTA_68, "hepta68", "6/8", 7)
    + _parse(_HEPTA_44, "hepta44", "4/4", 7)
    + _parse(_PENTA, "penta", None, 5)
)


def pieces() -> list[str]:
    return sorted({p.piece for p in PHRASES})


def split_by_piece(eval_every: int = 4) -> tuple[list[Phrase], list[Phrase]]:
    """(train, evaluation): the last piece of each family, and every ``eval_every``-th one,
    is held out."""
    by_family: dict[str, list[str]] = {}
    for name in pieces():
        by_family.setdefault(name.rsplit("-", 1)[0], []).append(name)
    held = {names[-1] for names in by_family.values()}
    held |= {
        n for names in by_family.values() for i, n in enumerate(names) if (i + 1) % eval_every == 0
    }
    return [p for p in PHRASES if p.piece not in held], [p for p in PHRASES if p.piece in held]
